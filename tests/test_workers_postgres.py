"""Several `akhbar worker` processes on one real PostgreSQL: each feed polled once, nothing stored twice,
and a worker killed mid-crawl loses nothing (its feeds are due again when their claim's lease ends).

Skipped, with the reason, when no PostgreSQL answers (AKHBAR_TEST_POSTGRES_URL, else the local one).
"""

import os
import signal
import subprocess
import time
from urllib.parse import urlsplit, urlunsplit

import pytest

from akhbar.demo.publisher import SamplePublisher
from tests.helpers import akhbar, akhbar_ok, install_bench_outlets

POSTGRES_URL = os.environ.get("AKHBAR_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/akhbar")
OUTLETS, ARTICLES = 8, 12
DEADLINE = 120.0


def _connect(url: str, dbname: str = "postgres"):
    import psycopg

    return psycopg.connect(url, dbname=dbname, autocommit=True, connect_timeout=3)


@pytest.fixture
def postgres_url():
    """A throwaway database on the PostgreSQL server, dropped afterwards."""
    try:
        admin = _connect(POSTGRES_URL)
    except Exception as error:  # noqa: BLE001 - any failure to connect means "no PostgreSQL here"
        pytest.skip(f"no PostgreSQL answers at {POSTGRES_URL} ({error}); set AKHBAR_TEST_POSTGRES_URL")
    name = f"akhbar_workers_{os.getpid()}"
    with admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(POSTGRES_URL)
    yield urlunsplit(parts._replace(path=f"/{name}"))
    with _connect(POSTGRES_URL) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def rows(url: str, query: str) -> list[tuple]:
    with _connect(url, dbname=urlsplit(url).path.lstrip("/")) as connection:
        return connection.execute(query).fetchall()


@pytest.fixture
def publisher():
    with SamplePublisher(extra_outlets=OUTLETS, articles_per_outlet=ARTICLES) as running:
        yield running


def feed_fetches(publisher) -> dict[str, int]:
    counts: dict[str, int] = {}
    for method, target in list(publisher.request_log):
        if method == "GET" and target.startswith("/bench-") and target.endswith(("feed.xml", ".rss", ".atom")):
            counts[target] = counts.get(target, 0) + 1
    return counts


def test_four_workers_poll_each_feed_once_and_store_each_article_once(tmp_path, publisher, postgres_url):
    queue = {"DATABASE_URL": postgres_url, "AKHBAR_TASKS_BACKEND": "django_tasks_db.DatabaseBackend"}
    install_bench_outlets(tmp_path, publisher, extra_env=queue)
    # Two schedulers racing: the feeds are queued once between them, one task per feed.
    enqueued = [akhbar(tmp_path, "crawl", "--enqueue", "--batch-size", "1", extra_env=queue,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for _ in range(2)]
    outputs = [process.communicate(timeout=120)[0].decode() for process in enqueued]
    assert sum(int(output.split()[0]) for output in outputs) == OUTLETS, outputs

    workers = [akhbar(tmp_path, "worker", "--batch", extra_env=queue, stdout=subprocess.PIPE,
                      stderr=subprocess.STDOUT) for _ in range(4)]
    for worker in workers:
        output, _ = worker.communicate(timeout=300)
        assert worker.returncode == 0, output.decode()

    fetches = feed_fetches(publisher)
    assert len(fetches) == OUTLETS and set(fetches.values()) == {1}, fetches
    assert rows(postgres_url, "SELECT count(*), count(DISTINCT url) FROM news_article") == [
        (OUTLETS * ARTICLES, OUTLETS * ARTICLES)]
    assert rows(postgres_url, "SELECT status, count(*) FROM django_tasks_database_dbtaskresult GROUP BY status") \
        == [("SUCCESSFUL", OUTLETS)]


def test_a_worker_killed_mid_crawl_loses_nothing(tmp_path, publisher, postgres_url):
    queue = {"DATABASE_URL": postgres_url, "AKHBAR_TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
             "AKHBAR_CLAIM_LEASE": "3"}
    install_bench_outlets(tmp_path, publisher, extra_env=queue)
    assert f"{OUTLETS} due feeds queued in 1 tasks" in akhbar_ok(tmp_path, "crawl", "--enqueue", extra_env=queue)

    # A slow, polite worker (half a second between two requests to a host) takes the one task...
    doomed = akhbar(tmp_path, "worker", "--batch", extra_env={**queue, "AKHBAR_FETCH_HOST_DELAY": "0.5"},
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + DEADLINE
    while not any("/bench-" in target and "/articles/" in target for _, target in list(publisher.request_log)):
        assert doomed.poll() is None and time.monotonic() < deadline, "the worker never started on its task"
        time.sleep(0.05)  # polling the publisher's log; the kill itself is what we wait for
    doomed.send_signal(signal.SIGKILL)  # ...and dies in the middle of it
    doomed.wait(timeout=30)
    stored_at_kill = rows(postgres_url, "SELECT count(*) FROM news_article")[0][0]
    assert stored_at_kill < OUTLETS * ARTICLES

    # Once the claims' lease is over, the scheduler queues the unfinished feeds again and live workers finish.
    while True:
        output = akhbar_ok(tmp_path, "crawl", "--enqueue", "--batch-size", "2", extra_env=queue)
        if not output.startswith("0 "):
            break
        assert time.monotonic() < deadline, "the killed worker's feeds never became due again"
        time.sleep(0.5)  # the lease is a span of time: this loop waits for it to pass, checking each turn
    workers = [akhbar(tmp_path, "worker", "--batch", extra_env=queue, stdout=subprocess.PIPE,
                      stderr=subprocess.STDOUT) for _ in range(2)]
    for worker in workers:
        output, _ = worker.communicate(timeout=300)
        assert worker.returncode == 0, output.decode()

    assert rows(postgres_url, "SELECT count(*), count(DISTINCT url) FROM news_article") == [
        (OUTLETS * ARTICLES, OUTLETS * ARTICLES)]
    statuses = dict(rows(postgres_url, "SELECT status, count(*) FROM django_tasks_database_dbtaskresult "
                                       "GROUP BY status"))
    assert statuses.get("RUNNING", 0) == 0 and statuses.get("FAILED") == 1, statuses  # the lost task, marked
