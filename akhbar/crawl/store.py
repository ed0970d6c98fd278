"""The one place that writes crawl results to the database."""

import hashlib
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from akhbar.crawl.records import ArticleDraft, FeedJob
from akhbar.crawl.schedule import backoff_delay, next_attempt, next_poll_interval
from akhbar.news import freshness
from akhbar.news.models import Article
from akhbar.sources.models import Category, Feed

log = logging.getLogger(__name__)


def url_hash(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8")).hexdigest()


def feed_jobs(feed_ids: list[int]) -> list[FeedJob]:
    """Snapshot the feeds to poll, so the async pipeline never touches the ORM."""
    feeds = Feed.objects.filter(pk__in=feed_ids).select_related("outlet")
    return [
        FeedJob(
            feed_id=feed.pk,
            url=feed.url,
            outlet_id=feed.outlet_id,
            outlet_slug=feed.outlet.slug,
            outlet_language=feed.outlet.language,
            category_id=feed.outlet.default_category_id,
            etag=feed.etag or None,
            last_modified=feed.last_modified or None,
            poll_interval=feed.poll_interval,
            consecutive_failures=feed.consecutive_failures,
        )
        for feed in feeds
    ]


def known_entries(outlet_id: int, urls: list[str], guids: list[str]) -> set[str]:
    """The URLs and GUIDs among these that are stored already (URLs anywhere, GUIDs within the outlet)."""
    hashes = {url_hash(url): url for url in urls}
    known = {hashes[h] for h in Article.objects.filter(url_hash__in=list(hashes)).values_list("url_hash", flat=True)}
    guids = [guid for guid in guids if guid]
    if guids:
        known.update(Article.objects.filter(outlet_id=outlet_id, guid__in=guids).values_list("guid", flat=True))
    return known


def save_articles(job: FeedJob, drafts: list[ArticleDraft]) -> int:
    """Store a batch of one feed's articles in one transaction; return how many were new.

    An article already stored (same canonical URL anywhere, or same GUID in the outlet) is skipped,
    so re-crawls, overlapping feeds and racing workers never create a duplicate.
    """
    slugs = {d.category_slug for d in drafts if d.category_slug}
    categories = dict(Category.objects.filter(slug__in=slugs).values_list("slug", "pk")) if slugs else {}
    with transaction.atomic():
        known = known_entries(job.outlet_id, [d.url for d in drafts], [d.guid for d in drafts])
        fresh: dict[str, Article] = {}
        seen_guids: set[str] = set()
        for draft in drafts:
            key = url_hash(draft.url)
            if draft.url in known or (draft.guid and (draft.guid in known or draft.guid in seen_guids)):
                continue
            seen_guids.add(draft.guid)
            fresh.setdefault(key, _article(job, draft, key, categories.get(draft.category_slug, job.category_id)))
        if not fresh:
            return 0
        before = Article.objects.filter(url_hash__in=list(fresh)).count()
        # ignore_conflicts: another worker may have stored one of these since we looked.
        Article.objects.bulk_create(fresh.values(), ignore_conflicts=True)
        return Article.objects.filter(url_hash__in=list(fresh)).count() - before


def _article(job: FeedJob, draft: ArticleDraft, key: str, category_id: int | None) -> Article:
    return Article(
        outlet_id=job.outlet_id, feed_id=job.feed_id, category_id=category_id, url=draft.url, url_hash=key,
        guid=draft.guid[:1000], title=draft.title[:1000], tags=list(draft.tags), summary=draft.summary,
        content_html=draft.content_html, author=draft.author[:300], language=draft.language[:8],
        image_url=draft.image_url[:2000], image_caption=draft.image_caption[:1000], word_count=draft.word_count,
        extraction_note=draft.extraction_note[:300], published_at=draft.published_at,
    )


def record_success(
    job: FeedJob, *, etag: str | None, last_modified: str | None, new_articles: int, warning: str | None = None
) -> None:
    now = timezone.now()
    interval = next_poll_interval(
        current=job.poll_interval, new_articles=new_articles,
        minimum=settings.POLL_INTERVAL_MIN, maximum=settings.POLL_INTERVAL_MAX,
    )
    # A 304 says nothing new about the feed's well-formedness: keep the warning unless told otherwise.
    kept = {} if warning is None else {"last_warning": warning[:2000]}
    Feed.objects.filter(pk=job.feed_id).update(
        **kept, etag=(etag or "")[:500], last_modified=(last_modified or "")[:100], last_attempt_at=now,
        last_success_at=now, consecutive_failures=0, last_new_articles=new_articles,
        poll_interval=interval, next_attempt_at=next_attempt(now, interval),
    )
    if new_articles:
        freshness.bump()


def record_failure(job: FeedJob, *, error: str, retry_after: float | None) -> None:
    now = timezone.now()
    failures = job.consecutive_failures + 1
    delay = backoff_delay(
        failures=failures, base=job.poll_interval, cap=settings.BACKOFF_MAX, retry_after=retry_after
    )
    Feed.objects.filter(pk=job.feed_id).update(
        last_attempt_at=now, last_error=error[:2000], last_error_at=now,
        consecutive_failures=F("consecutive_failures") + 1, last_new_articles=0,
        next_attempt_at=next_attempt(now, delay),
    )
    log.warning("crawl failed", extra={"feed_url": job.url, "source": job.outlet_slug, "error": error})
