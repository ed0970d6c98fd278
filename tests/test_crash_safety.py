"""A crawl killed with SIGKILL leaves no half-written article, and the next crawl finishes the work once."""

import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from akhbar.demo.publisher import SamplePublisher
from tests.helpers import akhbar

OUTLETS, ARTICLES = 4, 50


def run_ok(data_dir: Path, *args: str) -> None:
    process = akhbar(data_dir, *args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output, _ = process.communicate(timeout=120)
    assert process.returncode == 0, output.decode()


def stored(database: Path, query: str = "SELECT count(*) FROM news_article"):
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10) as connection:
        return connection.execute(query).fetchall()


def wait_for(condition, *, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)  # polling a condition, with a deadline
    return False


@pytest.fixture
def publisher():
    with SamplePublisher(extra_outlets=OUTLETS, articles_per_outlet=ARTICLES) as running:
        yield running


def test_sigkill_mid_crawl_loses_nothing_and_duplicates_nothing(tmp_path, publisher):
    run_ok(tmp_path, "manage", "migrate", "--verbosity", "0")
    for outlet in publisher.outlets:
        if outlet["slug"].startswith("bench-"):
            run_ok(tmp_path, "sources", "add", "--name", outlet["name"], "--slug", outlet["slug"],
                   "--feed", outlet["feed_url"])
    database = tmp_path / "akhbar.sqlite3"

    crawl = akhbar(tmp_path, "crawl", "--once", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    assert wait_for(lambda: stored(database)[0][0] >= 10, timeout=60), "the crawl stored nothing"
    crawl.send_signal(signal.SIGKILL)
    crawl.wait(timeout=10)
    partial = stored(database)[0][0]
    assert 10 <= partial < OUTLETS * ARTICLES, "the crawl ended before it could be killed"

    assert stored(database, "PRAGMA integrity_check") == [("ok",)]
    incomplete = stored(database, "SELECT count(*) FROM news_article WHERE title = '' OR content_html = '' "
                                  "OR published_at IS NULL OR word_count = 0")
    assert incomplete == [(0,)]

    run_ok(tmp_path, "crawl", "--once")
    assert stored(database) == [(OUTLETS * ARTICLES,)]
    assert stored(database, "SELECT count(DISTINCT url) FROM news_article") == [(OUTLETS * ARTICLES,)]
