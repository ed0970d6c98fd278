"""Ingest throughput: articles stored per second by the real crawler, against the extractor alone.

    .venv/bin/python bench/ingest.py [--outlets N] [--articles M] [--data-dir DIR] [--one-origin]

The sample publisher serves N synthetic outlets of M articles each on loopback, each outlet on its own
port (its own host:port, as N real outlets are N hosts), in a child process so that serving pages does
not take the crawler's interpreter lock. Before anything is timed, every article page is fetched once
with httpx and `extract_article` is timed alone over those very bytes, in this one process: the
ceiling. One more outlet is then crawled untimed, so that what a long-running crawler loads once
(the language model, the extractor's caches) is loaded. Then the N outlets are crawled through the
product's own entry point, `run_crawl(feed_ids)`, into a fresh SQLite database; only its wall time
counts, and the articles are counted in the database.

The last line is machine-readable: `articles_per_s=... ceiling_per_s=... ceiling_ratio=...`.

    .venv/bin/python bench/ingest.py --workers 1,2,4 [--postgres-url URL] [--extract-processes P]

With --workers, the crawl runs as deployed with a queue: for each count N in turn, a fresh PostgreSQL
database (akhbar_bench_ingest_<pid> on the server --postgres-url names, dropped afterwards) is migrated
and loaded as above, `akhbar crawl --enqueue` queues the feeds in about 4 tasks a worker, and N
`akhbar worker --batch` processes run them. First, untimed, N warm-up outlets are crawled the same way, so
that the publisher, PostgreSQL and the files the workers load are warm; but each worker is a new process,
so the timed span, from the start of the N workers until the last has exited, still includes each one's
start-up (Python and Django; its extraction processes and the language model, in its first task) and its
exit. Also printed: the span from the first task claimed to the last finished, and the rate while every
worker is warm and busy (past its first task, not yet done with its last). One line per N, then the last
line: `workers=1,2,4 articles_per_s=... tasks_articles_per_s=... warm_articles_per_s=... cpu_ms_per_article=...`.
"""

import argparse
import atexit
import math
import multiprocessing
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


POLITE_PER_HOST = 2  # the product's default AKHBAR_FETCH_PER_HOST


@dataclass
class Crawl:
    polls: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    publisher_cpu_seconds: float = 0.0
    stored: int = 0
    feed_fallbacks: int = 0
    errors: list[str] = field(default_factory=list)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--outlets", type=int, default=40, help="synthetic outlets served (default 40)")
    parser.add_argument("--articles", type=int, default=50, help="articles per outlet (default 50)")
    parser.add_argument("--data-dir", help="data folder for the SQLite database (default: a new temporary one)")
    parser.add_argument(
        "--one-origin",
        action="store_true",
        help="serve every outlet from one host:port, its per-host limit raised to match",
    )
    parser.add_argument(
        "--skip-ceiling", action="store_true", help="do not time the extractor alone (when profiling the crawl)"
    )
    parser.add_argument(
        "--workers",
        type=lambda text: [int(n) for n in text.split(",") if n.strip()],
        metavar="N[,N...]",
        help="crawl through the queue with N `akhbar worker --batch` processes on PostgreSQL, for each N in turn",
    )
    parser.add_argument(
        "--postgres-url",
        default="postgres://postgres@127.0.0.1:5432/postgres",
        help="with --workers: the PostgreSQL server (its database only creates and drops the bench's own)",
    )
    parser.add_argument(
        "--extract-processes",
        type=int,
        metavar="P",
        help="with --workers: AKHBAR_EXTRACT_PROCESSES of each worker (default: cores // N, 0 when N > cores)",
    )
    options = parser.parse_args()
    data_dir = Path(options.data_dir or tempfile.mkdtemp(prefix="akhbar-bench-ingest-")).resolve()
    if not options.data_dir:
        atexit.register(shutil.rmtree, data_dir, ignore_errors=True)
    if options.workers:
        from ingest_workers import measure_workers

        return measure_workers(options, data_dir)
    load_before = os.getloadavg()[0]

    with Publisher(outlets=options.outlets + 1, articles=options.articles, one_origin=options.one_origin) as publisher:
        warmup, timed = publisher.outlets[:1], publisher.outlets[1:]
        per_host = configure_environment(data_dir, publisher.outlets)
        warmup_feeds, feeds = load_outlets(warmup), load_outlets(timed)
        pages = prefetch_pages(timed)  # also has the publisher render and cache every page before the crawl
        ceiling = None if options.skip_ceiling else extraction_rate(pages)
        crawl_cpu = partial(crawler_cpu, publisher)
        run_polls(warmup_feeds, expected=options.articles, cpu_seconds=crawl_cpu)
        publisher_cpu = publisher.cpu_seconds()
        crawl = run_polls(feeds, expected=options.outlets * options.articles, cpu_seconds=crawl_cpu)
        crawl.publisher_cpu_seconds = publisher.cpu_seconds() - publisher_cpu

    print(
        f"machine      {os.cpu_count()} cores, {cpu_model()}, Python {platform.python_version()}, "
        f"load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after"
    )
    print(
        f"served       {options.outlets} outlets x {options.articles} articles by the sample publisher "
        f"(own process, {len({urlsplit(o['feed_url']).netloc for o in timed})} host:port)"
    )
    print(
        f"fetching     per host {per_host}, host delay 0; database: SQLite in {data_dir}"
        + ("" if options.data_dir else " (removed at exit)")
    )
    expected = options.outlets * options.articles
    report(crawl, expected, ceiling, len(pages))
    return 0 if crawl.stored == expected else 1


