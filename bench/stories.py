"""Story clustering: quality on real news held out from calibration, against a one-line baseline, and its cost.

    .venv/bin/python bench/stories.py [--ablate] [--window 3000,30000] [--repeat 5] [--data-dir DIR]

1. Quality: the engine (akhbar.stories.engine: USE v3 multilingual embeddings plus words, names across
   scripts, numbers and conflicts, weighed by a logistic model fitted by bench/stories_calibrate.py) on the
   held-out halves of the real labelled sets (akhbar.stories.realsets), in arrival order as the crawler
   meets them: pairwise precision/recall/F1, cross-language F1 where a set has pairs across languages,
   Spearman on SemEval. Titles alone and titles with leads are both run.
2. The baseline: one cosine threshold on the same embeddings, the threshold chosen on the calibration
   halves (what the issue's "single cosine threshold" baseline does). --ablate also reruns the engine
   with each signal's weight set to zero: the signal's gain on the held-out parts.
3. Cost: embedding per article (batches of 20, as the extraction processes do), the pair rescoring per
   article, and one assignment against a window of W candidates (a three-day window at a million
   articles holds ~3,000; a national aggregator at 10,000 a day ~30,000).
4. With --data-dir DIR (a data folder holding a big database, e.g. the one `bench/scale.py --keep` fills
   with a million articles; or DATABASE_URL): the whole assignment as the store runs it, database included.

The last line is machine-readable.
"""

