"""A crawl killed with SIGKILL leaves no half-written article, and the next crawl finishes the work once."""

import signal
import subprocess
import time
from pathlib import Path

import pytest

from akhbar.demo.publisher import SamplePublisher
from tests.helpers import akhbar, akhbar_ok, install_bench_outlets, sqlite_rows

OUTLETS, ARTICLES = 4, 50


def stored(database: Path, query: str = "SELECT count(*) FROM news_article") -> list[tuple]:
    return sqlite_rows(database, query)


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
    database = install_bench_outlets(tmp_path, publisher)

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

    akhbar_ok(tmp_path, "crawl", "--once")
    assert stored(database) == [(OUTLETS * ARTICLES,)]
    assert stored(database, "SELECT count(DISTINCT url) FROM news_article") == [(OUTLETS * ARTICLES,)]
