"""Image reports under load: N readers, each with its own cookies and its own /24, report K lead images at once.

    .venv/bin/python bench/reports.py [--reporters 200] [--images 5] [--concurrency 50] [--workers 2] [--threshold 3]
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/reports.py

Starts the product as bench/serve.py does (`akhbar up --demo`, gunicorn), with AKHBAR_TRUSTED_PROXIES=127.0.0.1/32
so that each reader's X-Forwarded-For is believed: reader i is 10.(i div 256).(i mod 256).1, a /24 of its own.
Picks K lead images that are different pictures (perceptual hashes more than IMAGE_MATCH_DISTANCE bits apart,
so that no block spills onto another target) from the ticker's article pages. Then, over HTTP:

1. every reader GETs the article page of its first image (CSRF token and cookie), all before any report,
   since a blocked image's page no longer holds the report form;
2. every reader POSTs its K reports one after the other (reader i starts at image i mod K), at most
   --concurrency readers at a time. One reader in 20 double-clicks its first report (two POSTs at once,
   before it has its reader cookie: only its network ties them), one in 20 reports its first image again
   after its last (same cookie). Neither duplicate may count. This phase's wall time is the figure;
3. the database is read (the SQLite file read-only, or PostgreSQL through psycopg): for each image,
   imagecase.reporters and its report rows equal the readers answered 200; it is blocked, with exactly one
   auto_block event, when that reaches the threshold; similar_block events only on copies of a blocked
   picture; a blocked image's rendition answers 410.

With DATABASE_URL (a PostgreSQL server: its database is only used to create and drop another), the product
runs on a throwaway database akhbar_bench_reports_<pid>, dropped afterwards. The CPU figure is akhbar up's
process tree only (gunicorn, and the idle crawler), not PostgreSQL's. The client runs on the same machine
and takes a good part of it. Exit 1 when anything is off.
Last line: reports_per_s=... counted_per_s=... p50_ms=... p99_ms=... exact=yes|no
"""

import argparse
import asyncio
import os
import re
import sqlite3
import subprocess
import sys
import time
from collections import Counter, defaultdict
from contextlib import ExitStack, closing
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx

from common import AKHBAR, BenchError, DemoServer, machine_busy_ticks, throwaway_postgres, tree_cpu_seconds

FIGURE = re.compile(r'<figure class="lead-image" data-image="(?P<sha>[0-9a-f]{64})">')
TOKEN = re.compile(r'<input type="hidden" name="csrfmiddlewaretoken" value="(?P<token>[^"]+)">')
MATCH_DISTANCE = 6  # the product's default AKHBAR_IMAGE_MATCH_DISTANCE
MASK64 = (1 << 64) - 1
DUPLICATE_EVERY = 20  # reader i double-clicks when i % 20 == 0, reports again when i % 20 == 10
ACTIONS_EXPECTED = {"auto_block", "similar_block"}


@dataclass
class ReportServer(DemoServer):
    """DemoServer with settings of its own: DemoServer.start drops the caller's AKHBAR_* variables."""

    settings: dict[str, str] = field(default_factory=dict)

    def start(self) -> "ReportServer":
        dropped = {"DJANGO_SETTINGS_MODULE", "DATABASE_URL"}
        env = {k: v for k, v in os.environ.items() if not k.startswith("AKHBAR_") and k not in dropped}
        env |= {"AKHBAR_DATA_DIR": str(self.data_dir)} | self.settings
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [str(AKHBAR), "up", "--demo", "--port", str(self.port), "--workers", str(self.workers)],
                cwd=self.data_dir, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        return self


@dataclass(frozen=True)
class Target:
    sha256: str
    page: str  # an article page showing it
    image_id: int
    phash: int


@dataclass
class Reader:
    index: int
    address: str  # its X-Forwarded-For
    targets: list[Target]  # in the order it reports them
    double_click: bool
    report_again: bool
    token: str = ""


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    answers: Counter = field(default_factory=Counter)  # distinct bodies of the answers
    reported: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))  # sha256 -> readers answered 200
    problems: list[str] = field(default_factory=list)
    get_seconds: float = 0.0
    post_seconds: float = 0.0
    server_cores: float = 0.0
    machine_busy: float = 0.0


def distance(a: int, b: int) -> int:
    return ((a ^ b) & MASK64).bit_count()


