"""`bench/ingest.py --workers N`: the same ingest, crawled by N `akhbar worker` processes on PostgreSQL.

Kept apart from bench/ingest.py, which calls `measure_workers` when --workers is given; see its docstring.
"""

import argparse
import math
import os
import platform
import re
import statistics
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from common import AKHBAR, machine_busy_ticks, throwaway_postgres
from ingest import Publisher, configure_environment, cpu_model, load_outlets, prefetch_pages, process_cpu

QUEUE_BACKEND = "django_tasks_db.DatabaseBackend"  # what `akhbar worker` needs
TASKS_PER_WORKER = 4  # the batch size leaves about this many queued tasks for each worker
WORKERS_DEADLINE = 900.0  # seconds; a round of workers that runs longer is killed and the bench fails


def worker_counts(text: str) -> list[int]:
    """`--workers 1,2,4`: the worker counts to measure, in that order."""
    try:
        counts = [int(part) for part in text.split(",")]
    except ValueError:
        counts = []
    if not counts or min(counts) < 1:
        raise argparse.ArgumentTypeError(f"expected worker counts such as 1,2,4, not {text!r}")
    return counts


@dataclass
class WorkerExit:
    """One `akhbar worker --batch` process, once it has exited."""

    log: Path
    code: int
    seconds: float  # from the start of the workers to this one's exit
    cpu_seconds: float  # its own, and its extraction processes' (it reaps them)


@dataclass
class Task:
    """One queued crawl, as the database recorded it."""

    worker_id: str
    started: float  # seconds from the start of the workers
    finished: float
    new_articles: int
    feed_errors: int


@dataclass
class WorkersRound:
    workers: int
    extract_processes: int
    batch_size: int
    queued: str  # what `akhbar crawl --enqueue` answered
    warmup_seconds: float
    load_before: tuple[float, float, float]
    exits: list[WorkerExit] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)  # those a worker claimed
    statuses: list[str] = field(default_factory=list)  # of every task queued
    worker_ids: list[str] = field(default_factory=list)  # in the order of exits, from each worker's output
    publisher_cpu_seconds: float = 0.0
    machine_busy: float = 0.0  # the share of all cores' time that was busy
    machine_cpu_seconds: float = 0.0
    postgres_cpu_seconds: float = 0.0  # the backends serving the workers
    stored: int = 0
    distinct: int = 0
    feed_fallbacks: int = 0
    stored_at: list[float] = field(default_factory=list)  # seconds from the start of the workers
    output_problems: list[str] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return max(e.seconds for e in self.exits)

    @property
    def tasks_seconds(self) -> float:
        if not self.tasks:
            return math.nan
        return max(t.finished for t in self.tasks) - min(t.started for t in self.tasks)

    @property
    def cpu_seconds(self) -> float:
        return sum(e.cpu_seconds for e in self.exits)

    @property
    def neighbours_cpu_seconds(self) -> float:
        """CPU the rest of the machine used meanwhile (the bench process itself is among it, idle)."""
        return self.machine_cpu_seconds - self.cpu_seconds - self.publisher_cpu_seconds - self.postgres_cpu_seconds

    @property
    def steady(self) -> tuple[float, int, float]:
        """(start, articles, seconds) of the window in which every worker had finished its first task and
        none its last: all N warm and busy. Articles are stamped when their feed's batch is stored."""
        mine = self.tasks_by_worker()
        if not all(mine):
            return 0.0, 0, 0.0
        begin, end = max(tasks[0].finished for tasks in mine), min(tasks[-1].finished for tasks in mine)
        return begin, sum(1 for at in self.stored_at if begin <= at <= end), max(0.0, end - begin)

    @property
    def steady_rate(self) -> float:
        _, articles, seconds = self.steady
        return articles / seconds if seconds >= 1.0 else math.nan  # shorter windows are a feed or two: noise

    def tasks_by_worker(self) -> list[list[Task]]:
        """Each worker's tasks, in the order they started; workers in the order of `exits`."""
        return [
            sorted((t for t in self.tasks if t.worker_id == worker_id), key=lambda t: t.started)
            for worker_id in self.worker_ids
        ]

    def one_time_costs(self) -> list[tuple[float, float, float]]:
        """Per worker that ran a task: (start to first claim, its first task's time beyond the pace of the
        later tasks, last task to exit). The first task starts the extraction processes and loads the
        language model."""
        later = [
            (t.finished - t.started) / t.new_articles
            for tasks in self.tasks_by_worker()
            for t in tasks[1:]
            if t.new_articles
        ]
        pace = statistics.median(later) if later else 0.0
        return [
            (
                tasks[0].started,
                max(0.0, tasks[0].finished - tasks[0].started - tasks[0].new_articles * pace),
                worker.seconds - tasks[-1].finished,
            )
            for worker, tasks in zip(self.exits, self.tasks_by_worker())
            if tasks
        ]


