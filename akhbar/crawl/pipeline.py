"""crawl_feed chains the stages: fetch, parse, fetch and extract each new article, normalise, store."""

import asyncio
import hashlib
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from functools import partial
from urllib.parse import urljoin

from asgiref.sync import sync_to_async

from akhbar.crawl import store
from akhbar.crawl.categorize import category_for
from akhbar.crawl.decode import decode_html
from akhbar.crawl.discover import candidate_feed_urls, find_feed_links, sitemaps_from_robots
from akhbar.crawl.extract import Extracted, extract_article
from akhbar.crawl.feeds import Entry, FeedError, ParsedFeed, parse_feed
from akhbar.crawl.fetch import FetchError, Fetcher
from akhbar.crawl.images import ImageError, ProcessedImage, process_image
from akhbar.crawl.language import detect_language
from akhbar.crawl.normalize import canonical_url, clean_text_line, split_title_tags
from akhbar.crawl.records import ArticleDraft, FeedJob, FeedOutcome
from akhbar.crawl.sanitize import plain_text, sanitize_html
from akhbar.stories.embedding import story_vector

log = logging.getLogger(__name__)

# A first poll of a big feed should not fetch a thousand pages at once; the rest comes next time.
MAX_NEW_ARTICLES_PER_POLL = 60
MAX_CHILD_SITEMAPS = 3
SAVE_BATCH = 20
SUMMARY_CHARS = 400

ProgressCallback = Callable[[FeedOutcome], None]


def db(function: Callable) -> Callable[..., Awaitable]:
    """Run a store function off the event loop, on the one thread that owns the database connection."""
    return sync_to_async(function, thread_sensitive=True)


async def crawl_feeds(
    jobs: list[FeedJob], *, fetcher: Fetcher, extractor: Executor | None = None,
    on_done: ProgressCallback | None = None,
) -> list[FeedOutcome]:
    """Poll every feed concurrently; a failing feed never stops or delays the others.

    Extraction is CPU work under the GIL: `extractor` (a process pool) spreads it over the cores;
    without one it runs in a thread, off the event loop but on one core.
    """

    async def one(job: FeedJob) -> FeedOutcome:
        outcome = await crawl_feed(job, fetcher=fetcher, extractor=extractor)
        if on_done:
            on_done(outcome)
        return outcome

    return list(await asyncio.gather(*(one(job) for job in jobs)))


async def crawl_feed(job: FeedJob, *, fetcher: Fetcher, extractor: Executor | None = None) -> FeedOutcome:
    outcome = FeedOutcome(feed_id=job.feed_id, outlet_slug=job.outlet_slug, url=job.url)
    started = datetime.now(timezone.utc)
    try:
        await _poll(job, fetcher, extractor, outcome)
    except (FetchError, FeedError) as error:
        outcome.error, outcome.retry_after = str(error), getattr(error, "retry_after", None)
        # Only an HTTP answer's Retry-After is the site's word; a pause after an unreadable robots.txt is ours.
        outcome.site_asked_wait = getattr(error, "kind", None) == "http_status" and outcome.retry_after is not None
    except Exception as error:  # noqa: BLE001 - a bug on one feed must be reported, not stop the crawl
        log.exception("crawl crashed", extra={"feed_url": job.url, "source": job.outlet_slug})
        outcome.error = f"crawl: unexpected error ({type(error).__name__}: {error}); see the logs"
    if outcome.error:
        await db(store.record_failure)(job, error=outcome.error, retry_after=outcome.retry_after,
                                       site_asked=outcome.site_asked_wait)
        return outcome
    try:
        await _retry_images(job, fetcher, extractor, outcome, stored_before=started)
    except Exception:  # noqa: BLE001 - the feed was read; a bug in the image retry must not fail it
        log.exception("image retry crashed", extra={"feed_url": job.url, "source": job.outlet_slug})
    return outcome