def read_rows(database: str, sql: str) -> list[tuple]:
    """Rows of one query: `database` is a PostgreSQL URL or the SQLite file, opened read-only."""
    if database.startswith("postgres"):
        import psycopg

        with psycopg.connect(database) as connection:
            return connection.execute(sql).fetchall()
    with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as connection:
        return connection.execute(sql).fetchall()




def pick_targets(base_url: str, links: list[str], database: str, count: int) -> list[Target]:
    """The first `count` different pictures shown, with a report button, on the ticker's article pages."""
    stored = {sha: (pk, phash) for pk, sha, phash in read_rows(database, "SELECT id, sha256, phash FROM news_image")}
    targets: list[Target] = []
    with httpx.Client(base_url=base_url, timeout=30) as client:
        for link in links:
            page = client.get(link).text
            match = FIGURE.search(page)
            if not match or match["sha"] not in stored or f'formaction="/fr/img/{match["sha"]}/signaler/"' not in page:
                continue
            pk, phash = stored[match["sha"]]
            if all(distance(phash, t.phash) > MATCH_DISTANCE for t in targets):
                targets.append(Target(match["sha"], link, pk, phash))
            if len(targets) == count:
                return targets
    raise BenchError(f"bench: only {len(targets)} different pictures with a report button on the {len(links)} "
                     f"ticker articles; use --images {len(targets)} or fewer")


def make_readers(count: int, targets: list[Target]) -> list[Reader]:
    readers = []
    for i in range(count):
        start = i % len(targets)
        readers.append(Reader(i, f"10.{i >> 8}.{i & 255}.1", targets[start:] + targets[:start],
                              double_click=i % DUPLICATE_EVERY == 0, report_again=i % DUPLICATE_EVERY == 10))
    return readers


async def fetch_token(client: httpx.AsyncClient, reader: Reader, tally: Tally) -> None:
    """GET the page of the reader's first image: its form's token, and the csrftoken cookie with it."""
    page = reader.targets[0].page
    try:
        response = await client.get(page)
    except httpx.HTTPError as error:
        tally.problems.append(f"reader {reader.index}: GET {page}: {type(error).__name__}: {error}")
        return
    match = TOKEN.search(response.text)
    if response.status_code != 200 or not match or "csrftoken" not in client.cookies:
        tally.problems.append(f"reader {reader.index}: GET {page} answered {response.status_code}, "
                              f"token {'found' if match else 'missing'}, cookies {sorted(client.cookies.keys())}")
        return
    reader.token = match["token"]


async def post_report(client: httpx.AsyncClient, reader: Reader, target: Target, tally: Tally) -> None:
    started = time.perf_counter()
    try:
        response = await client.post(f"/fr/img/{target.sha256}/signaler/", data={"csrfmiddlewaretoken": reader.token},
                                     headers={"Accept": "application/json"})
    except httpx.HTTPError as error:
        tally.problems.append(f"reader {reader.index}, image {target.sha256[:12]}: {type(error).__name__}: {error}")
        return
    tally.latencies.append(time.perf_counter() - started)
    tally.statuses[response.status_code] += 1
    tally.answers[response.text] += 1
    if response.status_code == 200:
        tally.reported[target.sha256].add(reader.index)
    else:
        tally.problems.append(f"reader {reader.index}, image {target.sha256[:12]}: answered "
                              f"{response.status_code}: {response.text[:200]!r}")


async def report_all(client: httpx.AsyncClient, reader: Reader, tally: Tally) -> None:
    """The reader's K reports in turn, with its duplicate if it is one of those that send one."""
    if not reader.token:
        return  # its GET failed, and says so
    first = reader.targets[0]
    if reader.double_click:
        await asyncio.gather(*(post_report(client, reader, first, tally) for _ in range(2)))
    else:
        await post_report(client, reader, first, tally)
    if "akhbar_lecteur" not in client.cookies:
        tally.problems.append(f"reader {reader.index}: no akhbar_lecteur cookie after its first report")
    for target in reader.targets[1:]:
        await post_report(client, reader, target, tally)
    if reader.report_again:
        await post_report(client, reader, first, tally)


