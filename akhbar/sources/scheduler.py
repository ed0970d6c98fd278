"""The crawl scheduler: claims the feeds that are due and hands them to the Tasks backend."""

import logging
import threading
import time
from datetime import timedelta
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import close_old_connections

from akhbar.sources.crawling import crawl_feeds_task
from akhbar.sources.services import feeds_claim_due

log = logging.getLogger(__name__)

BATCH_SIZE = 50
HOUSEKEEPING_EVERY = 3600.0


class Scheduler:
    """Runs in the background of `akhbar up`; stop() ends it after the batches under way."""

    def __init__(self, *, tick: float | None = None, parallel_batches: int = 4):
        self.tick = tick if tick is not None else settings.SCHEDULER_TICK
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="akhbar-scheduler", daemon=True)
        # With the in-process backend, enqueue() runs the crawl: a pool keeps one slow batch from
        # holding up the feeds that fall due after it.
        self._pool = ThreadPoolExecutor(max_workers=parallel_batches, thread_name_prefix="akhbar-crawl")
        self._slots = threading.BoundedSemaphore(parallel_batches)
        self._housekept_at: float | None = None

    def start(self) -> "Scheduler":
        self._thread.start()
        return self

    def stop(self, timeout: float = 30) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.dispatch_due()
                self._housekeeping()
            except Exception:  # noqa: BLE001 - the scheduler must outlive one bad tick (a locked database, say)
                log.exception("scheduler tick failed")
            finally:
                close_old_connections()
            self._stop.wait(self.tick)

    def dispatch_due(self) -> int:
        """Enqueue every due feed, in batches, as far as free slots allow; return how many feeds."""
        dispatched = 0
        while self._slots.acquire(blocking=False):
            feed_ids = feeds_claim_due(limit=BATCH_SIZE)
            if not feed_ids:
                self._slots.release()
                break
            future = self._pool.submit(self._enqueue, feed_ids)
            future.add_done_callback(lambda _: self._slots.release())
            dispatched += len(feed_ids)
        return dispatched

    def _housekeeping(self) -> None:
        """Once an hour: forget readers' reports past their retention period (decisions stay)."""
        if self._housekept_at is not None and time.monotonic() - self._housekept_at < HOUSEKEEPING_EVERY:
            return
        self._housekept_at = time.monotonic()
        from akhbar.moderation.services import reports_purge

        if purged := reports_purge():
            log.info("old reports purged", extra={"reports": purged})

    @staticmethod
    def _enqueue(feed_ids: list[int]) -> None:
        try:
            crawl_feeds_task.enqueue(feed_ids)
        finally:
            close_old_connections()


def enqueue_due(*, batch_size: int = BATCH_SIZE) -> tuple[int, int]:
    """Hand every due feed to the Tasks backend now, in batches; return (feeds, tasks)."""
    tasks_mark_lost()
    feeds = tasks = 0
    while feed_ids := feeds_claim_due(limit=batch_size):
        crawl_feeds_task.enqueue(feed_ids)
        feeds, tasks = feeds + len(feed_ids), tasks + 1
    return feeds, tasks


def tasks_mark_lost() -> int:
    """Mark as failed the queued crawls that have run longer than a claim's lease: their worker died.

    Nothing is lost with them: the feeds they had not finished are due again once their lease ends, and
    the next enqueue hands them to a live worker. django-tasks-db has no such reaper of its own.
    """
    if settings.TASKS["default"]["BACKEND"] != "django_tasks_db.DatabaseBackend":
        return 0
    from django.tasks import TaskResultStatus
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    now = timezone.now()
    lost = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING,
                                       started_at__lt=now - timedelta(seconds=settings.CLAIM_LEASE))
    return lost.update(status=TaskResultStatus.FAILED, finished_at=now,
                       exception_class_path="akhbar.WorkerLost",
                       traceback="akhbar: the worker running this crawl stopped before the end; its feeds were due again")
