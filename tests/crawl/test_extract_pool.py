import os
import signal
import subprocess
import sys
import time
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

from akhbar.crawl.extract import extract_article
from akhbar.crawl.extract_pool import WARM_UP_PAGE, ExtractionPool


def die() -> None:
    os._exit(9)  # what a segfault or the OOM killer does to a worker


@pytest.fixture(scope="module")
def pool():
    running = ExtractionPool(1)
    yield running
    running.shutdown()


def test_pool_extracts_like_the_extractor_itself(pool):
    expected = extract_article(WARM_UP_PAGE, url="https://example.ma/a")
    assert pool.submit(extract_article, WARM_UP_PAGE, url="https://example.ma/a").result(timeout=60) == expected


def test_a_dead_worker_costs_one_page_not_the_pool(pool):
    with pytest.raises(BrokenProcessPool):
        pool.submit(die).result(timeout=60)
    result = pool.submit(extract_article, WARM_UP_PAGE, url="https://example.ma/b").result(timeout=60)
    assert result is not None and "saison agricole" in result.text


CRAWLER = """
import os, sys
from akhbar.crawl.extract_pool import ExtractionPool
pool = ExtractionPool(1)
pool.submit(os.getpid).result(timeout=120)  # once the worker has started (and warmed up)
print(*pool._pool._processes, flush=True)
sys.stdin.read()
"""


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[-1][0] != "Z"  # a zombie has ended
    except FileNotFoundError:
        return False


def test_workers_end_when_their_crawler_is_killed():
    crawler = subprocess.Popen([sys.executable, "-c", CRAWLER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               text=True, cwd=Path(__file__).resolve().parents[2])
    workers = [int(pid) for pid in crawler.stdout.readline().split()]
    assert len(workers) == 1 and _alive(workers[0])
    crawler.send_signal(signal.SIGKILL)
    crawler.wait(timeout=30)
    deadline = time.monotonic() + 30  # the workers look for their parent every second
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in workers), "the extraction processes outlived their crawler"
