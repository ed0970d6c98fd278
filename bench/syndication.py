"""Outgoing feeds and sitemaps, uncached, over a throwaway archive: p50 and p95 of each kind of request.

    .venv/bin/python bench/syndication.py [--articles 50000] [--requests 40] [--seed 1] [--budget 20]

1. Fill. A new SQLite data folder, migrated as `akhbar up` does, filled by bench/scale.py's own code: 400 outlets
   with a feed each, N articles over three years in fr/ar/es/en (no search index: these pages do not search).
   The newest 1,200 are then spread over the last 40 hours, so the news sitemap holds its full 1,000.
2. Measure, uncached: Django's WSGI handler called in this process (every middleware, no page cache), for an
   edition's RSS feed (/fr/ and /ar/), outlets' RSS and Atom feeds, the sitemap index, the last pages of the
   articles sitemap (5,000 addresses a page) and the Google News sitemap. Then the page count and the deepest
   articles page's rows alone: by id range (what the sitemap does) and by the framework's COUNT(*) and OFFSET.

Targets: feeds and the sitemap index p95 under 50 ms; a sitemap page p95 under 1 s. Each says met or MISSED,
and the median CPU time of a request follows (what a busy machine changes least).
Last line: articles=... edition_feed_p95_ms=... outlet_feed_p95_ms=... index_p95_ms=... deep_page_p95_ms=...
news_p95_ms=..., the same with _cpu_ms, then deep_count_range_ms=... deep_rows_range_ms=... deep_count_offset_ms=...
deep_rows_offset_ms=...
"""

import argparse
import atexit
import random
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scale import Site, fill, machine, measure, page_runner, settle_database, setup_django  # noqa: E402
from scale_corpus import vocabularies  # noqa: E402

FEED_TARGET_MS, SITEMAP_PAGE_TARGET_MS = 50.0, 1000.0
NEWS_ARTICLES = 1200  # more than the news sitemap's 1,000


def cpu_timed(run):
    """run, also keeping the CPU time of each call in run.samples: on a shared machine, wall time says little."""
    def timed(path: str) -> None:
        began = time.process_time()
        run(path)
        timed.samples.append(1000 * (time.process_time() - began))

    timed.samples = []
    return timed


def recent_news(count: int) -> None:
    """Move the newest `count` articles into the last 40 hours, as a live site has them."""
    from django.db import connection, transaction

    from akhbar.news.models import Article

    now = datetime.now(UTC).replace(microsecond=0)
    ids = list(Article.objects.order_by("-pk").values_list("pk", flat=True)[:count])
    when = connection.ops.adapt_datetimefield_value
    rows = [(when(now - timedelta(seconds=int(n * 40 * 3600 / count))), pk) for n, pk in enumerate(ids)]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany("UPDATE news_article SET published_at = %s WHERE id = %s", rows)


def outlet_feed_paths(rng: random.Random, count: int) -> list[str]:
    from akhbar.sources.models import Outlet

    slugs = list(Outlet.objects.values_list("slug", flat=True))
    return [f"/fr/{rng.choice(slugs)}/{rng.choice(['rss', 'atom'])}.xml" for _ in range(count)]


def deep_pages(rng: random.Random, count: int) -> tuple[list[str], int]:
    from akhbar.web.sitemaps import ArticlesSitemap

    last = ArticlesSitemap().paginator.num_pages
    return [f"/sitemaps/articles.xml?p={max(1, last - rng.randint(0, 2))}" for _ in range(count)], last


def deep_rows(last: int) -> dict[str, float]:
    """ms to count the pages, then to read the deepest page's rows alone: by id range (the sitemap's paginator)
    and by the framework's own (COUNT(*), then OFFSET)."""
    from django.core.paginator import Paginator

    from akhbar.web.sitemaps import ArticlesSitemap, IdRangePaginator

    items, limit = ArticlesSitemap().items(), ArticlesSitemap.limit
    timings = {}
    for name, paginator_class in (("range", IdRangePaginator), ("offset", Paginator)):
        counts, reads = [], []
        for _ in range(5):
            began = time.perf_counter()
            paginator = paginator_class(items, limit)
            pages = paginator.num_pages
            counted = time.perf_counter()
            rows = list(paginator.page(last).object_list)
            counts.append(1000 * (counted - began))
            reads.append(1000 * (time.perf_counter() - counted))
        timings[f"count_{name}"], timings[f"rows_{name}"] = float(np.median(counts)), float(np.median(reads))
        print(f"  by {name:<6} {pages} pages counted in {timings[f'count_{name}']:6.1f} ms, the deepest page's "
              f"{len(rows):,} rows read in {timings[f'rows_{name}']:6.1f} ms (medians of 5)")
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=50_000)
    parser.add_argument("--requests", type=int, default=40, help="requests measured for each figure (default 40)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--budget", type=float, default=20, help="seconds for one figure, at least 20 requests")
    options = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="akhbar-bench-syndication-"))
    atexit.register(shutil.rmtree, data_dir, ignore_errors=True)
    print(f"machine    {machine()}")
    setup_django(data_dir, postgres=False)
    began = time.perf_counter()
    fill(options, vocabularies(options.seed))
    recent_news(NEWS_ARTICLES)
    settle_database()
    print(f"fill       {time.perf_counter() - began:.1f} s: {options.articles:,} articles", flush=True)

    rng, site, count = random.Random(options.seed), Site(), options.requests
    run = cpu_timed(page_runner(site))
    deep, last = deep_pages(rng, count)
    print(f"articles sitemap: {last} pages")
    asked = [
        ("edition feed /xx/rss.xml", FEED_TARGET_MS, ["/fr/rss.xml", "/ar/rss.xml"] * (count // 2)),
        ("outlet feeds", FEED_TARGET_MS, outlet_feed_paths(rng, count)),
        ("sitemap index", FEED_TARGET_MS, ["/sitemap.xml"] * count),
        ("articles sitemap, last pages", SITEMAP_PAGE_TARGET_MS, deep),
        ("news sitemap", SITEMAP_PAGE_TARGET_MS, ["/sitemap-news.xml"] * count),
    ]
    figures, cpu = [], []
    for name, target, paths in asked:
        run.samples.clear()
        figures.append(measure(name, target, paths, run, options.budget))
        cpu.append(float(np.median(run.samples[3:])))  # after measure's 3 untimed requests
        print(f"{'':26} CPU median {cpu[-1]:7.1f} ms a request (this process)")
    rows = deep_rows(last)
    names = ("edition_feed", "outlet_feed", "index", "deep_page", "news")
    print(" ".join([f"articles={options.articles}"] + [f"{n}_p95_ms={f.percentile(95):.1f}"
                                                       for n, f in zip(names, figures)]
                   + [f"{n}_cpu_ms={ms:.1f}" for n, ms in zip(names, cpu)]
                   + [f"deep_{k}_ms={v:.1f}" for k, v in rows.items()]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
