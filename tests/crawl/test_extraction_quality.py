"""Quality gate: extract_article on trafilatura's own evaluation corpus (990 pages) must keep its F1.

Scoring is trafilatura's (tests/eval_common.py, see SOURCE.txt beside the corpus): the extracted text is
whitespace-normalised; each `with` snippet found is a true positive, each one missing a false negative,
each `without` snippet found a false positive; counts are pooled over all pages; no result counts as an
empty text. Run with -rP to see the numbers.
"""

import gzip
import json
import logging
import os
import re
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import pytest

from akhbar.crawl.extract import extract_article

SHARED_DATA = Path(os.environ.get("AKHBAR_SHARED_DATA") or Path(__file__).parents[2].parent / "shared" / "data")
CORPUS = SHARED_DATA / "extraction-trafilatura-eval"
# Measured 0.9260 (P 0.9073, R 0.9454) with trafilatura 2.3.1, whose own extract() scores 0.9261 here (we
# drop the headline from the body) and whose published figure is 0.924.
# Pinned trafilatura-style: raise it when extraction improves, never lower it silently, never under 0.92.
F1_FLOOR = 0.922
MAX_WORKERS = 4

_SPACES = re.compile(r"\s+")
Case = tuple[str, str, list[str], list[str]]


def _norm(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def _score(case: Case) -> tuple[int, int, int]:
    """(true positives, false positives, false negatives) of one page."""
    path, url, with_snippets, without_snippets = case
    result = extract_article(gzip.decompress(Path(path).read_bytes()), url=url)
    text = _norm(result.text) if result is not None else ""
    found = sum(_norm(snippet) in text for snippet in with_snippets)
    noise = sum(_norm(snippet) in text for snippet in without_snippets)
    return found, noise, len(with_snippets) - found


def _quiet_worker() -> None:
    # trafilatura logs a warning for every page it discards; the counts say all that matters here.
    logging.disable(logging.WARNING)


def _cases() -> list[Case]:
    evaldata = json.loads((CORPUS / "evaldata.json").read_text(encoding="utf-8"))
    cases = [
        (str(CORPUS / "html" / f"{item['file']}.gz"), url, item["with"], item["without"])
        for url, item in evaldata.items()
    ]
    # Largest pages first, so that no worker is left alone with a big one at the end.
    return sorted(cases, key=lambda case: os.path.getsize(case[0]), reverse=True)


@pytest.mark.skipif(
    not (CORPUS / "evaldata.json").is_file(),
    reason=f"extraction corpus not found at {CORPUS} (set AKHBAR_SHARED_DATA to the shared data folder)",
)
def test_extraction_f1_stays_above_floor():
    cases = _cases()
    workers = max(1, min(MAX_WORKERS, len(os.sched_getaffinity(0))))
    started = time.monotonic()
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn"), initializer=_quiet_worker) as pool:
        counts = list(pool.map(_score, cases, chunksize=4))
    elapsed = time.monotonic() - started
    tp, fp, fn = (sum(column) for column in zip(*counts))
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    f1 = 2 * precision * recall / (precision + recall)
    summary = (
        f"extraction quality on {len(cases)} pages: precision {precision:.4f} recall {recall:.4f} "
        f"F1 {f1:.4f} (floor {F1_FLOOR}); TP {tp} FP {fp} FN {fn}; {elapsed:.1f} s with {workers} processes"
    )
    print(summary)
    assert f1 >= F1_FLOOR, summary