async def _poll(job: FeedJob, fetcher: Fetcher, extractor: Executor | None, outcome: FeedOutcome) -> None:
    result = await fetcher.fetch(job.url, etag=job.etag, last_modified=job.last_modified)
    if result.not_modified:
        outcome.not_modified = True
        await db(store.record_success)(job, etag=job.etag, last_modified=job.last_modified, new_articles=0)
        return
    # The whole header, charset included: a feed may declare its encoding nowhere else.
    content_type = result.headers.get("content-type")
    entries, outcome.warning = await _entries(result.body, result.url, content_type, fetcher, extractor)
    outcome.seen_entries = len(entries)
    fresh = await _unknown(job, entries)
    outcome.new_articles = await _ingest_all(job, fresh, fetcher, extractor, outcome)
    await db(store.record_success)(
        job, etag=result.etag, last_modified=result.last_modified, new_articles=outcome.new_articles,
        warning=outcome.warning or "",
    )


async def _entries(
    body: bytes, url: str, content_type: str | None, fetcher: Fetcher, extractor: Executor | None
) -> tuple[list[Entry], str | None]:
    parsed = await _parsed(body, url, content_type, extractor)
    entries = list(parsed.entries)
    # A sitemap index names the sitemaps that hold the articles: read the first few.
    for child_url in parsed.sitemaps[:MAX_CHILD_SITEMAPS]:
        child = await fetcher.fetch(child_url)
        entries.extend((await _parsed(child.body, child.url, child.headers.get("content-type"), extractor)).entries)
    return entries, parsed.warning


async def _parsed(body: bytes, url: str, content_type: str | None, extractor: Executor | None) -> ParsedFeed:
    """parse_feed off the event loop: a 10,000-item or deeply nested feed takes seconds of CPU, during
    which every other fetch of the crawl would stall and run into its deadline."""
    try:
        return await asyncio.get_running_loop().run_in_executor(
            extractor, partial(parse_feed, body, url=url, content_type=content_type))
    except BrokenProcessPool:
        raise FeedError("feeds: the parser crashed on this feed; Akhbar tries again on the next poll") from None


async def _unknown(job: FeedJob, entries: list[Entry]) -> list[Entry]:
    """Entries not stored yet, newest first, each once, capped per poll."""
    unique: dict[str, Entry] = {}
    for entry in entries:
        link = _entry_url(entry)
        if link and link not in unique:
            unique[link] = entry
    # A GUID that several articles share identifies none of them (a CMS that puts its home page in every
    # <guid>): kept, it would let the first article stand for all the others, now and on every later poll.
    shared = {guid for guid, count in Counter(e.guid for e in unique.values() if e.guid).items() if count > 1}
    unique = {url: replace(e, guid=None) if e.guid in shared else e for url, e in unique.items()}
    known = await db(store.known_entries)(job.outlet_id, list(unique), [e.guid or "" for e in unique.values()])
    fresh = [e for url, e in unique.items() if url not in known and (not e.guid or e.guid not in known)]
    oldest = datetime.min.replace(tzinfo=timezone.utc)
    fresh.sort(key=lambda e: e.published or oldest, reverse=True)
    return fresh[:MAX_NEW_ARTICLES_PER_POLL]


def _entry_url(entry: Entry) -> str | None:
    # parse_feed keeps only entries with an http(s) link (a permalink GUID stands in for a missing one).
    return canonical_url(entry.link) if entry.link else None


async def _ingest_all(
    job: FeedJob, entries: list[Entry], fetcher: Fetcher, extractor: Executor | None, outcome: FeedOutcome
) -> int:
    """Fetch and extract the entries concurrently; store them in small batches as they come in.

    Batches cut the database's cost per article by ten, and stay small so a reader sees new
    articles within seconds of their extraction, not at the end of a long poll.
    """
    pending = [asyncio.ensure_future(_draft(job, entry, fetcher, extractor, outcome)) for entry in entries]
    created, batch = 0, []
    try:
        for next_draft in asyncio.as_completed(pending):
            batch.append(await next_draft)
            if len(batch) >= SAVE_BATCH:
                created += await db(store.save_articles)(job, batch)
                batch = []
        if batch:
            created += await db(store.save_articles)(job, batch)
    finally:
        for task in pending:
            task.cancel()
    return created


