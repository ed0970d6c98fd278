"""Crawl work queued in the database and run by separate `akhbar worker` processes."""

import sqlite3
import subprocess

import pytest

from akhbar.demo.publisher import SamplePublisher
from tests.helpers import akhbar

QUEUE = {"AKHBAR_TASKS_BACKEND": "django_tasks_db.DatabaseBackend"}


def run(data_dir, *args: str) -> str:
    process = akhbar(data_dir, *args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, extra_env=QUEUE)
    output, _ = process.communicate(timeout=180)
    assert process.returncode == 0, output.decode()
    return output.decode()


def query(database, sql: str):
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10) as connection:
        return connection.execute(sql).fetchall()


@pytest.fixture
def publisher():
    with SamplePublisher(extra_outlets=3, articles_per_outlet=20) as running:
        yield running


def test_two_workers_run_the_queued_feeds_once(tmp_path, publisher):
    run(tmp_path, "manage", "migrate", "--verbosity", "0")
    for outlet in publisher.outlets:
        if outlet["slug"].startswith("bench-"):
            run(tmp_path, "sources", "add", "--name", outlet["name"], "--slug", outlet["slug"],
                "--feed", outlet["feed_url"])
    assert "3 due feeds queued in 1 tasks" in run(tmp_path, "crawl", "--enqueue")
    assert "0 due feeds queued" in run(tmp_path, "crawl", "--enqueue")  # claimed: not queued twice

    workers = [akhbar(tmp_path, "worker", "--batch", stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                      extra_env=QUEUE) for _ in range(2)]
    for worker in workers:
        output, _ = worker.communicate(timeout=180)
        assert worker.returncode == 0, output.decode()

    database = tmp_path / "akhbar.sqlite3"
    assert query(database, "SELECT count(*), count(DISTINCT url) FROM news_article") == [(60, 60)]
    assert query(database, "SELECT status, count(*) FROM django_tasks_database_dbtaskresult GROUP BY status") == [
        ("SUCCESSFUL", 1)]


def test_worker_explains_itself_without_a_queue(tmp_path):
    process = akhbar(tmp_path, "worker", "--batch", stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 2 and b"AKHBAR_TASKS_BACKEND=django_tasks_db.DatabaseBackend" in output
