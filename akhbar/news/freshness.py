"""A content version that changes whenever new articles arrive, so cached pages know they are stale.

On one machine it is a file's modification time in the data folder: every process (web workers,
the crawler) reads it for the cost of one stat() call. With a shared cache (AKHBAR_REDIS_URL), it is a
counter in that cache, so web processes on every machine see the crawlers' bumps at once.
"""

import os
import time
from pathlib import Path

from django.conf import settings
from django.core.cache import cache

VERSION_KEY = "content-version"


def _shared() -> bool:
    return "redis" in settings.CACHES["default"]["BACKEND"].lower()


def _stamp_path() -> Path:
    return Path(settings.DATA_DIR) / "content.stamp"


def current() -> int:
    """The current content version (0 before any bump)."""
    if _shared():
        return cache.get(VERSION_KEY, 0)
    try:
        return os.stat(_stamp_path()).st_mtime_ns
    except FileNotFoundError:
        return 0


def bump() -> None:
    """Mark every cached page as stale."""
    if _shared():
        # add() then incr(): atomic in Redis, so two crawlers bumping together both count.
        cache.add(VERSION_KEY, 0, timeout=None)
        cache.incr(VERSION_KEY)
        return
    path = _stamp_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    # Two bumps within one clock tick must still change the version.
    stamp = max(time.time_ns(), current() + 1)
    path.touch()
    os.utime(path, ns=(stamp, stamp))
