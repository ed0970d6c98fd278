"""The API's rate limit: so many requests a window for each client network, counted in Django's cache.

A fixed window with an atomic increment, rather than a sliding log or a token bucket: Redis's INCR keeps the
count exact across every web process with no read-modify-write race, at the price of allowing up to twice the
rate across a window's edge. The client is its /24 or /48 as akhbar.moderation.reporters finds it (behind
trusted proxies only), and the cache key holds a keyed hash of that network, never an address.
Without Redis (AKHBAR_REDIS_URL), the in-process cache counts for each web process apart.
"""

import re
import threading
import time
from dataclasses import dataclass
from functools import cache as memoize

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.utils.crypto import salted_hmac
from ninja.throttling import BaseThrottle

from akhbar.moderation.reporters import client_address, network_of

KEY_PREFIX = "api-rate"
RATE = re.compile(r"^\s*(?P<count>\d+)\s*/\s*(?P<unit>s|sec|second|m|min|minute|h|hour|d|day)\s*$")
SECONDS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hour": 3600,
           "d": 86400, "day": 86400}


@dataclass(frozen=True)
class Rate:
    requests: int
    seconds: int


@memoize
def parse_rate(text: str) -> Rate:
    """Read a rate such as "120/minute": 120 requests a minute."""
    match = RATE.match(text)
    if not match or int(match["count"]) < 1:
        raise ImproperlyConfigured(f"api: AKHBAR_API_RATE must look like 120/minute (or /second, /hour, /day), "
                                   f"not {text!r}")
    return Rate(int(match["count"]), SECONDS[match["unit"]])


def client_key(request: HttpRequest) -> str:
    """A keyed hash of the client's network: the same for every address of a /24 or /48, useless to reverse."""
    return salted_hmac("akhbar.api.client", network_of(client_address(request)), algorithm="sha256").hexdigest()


class NetworkThrottle(BaseThrottle):
    """Django Ninja's throttle hook: allow_request counts the request; wait says when the window ends.

    Ninja calls wait() right after a refused allow_request(), in the same thread, on one instance shared by
    every thread: the window's end is kept per thread.
    """

    def __init__(self) -> None:
        self._last = threading.local()

    def allow_request(self, request: HttpRequest) -> bool:
        rate = parse_rate(settings.API_RATE)
        now = time.time()
        window = int(now // rate.seconds)
        key = f"{KEY_PREFIX}:{client_key(request)}:{rate.seconds}:{window}"
        # add() is a no-op when the key exists; the grace second keeps the counter past the window's end.
        cache.add(key, 0, timeout=rate.seconds + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # evicted between add() and incr(): this request starts the window again
            cache.set(key, 1, timeout=rate.seconds + 1)
            count = 1
        self._last.retry_after = (window + 1) * rate.seconds - now
        return count <= rate.requests

    def wait(self) -> float | None:
        """Seconds until the refused request's window ends (ninja sends them, rounded up, as Retry-After)."""
        return getattr(self._last, "retry_after", None)
