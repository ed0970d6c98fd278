"""Crawl work queued in the database and run by separate `akhbar worker` processes."""

import subprocess

import pytest

from akhbar.demo.publisher import SamplePublisher
from tests.helpers import akhbar, akhbar_ok, install_bench_outlets, sqlite_rows

QUEUE = {"AKHBAR_TASKS_BACKEND": "django_tasks_db.DatabaseBackend"}


@pytest.fixture
def publisher():
    with SamplePublisher(extra_outlets=3, articles_per_outlet=20) as running:
        yield running


def test_two_workers_run_the_queued_feeds_once(tmp_path, publisher):
    database = install_bench_outlets(tmp_path, publisher, extra_env=QUEUE)
    assert "3 due feeds queued in 1 tasks" in akhbar_ok(tmp_path, "crawl", "--enqueue", extra_env=QUEUE)
    # Claimed by the first: not queued twice.
    assert "0 due feeds queued" in akhbar_ok(tmp_path, "crawl", "--enqueue", extra_env=QUEUE)

    workers = [akhbar(tmp_path, "worker", "--batch", stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                      extra_env=QUEUE) for _ in range(2)]
    for worker in workers:
        output, _ = worker.communicate(timeout=180)
        assert worker.returncode == 0, output.decode()

    assert sqlite_rows(database, "SELECT count(*), count(DISTINCT url) FROM news_article") == [(60, 60)]
    tasks = "SELECT status, count(*) FROM django_tasks_database_dbtaskresult GROUP BY status"
    assert sqlite_rows(database, tasks) == [
        ("SUCCESSFUL", 1)]


def test_worker_explains_itself_without_a_queue(tmp_path):
    process = akhbar(tmp_path, "worker", "--batch", stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 2 and b"AKHBAR_TASKS_BACKEND=django_tasks_db.DatabaseBackend" in output