def report(crawl: Crawl, expected: int, ceiling: tuple[float, float] | None, pages: int) -> None:
    """The readable summary, then the one machine-readable line."""
    rate = crawl.stored / crawl.seconds
    print(
        f"crawl        {crawl.stored} of {expected} articles stored in {crawl.seconds:.2f} s "
        f"over {crawl.polls} poll(s): {rate:.1f} articles/s"
    )
    print(
        f"             crawler CPU (its process and children) {crawl.cpu_seconds:.2f} s "
        f"({1000 * crawl.cpu_seconds / max(crawl.stored, 1):.1f} ms per article), "
        f"publisher CPU {crawl.publisher_cpu_seconds:.2f} s"
    )
    print(
        f"             {crawl.feed_fallbacks} stored with the feed's text instead of the page's, "
        f"{len(crawl.errors)} errors"
    )
    for error in crawl.errors[:5]:
        print(f"             error: {error}")
    if ceiling is None:
        print(f"articles_per_s={rate:.1f} ceiling_per_s=nan ceiling_ratio=nan")
        return
    ceiling_rate, ceiling_cpu = ceiling
    print(
        f"extractor    {pages} pages through extract_article alone, one process: {ceiling_rate:.1f} pages/s "
        f"({1000 * ceiling_cpu / pages:.1f} ms CPU per page)"
    )
    print(f"articles_per_s={rate:.1f} ceiling_per_s={ceiling_rate:.1f} ceiling_ratio={rate / ceiling_rate:.2f}")


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

    @property
    def pid(self) -> int:
        return self._process.pid

    def cpu_seconds(self) -> float:
        return process_cpu(self.pid)


def _serve(conn, outlets: int, articles: int, one_origin: bool) -> None:
    """Serve the synthetic outlets bench-1..N until told to stop; send their descriptions first."""
    from akhbar.demo.publisher import SamplePublisher

    if one_origin:
        publishers = [SamplePublisher(articles_per_outlet=articles, extra_outlets=outlets).start()]
        served = [o for o in publishers[0].outlets if o["slug"].startswith("bench-")]
    else:
        # Publisher i serves bench-1..i and only its bench-i is crawled: each outlet has its own origin.
        publishers = [
            SamplePublisher(articles_per_outlet=articles, extra_outlets=i).start() for i in range(1, outlets + 1)
        ]
        served = [p.outlets[-1] for p in publishers]
    try:
        conn.send(served)
        conn.recv()
    finally:
        for publisher in publishers:
            publisher.stop()


def configure_environment(data_dir: Path, outlets: list[dict], extra_env: dict[str, str] | None = None) -> int:
    """Django's environment for the crawl: loopback only, no pause between two requests to one host."""
    origins = {urlsplit(o["feed_url"]).netloc for o in outlets}
    hosts = {urlsplit(o["feed_url"]).hostname for o in outlets}
    # Politeness allows POLITE_PER_HOST requests at once per host; N real outlets are N hosts. When
    # the publisher serves them from fewer origins, each origin gets the allowance of its outlets.
    per_host = POLITE_PER_HOST * math.ceil(len(outlets) / len(origins))
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "akhbar.settings",
            "AKHBAR_DATA_DIR": str(data_dir),
            "AKHBAR_FETCH_ALLOW_NETWORKS": "127.0.0.1/32" if hosts == {"127.0.0.1"} else "127.0.0.0/8",
            "AKHBAR_FETCH_ONLY_NETWORKS": "127.0.0.0/8",
            "AKHBAR_FETCH_HOST_DELAY": "0",
            "AKHBAR_FETCH_PER_HOST": str(per_host),
            **(extra_env or {}),
        }
    )
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    return per_host


