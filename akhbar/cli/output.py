"""What every subcommand prints the same way: moments in the site's time zone, refusals on stderr."""

import sys
from datetime import datetime

# Exit codes, the same for every subcommand (documented in `akhbar --help` and docs/operations.md).
OK = 0
FAILED = 1  # the command ran but its work failed: every feed polled failed, a page unreadable
REFUSED = 2  # bad arguments or configuration, an unknown outlet, article, image or file; nothing was written
PARTLY_FAILED = 3  # `crawl --once`: some feeds failed, the others were read
BROKEN_PIPE = 141  # the reader of our output went away (128 + SIGPIPE, as any Unix tool)

EPILOG = """exit codes:
  0    done (crawl: every feed polled answered, or no feed was due)
  1    the work failed (crawl: every feed polled failed; extract: a page unreadable or not HTML)
  2    refused: bad arguments or configuration, unknown outlet, article, image or file; nothing was written
  3    crawl: some feeds failed, the others were read
  141  the reader of the output went away (e.g. `| head -1`)"""


def local_time(moment: datetime | None) -> str:
    """A moment as operators read it everywhere: the site's time zone, to the minute."""
    from django.utils import timezone

    return timezone.localtime(moment).strftime("%d-%m-%Y %H:%M") if moment else "never"


def refuse(message: str) -> int:
    """Say why a command cannot be carried out, on stderr, and give the exit code for it."""
    print(message, file=sys.stderr)
    return REFUSED