import argparse
import os
import platform
import resource
import statistics
import sys
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def cosine_baseline(prepared, threshold: float) -> dict[str, str]:
    """Single link over one cosine threshold within the window: the baseline."""
    from akhbar.stories.engine import WINDOW

    parent = list(range(len(prepared)))

    def root(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    matrix = np.vstack([item.vector for item in prepared])
    seconds = np.array([item.published.timestamp() for item in prepared])
    close = (matrix @ matrix.T >= threshold) & (np.abs(seconds[:, None] - seconds[None, :]) <= WINDOW.total_seconds())
    for a, b in zip(*np.nonzero(np.triu(close, 1))):
        parent[root(a)] = root(b)
    return {item.key: str(root(i)) for i, item in enumerate(prepared)}


def baseline_figures(labelled, prepared, threshold):
    from akhbar.stories.evaluate import figures

    return figures(labelled, cosine_baseline(prepared, threshold))


def quality(ablate: bool):
    """Held-out figures of the engine and the baseline; the baseline's threshold comes from calibration."""
    from akhbar.stories import realsets
    from akhbar.stories.engine import FEATURES, Rules
    from akhbar.stories.evaluate import evaluate, prepare

    calibration = [(s, prepare(s)) for s in realsets.all_sets(realsets.CALIBRATION) if s.items]
    best = max((float(np.mean([baseline_figures(s, p, t).f1 for s, p in calibration])), t)
               for t in np.arange(0.40, 0.86, 0.05))
    print(f"baseline     one cosine threshold, {best[1]:.2f} (best mean F1 {best[0]:.3f} on the calibration halves)")
    held = [(s, prepare(s)) for s in realsets.all_sets(realsets.HELD_OUT) if s.items]
    ours = [evaluate(s, p) for s, p in held]
    base = [baseline_figures(s, p, best[1]) for s, p in held]
    print("held-out, the engine:")
    for figures in ours:
        print("  " + figures.line())
    print("held-out, the baseline:")
    for figures in base:
        print("  " + figures.line())
    if ablate:
        print("held-out mean F1 without each signal (the engine's is "
              f"{np.mean([f.f1 for f in ours]):.3f}):")
        for index, name in enumerate(FEATURES[1:], start=1):
            weights = list(Rules().weights)
            weights[index] = 0.0
            rules = replace(Rules(), weights=tuple(weights))
            without = [evaluate(s, p, rules) for s, p in held]
            print(f"  {name:20} {np.mean([f.f1 for f in without]):.3f}  " +
                  " ".join(f"{f.f1:.2f}" for f in without))
    return ours, base


def assignment_cost(window: int, repeat: int) -> float:
    """Median ms to match one article against `window` candidates (embedding excluded)."""
    from akhbar.stories.engine import CandidateIndex, Features

    rng = np.random.default_rng(7)
    now = datetime(2026, 11, 27, tzinfo=timezone.utc)
    index = CandidateIndex()
    vectors = rng.standard_normal((window, 512)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    for n, vector in enumerate(vectors):
        index.add(Features(str(n), "fr" if n % 3 else "ar", f"o{n % 300}", now - timedelta(hours=n % 72), vector,
                           story=n // 3))
    timings = []
    for n in range(repeat * 100):
        probe = vectors[n % window] * 0.9 + rng.standard_normal(512).astype(np.float32) * 0.05
        item = Features(f"p{n}", "fr", "x", now, probe / np.linalg.norm(probe))
        start = time.perf_counter()
        index.matches(item)
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def database_cost(data_dir: str, *, window_articles: int, probes: int = 200) -> tuple[int, int, float]:
    """(articles stored, candidates in the window, ms per article assigned with the database)."""
    os.environ["AKHBAR_DATA_DIR"] = data_dir
    import django

    django.setup()
    from django.db import transaction

    from akhbar.stories import store as assignment
    from akhbar.stories.embedding import comparable_text, embed
    from akhbar.news.models import Article

    total = Article.objects.count()
    newest = Article.objects.order_by("-published_at").values_list("published_at", flat=True).first()
    recent = list(Article.objects.filter(published_at__gte=newest - timedelta(days=3))
                  .order_by("published_at")[:window_articles + probes])
    window, probe = recent[:-probes], recent[-probes:]
    Article.objects.filter(pk__in=[a.pk for a in recent]).update(story=None, embedding=None)
    for start in range(0, len(window), 20):
        with transaction.atomic():
            assignment.stories_assign(window[start:start + 20])
    vectors = [v.astype(np.float16).tobytes() for v in embed([comparable_text(a.title, a.summary) for a in probe])]
    # As the crawl does: each batch is stored, then placed in the same transaction; a later batch's rows do
    # not exist yet (left in the table unplaced, every refresh would read them).
    Article.objects.filter(pk__in=[a.pk for a in probe]).delete()
    timings = []
    for start in range(0, len(probe), 20):
        batch = probe[start:start + 20]
        with transaction.atomic():
            for article in batch:
                article.pk = None
            batch = Article.objects.bulk_create(batch)
            begin = time.perf_counter()
            assignment.stories_assign(batch, {a.pk: vectors[start + n] for n, a in enumerate(batch)})
            timings.append((time.perf_counter() - begin) * 1000 / len(batch))
    return total, len(window), statistics.median(timings)


def embedding_cost(texts: list[str], repeat: int) -> tuple[float, float, float]:
    """(model load seconds, ms an article embedded in batches of 20, ms an article for its signals)."""
    from akhbar.stories.embedding import embed
    from akhbar.stories.signals import headline, match_scores, name_skeletons, numbers, stems, weekdays

    start = time.perf_counter()
    embed(texts[:20])  # loads the model
    load_seconds = time.perf_counter() - start
    timings, signal_timings = [], []
    for _ in range(repeat):
        start = time.process_time()
        for batch in range(0, len(texts), 20):
            embed(texts[batch:batch + 20])
        timings.append(time.process_time() - start)
        start = time.process_time()
        for text in texts:
            text = headline(text)
            stems(text), name_skeletons(text), numbers(text), match_scores(text), weekdays(text)
        signal_timings.append(time.process_time() - start)
    return load_seconds, statistics.median(timings) * 1000 / len(texts), \
        statistics.median(signal_timings) * 1000 / len(texts)


def rescoring_cost(repeat: int) -> float:
    """ms of CPU an article for comparing it with its nearest candidates, one pair at a time (all signals)."""
    from akhbar.stories import realsets
    from akhbar.stories.engine import CandidateIndex
    from akhbar.stories.evaluate import prepare

    labelled = realsets.french_groups(realsets.HELD_OUT)
    prepared = prepare(labelled)
    index = CandidateIndex()
    for item in prepared:
        item.story = item.key
        index.add(item)
    start = time.process_time()
    for _ in range(repeat):
        for item in prepared:
            index.matches(item)
    return (time.process_time() - start) * 1000 / (repeat * len(prepared))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--window", default="3000,30000", help="candidate counts to time an assignment against")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--ablate", action="store_true", help="also measure each signal's held-out gain")
    parser.add_argument("--data-dir", help="also time the assignment with this data folder's database")
    parser.add_argument("--window-articles", type=int, default=3000)
    options = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "akhbar.settings")
    from akhbar.stories import realsets

    print(f"machine      {os.cpu_count()} cores, {platform.processor() or platform.machine()}, Python "
          f"{platform.python_version()}, load average {os.getloadavg()[0]:.1f}")
    if not realsets.available():
        raise SystemExit(f"stories: no real sets at {realsets.SHARED}")
    titles = [i["title"] for i in realsets.tickers(realsets.HELD_OUT).items + realsets.french_groups("held-out").items]
    load_seconds, embed_ms, signals_ms = embedding_cost(titles[:500], options.repeat)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"model        loaded in {load_seconds:.2f} s, process RSS {rss_mb:.0f} MB; {embed_ms:.2f} ms of CPU "
          f"a headline embedded (batches of 20); signals {signals_ms:.3f} ms a headline")
    ours, base = quality(options.ablate)
    rescoring_ms = rescoring_cost(options.repeat)
    print(f"rescoring    {rescoring_ms:.3f} ms of CPU an article compared with its nearest candidates "
          f"(at most 64, every signal); embedding + signals + rescoring {embed_ms + signals_ms + rescoring_ms:.2f} ms")
    costs = {int(w): assignment_cost(int(w), options.repeat) for w in options.window.split(",")}
    for window, ms in costs.items():
        print(f"assignment   {ms:.2f} ms against {window:,} candidates (median; embedding not included)")
    cost_line = " ".join(f"assign_ms_{w}={ms:.2f}" for w, ms in costs.items())
    if options.data_dir:
        total, window, ms = database_cost(options.data_dir, window_articles=options.window_articles)
        print(f"database     {ms:.2f} ms an article assigned by the store (median over batches of 20), with "
              f"{total:,} articles stored and {window:,} in the window")
        cost_line += f" store_assign_ms={ms:.2f} stored={total}"
    mean_ours, mean_base = np.mean([f.f1 for f in ours]), np.mean([f.f1 for f in base])
    print(f"heldout_mean_f1={mean_ours:.4f} baseline_mean_f1={mean_base:.4f} embed_ms={embed_ms:.2f} "
          f"rescoring_ms={rescoring_ms:.3f} {cost_line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
