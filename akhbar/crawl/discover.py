"""Feed discovery, the pure half: read feed URLs out of a page or a robots.txt.

Fetching the candidates is the pipeline's job; these functions only take text
and return absolute http(s) URLs, de-duplicated, in the order found.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from lxml import etree, html as lxml_html

# <link rel="alternate" type=...> values that announce a feed.
FEED_TYPES = {
    "application/rss+xml": "rss",
    "application/atom+xml": "atom",
    "application/rdf+xml": "rdf",
    "application/feed+json": "json",
}
# Generic types that announce a feed only when the URL or title says so:
# WordPress puts <link rel="alternate" type="application/json"> to its REST API on every page.
GENERIC_TYPES = {"application/json": "json", "text/xml": "rss", "application/xml": "rss"}
FEED_HINTS = ("feed", "rss", "atom", "syndication")

# Paths where outlets commonly serve feeds, most likely first (WordPress, WMaker,
# SPIP, Blogger, Hugo, static generators, news sitemaps).
COMMON_FEED_PATHS = (
    "/feed", "/feed/", "/rss", "/rss/", "/rss.xml", "/feed.xml", "/atom.xml",
    "/index.xml", "/feed.json", "/xml/syndication.rss", "/rss/news.xml",
    "/?feed=rss2", "/spip.php?page=backend", "/feeds/posts/default",
    "/news-sitemap.xml", "/sitemap_news.xml", "/sitemap-news.xml", "/news_sitemap.xml",
)


_HTML_PARSER = lxml_html.HTMLParser(encoding="utf-8", no_network=True, remove_comments=True, remove_pis=True)


@dataclass(frozen=True)
class DiscoveredFeed:
    url: str
    title: str | None
    format: str  # "rss" | "atom" | "rdf" | "json", as announced by the page


def find_feed_links(html: str, *, base_url: str) -> list[DiscoveredFeed]:
    """Return the feeds a page announces with <link rel="alternate" type=...>."""
    # libxml2's HTML parser, not html.parser: the latter is quadratic on some broken
    # markup in Python 3.12 ("<a" * 100,000 took 30 s), and pages come from outside.
    try:
        root = etree.fromstring(html.encode("utf-8", "replace"), _HTML_PARSER)
    except (etree.ParserError, etree.XMLSyntaxError):
        return []
    if root is None:
        return []
    base_href = next((b.get("href", "").strip() for b in root.iter("base") if b.get("href")), "")
    base = (_absolute_http(base_href, base_url) if base_href else None) or base_url
    found: dict[str, DiscoveredFeed] = {}
    for link in root.iter("link"):
        feed = _as_feed({name.lower(): value for name, value in link.attrib.items()}, base)
        if feed is not None and feed.url not in found:
            found[feed.url] = feed
    return list(found.values())


def candidate_feed_urls(homepage_url: str) -> list[str]:
    """Return the usual feed locations to try for a site, under its path first, then its root."""
    try:
        parts = urlsplit(homepage_url.strip())
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return []
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return []
    origin = f"{parts.scheme.lower()}://{parts.netloc.lower()}"
    prefixes = [origin]
    section = parts.path.rstrip("/")
    if section:
        prefixes.insert(0, origin + section)
    urls = [prefix + path for prefix in prefixes for path in COMMON_FEED_PATHS]
    return list(dict.fromkeys(urls))


def sitemaps_from_robots(robots_txt: str, *, base_url: str) -> list[str]:
    """Return the Sitemap: URLs listed in a robots.txt, made absolute."""
    found: dict[str, None] = {}
    for line in robots_txt.splitlines():
        field, _, value = line.split("#", 1)[0].partition(":")
        if field.strip().lower() != "sitemap" or not value.strip():
            continue
        url = _absolute_http(value.strip(), base_url)
        if url is not None:
            found.setdefault(url)
    return list(found)


def _as_feed(attrs: dict[str, str], base: str) -> DiscoveredFeed | None:
    if "alternate" not in attrs.get("rel", "").lower().split():
        return None
    kind = attrs.get("type", "").split(";")[0].strip().lower()
    href, title = attrs.get("href", "").strip(), " ".join(attrs.get("title", "").split()) or None
    fmt = FEED_TYPES.get(kind)
    if fmt is None and kind in GENERIC_TYPES:
        hint = f"{href} {title or ''}".lower()
        if any(word in hint for word in FEED_HINTS) and "/wp-json/" not in href:
            fmt = GENERIC_TYPES[kind]
    url = _absolute_http(href, base) if fmt and href else None
    return DiscoveredFeed(url=url, title=title, format=fmt) if url and fmt else None


def _absolute_http(href: str, base: str) -> str | None:
    try:
        parts = urlsplit(urljoin(base, href))
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return parts._replace(fragment="").geturl()
