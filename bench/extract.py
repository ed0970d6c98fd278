"""Extraction throughput: extract_article over trafilatura's evaluation corpus, one process.

    .venv/bin/python bench/extract.py [--limit N]

Pages come from shared/data/extraction-trafilatura-eval (990 real pages, median 94 KB; AKHBAR_SHARED_DATA
overrides the shared data folder). They are read and decompressed before the clock starts, and one page is
extracted untimed first (trafilatura loads its models and caches on first use, about a second). Pages/s is
wall time; the CPU-time rate is printed too, since a busy machine skews it less. F1 is scored as in
tests/crawl/test_extraction_quality.py, over the pages measured.

Last line: extract_pages_per_s=... f1=...
"""

import argparse
import gzip
import json
import logging
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from akhbar.crawl.extract import extract_article

SHARED_DATA = Path(os.environ.get("AKHBAR_SHARED_DATA") or ROOT.parent / "shared" / "data")
CORPUS = SHARED_DATA / "extraction-trafilatura-eval"


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=0, help="measure only the first N pages (default: all)")
    options = parser.parse_args()
    if not (CORPUS / "evaldata.json").is_file():
        print(f"bench: extraction corpus not found at {CORPUS} (set AKHBAR_SHARED_DATA)", file=sys.stderr)
        return 1
    logging.disable(logging.WARNING)  # trafilatura warns on every page it discards
    evaldata = json.loads((CORPUS / "evaldata.json").read_text(encoding="utf-8"))
    items = list(evaldata.items())[: options.limit or None]
    pages = [(url, gzip.decompress((CORPUS / "html" / f"{item['file']}.gz").read_bytes()), item) for url, item in items]
    extract_article(pages[0][1], url=pages[0][0])  # warm-up, untimed

    load_before = os.getloadavg()[0]
    tp = fp = fn = 0
    durations: list[float] = []
    wall_started, cpu_started = time.perf_counter(), time.process_time()
    for url, body, item in pages:
        started = time.perf_counter()
        result = extract_article(body, url=url)
        durations.append(time.perf_counter() - started)
        text = norm(result.text) if result is not None else ""
        found = sum(norm(snippet) in text for snippet in item["with"])
        tp, fp, fn = tp + found, fp + sum(norm(s) in text for s in item["without"]), fn + len(item["with"]) - found
    wall, cpu = time.perf_counter() - wall_started, time.process_time() - cpu_started

    precision, recall = tp / ((tp + fp) or 1), tp / ((tp + fn) or 1)
    f1 = 2 * precision * recall / ((precision + recall) or 1)
    megabytes = sum(len(body) for _, body, _ in pages) / 1e6
    durations.sort()
    print(f"pages        {len(pages)} ({megabytes:.1f} MB of HTML), one process, load average {load_before:.1f} before")
    print(f"throughput   {len(pages) / wall:.1f} pages/s wall, {len(pages) / cpu:.1f} pages/s of CPU time")
    print(
        f"per page     median {statistics.median(durations) * 1000:.1f} ms, "
        f"p95 {durations[int(len(durations) * 0.95)] * 1000:.1f} ms, max {durations[-1] * 1000:.0f} ms"
    )
    print(f"quality      precision {precision:.4f} recall {recall:.4f} F1 {f1:.4f}")
    print(f"extract_pages_per_s={len(pages) / wall:.1f} f1={f1:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
