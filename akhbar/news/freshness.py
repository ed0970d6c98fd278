"""A content version that changes whenever new articles arrive, so cached pages know they are stale.

It is a file's modification time in the data folder: every process on the machine (web workers,
the crawler) sees it for the cost of one stat() call, with no shared cache needed.
"""

import os
import time
from pathlib import Path

from django.conf import settings


def _stamp_path() -> Path:
    return Path(settings.DATA_DIR) / "content.stamp"


def current() -> int:
    """The current content version (nanoseconds of the last bump; 0 before any)."""
    try:
        return os.stat(_stamp_path()).st_mtime_ns
    except FileNotFoundError:
        return 0


def bump() -> None:
    """Mark every cached page as stale."""
    path = _stamp_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    now = time.time_ns()
    # Two bumps within one clock tick must still change the version.
    previous = current()
    stamp = max(now, previous + 1)
    path.touch()
    os.utime(path, ns=(stamp, stamp))
