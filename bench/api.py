"""The JSON API's answer times, uncached, over a made-up archive (50,000 articles by default).

    .venv/bin/python bench/api.py [--articles 50000] [--requests 100] [--depth 200] [--seed 1] [--budget 20]

The archive is bench/scale.py's (its fill and search indexing, in a throwaway SQLite data folder, removed at the
end). Django's WSGI handler is called in this process, every middleware included (the rate limit counts, with a
limit set out of reach), and the cache is cleared before each request. p50 and p95 of:
/api/headlines, /api/articles (first page of 20), /api/articles a page `--depth` cursors deep (reached by following
`next` from the first page), /api/articles/{id} at random, /api/search with scale.py's two-word queries.
Targets as scale.py's: lists and articles p95 under 50 ms, search under 100 ms; each figure says met or MISSED.
Each figure also gives the median CPU time of a request in this process, which a busy shared machine hardly moves.
Last line: articles=... fill_s=... index_s=... headlines_p50_ms=... headlines_p95_ms=... (the same for first_page,
deep_page, article, search) and headlines_cpu_ms=... (likewise).
"""

import argparse
import atexit
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from scale import (  # bench/scale.py, beside this script
    PAGE_TARGET_MS, SEARCH_TARGET_MS, Figure, Site, build_index, fill, machine, measure, search_queries,
    settle_database, setup_django,
)
from scale_corpus import vocabularies


def api_runner(site: Site, cpu_ms: list[float] | None = None):
    """GET an API address, fail on anything but 200; with cpu_ms, note this process's CPU time for each call
    (unlike the wall-clock figures, it hardly moves when the shared machine is busy)."""
    def run(path: str) -> dict:
        began = time.process_time()
        status, body = site.get(path)
        if not status.startswith("200"):
            raise SystemExit(f"bench: GET {path} answered {status}: {body[:300]!r}")
        if cpu_ms is not None:
            cpu_ms.append(1000 * (time.process_time() - began))
        return json.loads(body)

    return run


def timed(name: str, target_ms: float, paths: list[str], site: Site, budget: float) -> tuple[Figure, float]:
    """scale.py's figure for these addresses, and the median CPU ms a request took."""
    cpu_ms: list[float] = []
    figure = measure(name, target_ms, paths, api_runner(site, cpu_ms), budget)
    cpu = statistics.median(cpu_ms[-len(figure.samples):])  # the warm-up calls left out
    print(f"    {cpu:.1f} ms of CPU a request (median)")
    return figure, cpu


def deep_page(run, depth: int) -> tuple[str, float]:
    """The address `depth` pages down /api/articles, following next links; and the ms each step took on average."""
    path, started = "/api/articles?limit=20", time.perf_counter()
    for _ in range(depth):
        following = run(path)["next"]
        if not following:
            raise SystemExit(f"bench: /api/articles ends before {depth} pages; give more --articles")
        parts = urlsplit(following)
        path = f"{parts.path}?{parts.query}"
    return path, 1000 * (time.perf_counter() - started) / depth


def article_paths(rng: random.Random, count: int) -> list[str]:
    from akhbar.news.models import Article

    highest = Article.objects.order_by("-pk").values_list("pk", flat=True).first()
    return [f"/api/articles/{rng.randint(1, highest)}" for _ in range(count)]


def measure_api(options: argparse.Namespace, vocab) -> dict[str, tuple[Figure, float]]:
    rng, site, count = random.Random(options.seed + 1), Site(), options.requests
    deep, step_ms = deep_page(api_runner(site), options.depth)
    print(f"walked {options.depth} pages of 20 by cursor, {step_ms:.1f} ms a page on average", flush=True)
    searches = ["/api/search?" + urlencode({"q": q}) for _, q in search_queries(vocab, rng, count)]
    plan = {
        "headlines": ("/api/headlines", PAGE_TARGET_MS, ["/api/headlines?lang=fr"] * count),
        "first_page": ("/api/articles first page", PAGE_TARGET_MS, ["/api/articles?limit=20"] * count),
        "deep_page": (f"/api/articles {options.depth} deep", PAGE_TARGET_MS, [deep] * count),
        "article": ("/api/articles/{id}", PAGE_TARGET_MS, article_paths(rng, count)),
        "search": ("/api/search", SEARCH_TARGET_MS, searches),
    }
    return {key: timed(name, target, paths, site, options.budget) for key, (name, target, paths) in plan.items()}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=50_000)
    parser.add_argument("--requests", type=int, default=100, help="requests measured for each figure (default 100)")
    parser.add_argument("--depth", type=int, default=200, help="pages down /api/articles for the deep figure")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--budget", type=float, default=20, help="seconds for one figure (default 20)")
    return parser.parse_args()


def main() -> int:
    options = parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="akhbar-bench-api-")).resolve()
    atexit.register(shutil.rmtree, data_dir, ignore_errors=True)
    os.environ["AKHBAR_API_RATE"] = "1000000/second"  # the limit is counted, never reached
    print(f"machine    {machine()}, load average {'/'.join(f'{x:.1f}' for x in os.getloadavg())}")
    setup_django(data_dir, postgres=False)
    vocab = vocabularies(options.seed)
    options.postgres = False
    made, written = fill(options, vocab)
    indexed = build_index(options.articles)
    settle_database()
    built = {"fill_s": made.seconds + written.seconds, "index_s": indexed.seconds}
    print(f"built      {options.articles:,} articles in SQLite: fill {built['fill_s']:.1f} s, "
          f"index {built['index_s']:.1f} s", flush=True)
    figures = measure_api(options, vocab)
    print("summary:")
    for figure, cpu in figures.values():
        print(f"  {figure.line()}, CPU {cpu:.1f} ms")
    print(" ".join([f"articles={options.articles}", f"depth={options.depth}"]
                   + [f"{k}={v:.1f}" for k, v in built.items()]
                   + [f"{name}_p{p}_ms={figure.percentile(p):.1f}" for name, (figure, _) in figures.items()
                      for p in (50, 95)]
                   + [f"{name}_cpu_ms={cpu:.1f}" for name, (_, cpu) in figures.items()]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
