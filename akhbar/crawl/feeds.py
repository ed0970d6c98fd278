"""Feed parsing stage: bytes of RSS 0.9x/1.0/2.0, Atom, JSON Feed or a sitemap -> ParsedFeed.

Parser choice: feedparser for RSS/Atom/RDF, on evidence (bench/feeds.py, CPU time):
fastfeedparser 0.6.5 reads about 24,000 items/s to feedparser's 2,600 (a 10,000-item
RSS: 0.1 s vs 3.3 s; parse_feed 5 s), but a few hundred feeds every ten minutes cost
feedparser seconds, and fastfeedparser raised on 75 of the 2,107 conformance feeds,
20 of which feedparser reads (old Atom, CDF, encodings). HTML stays raw
(sanitize_html=False): the pipeline sanitises with nh3.

XML safety: feedparser runs expat with external entities off (file:///etc/passwd is
never read), but its fallback "loose" parser expands every short literal entity of
the DTD: 100 KB repeating one 50 KB entity grows to gigabytes. defuse_doctype drops
the DOCTYPE before any parser sees the body and re-declares only short literal
entities (<= 64 chars, no references), bounding expansion to about 20x. feedparser's
declared-encoding regex is quadratic on a long first line and it raises on some
odd declarations and GeoRSS: prepare_bytes and a FeedError guard cover those.
Sitemaps go through lxml (resolve_entities=False, no_network=True, huge_tree=False)
after the same defusing.

Encodings: valid UTF-8 is UTF-8; then the XML declaration, then the HTTP charset. A
feed that declares only UTF-8, or nothing, yet is not UTF-8 is either UTF-8 with stray
bytes (replaced by U+FFFD) or in a legacy encoding (detected: windows-1256 Arabic is
common). Text encoded to UTF-8 twice ("Ã©" for "é") is undone in titles and contents.

Dates: a naive date is Africa/Casablanca time. Dates are kept as the feed states
them, future ones included: only the pipeline knows "now", so it clamps.
Titles: HTML stripped, entities decoded, one line, at most 1,000 chars; an entry
without a title gets the start of its summary's text (160 chars, cut at a word),
or "". An entry is kept only if it has an http(s) link, or a GUID that is one.
Entries repeating an earlier (guid, link) pair are dropped. feedparser resolves
permalink GUIDs (RSS guid without isPermaLink="false", Atom id) against the feed
URL like links, so a relative one becomes a URL on the feed's site.
"""

from __future__ import annotations

import html
import io
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import urljoin, urlsplit

import feedparser
from feedparser.exceptions import CharacterEncodingOverride, NonXMLContentType
from lxml import etree

from akhbar.crawl.decode import guess_encoding, repair_utf8, undo_double_utf8
from akhbar.crawl.discover import find_feed_links
from akhbar.crawl.xmlbytes import DECLARED_ENCODING, defuse_doctype, prepare_bytes, root_name
from akhbar.crawl.normalize import clean_text_line, parse_date, text_from_html

TITLE_MAX = 1_000
DERIVED_TITLE_MAX = 160
_PARSED_DATES = ("published_parsed", "updated_parsed", "created_parsed")
# What feedparser 6.0.14 itself raises on some malformed feeds (found by fuzzing): e.g.
# KeyError('where') for a <gml:pos> outside <georss:where>.
_FEEDPARSER_FAILURES = (KeyError, AttributeError, IndexError, TypeError, ValueError, RecursionError)
_SOFT_PROBLEMS = (CharacterEncodingOverride, NonXMLContentType)  # bozo, yet the feed reads fine


