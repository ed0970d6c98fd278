"""Ingest throughput: articles stored per second by the real crawler, against the extractor alone.

    .venv/bin/python bench/ingest.py [--outlets N] [--articles M] [--data-dir DIR]

The sample publisher serves N synthetic outlets of M articles each on loopback, in its own process so
that serving pages does not take the crawler's interpreter lock. Before anything is timed, every
feed and article page is fetched once with httpx; `extract_article` is then timed alone over those
very bytes, in this one process (the ceiling). Then the crawl runs through the product's own entry
point, `run_crawl(feed_ids)`, into a fresh SQLite database, and only its wall time counts.
The last line is machine-readable: `articles_per_s=... ceiling_per_s=... ceiling_ratio=...`.
"""

import argparse
import math
import multiprocessing
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

POLITE_PER_HOST = 2  # the product's default AKHBAR_FETCH_PER_HOST


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--outlets", type=int, default=40, help="synthetic outlets served (default 40)")
    parser.add_argument("--articles", type=int, default=50, help="articles per outlet (default 50)")
    parser.add_argument("--data-dir", help="data folder for the SQLite database (default: a new temporary one)")
    parser.add_argument("--one-origin", action="store_true",
                        help="serve every outlet from one host:port (per-host limit raised to match) instead of one port each")
    parser.add_argument("--skip-ceiling", action="store_true", help="crawl only (for profiling the crawl)")
    options = parser.parse_args()
    data_dir = Path(options.data_dir or tempfile.mkdtemp(prefix="akhbar-bench-ingest-")).resolve()

    with Publisher(outlets=options.outlets, articles=options.articles, one_origin=options.one_origin) as publisher:
        per_host = configure_environment(data_dir, publisher.outlets)
        feeds = load_outlets(publisher.outlets)
        pages = [] if options.skip_ceiling else prefetch_pages(publisher.outlets)
        ceiling = extraction_rate(pages) if pages else None
        cpu_before = publisher.cpu_seconds()
        crawl = run_polls(feeds, expected=options.outlets * options.articles)
        publisher_cpu = publisher.cpu_seconds() - cpu_before

    report(options, data_dir, per_host, pages, ceiling, crawl, publisher_cpu)
    return 0


class Publisher:
    """The sample publisher in a child process: each synthetic outlet on its own port, or all on one."""

    def __init__(self, *, outlets: int, articles: int, one_origin: bool) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child_conn = context.Pipe()
        self._process = context.Process(target=_serve, args=(child_conn, outlets, articles, one_origin), daemon=True)
        self.outlets: list[dict] = []

    def __enter__(self) -> "Publisher":
        self._process.start()
        if not self._conn.poll(300):
            raise SystemExit("bench: the sample publisher did not start within 300 s")
        self.outlets = self._conn.recv()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._conn.send("stop")
        self._process.join(10)
        if self._process.is_alive():
            self._process.terminate()

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self._process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _serve(conn, outlets: int, articles: int, one_origin: bool) -> None:
    """Serve the synthetic outlets bench-1..N until told to stop; send their descriptions first."""
    from akhbar.demo.publisher import SamplePublisher

    if one_origin:
        publishers = [SamplePublisher(articles_per_outlet=articles, extra_outlets=outlets).start()]
        served = [o for o in publishers[0].outlets if o["slug"].startswith("bench-")]
    else:
        # Publisher i serves bench-1..i; only its bench-i is crawled, so every outlet has its own origin.
        publishers = [SamplePublisher(articles_per_outlet=articles, extra_outlets=i).start() for i in range(1, outlets + 1)]
        served = [p.outlets[-1] for p in publishers]
    try:
        conn.send(served)
        conn.recv()
    finally:
        for publisher in publishers:
            publisher.stop()


def configure_environment(data_dir: Path, outlets: list[dict]) -> int:
    """Django's environment for the crawl: loopback only, no pause between requests to one host."""
    origins = {urlsplit(o["feed_url"]).netloc for o in outlets}
    hosts = {urlsplit(o["feed_url"]).hostname for o in outlets}
    # Politeness allows POLITE_PER_HOST requests per host at once. N real outlets are N hosts; when
    # the publisher serves them all from fewer origins, each origin gets the share of its outlets.
    per_host = POLITE_PER_HOST * math.ceil(len(outlets) / len(origins))
    os.environ.update({
        "DJANGO_SETTINGS_MODULE": "akhbar.settings",
        "AKHBAR_DATA_DIR": str(data_dir),
        "AKHBAR_FETCH_ALLOW_NETWORKS": "127.0.0.1/32" if hosts == {"127.0.0.1"} else "127.0.0.0/8",
        "AKHBAR_FETCH_ONLY_NETWORKS": "127.0.0.0/8",
        "AKHBAR_FETCH_HOST_DELAY": "0",
        "AKHBAR_FETCH_PER_HOST": str(per_host),
    })
    import django

    django.setup()
    return per_host


