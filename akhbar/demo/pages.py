"""HTML pages of the sample outlets: article pages, homepages and the publisher's index."""

import json
from datetime import datetime
from functools import cache
from html import escape
from string import Template
from urllib.parse import quote

from .content import DATA_DIR, MOROCCO, Article, Outlet, byline_date, long_date, strings

INREAD_AD = '<a href="/ads/click?slot=inread" rel="sponsored nofollow"><img src="/media/pub-300x250.png" alt=""></a>'
FEED_TYPES = {"rss": "application/rss+xml", "atom": "application/atom+xml"}
# Each outlet gets its own accent colour, so the pages do not all look alike.
COLOURS = ("#c8102e", "#0b5394", "#006233", "#e69138", "#674ea7", "#134f5c")


def _e(text) -> str:
    """Escape for text and double-quoted attributes alike; apostrophes stay as typed, as on real pages."""
    return escape(str(text), quote=False).replace('"', "&quot;")


@cache
def _template(name: str) -> Template:
    return Template((DATA_DIR / "templates" / name).read_text(encoding="utf-8"))


def image_path(outlet: Outlet, article: Article) -> str:
    """Where the outlet serves the article's lead image."""
    return f"/{outlet.slug}/images/{article.image}"


def article_page(outlet: Outlet, article: Article, *, base_url: str, now: datetime, variant: int = 0) -> str:
    """A full article page: meta tags, navigation, ads, the article, related links, comments, footer."""
    words = strings(outlet.lang)
    others = [other for other in outlet.articles if other.path != article.path]
    comments = _pick(outlet.comments, variant, 3)
    url = base_url + article.path
    return _template("article.html").substitute(
        _chrome(outlet, base_url, now, variant),
        id=_e(article.id),
        url=_e(url),
        url_q=quote(url, safe=""),
        title=_e(article.title),
        summary=_e(article.summary),
        author=_e(article.author),
        section=_e(article.section),
        section_js=json.dumps(article.section, ensure_ascii=False),
        published_iso=_iso(article.published),
        byline=_e(byline_date(outlet, article.published)),
        image_url=_e(base_url + image_path(outlet, article)),
        image_src=_e(image_path(outlet, article)),
        caption=_e(article.caption),
        json_ld=_json_ld(outlet, article, base_url),
        body=_body(article, others, words),
        tags=", ".join(f'<a href="/{outlet.slug}/" rel="tag">{_e(tag)}</a>' for tag in article.tags),
        ticker=" · ".join(_link(other) for other in others[:3]),
        related="\n".join(f"<li>{_link(other)}</li>" for other in _pick(others, variant, 3)),
        most_read="\n".join(f"<li>{_link(other)}</li>" for other in list(reversed(others))[:5]),
        comment_count=len(comments),
        comments="\n".join(_comment(comment) for comment in comments),
    )


def homepage(outlet: Outlet, *, base_url: str, now: datetime) -> str:
    """The outlet's front page: teasers of every article and, when it has a feed, the discovery link."""
    teasers = "\n".join(
        f'<article class="teaser"><a href="{_e(a.path)}"><img src="{_e(image_path(outlet, a))}" alt=""></a>'
        f'<h3><a href="{_e(a.path)}">{_e(a.title)}</a></h3><p>{_e(a.summary)}</p>'
        f'<time datetime="{_iso(a.published)}">{_e(byline_date(outlet, a.published))}</time></article>'
        for a in outlet.articles
    )
    first_image = image_path(outlet, outlet.articles[0]) if outlet.articles else "/media/pub-300x250.png"
    return _template("home.html").substitute(
        _chrome(outlet, base_url, now, 0),
        url=_e(f"{base_url}/{outlet.slug}/"),
        image_url=_e(base_url + first_image),
        teasers=teasers,
    )


def index_page(outlets: list[Outlet], *, base_url: str) -> str:
    """The publisher's own front page, linking every outlet and feed."""
    items = "\n".join(
        f'<li><a href="/{o.slug}/">{_e(o.name)}</a> ({o.lang}) — <a href="{_e(o.feed_path)}">{o.feed_format}</a></li>'
        for o in outlets
    )
    return _template("index.html").substitute(outlets=items)


def _chrome(outlet: Outlet, base_url: str, now: datetime, variant: int) -> dict:
    """Placeholders shared by every page of an outlet: language, menus, labels."""
    words = strings(outlet.lang)
    labels = {f"t_{key}": _e(value) for key, value in words.items() if isinstance(value, str)}
    return labels | {
        "lang": outlet.lang,
        "dir": words["dir"],
        "locale": {"fr": "fr_FR", "ar": "ar_MA", "es": "es_ES"}.get(outlet.lang, outlet.lang),
        "charset_meta": _charset_meta(outlet.encoding, variant),
        "outlet": _e(outlet.name),
        "slug": outlet.slug,
        "tagline": _e(outlet.tagline),
        "colour": COLOURS[sum(map(ord, outlet.slug)) % len(COLOURS)],
        "nav_items": "\n".join(f'<li><a href="/{outlet.slug}/">{_e(item)}</a></li>' for item in outlet.nav),
        "feed_link": _feed_link(outlet, base_url),
        "today": _e(long_date(outlet.lang, now)),
        "year": now.year,
    }


def _charset_meta(encoding: str, variant: int) -> str:
    # Legacy pages declare their charset either way; alternate so that both forms are exercised.
    if variant % 2:
        return f'<meta http-equiv="Content-Type" content="text/html; charset={encoding}">'
    return f'<meta charset="{encoding}">'


def _feed_link(outlet: Outlet, base_url: str) -> str:
    if outlet.feed_format not in FEED_TYPES:
        return ""
    feed_type, href = FEED_TYPES[outlet.feed_format], _e(base_url + outlet.feed_path)
    return f'<link rel="alternate" type="{feed_type}" title="{_e(outlet.name)}" href="{href}">'


def _body(article: Article, others: list[Article], words: dict) -> str:
    """The paragraphs, with a "read also" box and an in-read ad slipped in like real CMSs do."""
    parts = [f"<p>{_e(paragraph)}</p>" for paragraph in article.paragraphs]
    if others and len(parts) > 2:
        parts.insert(2, f'<div class="read-also"><strong>{_e(words["read_also"])}</strong> {_link(others[0])}</div>')
    if len(parts) > 5:
        parts.insert(5, f'<div class="ad ad-inread"><span>{_e(words["advert"])}</span>{INREAD_AD}</div>')
    return "\n".join(parts)


def _json_ld(outlet: Outlet, article: Article, base_url: str) -> str:
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "datePublished": _iso(article.published),
        "author": {"@type": "Person", "name": article.author},
        "image": [base_url + image_path(outlet, article)],
        "publisher": {"@type": "Organization", "name": outlet.name},
        "mainEntityOfPage": base_url + article.path,
    }
    return json.dumps(data, ensure_ascii=False).replace("</", "<\\/")


def _iso(when: datetime) -> str:
    return when.astimezone(MOROCCO).isoformat(timespec="seconds")


def _link(article: Article) -> str:
    return f'<a href="{_e(article.path)}">{_e(article.title)}</a>'


def _comment(comment: dict) -> str:
    return (f'<div class="comment"><p class="comment-author"><strong>{_e(comment["author"])}</strong></p>'
            f'<div class="comment-text"><p>{_e(comment["text"])}</p></div></div>')


def _pick(items, start: int, count: int) -> list:
    """`count` items taken in turn from `start`, so neighbouring pages show different ones."""
    items = list(items)
    if not items:
        return []
    return [items[(start + offset) % len(items)] for offset in range(min(count, len(items)))]