async def _draft(
    job: FeedJob, entry: Entry, fetcher: Fetcher, extractor: Executor | None, outcome: FeedOutcome
) -> ArticleDraft:
    page_url = entry.link
    extracted, note, final_url = None, "", page_url
    try:
        page = await fetcher.fetch(page_url)
        final_url = page.url
        extract = partial(extract_article, page.body, url=page.url, http_charset=page.charset)
        extracted = await asyncio.get_running_loop().run_in_executor(extractor, extract)
        if extracted is None:
            note = "extract: no article text found on the page; the feed's content is shown"
    except FetchError as error:
        note = f"{error}; the feed's content is shown"
        outcome.article_errors.append(str(error))
    except BrokenProcessPool:
        note = "extract: the extractor crashed on this page; the feed's content is shown"
        outcome.article_errors.append(note)
    draft = await _built(job, entry, extracted, final_url=final_url, note=note)
    draft = replace(draft, story_vector=await _story_vector(draft, extractor))
    if not draft.image_url:
        return draft
    image, stored_sha256 = await _lead_image(job, draft.image_url, fetcher, extractor, outcome)
    return replace(draft, image=image, stored_image_sha256=stored_sha256)


async def _built(
    job: FeedJob, entry: Entry, extracted: Extracted | None, *, final_url: str, note: str
) -> ArticleDraft:
    """build_draft off the event loop: sanitising a feed item's megabyte of HTML and detecting its language
    (loading the models, the first time) take seconds, during which every other fetch of the crawl would
    stall. In a thread, not the extraction processes: build_draft lives here, and this module needs Django."""
    build = partial(build_draft, job, entry, extracted, final_url=final_url, note=note)
    return await asyncio.get_running_loop().run_in_executor(None, build)


async def _story_vector(draft: ArticleDraft, extractor: Executor | None) -> bytes:
    """The embedding that places the article in its story: CPU work, so in the extraction processes."""
    try:
        return await asyncio.get_running_loop().run_in_executor(
            extractor, partial(story_vector, draft.title, draft.summary))
    except BrokenProcessPool:
        return b""  # the store embeds it then


async def _lead_image(
    job: FeedJob, url: str, fetcher: Fetcher, extractor: Executor | None, outcome: FeedOutcome
) -> tuple[ProcessedImage | None, str]:
    """Our renditions of a lead image, or the hash of the stored image it is; (None, "") if it fails.

    An image fetched before (an outlet's stock photo, a story's shared picture) is neither fetched nor
    made again. The fetch obeys the usual limits; an article never waits on a bad image or loses its text.
    """
    if known := await db(store.stored_image_for)(url=url):
        return None, known
    try:
        fetched = await fetcher.fetch(url, max_bytes=job.image_max_bytes)
        if known := await db(store.stored_image_for)(sha256=hashlib.sha256(fetched.body).hexdigest()):
            return None, known
        process = partial(process_image, fetched.body, max_pixels=job.image_max_pixels)
        return await asyncio.get_running_loop().run_in_executor(extractor, process), ""
    except (FetchError, ImageError) as error:
        outcome.article_errors.append(f"{error} ({url})")
    except BrokenProcessPool:
        outcome.article_errors.append(f"image: the image worker crashed on this picture ({url})")
    return None, ""


async def _retry_images(
    job: FeedJob, fetcher: Fetcher, extractor: Executor | None, outcome: FeedOutcome, *, stored_before: datetime
) -> None:
    """Try again the lead images of recent articles whose image failed (a 503, a timeout) on earlier polls."""
    for article_id, url in await db(store.images_to_retry)(job.feed_id, stored_before=stored_before):
        image, stored_sha256 = await _lead_image(job, url, fetcher, extractor, outcome)
        if image is not None or stored_sha256:
            await db(store.image_attach)(article_id, (image, stored_sha256, url))


