"""A crawl killed with SIGKILL leaves no half-written article, and the next crawl finishes the work once."""

import os
import random
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

    crawl = akhbar(tmp_path, "crawl", "--once", "--force", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    assert wait_for(lambda: stored(database)[0][0] >= 10, timeout=60), "the crawl stored nothing"
    crawl.send_signal(signal.SIGKILL)
    crawl.wait(timeout=10)
    partial = stored(database)[0][0]
    assert 10 <= partial < OUTLETS * ARTICLES, "the crawl ended before it could be killed"

    assert stored(database, "PRAGMA integrity_check") == [("ok",)]
    incomplete = stored(database, "SELECT count(*) FROM news_article WHERE title = '' OR content_html = '' "
                                  "OR published_at IS NULL OR word_count = 0")
    assert incomplete == [(0,)]

    akhbar_ok(tmp_path, "crawl", "--once", "--force")
    assert stored(database) == [(OUTLETS * ARTICLES,)]
    assert stored(database, "SELECT count(DISTINCT url) FROM news_article") == [(OUTLETS * ARTICLES,)]


KILLS = 20


def assert_consistent(database: Path, context: str) -> int:
    """The checks after every kill: integrity, no partial article, no duplicate, index and stories complete."""
    assert stored(database, "PRAGMA integrity_check") == [("ok",)], context
    incomplete = stored(database, "SELECT count(*) FROM news_article WHERE title = '' OR content_html = '' "
                                  "OR published_at IS NULL OR word_count = 0 OR story_id IS NULL")
    assert incomplete == [(0,)], context
    count = stored(database)[0][0]
    assert stored(database, "SELECT count(DISTINCT url_hash) FROM news_article") == [(count,)], context
    # The article, its search index row and its story are written in one transaction: all or nothing.
    assert stored(database, "SELECT count(*) FROM search_article_fts") == [(count,)], context
    return count


@pytest.mark.timeout(900)
def test_twenty_kills_at_random_moments_then_the_crawl_completes(tmp_path, publisher):
    database = install_bench_outlets(tmp_path, publisher)
    seed = int(os.environ.get("AKHBAR_TEST_SEED", random.randrange(1 << 30)))
    rng = random.Random(seed)
    total, before, killed_mid_write = OUTLETS * ARTICLES, 0, 0
    for kill in range(KILLS):
        context = f"kill {kill + 1} of {KILLS} (AKHBAR_TEST_SEED={seed})"
        crawl = akhbar(tmp_path, "crawl", "--once", "--force", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if kill % 2 and before < total:  # a moment in the writing: after a random number of new articles
            target = min(total, before + rng.randint(1, 25))
            wait_for(lambda: stored(database)[0][0] >= target or crawl.poll() is not None, timeout=60)
        else:  # a moment in time: start-up, fetching, parsing or writing, whichever it is
            wait_for(lambda: crawl.poll() is not None, timeout=rng.uniform(0.2, 4.0))
        finished = crawl.poll() is not None
        crawl.send_signal(signal.SIGKILL)
        crawl.wait(timeout=10)
        now = assert_consistent(database, context)
        assert now >= before, context  # nothing stored is ever lost
        killed_mid_write += not finished and before < now < total
        before = now
    assert killed_mid_write >= 3, f"too few kills landed while articles were being written (seed {seed})"
    akhbar_ok(tmp_path, "crawl", "--once", "--force")
    assert assert_consistent(database, f"after the last crawl (AKHBAR_TEST_SEED={seed})") == total