def load_outlets(outlets: list[dict]) -> list[int]:
    """Load the outlets as `akhbar up --demo` does; return their feed ids."""
    from akhbar.sources.models import Feed
    from akhbar.sources.services import CATEGORIES, outlets_load

    outlets_load(
        [
            {
                "name": o["name"],
                "slug": o["slug"],
                "homepage": o["homepage"],
                "lang": o["lang"],
                "category": o.get("category") if o.get("category") in CATEGORIES else None,
                "feeds": [o["feed_url"]],
            }
            for o in outlets
        ]
    )
    return list(Feed.objects.filter(outlet__slug__in=[o["slug"] for o in outlets]).values_list("pk", flat=True))


def prefetch_pages(outlets: list[dict]) -> list[tuple[str, bytes, str | None]]:
    """(url, body, charset) of every article page the feeds list, fetched once, untimed."""
    import httpx

    from akhbar.crawl.feeds import parse_feed

    links: dict[str, None] = {}
    pages = []
    with httpx.Client(timeout=30, trust_env=False) as client:
        for outlet in outlets:
            feed = client.get(outlet["feed_url"]).raise_for_status()
            parsed = parse_feed(feed.content, url=str(feed.url), content_type=feed.headers.get("content-type"))
            links.update((entry.link, None) for entry in parsed.entries if entry.link)
        for link in links:
            page = client.get(link).raise_for_status()
            pages.append((str(page.url), page.content, page.charset_encoding))
    return pages


def extraction_rate(pages: list[tuple[str, bytes, str | None]]) -> tuple[float, float]:
    """Pages per second through extract_article alone in this process, and the CPU seconds it took."""
    from akhbar.crawl.extract import extract_article

    extract_article(pages[0][1], url=pages[0][0], http_charset=pages[0][2])  # imports, caches
    cpu, started = time.process_time(), time.perf_counter()
    for url, body, charset in pages:
        extract_article(body, url=url, http_charset=charset)
    return len(pages) / (time.perf_counter() - started), time.process_time() - cpu


def run_polls(feed_ids: list[int], *, expected: int, cpu_seconds: Callable[[], float]) -> Crawl:
    """Crawl these feeds until `expected` articles are stored or a poll adds none; time only run_crawl."""
    from akhbar.news.models import Article
    from akhbar.sources.crawling import run_crawl
    from akhbar.sources.models import Feed

    crawl = Crawl()
    articles = Article.objects.filter(feed_id__in=feed_ids)
    while True:
        cpu, started = cpu_seconds(), time.perf_counter()
        outcomes = run_crawl(feed_ids)
        crawl.seconds += time.perf_counter() - started
        crawl.cpu_seconds += cpu_seconds() - cpu
        crawl.polls += 1
        crawl.errors += [o.error for o in outcomes if o.error] + [e for o in outcomes for e in o.article_errors]
        if not any(o.new_articles for o in outcomes) or articles.count() >= expected:
            break
        # MAX_NEW_ARTICLES_PER_POLL may have left articles for the next poll: drop the validators so that
        # the unchanged feed is answered 200 rather than 304, as a feed with new entries would be.
        Feed.objects.filter(pk__in=feed_ids).update(etag="", last_modified="")
    crawl.stored = articles.count()
    crawl.feed_fallbacks = articles.exclude(extraction_note="").count()
    return crawl


def process_cpu(pid: int) -> float:
    """CPU seconds used so far by a process (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def crawler_cpu(publisher: Publisher) -> float:
    """CPU seconds of this process and of its children but the publisher (an extraction pool, say)."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError):
            continue  # the process ended while we looked
    crawler, grown = {os.getpid()}, True
    while grown:
        children = {pid for pid, parent in parents.items() if parent in crawler and pid != publisher.pid}
        grown = not children <= crawler
        crawler |= children
    total = 0.0
    for pid in crawler:
        try:
            total += process_cpu(pid)
        except OSError:
            continue  # the process ended while we looked
    return total


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


if __name__ == "__main__":
    sys.exit(main())