def measure_workers(options: argparse.Namespace, data_dir: Path) -> int:
    """--workers: for each N, a fresh PostgreSQL database, the feeds queued, N workers timed until they exit."""
    per_poll_cap = 60  # akhbar.crawl.pipeline.MAX_NEW_ARTICLES_PER_POLL (importing it needs Django set up)
    if options.articles > per_poll_cap:
        raise SystemExit(f"bench: with --workers each feed is polled once: --articles {per_poll_cap} at most")
    cores, spare = os.cpu_count() or 1, max(options.workers)
    expected = options.outlets * options.articles
    rounds = []
    with Publisher(
        outlets=spare + options.outlets, articles=options.articles, one_origin=options.one_origin
    ) as publisher:
        warmups, timed = publisher.outlets[:spare], publisher.outlets[spare:]
        prefetch_pages(timed)  # the publisher renders and caches every page before anything is timed
        print(f"machine      {cores} cores, {cpu_model()}, Python {platform.python_version()}")
        print(
            f"served       {options.outlets} outlets x {options.articles} articles by the sample publisher "
            f"(own process, {len({urlsplit(o['feed_url']).netloc for o in timed})} host:port)"
        )
        print(
            f"database     PostgreSQL at {urlsplit(options.postgres_url).netloc}, a fresh database for each N; "
            f"workers' output in {data_dir}" + ("" if options.data_dir else " (removed at exit)")
        )
        for count in options.workers:
            processes = options.extract_processes
            if processes is None:
                processes = cores // count if count <= cores else 0  # 0: in a thread of the worker, no process
            load = os.getloadavg()
            print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} before {count} worker(s)")
            with throwaway_postgres(options.postgres_url, "akhbar_bench_ingest") as url:
                queue = {
                    "DATABASE_URL": url,
                    "AKHBAR_TASKS_BACKEND": QUEUE_BACKEND,
                    "AKHBAR_EXTRACT_PROCESSES": str(processes),
                }
                per_host = configure_environment(data_dir, publisher.outlets, queue)
                print(f"             fetching per host {per_host}, host delay 0")
                rounds.append(
                    workers_round(
                        count, processes, warmups[:count], timed, data_dir / f"workers-{count}", publisher, load
                    )
                )
            report_round(rounds[-1], expected)
    report_rounds(rounds)
    broken = [r for r in rounds if not r.stored == r.distinct == expected or any(e.code for e in r.exits)]
    return 1 if broken else 0




def workers_round(
    count: int,
    processes: int,
    warmups: list[dict],
    timed: list[dict],
    log_dir: Path,
    publisher: Publisher,
    load: tuple[float, float, float],
) -> WorkersRound:
    """N workers on N warm-up outlets, untimed; then the timed outlets queued, and N workers timed to their exit."""
    from django.db import connections
    from django.utils import timezone

    try:
        load_outlets(warmups)
        enqueue(batch_size=1)
        _, warmup = run_workers(count, log_dir / "warm-up")
        feed_ids = load_outlets(timed)
        batch_size = math.ceil(len(timed) / (count * TASKS_PER_WORKER))
        queued_after = timezone.now()
        measured = WorkersRound(
            count, processes, batch_size, enqueue(batch_size=batch_size), max(e.seconds for e in warmup), load
        )
        backends = BackendsCpu(urlsplit(os.environ["DATABASE_URL"]).path.lstrip("/"))
        busy, publisher_cpu = machine_busy_ticks(), publisher.cpu_seconds()
        launched_at, measured.exits = run_workers(count, log_dir, on_tick=backends.sample)
        busy_after, measured.postgres_cpu_seconds = machine_busy_ticks(), backends.seconds()
        measured.machine_busy = (busy_after[0] - busy[0]) / max(busy_after[1] - busy[1], 1)
        measured.machine_cpu_seconds = (busy_after[0] - busy[0]) / os.sysconf("SC_CLK_TCK")
        measured.publisher_cpu_seconds = publisher.cpu_seconds() - publisher_cpu
        tally_round(measured, feed_ids, queued_after, launched_at)
        return measured
    finally:
        connections.close_all()  # before the database is dropped under it


