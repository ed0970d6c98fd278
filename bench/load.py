"""Readers under load while the crawler writes: 64 readers on the home and article pages, none may see an error.

    .venv/bin/python bench/load.py [--readers 64] [--outlets 20] [--articles 60] [--workers 2]

A synthetic publisher (bench/ingest.py's, all outlets on one loopback origin) serves OUTLETS x ARTICLES
articles. Its outlets are imported as OPML into a throwaway data folder (so `akhbar up` loads no default
outlet: nothing leaves the machine), then `akhbar up --workers N` serves the site and crawls them: new
articles arrive all the time, each batch making every cached page stale, on the embedded SQLite database.
Meanwhile READERS threads, each with its own keep-alive connection, read /fr/ (and /ar/ now and then) and
the article pages the ticker links to, without pause, until every article is stored and 5 s more.

An error is any answer other than 200 (or a redirect), a refused or dropped connection, or a timeout; the
server's log is searched for "database is locked" and tracebacks as well. Exit 1 if there is any.
Last line: requests=... per_s=... p50_ms=... p95_ms=... p99_ms=... errors=... articles=... crawl_s=...
"""

import argparse
import gzip
import http.client
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit
from xml.sax.saxutils import quoteattr

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import AKHBAR, free_port, machine_busy_ticks  # noqa: E402
from bench.ingest import Publisher  # noqa: E402

SETTLE = 5.0
TIMEOUT = 30.0
ARTICLE_LINK = re.compile(r'href="(/(?:fr|ar|es|en)/[\w-]+/\d+)"')


def opml(outlets: list[dict]) -> str:
    lines = [f"<outline text={quoteattr(o['name'])} title={quoteattr(o['name'])} type=\"rss\" "
             f"xmlUrl={quoteattr(o['feed_url'])} htmlUrl={quoteattr(o['homepage'])} akhbarSlug={quoteattr(o['slug'])}/>"
             for o in outlets]
    return '<?xml version="1.0"?>\n<opml version="2.0"><head><title>bench</title></head><body>\n' + "\n".join(lines) + \
        "\n</body></opml>\n"


