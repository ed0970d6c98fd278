"""When to poll a feed next: faster for busy outlets, slower for quiet ones, backing off on errors."""

import random
from datetime import datetime, timedelta


def next_poll_interval(*, current: int, new_articles: int, minimum: int, maximum: int) -> int:
    """Adapt a healthy feed's interval to how much it publishes."""
    if new_articles >= 5:
        interval = current // 2
    elif new_articles == 0:
        interval = int(current * 1.25)
    else:
        interval = current
    return max(minimum, min(maximum, interval))


def backoff_delay(*, failures: int, base: int, cap: int, retry_after: float | None = None) -> int:
    """Exponential back-off with jitter; a server's Retry-After is honoured when longer."""
    delay = min(cap, base * 2 ** max(0, failures - 1))
    # Jitter spreads retries so that feeds failing together do not retry together.
    delay = int(delay * random.uniform(0.9, 1.1))
    if retry_after is not None:
        delay = max(delay, int(retry_after))
    return max(1, min(delay, cap))


def next_attempt(now: datetime, seconds: int) -> datetime:
    return now + timedelta(seconds=seconds)
