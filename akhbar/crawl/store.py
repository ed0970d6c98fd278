"""The one place that writes crawl results to the database."""

import hashlib
import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from akhbar.crawl.records import ArticleDraft, FeedJob
from akhbar.crawl.schedule import backoff_delay, next_attempt, next_poll_interval
from akhbar.news import freshness
from akhbar.crawl.images import ProcessedImage
from akhbar.moderation.services import images_screen_new
from akhbar.news.models import Article, Image, Takedown, image_storage_name
from akhbar.stories.store import stories_assign
from akhbar.search.index import index_articles
from akhbar.sources.models import Category, Feed

log = logging.getLogger(__name__)

# A lead image that failed is tried again on the feed's next polls: a few times, for a day at most.
IMAGE_ATTEMPTS = 3
IMAGE_RETRY_WINDOW = timedelta(hours=24)
IMAGE_RETRIES_PER_POLL = 5


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
            image_max_bytes=settings.IMAGE_MAX_BYTES,
            image_max_pixels=settings.IMAGE_MAX_PIXELS,
        )
        for feed in feeds
    ]


def known_entries(outlet_id: int, urls: list[str], guids: list[str]) -> set[str]:
    """The URLs and GUIDs among these that are stored already (URLs anywhere, GUIDs within the outlet), or
    were taken down: a tombstone counts as known, so the crawler never fetches nor stores them again."""
    hashes = {url_hash(url): url for url in urls}
    known = set()
    guids = [guid for guid in guids if guid]
    for table in (Article, Takedown):
        known.update(hashes[h] for h in table.objects.filter(url_hash__in=list(hashes)).values_list("url_hash", flat=True))
        if guids:
            known.update(table.objects.filter(outlet_id=outlet_id, guid__in=guids).values_list("guid", flat=True))
    return known


def stored_image_for(*, url: str = "", sha256: str = "") -> str:
    """The content hash of a stored image fetched from this address, or with this hash; "" if none."""
    images = Image.objects.filter(sha256=sha256) if sha256 else Image.objects.filter(source_url=url[:2000])
    return images.values_list("sha256", flat=True).first() or ""


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
        _attach_images(fresh, {url_hash(d.url): d for d in drafts})
        before = Article.objects.filter(url_hash__in=list(fresh)).count()
        # ignore_conflicts: another worker may have stored one of these since we looked.
        Article.objects.bulk_create(fresh.values(), ignore_conflicts=True)
        stored = list(Article.objects.filter(url_hash__in=list(fresh)).values_list("pk", flat=True))
        index_articles(stored)
        new = list(Article.objects.filter(pk__in=stored, story__isnull=True))
        by_hash = {url_hash(d.url): d.story_vector for d in drafts}
        stories_assign(new, {a.pk: by_hash.get(a.url_hash, b"") for a in new})
        return len(stored) - before


LeadImage = tuple[ProcessedImage | None, str, str]  # renditions made now, or the hash of a stored image; source


def _images_stored(found: list[LeadImage]) -> dict[str, int]:
    """Store the new ones among these lead images, once each by content hash; map every hash to its image's id."""
    wanted = {image.sha256: (image, source) for image, _, source in found if image is not None}
    hashes = list(wanted) + [sha for image, sha, _ in found if image is None and sha]
    if not hashes:
        return {}
    stored = dict(Image.objects.filter(sha256__in=hashes).values_list("sha256", "pk"))
    new = [_image(image, source) for sha, (image, source) in wanted.items() if sha not in stored]
    Image.objects.bulk_create(new, ignore_conflicts=True)  # another worker may have stored one meanwhile
    created = list(Image.objects.filter(sha256__in=[image.sha256 for image in new]))
    stored.update((image.sha256, image.pk) for image in created)
    images_screen_new(created)  # a copy of a blocked picture is blocked before anyone sees it
    return stored


def _lead_image(draft: ArticleDraft) -> LeadImage:
    return draft.image, draft.stored_image_sha256, draft.image_url


