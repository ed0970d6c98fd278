"""robots.txt for the fetch stage: turning an answer into rules, and caching rules per origin.

No network here: fetch.py downloads robots.txt through its guarded client and hands over the
status and body. The verdicts follow RFC 9309 with one deliberate difference:

* 2xx: the rules in the file (parsed by urllib.robotparser).
* 401/403: disallow everything. RFC 9309 treats these like any 4xx, but a site that refuses us
  its robots.txt most likely refuses crawlers; Python's robotparser makes the same choice.
* other 4xx (404, 410...): no rules, allow everything.
* 429, 5xx, timeouts, refused connections: "unreachable", so disallow for now and try again
  after `retry` seconds; a copy read earlier, if any, keeps being used meanwhile (RFC 9309 2.4).

Known limits of urllib.robotparser: "*" and "$" inside paths are matched literally, the first
matching rule wins (not the longest), and Crawl-delay is not applied.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.robotparser import RobotFileParser

ROBOTS_TTL = 3600.0
ROBOTS_RETRY = 600.0
# RFC 9309 asks crawlers to read at least 500 KiB of a robots.txt; the rest is ignored.
ROBOTS_MAX_BYTES = 512 * 1024


def product_token(user_agent: str) -> str:
    """The name robots.txt groups match against: "Akhbar" in "Akhbar/0.1 (+https://...)"."""
    words = user_agent.strip().split()
    return words[0].split("/")[0] if words else "*"


@dataclass(frozen=True)
class RobotsRules:
    """What one robots.txt says; `unreachable` means it could not be read and nothing is allowed."""

    verdict: str  # "rules" | "allow_all" | "disallow_all" | "unreachable"
    reason: str
    parser: RobotFileParser | None = None
    # For "unreachable": the FetchError kind to report, so that a site that is down reads as down.
    failure: str = "robots"

    @property
    def unreachable(self) -> bool:
        return self.verdict == "unreachable"

    def allows(self, agent: str, url: str) -> bool:
        """Whether the crawler called `agent` may fetch `url`."""
        if self.verdict == "allow_all":
            return True
        if self.parser is None:
            return False
        return self.parser.can_fetch(agent, url)


def rules_from_answer(status: int, body: bytes) -> RobotsRules:
    """Rules for a robots.txt request that got an HTTP answer (after redirects)."""
    if 200 <= status < 300:
        parser = RobotFileParser()
        text = body.decode("utf-8", errors="replace").removeprefix("\ufeff")
        parser.parse(text.splitlines())
        return RobotsRules("rules", f"robots.txt answered {status}", parser)
    if status in (401, 403):
        return RobotsRules("disallow_all", f"robots.txt answered {status}, which forbids crawling the site")
    if status == 429 or status >= 500:
        return unreachable(f"robots.txt answered {status}")
    if 400 <= status < 500:
        return RobotsRules("allow_all", f"robots.txt answered {status}, so there are no rules")
    return unreachable(f"robots.txt answered an unexpected {status}")


def unreachable(reason: str, failure: str = "robots") -> RobotsRules:
    """Rules for a robots.txt that could not be read at all (timeout, connection, server error)."""
    return RobotsRules("unreachable", reason, failure=failure)


@dataclass(frozen=True)
class _Entry:
    rules: RobotsRules
    expires: float


class RobotsCache:
    """Rules per origin ("https://host:port"), downloaded once however many fetches wait for them."""

    def __init__(
        self,
        *,
        ttl: float = ROBOTS_TTL,
        retry: float = ROBOTS_RETRY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl
        self.retry = retry
        self._clock = clock
        self._entries: dict[str, _Entry] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def rules(self, origin: str, download: Callable[[], Awaitable[RobotsRules]]) -> tuple[RobotsRules, float]:
        """Rules for `origin`, downloading them if absent or expired; also seconds until they expire."""
        # One lock per origin so that fifty fetches to a new site cause one robots.txt request.
        lock = self._locks.setdefault(origin, asyncio.Lock())
        async with lock:
            entry = self._entries.get(origin)
            if entry is None or entry.expires <= self._clock():
                entry = self._refresh(entry, await download())
                self._entries[origin] = entry
        return entry.rules, max(0.0, entry.expires - self._clock())

    def _refresh(self, previous: _Entry | None, fresh: RobotsRules) -> _Entry:
        now = self._clock()
        if not fresh.unreachable:
            return _Entry(fresh, now + self.ttl)
        if previous is not None and not previous.rules.unreachable:
            # Keep obeying the copy read earlier rather than stopping the crawl; check again soon.
            return _Entry(previous.rules, now + self.retry)
        return _Entry(fresh, now + self.retry)