class FeedError(Exception):
    """The body is not a feed we can read; the message starts with "feeds:"."""

    def __init__(self, message: str, *, feed_links: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.feed_links = feed_links

    def __reduce__(self):
        # Parsing may run in an extraction process: the error must cross back whole.
        return _feed_error, (str(self), self.feed_links)


def _feed_error(message: str, feed_links: tuple[str, ...]) -> FeedError:
    return FeedError(message, feed_links=feed_links)


@dataclass(frozen=True)
class Entry:
    link: str | None
    guid: str | None
    title: str
    published: datetime | None
    summary_html: str
    content_html: str
    image_url: str | None
    categories: tuple[str, ...]
    author: str | None


@dataclass(frozen=True)
class ParsedFeed:
    title: str | None
    link: str | None
    format: str  # "rss" | "atom" | "rdf" | "json" | "sitemap"
    entries: list[Entry]
    sitemaps: list[str] = field(default_factory=list)  # children of a sitemap index
    # Set when the feed is broken yet entries could be read: the feed works, but its owner should know.
    warning: str | None = None


def parse_feed(body: bytes, *, url: str, content_type: str | None = None) -> ParsedFeed:
    """Parse a feed or sitemap body fetched from url; raise FeedError if it is none."""
    if not body.strip(b" \t\r\n\x00\xef\xbb\xbf\xfe\xff"):
        raise FeedError("feeds: the response body is empty; check that the URL still serves a feed")
    body, wide = prepare_bytes(body)
    if wide:
        content_type = content_type.split(";")[0] if content_type else None
    media_type = (content_type or "").split(";")[0].strip().lower()
    root = root_name(body[:8192])
    if root == "{" or (root is None and "json" in media_type):
        return _parse_json_feed(body, url)
    if root in ("html", "head", "body"):
        raise _html_page_error(body, url)
    if root in ("urlset", "sitemapindex"):
        return _parse_sitemap(body, url)
    return _parse_syndication(body, url, content_type, looks_html=media_type == "text/html")


# --- RSS, Atom, RDF through feedparser ------------------------------------------------


def _parse_syndication(body: bytes, url: str, content_type: str | None, *, looks_html: bool) -> ParsedFeed:
    body, trusted_type = _trusted_encoding(body, content_type)
    headers = {"content-location": url, "content-type": trusted_type}
    try:
        result = feedparser.parse(
            io.BytesIO(defuse_doctype(body)), response_headers=headers,
            sanitize_html=False, resolve_relative_uris=True,
        )
    except _FEEDPARSER_FAILURES as error:
        raise FeedError(f"feeds: the feed is too broken to read ({type(error).__name__}: {error}); "
                        "report it to the outlet") from None
    version, items = result.get("version") or "", result.get("entries") or []
    problem = result.get("bozo_exception") if result.get("bozo") else None
    if version == "cdf":
        raise FeedError("feeds: this is a Microsoft CDF channel, not RSS or Atom; look for the site's RSS feed")
    channel = result.get("feed") or {}
    broken = problem is not None and not isinstance(problem, _SOFT_PROBLEMS) and not channel.get("title")
    if not items and (not version or broken):
        if looks_html or "<html" in body[:4096].decode("utf-8", "replace").lower():
            raise _html_page_error(body, url)
        reason = f" ({clean_text_line(str(problem))[:200]})" if problem is not None else ""
        raise FeedError(f"feeds: no RSS, Atom or RDF feed and no entry could be read{reason}; check the URL")
    entries = _unique([e for e in (_entry_from_feedparser(item, url) for item in items) if e is not None])
    warning = None
    if problem is not None and not isinstance(problem, _SOFT_PROBLEMS) and entries:
        warning = (f"feeds: the feed is not well-formed XML ({clean_text_line(str(problem))[:200]}); "
                   f"{len(entries)} entries were read anyway, others may be missing")
    return ParsedFeed(
        title=_clean_title(channel.get("title")) or None,
        link=_http_url(channel.get("link"), url),
        format="atom" if version.startswith("atom") else "rdf" if version in ("rss090", "rss10") else "rss",
        entries=entries,
        warning=warning,
    )


def _trusted_encoding(body: bytes, content_type: str | None) -> tuple[bytes, str]:
    """The body and Content-Type for feedparser, which lets an HTTP charset beat the document's own.
    Servers send default charsets more often than feeds lie: valid UTF-8 is UTF-8, and a
    declared encoding beats the header (a windows-1256 feed sent as ISO-8859-1). Where only
    UTF-8 is declared, or nothing, feedparser would read bytes that are not UTF-8 as
    windows-1252: UTF-8 with a few stray bytes gets them replaced, anything else detected."""
    media_type = (content_type or "application/xml").split(";")[0].strip()
    if body.isascii():
        return body, content_type or media_type
    try:
        body.decode("utf-8")
        return body, f"{media_type}; charset=utf-8"
    except UnicodeDecodeError:
        pass
    declared = DECLARED_ENCODING.match(body)
    if declared and not _is_utf8_label(declared.group(1)):
        return body, media_type
    if not declared and content_type and not _is_utf8_label(_charset(content_type)):
        return body, content_type
    if (repaired := repair_utf8(body)) is not None:
        return repaired, f"{media_type}; charset=utf-8"
    return body, f"{media_type}; charset={guess_encoding(body)}"


def _charset(content_type: str) -> bytes:
    return next((p.split("=", 1)[1].strip(" \"'").encode() for p in content_type.split(";")[1:]
                 if p.strip().lower().startswith("charset=")), b"")


def _is_utf8_label(label: bytes) -> bool:
    """True for "utf-8" and its spellings, and for no label at all (UTF-8 is XML's default)."""
    return label.strip().lower().replace(b"_", b"-") in (b"", b"utf-8", b"utf8")


def _entry_from_feedparser(item: dict, base: str) -> Entry | None:
    # A plain dict: FeedParserDict's key aliasing makes each lookup about 5x slower.
    item = dict(item)
    guid = _plain(item.get("id")).strip() or None
    alternates = [k.get("href") for k in item.get("links") or [] if k.get("rel") == "alternate"]
    link = next((u for u in (_http_url(c, base) for c in [*alternates, item.get("link")]) if u), None)
    link = link or _http_url(guid)
    if link is None:
        return None
    contents = [undo_double_utf8(_plain(c.get("value"))) for c in item.get("content") or [] if isinstance(c, dict)]
    summary = undo_double_utf8(_plain(item.get("summary")))
    content = max(contents, key=len) if contents else summary
    summary = summary or content
    author = (item.get("author_detail") or {}).get("name") or item.get("author")
    raw_date = next((item[k] for k in ("published", "updated", "created") if item.get(k)), None)
    return Entry(
        link=link,
        guid=guid,
        title=_clean_title(item.get("title")) or _title_from(summary),
        published=_entry_date(raw_date, item),
        summary_html=summary,
        content_html=content,
        image_url=_image_from_feedparser(item, content, summary, link),
        categories=_categories(t.get("term") or t.get("label") for t in item.get("tags") or []),
        author=clean_text_line(_plain(author)) or None,
    )


def _entry_date(raw: object, item: dict) -> datetime | None:
    parsed = parse_date(raw) if isinstance(raw, str) else None
    if parsed is not None:
        return parsed
    # feedparser knows more exotic formats (Korean, Greek, W3DTF variants); it returns UTC.
    struct = next((item[k] for k in _PARSED_DATES if item.get(k)), None)
    return datetime(*struct[:6], tzinfo=timezone.utc) if struct else None


def _image_from_feedparser(item: dict, content: str, summary: str, base: str) -> str | None:
    candidates = [
        m.get("url") for m in item.get("media_content") or []
        if m.get("medium") == "image" or str(m.get("type", "")).startswith("image/")
        or (not m.get("medium") and not m.get("type") and _IMAGE_PATH.search(m.get("url") or ""))
    ]
    candidates += [m.get("url") for m in item.get("media_thumbnail") or []]
    candidates += [
        link.get("href") for link in item.get("links") or []
        if link.get("rel") == "enclosure" and str(link.get("type", "")).startswith("image/")
    ]
    return _first_image(candidates, content, summary, base)


# --- JSON Feed 1.0 / 1.1 ---------------------------------------------------------------


def _parse_json_feed(body: bytes, url: str) -> ParsedFeed:
    try:
        document = json.loads(body)
    except (ValueError, RecursionError) as error:
        raise FeedError(f"feeds: the body looks like JSON but does not parse ({error}); check the URL") from None
    if not isinstance(document, dict) or not isinstance(document.get("items"), list):
        raise FeedError('feeds: this JSON is not a JSON Feed (no "items" list); check the URL')
    base = _http_url(document.get("feed_url"), url) or url
    entries = [_entry_from_json(item, base) for item in document["items"] if isinstance(item, dict)]
    return ParsedFeed(
        title=_clean_title(document.get("title")) or None,
        link=_http_url(document.get("home_page_url"), base),
        format="json",
        entries=_unique([e for e in entries if e is not None]),
    )


def _entry_from_json(item: dict, base: str) -> Entry | None:
    raw_id = item.get("id")
    guid = str(raw_id) if isinstance(raw_id, int) and not isinstance(raw_id, bool) else _plain(raw_id)
    link = _http_url(item.get("url"), base) or _http_url(item.get("external_url"), base)
    link = link or _http_url(guid)
    if link is None:
        return None
    # JSON Feed's content_text and summary are plain text.
    text, summary_text = _plain(item.get("content_text")), _plain(item.get("summary"))
    content = _plain(item.get("content_html")) or (f"<p>{html.escape(text)}</p>" if text else "")
    summary = f"<p>{html.escape(summary_text)}</p>" if summary_text else content
    content = content or summary
    authors = _list(item.get("authors")) or [item.get("author")]
    names = [_plain(a.get("name")) for a in authors if isinstance(a, dict)]
    images = [item.get("image"), item.get("banner_image")] + [
        a.get("url") for a in _list(item.get("attachments"))
        if isinstance(a, dict) and str(a.get("mime_type", "")).startswith("image/")
    ]
    raw_date = _plain(item.get("date_published")) or _plain(item.get("date_modified"))
    return Entry(
        link=link,
        guid=guid.strip() or None,
        title=_clean_title(item.get("title")) or _title_from(content),
        published=parse_date(raw_date) if raw_date else None,
        summary_html=summary,
        content_html=content,
        image_url=_first_image(images, content, summary, link),
        categories=_categories(_list(item.get("tags"))),
        author=clean_text_line(next((n for n in names if n), "")) or None,
    )


# --- Sitemaps and Google News sitemaps -------------------------------------------------


def _parse_sitemap(body: bytes, url: str) -> ParsedFeed:
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False,
        recover=True, remove_comments=True, remove_pis=True,
    )
    try:
        root = etree.fromstring(defuse_doctype(body), parser)
    except etree.XMLSyntaxError as error:
        raise FeedError(f"feeds: the sitemap is not readable XML ({error}); check the URL") from None
    if root is None:
        raise FeedError("feeds: the sitemap is not readable XML; check the URL")
    if _local(root) == "sitemapindex":
        locs = [_text(loc) for child in root if _local(child) == "sitemap" for loc in child if _local(loc) == "loc"]
        children = [u for u in (_http_url(loc, url) for loc in locs) if u]
        return ParsedFeed(title=None, link=None, format="sitemap", entries=[], sitemaps=list(dict.fromkeys(children)))
    entries = [_entry_from_sitemap(node, url) for node in root if _local(node) == "url"]
    return ParsedFeed(
        title=clean_text_line(root.findtext(".//{*}publication/{*}name") or "") or None,
        link=None, format="sitemap", entries=_unique([e for e in entries if e is not None]),
    )