def enqueue(*, batch_size: int) -> str:
    """`akhbar crawl --enqueue --batch-size K`, the product's own way to queue the due feeds."""
    command = [str(AKHBAR), "crawl", "--enqueue", "--batch-size", str(batch_size)]
    done = subprocess.run(command, env=os.environ.copy(), capture_output=True, text=True, timeout=300)
    if done.returncode:
        raise SystemExit(f"bench: {' '.join(command[1:])} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return done.stdout.strip()


def run_workers(
    count: int, log_dir: Path, *, on_tick: Callable[[], None] = lambda: None
) -> tuple[float, list[WorkerExit]]:
    """Start N `akhbar worker --batch` at once, wait for every one to exit, calling on_tick every 0.2 s;
    return (wall clock at the start, exits)."""
    log_dir.mkdir(parents=True, exist_ok=True)
    pending: dict[int, tuple[int, subprocess.Popen, Path]] = {}
    exits: dict[int, WorkerExit] = {}
    launched_at, started = time.time(), time.perf_counter()
    next_tick = started
    for index in range(count):
        log = log_dir / f"worker-{index + 1}.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                [str(AKHBAR), "worker", "--batch"], env=os.environ.copy(), stdout=output, stderr=subprocess.STDOUT
            )
        pending[process.pid] = (index, process, log)
    while pending:
        if time.perf_counter() >= next_tick:
            on_tick()
            next_tick += 0.2
        for pid, (index, process, log) in list(pending.items()):
            # wait4 rather than Popen.wait: it also gives the CPU of the worker and of the processes it reaped.
            reaped, status, usage = os.wait4(pid, os.WNOHANG)
            if reaped:
                process.returncode = os.waitstatus_to_exitcode(status)
                exits[index] = WorkerExit(
                    log, process.returncode, time.perf_counter() - started, usage.ru_utime + usage.ru_stime
                )
                del pending[pid]
        if time.perf_counter() - started > WORKERS_DEADLINE:
            for _, process, _ in pending.values():
                process.kill()
            raise SystemExit(f"bench: {len(pending)} worker(s) still running after {WORKERS_DEADLINE:.0f} s")
        time.sleep(0.005)  # polling: the exit times are this precise
    return launched_at, [exits[index] for index in range(count)]


def tally_round(measured: WorkersRound, feed_ids: list[int], queued_after: datetime, launched_at: float) -> None:
    """Articles and tasks from the database; worker ids and anything alarming from the workers' output."""
    from django_tasks_db.models import DBTaskResult

    from akhbar.news.models import Article

    articles = Article.objects.filter(feed_id__in=feed_ids)
    measured.stored = articles.count()
    measured.distinct = articles.values("url").distinct().count()
    measured.feed_fallbacks = articles.exclude(extraction_note="").count()
    measured.stored_at = [at.timestamp() - launched_at for at in articles.values_list("fetched_at", flat=True)]
    for row in DBTaskResult.objects.filter(enqueued_at__gte=queued_after):
        value = row.return_value or {}
        measured.statuses.append(row.status)
        if row.started_at is None:
            continue  # never claimed: counted among the tasks not successful
        measured.tasks.append(
            Task(
                row.worker_ids[-1] if row.worker_ids else "",
                row.started_at.timestamp() - launched_at,
                (row.finished_at.timestamp() if row.finished_at else time.time()) - launched_at,
                value.get("new_articles", 0),
                value.get("errors", 0),
            )
        )
    for worker in measured.exits:
        output = worker.log.read_text(errors="replace")
        found = re.search(r"worker_id=(\w+)", output)
        measured.worker_ids.append(found[1] if found else "")
        measured.output_problems += [
            line.strip()
            for line in output.splitlines()
            if re.search(r"\b(WARNING|ERROR|CRITICAL)\b|Traceback|Error:", line)
        ]


