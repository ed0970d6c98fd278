"""Django's side of the crawl: builds the fetcher from settings, runs the pipeline, defines the task."""

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import Executor
from functools import cache

from django.conf import settings
from threadpoolctl import threadpool_limits
from django.db import close_old_connections, connections
from django.tasks import task

from akhbar.crawl import pipeline, store
from akhbar.crawl.extract_pool import ExtractionPool
from akhbar.crawl.fetch import Fetcher
from akhbar.crawl.records import FeedOutcome

log = logging.getLogger(__name__)


def make_fetcher() -> Fetcher:
    return Fetcher(
        user_agent=settings.FETCH_USER_AGENT,
        timeout=settings.FETCH_TIMEOUT,
        max_bytes=settings.FETCH_MAX_BYTES,
        concurrency=settings.FETCH_CONCURRENCY,
        per_host=settings.FETCH_PER_HOST,
        host_delay=settings.FETCH_HOST_DELAY,
        allow_networks=settings.FETCH_ALLOW_NETWORKS,
        only_networks=settings.FETCH_ONLY_NETWORKS,
        obey_robots=settings.FETCH_OBEY_ROBOTS,
    )


@cache
def extraction_pool() -> Executor | None:
    """This process's extraction workers (AKHBAR_EXTRACT_PROCESSES; 0 means a thread, no pool)."""
    if settings.EXTRACT_PROCESSES <= 0:
        return None
    return ExtractionPool(settings.EXTRACT_PROCESSES)


def run_crawl(feed_ids: list[int], *, on_done: Callable[[FeedOutcome], None] | None = None) -> list[FeedOutcome]:
    """Poll these feeds now, concurrently, and record each one's outcome."""
    jobs = store.feed_jobs(feed_ids)

    async def crawl() -> list[FeedOutcome]:
        try:
            async with make_fetcher() as fetcher:
                return await pipeline.crawl_feeds(jobs, fetcher=fetcher, extractor=extraction_pool(), on_done=on_done)
        finally:
            # The pipeline's database thread outlives this crawl: hand its connection back now.
            await pipeline.db(connections.close_all)()

    # Story matching multiplies small matrices on the database thread: BLAS threads there would only
    # spin against the extraction processes for the same cores.
    try:
        with threadpool_limits(limits=1):
            return asyncio.run(crawl())
    finally:
        close_old_connections()


def run_discovery(homepage_url: str, *, known: tuple[str, ...] = ()) -> list[pipeline.DiscoveredCandidate]:
    """Try every way of finding a homepage's feeds; each address comes back with what it gave."""

    async def discover() -> list[pipeline.DiscoveredCandidate]:
        async with make_fetcher() as fetcher:
            return await pipeline.discover_feeds(homepage_url, fetcher=fetcher, known=known)

    return asyncio.run(discover())


@task
def crawl_feeds_task(feed_ids: list[int]) -> dict:
    """The unit of background work: poll a batch of feeds. Any Tasks backend can run it."""
    outcomes = run_crawl(feed_ids)
    return {
        "feeds": len(outcomes),
        "new_articles": sum(o.new_articles for o in outcomes),
        "errors": sum(1 for o in outcomes if o.error),
    }
