"""Story clustering: quality on the labelled set, against a simpler alternative, and the cost of one assignment.

    .venv/bin/python bench/stories.py [--window 3000,30000] [--repeat 5]

1. Quality: the crawler's rules (akhbar.crawl.stories, USE v3 multilingual embeddings of title and lead,
   plus numbers, names, scores and outlet) over tests/data/stories/labelled.jsonl, in publication order as
   on arrival: pairwise precision/recall/F1, the same on cross-language pairs, and B-cubed F1.
2. The alternative: the same rules over hashed character-trigram TF-IDF vectors instead of the embeddings
   (what a system without a multilingual model would do), its thresholds searched on the same set.
3. Cost: embedding per article (batches of 20, as the store does), and one assignment against a window of
   W candidates, the in-memory index each process keeps (at a million stored articles over three years a
   three-day window holds ~3,000; a national aggregator at 10,000 a day holds ~30,000).

4. With --data-dir DIR (a data folder holding a big database, e.g. the one `bench/scale.py --keep` fills
   with a million articles; or DATABASE_URL): the whole assignment as the store runs it, database included.
   The three days before the newest article are put in stories first (their embeddings made here), then
   200 more recent articles are assigned one batch of 20 at a time, their embeddings made beforehand as the
   extraction processes do: the time per article is the store's, from candidate refresh to story counts.

The last line is machine-readable.
"""

import argparse
import os
import platform
import resource
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
LABELLED = ROOT / "tests" / "data" / "stories" / "labelled.jsonl"


def load():
    from akhbar.stories.scoring import load_labelled

    items = load_labelled(LABELLED)
    gold = {i["id"]: i["story"] for i in items}
    languages = {i["id"]: i["lang"] for i in items}
    return items, gold, languages


def prepared(items, vectors):
    from akhbar.crawl.stories import features

    return [features(key=i["id"], title=i["title"], lead=i.get("text") or "", language=i["lang"],
                     outlet=i.get("outlet", ""), published=datetime.fromisoformat(i["published"]), vector=v)
            for i, v in zip(items, vectors)]


def trigram_vectors(texts: list[str], dimensions: int = 2**14) -> np.ndarray:
    """Hashed character-trigram TF-IDF, unit length: the no-model alternative."""
    from akhbar.search.fold import fold

    counts = np.zeros((len(texts), dimensions), dtype=np.float32)
    for row, text in enumerate(texts):
        folded = f"  {fold(text)}  "
        for start in range(len(folded) - 2):
            counts[row, hash(folded[start:start + 3]) % dimensions] += 1
    idf = np.log((1 + len(texts)) / (1 + (counts > 0).sum(axis=0))) + 1
    weighted = counts * idf
    return weighted / np.maximum(np.linalg.norm(weighted, axis=1, keepdims=True), 1e-9)


def quality(items, vectors, gold, languages, rules):
    from akhbar.crawl.stories import cluster
    from akhbar.stories.scoring import score

    return score(cluster(prepared(items, vectors), rules), gold, languages)


def best_alternative(items, vectors, gold, languages):
    from akhbar.crawl.stories import Rules

    best = None
    for same in (0.2, 0.3, 0.4, 0.5, 0.6):
        for cross in (0.1, 0.2, 0.3, 0.4):
            rules = Rules(same_language=same, cross_language=cross)
            scores = quality(items, vectors, gold, languages, rules)
            if best is None or scores.pairwise_f1 > best[0].pairwise_f1:
                best = (scores, rules)
    return best


def assignment_cost(window: int, repeat: int) -> float:
    """Median ms to match one article against `window` candidates (embedding excluded)."""
    from akhbar.crawl.stories import CandidateIndex, Features

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

    from akhbar.crawl.stories import comparable_text, embed
    from akhbar.news import stories as assignment
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
    vectors = {a.pk: v.astype(np.float16).tobytes() for a, v in
               zip(probe, embed([comparable_text(a.title, a.summary) for a in probe]))}
    timings = []
    for start in range(0, len(probe), 20):
        batch = probe[start:start + 20]
        begin = time.perf_counter()
        with transaction.atomic():
            assignment.stories_assign(batch, {a.pk: vectors[a.pk] for a in batch})
        timings.append((time.perf_counter() - begin) * 1000 / len(batch))
    return total, len(window), statistics.median(timings)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--window", default="3000,30000", help="candidate counts to time an assignment against")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--data-dir", help="also time the assignment with this data folder's database")
    parser.add_argument("--window-articles", type=int, default=3000)
    options = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "akhbar.settings")
    from akhbar.crawl.stories import Rules, comparable_text, embed
    from akhbar.stories.scoring import format_scores

    print(f"machine      {os.cpu_count()} cores, {platform.processor() or platform.machine()}, Python "
          f"{platform.python_version()}, load average {os.getloadavg()[0]:.1f}")
    items, gold, languages = load()
    texts = [comparable_text(i["title"], i.get("text") or "") for i in items]
    start = time.perf_counter()
    vectors = embed(texts[:20])  # loads the model
    load_seconds = time.perf_counter() - start
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    timings = []
    for _ in range(options.repeat):
        start = time.perf_counter()
        for batch in range(0, len(texts), 20):
            embed(texts[batch:batch + 20])
        timings.append(time.perf_counter() - start)
    embed_ms = statistics.median(timings) * 1000 / len(texts)
    vectors = embed(texts)
    ours = quality(items, vectors, gold, languages, Rules())
    print(f"model        loaded in {load_seconds:.2f} s, process RSS {rss_mb:.0f} MB; "
          f"{embed_ms:.2f} ms an article embedded (batches of 20), {1000 / embed_ms:.0f} articles/s")
    print(f"labelled     {len(items)} articles, {len(set(gold.values()))} stories ({LABELLED.relative_to(ROOT)})")
    print("USE v3 + signals (the product's rules):")
    print(format_scores(ours))
    alternative, alt_rules = best_alternative(items, trigram_vectors(texts), gold, languages)
    print(f"alternative: hashed character trigrams + the same signals, best thresholds "
          f"{alt_rules.same_language}/{alt_rules.cross_language}:")
    print(format_scores(alternative))
    costs = {int(w): assignment_cost(int(w), options.repeat) for w in options.window.split(",")}
    for window, ms in costs.items():
        print(f"assignment   {ms:.2f} ms against {window:,} candidates (median; embedding not included)")
    cost_line = " ".join(f"assign_ms_{w}={ms:.2f}" for w, ms in costs.items())
    if options.data_dir:
        total, window, ms = database_cost(options.data_dir, window_articles=options.window_articles)
        print(f"database     {ms:.2f} ms an article assigned by the store (median over batches of 20), with "
              f"{total:,} articles stored and {window:,} in the window")
        cost_line += f" store_assign_ms={ms:.2f} stored={total}"
    print(f"pairwise_f1={ours.pairwise_f1:.4f} cross_f1={ours.cross_f1:.4f} bcubed_f1={ours.bcubed_f1:.4f} "
          f"alternative_pairwise_f1={alternative.pairwise_f1:.4f} embed_ms={embed_ms:.2f} {cost_line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