class Readers:
    def __init__(self, base_url: str, count: int) -> None:
        self.host, self.port = urlsplit(base_url).hostname, urlsplit(base_url).port
        self.count, self.stop = count, threading.Event()
        self.latencies: list[float] = []
        self.errors: Counter = Counter()
        self.statuses: Counter = Counter()
        self.links: list[str] = ["/fr/"]
        self._lock = threading.Lock()

    def run(self) -> list[threading.Thread]:
        threads = [threading.Thread(target=self._reader, args=(n,), daemon=True) for n in range(self.count)]
        for thread in threads:
            thread.start()
        return threads

    def _reader(self, n: int) -> None:
        rng = random.Random(n)
        connection = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT)
        while not self.stop.is_set():
            roll = rng.random()
            path = "/fr/" if roll < 0.4 else "/ar/" if roll < 0.5 else rng.choice(self.links)
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers={"Accept-Encoding": "gzip"})
                response = connection.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException) as error:
                with self._lock:
                    self.errors[f"{type(error).__name__} on {path.split('/')[1]} pages"] += 1
                connection.close()
                connection = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT)
                continue
            elapsed = time.perf_counter() - started
            with self._lock:
                self.latencies.append(elapsed)
                self.statuses[response.status] += 1
                if response.status >= 400:
                    self.errors[f"HTTP {response.status} on {path}"] += 1
            if path in ("/fr/", "/ar/") and response.status == 200 and rng.random() < 0.1:
                if response.getheader("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                found = ARTICLE_LINK.findall(body.decode(errors="replace"))
                if found:
                    with self._lock:
                        self.links = list(dict.fromkeys(self.links[-200:] + found))


def stored(database: Path) -> int:
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10) as connection:
            return connection.execute("SELECT count(*) FROM news_article").fetchone()[0]
    except sqlite3.OperationalError:  # not migrated yet
        return 0


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000 if ordered else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--readers", type=int, default=64)
    parser.add_argument("--outlets", type=int, default=20)
    parser.add_argument("--articles", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2)
    options = parser.parse_args()
    expected = options.outlets * options.articles
    data_dir = Path(tempfile.mkdtemp(prefix="akhbar-load-"))
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AKHBAR_") and k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")}
    env |= {"AKHBAR_DATA_DIR": str(data_dir), "AKHBAR_FETCH_ALLOW_NETWORKS": "127.0.0.1/32",
            "AKHBAR_FETCH_ONLY_NETWORKS": "127.0.0.0/8", "AKHBAR_FETCH_HOST_DELAY": "0",
            "AKHBAR_FETCH_PER_HOST": str(2 * options.outlets)}
    print(f"machine    {os.cpu_count()} cores, load average {'/'.join(f'{x:.1f}' for x in os.getloadavg())}")
    with Publisher(outlets=options.outlets, articles=options.articles, one_origin=True) as publisher:
        (data_dir / "outlets.opml").write_text(opml(publisher.outlets))
        subprocess.run([str(AKHBAR), "manage", "migrate", "--verbosity", "0"], env=env, check=True)
        subprocess.run([str(AKHBAR), "sources", "import", str(data_dir / "outlets.opml")], env=env, check=True,
                       stdout=subprocess.DEVNULL)
        log = (data_dir / "up.log").open("wb")
        server = subprocess.Popen([str(AKHBAR), "up", "--port", str(port), "--workers", str(options.workers)],
                                  env=env, cwd=data_dir, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            return run(options, server, port, data_dir, expected)
        finally:
            os.killpg(server.pid, 2)
            server.wait(timeout=60)
            log.close()
            shutil.rmtree(data_dir, ignore_errors=True)


def run(options: argparse.Namespace, server: subprocess.Popen, port: int, data_dir: Path, expected: int) -> int:
    base_url, database = f"http://127.0.0.1:{port}", data_dir / "akhbar.sqlite3"
    for _ in range(600):  # the site answers once migrated and started
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=2).request("GET", "/fr/")
            break
        except OSError:
            time.sleep(0.1)  # polling for the server, with a bound
    readers = Readers(base_url, options.readers)
    busy_before = machine_busy_ticks()
    started = time.monotonic()
    threads = readers.run()
    done_at = None
    while time.monotonic() - started < 600:
        count = stored(database)
        if count >= expected and done_at is None:
            done_at = time.monotonic()
        if done_at and time.monotonic() - done_at >= SETTLE:
            break
        if server.poll() is not None:
            break
        time.sleep(0.5)  # sampling the article count, not synchronising
    readers.stop.set()
    for thread in threads:
        thread.join(TIMEOUT + 5)
    elapsed = time.monotonic() - started
    busy_after = machine_busy_ticks()
    log = (data_dir / "up.log").read_text(errors="replace")
    locked, tracebacks = log.count("database is locked"), log.count("Traceback")
    count = stored(database)
    requests, errors = len(readers.latencies), sum(readers.errors.values()) + locked + tracebacks
    cpu = (busy_after[0] - busy_before[0]) / max(1, busy_after[1] - busy_before[1])
    print(f"readers    {options.readers} threads, keep-alive, gzip; /fr/ 40 %, /ar/ 10 %, article pages 50 %")
    print(f"crawl      {count:,} of {expected:,} articles stored, all within {(done_at or time.monotonic()) - started:.1f} s "
          f"of the readers' start")
    print(f"answers    {requests:,} in {elapsed:.1f} s = {requests / elapsed:,.0f}/s; statuses {dict(readers.statuses)}; "
          f"machine busy {cpu:.0%}")
    print(f"latency    p50 {percentile(readers.latencies, 0.5):.1f} ms, p95 {percentile(readers.latencies, 0.95):.1f} ms, "
          f"p99 {percentile(readers.latencies, 0.99):.1f} ms, max {percentile(readers.latencies, 1.0):.1f} ms")
    print(f"errors     {errors} ({dict(readers.errors)}; 'database is locked' in the log: {locked}; tracebacks: {tracebacks})")
    print(f"requests={requests} per_s={requests / elapsed:.0f} p50_ms={percentile(readers.latencies, 0.5):.1f} "
          f"p95_ms={percentile(readers.latencies, 0.95):.1f} p99_ms={percentile(readers.latencies, 0.99):.1f} "
          f"errors={errors} articles={count} crawl_s={(done_at or time.monotonic()) - started:.1f}")
    return 1 if errors or count < expected else 0


if __name__ == "__main__":
    sys.exit(main())
