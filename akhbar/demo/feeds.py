"""Feeds of the sample outlets: RSS 2.0, Atom 1.0 and Google News sitemaps, written with each outlet's quirks."""

from datetime import datetime
from email.utils import format_datetime
from functools import cache
from xml.sax.saxutils import escape, quoteattr

from .content import DATA_DIR, MOROCCO, Article, Outlet
from .pages import image_path


@cache
def image_size(name: str) -> int:
    """Bytes in a shipped image, for <enclosure length>."""
    return (DATA_DIR / "images" / name).stat().st_size


def rss(outlet: Outlet, *, base_url: str, now: datetime) -> str:
    """An RSS 2.0 document; `feed_options` turn on CDATA, enclosures, media:content, dc:creator and the like."""
    options = outlet.feed_options
    items = "\n".join(_rss_item(outlet, article, base_url, options) for article in outlet.articles)
    updated = max((a.published for a in outlet.articles), default=now)
    return f"""<?xml version="1.0" encoding="{outlet.encoding}"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:media="http://search.yahoo.com/mrss/">
<channel>
<title>{escape(outlet.name)}</title>
<link>{escape(f"{base_url}/{outlet.slug}/")}</link>
<description>{escape(outlet.tagline)}</description>
<language>{outlet.lang}</language>
<lastBuildDate>{_rfc822(updated, options)}</lastBuildDate>
<atom:link href={quoteattr(base_url + outlet.feed_path)} rel="self" type="application/rss+xml"/>
<ttl>15</ttl>
{items}
</channel>
</rss>
"""


def atom(outlet: Outlet, *, base_url: str, now: datetime) -> str:
    """An Atom 1.0 document, with enclosure links for the lead images."""
    entries = "\n".join(_atom_entry(outlet, article, base_url) for article in outlet.articles)
    updated = max((a.published for a in outlet.articles), default=now)
    return f"""<?xml version="1.0" encoding="{outlet.encoding}"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{outlet.lang}">
<title>{escape(outlet.name)}</title>
<subtitle>{escape(outlet.tagline)}</subtitle>
<id>urn:akhbar-demo:{outlet.slug}</id>
<updated>{_rfc3339(updated)}</updated>
<link rel="alternate" type="text/html" href={quoteattr(f"{base_url}/{outlet.slug}/")}/>
<link rel="self" type="application/atom+xml" href={quoteattr(base_url + outlet.feed_path)}/>
<author><name>{escape(outlet.name)}</name></author>
{entries}
</feed>
"""


def news_sitemap(outlet: Outlet, *, base_url: str) -> str:
    """A Google News sitemap listing every article, with its image."""
    urls = "\n".join(
        f"""<url>
<loc>{escape(base_url + a.path)}</loc>
<news:news><news:publication><news:name>{escape(outlet.name)}</news:name>
<news:language>{outlet.lang}</news:language></news:publication>
<news:publication_date>{_rfc3339(a.published)}</news:publication_date>
<news:title>{escape(a.title)}</news:title>
<news:keywords>{escape(", ".join(a.tags))}</news:keywords></news:news>
<image:image><image:loc>{escape(base_url + image_path(outlet, a))}</image:loc></image:image>
</url>"""
        for a in outlet.articles
    )
    return f"""<?xml version="1.0" encoding="{outlet.encoding}"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"
 xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
{urls}
</urlset>
"""


def _rss_item(outlet: Outlet, article: Article, base_url: str, options: dict) -> str:
    url = base_url + article.path
    image_url = base_url + image_path(outlet, article)
    title = escape(article.title)
    if options.get("numeric_entities"):
        # WordPress writes typographic characters as character references: &#8217; and friends.
        title = title.encode("ascii", "xmlcharrefreplace").decode("ascii")
    if options.get("cdata_description"):
        description = f"<![CDATA[<p>{article.summary}</p>]]>"
    else:
        description = escape(article.summary)
    if options.get("guid_not_permalink"):
        guid = f'<guid isPermaLink="false">{outlet.slug}-{article.id}</guid>'
    else:
        guid = f'<guid isPermaLink="true">{escape(url)}</guid>'
    lines = [f"<title>{title}</title>", f"<link>{escape(url)}</link>", guid,
             f"<pubDate>{_rfc822(article.published, options)}</pubDate>",
             f"<description>{description}</description>"]
    lines += [f"<category>{escape(name)}</category>" for name in (article.section, *article.tags)]
    if options.get("dc_creator"):
        lines.append(f"<dc:creator>{escape(article.author)}</dc:creator>")
    if options.get("enclosure"):
        lines.append(f'<enclosure url={quoteattr(image_url)} length="{image_size(article.image)}" type="image/jpeg"/>')
    if options.get("media_content"):
        caption = f"<media:description>{escape(article.caption)}</media:description>"
        media = f'<media:content url={quoteattr(image_url)} medium="image" type="image/jpeg">'
        lines.append(f"{media}{caption}</media:content>")
    return "<item>\n" + "\n".join(lines) + "\n</item>"


def _atom_entry(outlet: Outlet, article: Article, base_url: str) -> str:
    url = base_url + article.path
    image_url = base_url + image_path(outlet, article)
    categories = "".join(f"<category term={quoteattr(name)}/>" for name in (article.section, *article.tags))
    return f"""<entry>
<title type="text">{escape(article.title)}</title>
<id>urn:akhbar-demo:{outlet.slug}:{article.id}</id>
<link rel="alternate" type="text/html" href={quoteattr(url)}/>
<link rel="enclosure" type="image/jpeg" length="{image_size(article.image)}" href={quoteattr(image_url)}/>
<published>{_rfc3339(article.published)}</published>
<updated>{_rfc3339(article.published)}</updated>
<author><name>{escape(article.author)}</name></author>
{categories}
<summary type="html">{escape(f"<p>{escape(article.summary)}</p>")}</summary>
</entry>"""


def _rfc822(when: datetime, options: dict) -> str:
    if options.get("gmt"):
        return format_datetime(when, usegmt=True)
    return format_datetime(when.astimezone(MOROCCO))


def _rfc3339(when: datetime) -> str:
    return when.astimezone(MOROCCO).isoformat(timespec="seconds")
