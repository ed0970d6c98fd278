"""Plain records passed between the pipeline and the store; no behaviour, no Django."""

from dataclasses import dataclass, field
from datetime import datetime

from akhbar.crawl.images import MAX_PIXELS, ProcessedImage

IMAGE_MAX_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class FeedJob:
    """One feed to poll, with what the last poll left behind."""

    feed_id: int
    url: str
    outlet_id: int
    outlet_slug: str
    outlet_language: str
    category_id: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    poll_interval: int = 600
    consecutive_failures: int = 0
    image_max_bytes: int = IMAGE_MAX_BYTES
    image_max_pixels: int = MAX_PIXELS


@dataclass(frozen=True)
class ArticleDraft:
    """An article ready to store: every field already normalised and sanitised."""

    url: str
    guid: str
    title: str
    tags: tuple[str, ...]
    summary: str
    content_html: str
    author: str
    language: str
    image_url: str
    image_caption: str
    published_at: datetime
    word_count: int
    category_slug: str | None = None
    extraction_note: str = ""
    image: ProcessedImage | None = None  # the lead image, fetched and made into our own renditions
    stored_image_sha256: str = ""  # or: the lead image is one we store already
    story_vector: bytes = b""  # the title and lead's embedding, made in the extraction processes


@dataclass
class FeedOutcome:
    """What one poll of one feed did, for the progress table and the feed's health."""

    feed_id: int
    outlet_slug: str
    url: str
    new_articles: int = 0
    seen_entries: int = 0
    not_modified: bool = False
    error: str | None = None
    warning: str | None = None
    retry_after: float | None = None
    site_asked_wait: bool = False  # retry_after came from the site's own Retry-After header
    article_errors: list[str] = field(default_factory=list)