async def run_readers(base_url: str, readers: list[Reader], *, concurrency: int, server_pid: int) -> Tally:
    """Both phases, each reader with its own client (its own cookie jar), `concurrency` readers at a time."""
    tally, slots = Tally(), asyncio.Semaphore(concurrency)
    # gunicorn closes a connection idle for 2 s (its keep-alive); a POST sent on it just then fails with
    # ReadError and is not retried. Forgetting idle connections after 1 s keeps that race out of the figures.
    limits = httpx.Limits(keepalive_expiry=1.0)
    clients = [httpx.AsyncClient(base_url=base_url, headers={"X-Forwarded-For": r.address}, timeout=60, limits=limits)
               for r in readers]

    async def phase(work) -> float:
        async def one(client: httpx.AsyncClient, reader: Reader) -> None:
            async with slots:
                await work(client, reader, tally)

        started = time.perf_counter()
        await asyncio.gather(*(one(c, r) for c, r in zip(clients, readers)))
        return time.perf_counter() - started

    try:
        tally.get_seconds = await phase(fetch_token)
        cpu_before, busy_before = tree_cpu_seconds(server_pid), machine_busy_ticks()
        tally.post_seconds = await phase(report_all)
        busy_after = machine_busy_ticks()
        tally.server_cores = (tree_cpu_seconds(server_pid) - cpu_before) / tally.post_seconds
        tally.machine_busy = (busy_after[0] - busy_before[0]) / max(1, busy_after[1] - busy_before[1])
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))
    return tally


def check_database(database: str, targets: list[Target], reported: dict[str, set[int]], threshold: int) -> list[str]:
    """Compare what the database holds with what the readers were answered; print one line an image."""
    images = read_rows(database, "SELECT id, sha256, phash FROM news_image")
    cases = {pk: (n, bool(b)) for pk, n, b in read_rows(database, "SELECT image_id, reporters, blocked "
                                                                  "FROM moderation_imagecase")}
    rows = dict(read_rows(database, "SELECT image_id, COUNT(*) FROM moderation_report GROUP BY image_id"))
    events = Counter({(pk, action): n for pk, action, n in read_rows(
        database, "SELECT image_id, action, COUNT(*) FROM moderation_moderationevent GROUP BY image_id, action")})
    problems = [f"image id {pk}: {n} unexpected '{action}' event(s)"
                for (pk, action), n in events.items() if action not in ACTIONS_EXPECTED]
    print(f"{'image':<13} {'page':<17} {'readers':>7} {'counted':>7} {'rows':>5} {'auto_block':>10} {'blocked':>7}")
    blocked_phashes = []
    for t in targets:
        expected = len(reported[t.sha256])
        counted, blocked = cases.get(t.image_id, (0, False))
        auto = events[(t.image_id, "auto_block")]
        print(f"{t.sha256[:12]:<13} {t.page:<17} {expected:>7} {counted:>7} {rows.get(t.image_id, 0):>5} "
              f"{auto:>10} {'yes' if blocked else 'no':>7}")
        should_block = expected >= threshold
        blocked_phashes += [t.phash] if should_block else []
        if counted != expected or rows.get(t.image_id, 0) != expected:
            problems.append(f"image {t.sha256[:12]}: {expected} distinct readers were answered 200, but "
                            f"imagecase.reporters = {counted} and {rows.get(t.image_id, 0)} report rows")
        if auto != int(should_block) or blocked != should_block:
            problems.append(f"image {t.sha256[:12]}: {expected} distinct readers, threshold {threshold}: expected "
                            f"{int(should_block)} auto_block event, found {auto}; blocked = {blocked}")
    for pk, sha, phash in images:
        copy = any(distance(phash, b) <= MATCH_DISTANCE for b in blocked_phashes)
        expected_similar = int(copy and pk not in {t.image_id for t in targets})
        if events[(pk, "similar_block")] != expected_similar:
            problems.append(f"image {sha[:12]}: {events[(pk, 'similar_block')]} similar_block event(s), "
                            f"expected {expected_similar}")
    return problems


def check_renditions(base_url: str, targets: list[Target], reported: dict[str, set[int]], threshold: int) -> list[str]:
    """What readers see: a blocked image's rendition is gone (410), the others are served (200)."""
    problems = []
    with httpx.Client(base_url=base_url, timeout=30) as client:
        for t in targets:
            expected = 410 if len(reported[t.sha256]) >= threshold else 200
            status = client.get(f"/img/{t.sha256}/m.webp").status_code
            if status != expected:
                problems.append(f"image {t.sha256[:12]}: /img/.../m.webp answered {status}, expected {expected}")
    return problems


