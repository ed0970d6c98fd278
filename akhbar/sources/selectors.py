"""Reads about outlets and feeds: the health table operators watch."""

from dataclasses import asdict, dataclass
from datetime import datetime

from django.db.models import Count, QuerySet

from akhbar.sources.models import Feed, Outlet


@dataclass(frozen=True)
class FeedHealth:
    outlet: str
    outlet_slug: str
    url: str
    status: str
    last_success: datetime | None
    last_error: str
    consecutive_failures: int
    next_attempt: datetime
    articles: int

    def as_json(self) -> dict:
        data = asdict(self)
        for key in ("last_success", "next_attempt"):
            data[key] = data[key].isoformat() if data[key] else None
        return data


def feed_status(feed: Feed) -> str:
    if not feed.enabled:
        return "disabled"
    if feed.consecutive_failures:
        return "failing"
    if feed.last_success_at is None:
        return "never polled"
    return "warning" if feed.last_warning else "ok"


def feed_health_list(*, outlet_slug: str | None = None) -> list[FeedHealth]:
    feeds = Feed.objects.select_related("outlet").annotate(article_count=Count("articles"))
    if outlet_slug:
        feeds = feeds.filter(outlet__slug=outlet_slug)
    return [
        FeedHealth(
            outlet=feed.outlet.name, outlet_slug=feed.outlet.slug, url=feed.url, status=feed_status(feed),
            last_success=feed.last_success_at,
            last_error=feed.last_error if feed.consecutive_failures else feed.last_warning,
            consecutive_failures=feed.consecutive_failures, next_attempt=feed.next_attempt_at,
            articles=feed.article_count,
        )
        for feed in feeds.order_by("outlet__name", "url")
    ]


def outlet_list() -> QuerySet[Outlet]:
    return Outlet.objects.filter(enabled=True).order_by("name")


@dataclass(frozen=True)
class Skipped:
    """The enabled feeds a crawl left alone, and the earliest moment one of them may be polled."""

    count: int
    earliest: datetime | None


def feeds_skipped(*, polled: list[int], outlet_slug: str | None = None, force: bool = False) -> Skipped:
    """The enabled feeds not in `polled`: by schedule, or with force only those a site's Retry-After holds."""
    feeds = Feed.objects.filter(enabled=True, outlet__enabled=True).exclude(pk__in=polled)
    if outlet_slug:
        feeds = feeds.filter(outlet__slug=outlet_slug)
    moments = [_free_at(scheduled, hold, force=force)
               for scheduled, hold in feeds.values_list("next_attempt_at", "retry_not_before")]
    moments = [moment for moment in moments if moment is not None]
    return Skipped(count=len(moments), earliest=min(moments, default=None))


def _free_at(scheduled: datetime, hold: datetime | None, *, force: bool) -> datetime | None:
    """When a skipped feed may be polled; None if force skipped it for no reason of its own (a lost claim)."""
    if force:
        return hold
    return max(scheduled, hold) if hold else scheduled


def outlet_exists(slug: str) -> bool:
    return Outlet.objects.filter(slug=slug).exists()