def report_round(m: WorkersRound, expected: int) -> None:
    """What one N gave, read as it comes."""
    print(
        f"workers {m.workers:<4} {m.queued} (batch size {m.batch_size}), AKHBAR_EXTRACT_PROCESSES={m.extract_processes}"
        f" each; warm-up first, untimed: {m.workers} outlet(s) in {m.warmup_seconds:.2f} s"
    )
    print(
        f"             {m.stored} of {expected} articles stored ({m.distinct} distinct URLs) in {m.seconds:.2f} s "
        f"from the start of the workers to the last exit: {m.stored / m.seconds:.1f} articles/s"
    )
    begin, steady_articles, steady_seconds = m.steady
    print(
        f"             first task claimed to last finished {m.tasks_seconds:.2f} s: {m.stored / m.tasks_seconds:.1f} "
        f"articles/s; all {m.workers} warm and busy ({begin:.2f} s to {begin + steady_seconds:.2f} s): "
        f"{steady_articles} articles, {m.steady_rate:.1f} articles/s"
    )
    startup, first_extra, tail = zip(*m.one_time_costs()) if m.tasks else ((), (), ())
    print(
        f"             one-time costs a worker: start to first claim {spread(startup)} s, first task's extra over "
        f"the others' pace (extraction processes, language model) {spread(first_extra)} s, "
        f"last task to exit {spread(tail)} s"
    )
    print(
        f"             workers' CPU (with their extraction processes) {m.cpu_seconds:.2f} s "
        f"({1000 * m.cpu_seconds / max(m.stored, 1):.1f} ms per article), publisher {m.publisher_cpu_seconds:.2f} s, "
        f"PostgreSQL (its backends) {m.postgres_cpu_seconds:.2f} s; machine {m.machine_busy:.0%} busy, "
        f"other processes (neighbours) {m.neighbours_cpu_seconds:.2f} s CPU"
    )
    mine = m.tasks_by_worker()
    print(
        f"             per worker: tasks {'/'.join(str(len(tasks)) for tasks in mine)}, articles "
        f"{'/'.join(str(sum(t.new_articles for t in tasks)) for tasks in mine)}, busy with tasks "
        f"{'/'.join(f'{sum(t.finished - t.started for t in tasks):.1f}' for tasks in mine)} s, exit at "
        f"{'/'.join(f'{e.seconds:.1f}' for e in m.exits)} s, exit codes {'/'.join(str(e.code) for e in m.exits)}"
    )
    failed = sum(1 for status in m.statuses if status != "SUCCESSFUL")
    print(
        f"             {m.feed_fallbacks} stored with the feed's text instead of the page's, "
        f"{sum(t.feed_errors for t in m.tasks)} feed errors, {failed} tasks not successful, "
        f"{len(m.output_problems)} warning or error lines in the workers' output"
    )
    for line in list(dict.fromkeys(m.output_problems))[:5]:
        print(f"             worker: {line[:160]}")


def spread(values: list[float]) -> str:
    return f"{min(values):.2f}-{max(values):.2f}" if values else "-"


def report_rounds(rounds: list[WorkersRound]) -> None:
    """One line per N, then the machine-readable line."""
    print("timed span   from the start of the N workers to the last exit: each starts Python and Django, claims a")
    print("             task, starts its extraction processes and loads the language model in its first task, runs")
    print("             the tasks, exits. Warm: only while every worker is past its first task and none is done.")
    print("             The load average before a round includes the bench's own previous round; neighbours' CPU")
    print("             during the round (all but the workers, publisher and their PostgreSQL backends) does not.")
    for m in rounds:
        print(
            f"N={m.workers:<3} {m.stored / m.seconds:7.1f} articles/s start to exit, "
            f"{m.stored / m.tasks_seconds:7.1f} first claim to last task, {m.steady_rate:7.1f} warm; "
            f"{1000 * m.cpu_seconds / max(m.stored, 1):.1f} ms CPU an article; "
            f"extraction processes {m.extract_processes} each; load average {m.load_before[0]:.2f} before, "
            f"neighbours {m.neighbours_cpu_seconds / m.seconds:.2f} cores during"
        )
    print(
        f"workers={','.join(str(m.workers) for m in rounds)} "
        f"articles_per_s={','.join(f'{m.stored / m.seconds:.1f}' for m in rounds)} "
        f"tasks_articles_per_s={','.join(f'{m.stored / m.tasks_seconds:.1f}' for m in rounds)} "
        f"warm_articles_per_s={','.join(f'{m.steady_rate:.1f}' for m in rounds)} "
        f"cpu_ms_per_article={','.join(f'{1000 * m.cpu_seconds / max(m.stored, 1):.1f}' for m in rounds)}"
    )



class BackendsCpu:
    """CPU of the PostgreSQL backends serving one database, read from /proc (so a server on this machine) while
    they live: a backend ends with its connection. The last moments of each are missed."""

    def __init__(self, database: str) -> None:
        self.database = database
        self.before = self._read()  # this process's own connection is there already
        self.seen = dict(self.before)

    def _read(self) -> dict[int, float]:
        found = {}
        for entry in Path("/proc").glob("[0-9]*"):
            try:
                if f" {self.database} " in (entry / "cmdline").read_text():
                    found[int(entry.name)] = process_cpu(int(entry.name))
            except OSError:
                continue  # the process ended while we looked
        return found

    def sample(self) -> None:
        self.seen.update(self._read())  # CPU time only grows: the latest reading is the largest

    def seconds(self) -> float:
        return sum(cpu - self.before.get(pid, 0.0) for pid, cpu in self.seen.items())