def _entry_from_sitemap(node: etree._Element, base: str) -> Entry | None:
    # Keyed by "parent/child" local names, so image:title never passes for news:title.
    fields: dict[str, str] = {}
    for child in node.iterdescendants():
        key = f"{_local(child.getparent())}/{_local(child)}"
        if _local(child) and key not in fields:
            fields[key] = _text(child)
    link = _http_url(fields.get("url/loc"), base)
    if link is None:
        return None
    raw_date = fields.get("news/publication_date") or fields.get("url/lastmod") or ""
    return Entry(
        link=link, guid=None, title=_clean_title(fields.get("news/title")),
        published=parse_date(raw_date) if raw_date else None,
        summary_html="", content_html="",
        image_url=_first_image([fields.get("image/loc")], "", "", link),
        categories=_categories(fields.get("news/keywords", "").split(",")),
        author=None,
    )


def _local(node: object) -> str:
    """Local name of an element; "" for comments and entities. Recovery can leave "news:title"."""
    tag = getattr(node, "tag", None)
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1] if isinstance(tag, str) else ""


def _text(node: etree._Element) -> str:
    return "".join(node.itertext()).strip()


# --- Shared helpers ---------------------------------------------------------------------

# [^<>] rather than [^>]: a scan stops at the next "<", so unclosed tags cost linear time.
_IMG_SRC = re.compile(r"""<img\b[^<>]*?\bsrc\s*=\s*["']?([^"'\s<>]+)""", re.IGNORECASE)
_IMAGE_PATH = re.compile(r"\.(?:jpe?g|png|gif|webp|avif)(?:$|\?)", re.IGNORECASE)