def build_draft(
    job: FeedJob, entry: Entry, extracted: Extracted | None, *, final_url: str, note: str
) -> ArticleDraft:
    """Merge what the feed said with what the page gave, preferring the page's full text."""
    feed_html = sanitize_html(entry.content_html or entry.summary_html or "", base_url=final_url)
    feed_text = plain_text(feed_html)
    use_page = extracted is not None and len(extracted.text) >= len(feed_text)
    if extracted is not None and not use_page:
        note = "extract: the page gave less text than the feed; the feed's content is shown"
    text = extracted.text if use_page else feed_text
    raw_title = clean_text_line(entry.title or (extracted.title if extracted else "") or "")
    _, tags = split_title_tags(raw_title)
    summary = plain_text(sanitize_html(entry.summary_html or "")) or text
    declared = (extracted.language if extracted else None) or job.outlet_language
    canonical = extracted.canonical_url if extracted else None
    return ArticleDraft(
        url=canonical_url(final_url, canonical=canonical),
        guid=(entry.guid or "")[:1000],
        title=raw_title or final_url,
        tags=tags,
        summary=_shorten(summary, SUMMARY_CHARS),
        content_html=extracted.html if use_page else feed_html,
        author=clean_text_line((extracted.author if extracted else None) or entry.author or ""),
        language=detect_language(f"{raw_title}\n{text}", declared=declared),
        image_url=(extracted.image_url if extracted else None) or entry.image_url or "",
        image_caption=clean_text_line((extracted.image_caption if extracted else None) or ""),
        published_at=_publication_date(entry, extracted),
        word_count=len(text.split()),
        category_slug=category_for(entry.categories),
        extraction_note=note,
    )


def _publication_date(entry: Entry, extracted: Extracted | None) -> datetime:
    now = datetime.now(timezone.utc)
    published = entry.published or (extracted.published if extracted else None) or now
    # An article dated in the future would sit at the top of the ticker for days.
    return min(published, now + timedelta(minutes=5))


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + " …"


@dataclass(frozen=True)
class DiscoveredCandidate:
    """One address tried by discovery, and what it gave."""

    url: str
    found_by: str  # "link", "path" or "robots"
    ok: bool
    format: str = ""
    entries: int = 0
    error: str = ""


async def discover_feeds(
    homepage_url: str, *, fetcher: Fetcher, known: tuple[str, ...] = ()
) -> list[DiscoveredCandidate]:
    """Find an outlet's feeds: addresses known already, its <link rel="alternate">, common paths, robots.txt's sitemaps."""
    candidates: dict[str, str] = dict.fromkeys(known, "known")
    try:
        page = await fetcher.fetch(homepage_url)
        html = decode_html(page.body, http_charset=page.charset)
        candidates.update((link.url, "link") for link in find_feed_links(html, base_url=page.url))
    except FetchError as error:
        log.info("discovery: homepage failed", extra={"source": homepage_url, "error": str(error)})
    for url in candidate_feed_urls(homepage_url):
        candidates.setdefault(url, "path")
    try:
        robots = await fetcher.fetch(urljoin(homepage_url, "/robots.txt"))
        for url in sitemaps_from_robots(robots.body.decode("utf-8", "replace"), base_url=homepage_url):
            candidates.setdefault(url, "robots")
    except FetchError:
        pass  # no robots.txt is common and says nothing about feeds
    checks = [_check_candidate(url, found_by, fetcher) for url, found_by in candidates.items()]
    return list(await asyncio.gather(*checks))


async def _check_candidate(url: str, found_by: str, fetcher: Fetcher) -> DiscoveredCandidate:
    try:
        result = await fetcher.fetch(url)
        parsed = parse_feed(result.body, url=result.url, content_type=result.content_type)
    except (FetchError, FeedError) as error:
        return DiscoveredCandidate(url=url, found_by=found_by, ok=False, error=str(error))
    count = len(parsed.entries) + len(parsed.sitemaps)
    return DiscoveredCandidate(url=result.url, found_by=found_by, ok=count > 0, format=parsed.format, entries=count)