def percentile(values: list[float], share: float) -> float:
    return values[min(len(values) - 1, int(len(values) * share))] if values else float("nan")


def print_figures(tally: Tally, readers: list[Reader]) -> tuple[float, float, float, float]:
    posts = len(tally.latencies)
    counted = sum(len(r) for r in tally.reported.values())
    latencies = sorted(tally.latencies)
    p50, p99 = percentile(latencies, 0.50) * 1000, percentile(latencies, 0.99) * 1000
    duplicates = sum(r.double_click + r.report_again for r in readers)
    print(f"tokens   {len(readers)} GETs of an article page in {tally.get_seconds:.2f} s")
    print(f"reports  {posts} POSTs answered ({counted} distinct reader-image pairs + {duplicates} duplicates sent) "
          f"in {tally.post_seconds:.2f} s: {posts / tally.post_seconds:.1f} reports/s "
          f"({counted / tally.post_seconds:.1f} distinct/s)")
    print(f"latency  p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {latencies[-1] * 1000 if latencies else 0:.1f} ms")
    per_report = 1000 * tally.server_cores * tally.post_seconds / max(1, posts)
    print(f"cpu      akhbar up {tally.server_cores:.2f} cores = {per_report:.2f} ms CPU a report (PostgreSQL's own "
          f"processes not included); machine {tally.machine_busy:.0%} busy, this client included")
    statuses = ", ".join(f"{status}: {n}" for status, n in sorted(tally.statuses.items()))
    print(f"answers  {statuses}; {len(tally.answers)} distinct answer bodies (the same thanks, counted or not)")
    return posts / tally.post_seconds, counted / tally.post_seconds, p50, p99


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reporters", type=int, default=200, help="distinct readers, each in its own /24")
    parser.add_argument("--images", type=int, default=5, help="different pictures each reader reports (demo: 8 at most)")
    parser.add_argument("--concurrency", type=int, default=50, help="readers at work at once")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (akhbar up --workers)")
    parser.add_argument("--threshold", type=int, default=3, help="AKHBAR_IMAGE_REPORT_THRESHOLD for the server")
    options = parser.parse_args()
    if not 0 < options.reporters <= 65536 or options.images < 1:
        parser.error("--reporters must be 1-65536 (one /24 of 10.0.0.0/8 each), --images at least 1")
    return options


def main() -> int:
    options = parse_args()
    postgres = os.environ.get("DATABASE_URL", "")
    settings = {"AKHBAR_TRUSTED_PROXIES": "127.0.0.1/32", "AKHBAR_IMAGE_REPORT_THRESHOLD": str(options.threshold)}
    with ExitStack() as stack:
        if postgres:
            settings["DATABASE_URL"] = stack.enter_context(throwaway_postgres(postgres, "akhbar_bench_reports"))
        server = stack.enter_context(ReportServer(workers=options.workers, settings=settings))
        database = settings.get("DATABASE_URL") or str(server.data_dir / "akhbar.sqlite3")
        links = server.wait_crawled()
        targets = pick_targets(server.base_url, links, database, options.images)
        readers = make_readers(options.reporters, targets)
        where = f"PostgreSQL {urlsplit(database).path[1:]}" if postgres else f"SQLite in {server.data_dir}"
        print(f"akhbar up --demo --workers {options.workers} at {server.base_url}, {where}")
        print(f"{options.reporters} readers x {len(targets)} images, {options.concurrency} readers at once, "
              f"threshold {options.threshold}; load average {os.getloadavg()[0]:.2f} before")
        tally = asyncio.run(run_readers(server.base_url, readers, concurrency=options.concurrency,
                                        server_pid=server.process.pid))
        rate, counted_rate, p50, p99 = print_figures(tally, readers)
        problems = tally.problems + check_database(database, targets, tally.reported, options.threshold)
        problems += check_renditions(server.base_url, targets, tally.reported, options.threshold)
    for problem in problems[:30]:
        print(f"NOT EXACT: {problem}")
    if len(problems) > 30:
        print(f"NOT EXACT: ... and {len(problems) - 30} more")
    print(f"reports_per_s={rate:.1f} counted_per_s={counted_rate:.1f} p50_ms={p50:.1f} p99_ms={p99:.1f} "
          f"exact={'no' if problems else 'yes'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
