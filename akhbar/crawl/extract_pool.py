"""Extraction worker processes: trafilatura holds the GIL, so only processes use more than one core."""

import multiprocessing
import os
import threading
import time
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from akhbar.crawl.extract import extract_article

WARM_UP_PAGE = (
    "<html lang='fr'><head><title>Essai</title><meta property='article:published_time' content='2024-10-04'>"
    "</head><body><article><h1>Essai</h1><p>" + "Le Maroc prépare la saison agricole avec prudence. " * 12
    + "</p><p>Publié le 4 octobre 2024.</p></article></body></html>"
)


PARENT_CHECK_SECONDS = 1.0


def _exit_with(parent: int) -> None:
    # Each worker holds both ends of the pool's queue, so a crawler that dies without shutting its pool down
    # (SIGKILL, the OOM killer) never closes it, and its workers (200 MB each) would wait on it forever.
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(0)


def warm_up(crawler: int | None = None) -> None:
    """The first extraction in a process loads trafilatura's date parser and the story model: pay them at start.
    Also, the process ends when its `crawler` (the process that started it) does, however it ends."""
    from threadpoolctl import threadpool_limits

    if crawler is not None:  # given by the crawler: it may have died while this process was starting
        threading.Thread(target=_exit_with, args=(crawler,), name="exit-with-crawler", daemon=True).start()

    from akhbar.stories.embedding import story_vector

    # One process per core already: a BLAS pool of its own in each would only fight for the same cores.
    threadpool_limits(limits=1)
    extract_article(WARM_UP_PAGE, url="https://example.invalid/essai")
    story_vector("Essai", "")


class ExtractionPool(Executor):
    """A process pool that replaces itself when a worker dies (a hostile page, the OOM killer).

    Processes are spawned, not forked: the crawler runs beside threads (the scheduler, the web
    server's), and forking a threaded process can copy a held lock into the child.
    """

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._lock = threading.Lock()
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"), initializer=warm_up,
            initargs=(os.getpid(),),
        )

    def submit(self, fn, /, *args, **kwargs) -> Future:
        with self._lock:
            try:
                return self._pool.submit(fn, *args, **kwargs)
            except BrokenProcessPool:
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = self._new_pool()
                return self._pool.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._pool.shutdown(wait=wait, cancel_futures=cancel_futures)
