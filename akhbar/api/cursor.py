"""Keyset cursors for the article list: the position after the last article a page gave, as an opaque string.

A cursor is (published_at, id) of that article: the next page is the articles strictly before it in the
list's order (-published_at, -id), read from the index wherever the page is, where an OFFSET would count
every row before it. Ties on published_at are broken by id, so no article is given twice or skipped.
"""

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MAX_ID = 2**63 - 1  # a database integer


class CursorError(ValueError):
    """api: the cursor was not made by this API (or was cut short); start again without one."""


@dataclass(frozen=True)
class Cursor:
    published_at: datetime
    article_id: int

    def encode(self) -> str:
        micros = (self.published_at - EPOCH) // timedelta(microseconds=1)
        return base64.urlsafe_b64encode(f"{micros}.{self.article_id}".encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> "Cursor":
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode("ascii")
            micros, article_id = (int(part) for part in raw.split("."))
            if not 0 < article_id <= MAX_ID:
                raise ValueError(article_id)
            return cls(EPOCH + timedelta(microseconds=micros), article_id)
        except (binascii.Error, UnicodeDecodeError, ValueError, OverflowError) as error:
            raise CursorError(f"api: unreadable cursor {text[:40]!r}") from error
