import os
from concurrent.futures.process import BrokenProcessPool

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