def load_outlets(outlets: list[dict]) -> list[int]:
    """Migrate a fresh database, load the outlets, return their feed ids."""
    from django.core.management import call_command

    from akhbar.sources.models import Feed
    from akhbar.sources.services import CATEGORIES, outlets_load

    call_command("migrate", interactive=False, verbosity=0)
    outlets_load([
        {"name": o["name"], "slug": o["slug"], "homepage": o["homepage"], "lang": o["lang"],
         "category": o.get("category") if o.get("category") in CATEGORIES else None, "feeds": [o["feed_url"]]}
        for o in outlets
    ])
    return list(Feed.objects.values_list("pk", flat=True))


def prefetch_pages(outlets: list[dict]) -> list[tuple[str, bytes, str | None]]:
    """(url, body, charset) of every article page the feeds list, fetched once, untimed."""
    import httpx

    from akhbar.crawl.feeds import parse_feed

    pages = []
    with httpx.Client(timeout=30, trust_env=False) as client:
        links: dict[str, None] = {}
        for outlet in outlets:
            feed = client.get(outlet["feed_url"]).raise_for_status()
            parsed = parse_feed(feed.content, url=str(feed.url), content_type=feed.headers.get("content-type"))
            links.update((entry.link, None) for entry in parsed.entries if entry.link)
        for link in links:
            page = client.get(link).raise_for_status()
            pages.append((str(page.url), page.content, page.charset_encoding))
    return pages


def extraction_rate(pages: list[tuple[str, bytes, str | None]]) -> float:
    """Pages per second through extract_article alone, one process, after one warm-up page."""
    from akhbar.crawl.extract import extract_article

    extract_article(pages[0][1], url=pages[0][0], http_charset=pages[0][2])
    started = time.perf_counter()
    for url, body, charset in pages:
        extract_article(body, url=url, http_charset=charset)
    return len(pages) / (time.perf_counter() - started)


def run_polls(feed_ids: list[int], *, expected: int) -> dict:
    """Crawl until every article is stored or a poll adds nothing; time only run_crawl itself."""
    from akhbar.news.models import Article
    from akhbar.sources.crawling import run_crawl
    from akhbar.sources.models import Feed

    polls, seconds, errors = 0, 0.0, []
    cpu = time.process_time()
    while True:
        started = time.perf_counter()
        outcomes = run_crawl(feed_ids)
        seconds += time.perf_counter() - started
        polls += 1
        errors += [o.error for o in outcomes if o.error] + [e for o in outcomes for e in o.article_errors]
        new = sum(o.new_articles for o in outcomes)
        if new == 0 or Article.objects.count() >= expected:
            break
        # MAX_NEW_ARTICLES_PER_POLL left articles for the next poll: forget the validators so the
        # unchanged feed is answered 200 rather than 304, as a feed with new entries would be.
        Feed.objects.update(etag="", last_modified="")
    return {
        "polls": polls,
        "seconds": seconds,
        "cpu_seconds": time.process_time() - cpu,
        "stored": Article.objects.count(),
        "feed_fallbacks": Article.objects.exclude(extraction_note="").count(),
        "errors": errors,
    }


def report(options, data_dir, per_host, pages, ceiling, crawl, publisher_cpu) -> None:
    from akhbar.crawl.pipeline import MAX_NEW_ARTICLES_PER_POLL

    rate = crawl["stored"] / crawl["seconds"]
    lines = [
        f"machine      {os.cpu_count()} cores, {cpu_model()}, Python {platform.python_version()}",
        f"served       {options.outlets} outlets x {options.articles} articles by the sample publisher (own process)",
        f"database     SQLite in {data_dir}",
        f"fetching     per host {per_host}, host delay 0, cap {MAX_NEW_ARTICLES_PER_POLL} new articles per feed per poll",
        f"crawl        {crawl['stored']} articles stored in {crawl['seconds']:.2f} s over {crawl['polls']} poll(s): "
        f"{rate:.1f} articles/s",
        f"             crawler CPU {crawl['cpu_seconds']:.2f} s, publisher CPU {publisher_cpu:.2f} s",
        f"             {crawl['feed_fallbacks']} stored with the feed's text (extraction note), "
        f"{len(crawl['errors'])} errors",
    ]
    for error in crawl["errors"][:5]:
        lines.append(f"             error: {error}")
    if ceiling:
        lines.append(f"extractor    {len(pages)} pages, extract_article alone in one process: {ceiling:.1f} pages/s")
    print("\n".join(lines))
    ratio = f"{rate / ceiling:.2f}" if ceiling else "nan"
    print(f"articles_per_s={rate:.1f} ceiling_per_s={ceiling or float('nan'):.1f} ceiling_ratio={ratio}")


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


if __name__ == "__main__":
    sys.exit(main())