def _attach_images(fresh: dict[str, Article], drafts: dict[str, ArticleDraft]) -> None:
    """Link each new article to its lead image, storing the images not stored yet."""
    ids = _images_stored([_lead_image(drafts[key]) for key in fresh])
    for key, article in fresh.items():
        image, sha, _ = _lead_image(drafts[key])
        article.image_id = ids.get(image.sha256 if image else sha)


def images_to_retry(
    feed_id: int, *, stored_before: datetime, limit: int = IMAGE_RETRIES_PER_POLL
) -> list[tuple[int, str]]:
    """Recent articles of a feed whose lead image failed on an earlier poll, each counted as one more attempt."""
    pending = list(
        Article.objects.filter(feed_id=feed_id, image__isnull=True, image_attempts__lt=IMAGE_ATTEMPTS,
                               fetched_at__gte=timezone.now() - IMAGE_RETRY_WINDOW, fetched_at__lt=stored_before)
        .exclude(image_url="").order_by("-published_at").values_list("pk", "image_url")[:limit]
    )
    Article.objects.filter(pk__in=[pk for pk, _ in pending]).update(image_attempts=F("image_attempts") + 1)
    return pending


def image_attach(article_id: int, lead: LeadImage) -> bool:
    """Give an article the lead image a retry fetched; False if it had one already."""
    image, sha, _ = lead
    with transaction.atomic():
        ids = _images_stored([lead])
        attached = Article.objects.filter(pk=article_id, image__isnull=True).update(
            image_id=ids.get(image.sha256 if image else sha))
    if attached:
        freshness.bump()
    return bool(attached)


def _image(processed: ProcessedImage, source_url: str) -> Image:
    for rendition in processed.renditions:
        name = image_storage_name(processed.sha256, rendition.name)
        if not default_storage.exists(name):
            default_storage.save(name, ContentFile(rendition.data))
    return Image(sha256=processed.sha256, phash=processed.phash, width=processed.width, height=processed.height,
                 source_url=source_url[:2000])


def _article(job: FeedJob, draft: ArticleDraft, key: str, category_id: int | None) -> Article:
    return Article(
        outlet_id=job.outlet_id, feed_id=job.feed_id, category_id=category_id, url=draft.url, url_hash=key,
        guid=draft.guid[:1000], title=draft.title[:1000], tags=list(draft.tags), summary=draft.summary,
        content_html=draft.content_html, author=draft.author[:300], language=draft.language[:8],
        image_url=draft.image_url[:2000], image_caption=draft.image_caption[:1000], word_count=draft.word_count,
        extraction_note=draft.extraction_note[:300], published_at=draft.published_at,
        image_attempts=1 if draft.image_url else 0,
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
        poll_interval=interval, next_attempt_at=next_attempt(now, interval), retry_not_before=None,
    )
    if new_articles:
        freshness.bump()


def record_failure(job: FeedJob, *, error: str, retry_after: float | None, site_asked: bool = False) -> None:
    """Back off; when the site itself sent Retry-After (site_asked), also hold the feed until then, even for --force."""
    now = timezone.now()
    failures = job.consecutive_failures + 1
    delay = backoff_delay(
        failures=failures, base=job.poll_interval, cap=settings.BACKOFF_MAX, retry_after=retry_after
    )
    # Capped like the schedule, so that an absurd header cannot silence a feed for good.
    hold = next_attempt(now, min(int(retry_after), settings.BACKOFF_MAX)) if site_asked and retry_after else None
    Feed.objects.filter(pk=job.feed_id).update(
        last_attempt_at=now, last_error=error[:2000], last_error_at=now,
        consecutive_failures=F("consecutive_failures") + 1, last_new_articles=0,
        next_attempt_at=next_attempt(now, delay), retry_not_before=hold,
    )
    log.warning("crawl failed", extra={"feed_url": job.url, "source": job.outlet_slug, "error": error})