def _plain(value: object) -> str:
    return value if isinstance(value, str) else ""


def _list(value: object) -> list:
    return value if isinstance(value, list) else []


def _clean_title(value: object) -> str:
    return text_from_html(undo_double_utf8(_plain(value)))[:TITLE_MAX].strip()


def _title_from(summary_html: str) -> str:
    text = text_from_html(summary_html)
    if len(text) <= DERIVED_TITLE_MAX:
        return text
    cut = text[:DERIVED_TITLE_MAX].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.-") + "…"


def _categories(values) -> tuple[str, ...]:
    cleaned = (clean_text_line(html.unescape(v)) for v in values if isinstance(v, str))
    return tuple(dict.fromkeys(c for c in cleaned if c))


def _first_image(candidates: list, content: str, summary: str, base: str) -> str | None:
    for candidate in [*candidates, *_IMG_SRC.findall(content), *_IMG_SRC.findall(summary)]:
        if isinstance(candidate, str) and (url := _http_url(html.unescape(candidate), base)):
            return url
    return None


def _http_url(value: object, base: str = "") -> str | None:
    """value resolved against base (if any), or None unless the result is http(s)."""
    text = _plain(value).strip()
    try:
        parts = urlsplit(urljoin(base, text) if base and text else text)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return None
    return parts.geturl() if parts.scheme.lower() in ("http", "https") and parts.hostname else None


def _unique(entries: list[Entry]) -> list[Entry]:
    first: dict[tuple[str | None, str | None], Entry] = {}
    for entry in entries:
        first.setdefault((entry.guid, entry.link), entry)
    return list(first.values())


def _html_page_error(body: bytes, url: str) -> FeedError:
    links = tuple(f.url for f in find_feed_links(body.decode("utf-8", "replace"), base_url=url))
    if not links:
        return FeedError("feeds: this is an HTML page, not a feed, and it announces none; find the feed URL")
    message = "feeds: this is an HTML page, not a feed; it announces these feeds: " + ", ".join(links)
    return FeedError(message, feed_links=links)
