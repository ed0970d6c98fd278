"""extract_article finds the article in a web page: its text, clean HTML, and what the page says about it.

The text comes from trafilatura with the settings of its published evaluation (comments off, tables on,
formatting off), so our quality gate measures the same thing. The page is decoded and parsed once; the
lxml tree is handed to trafilatura, which copies it before its destructive cleaning, and read again here
for what trafilatura does not give (language, canonical URL, lead image caption).
"""

import logging
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

import trafilatura
from lxml import etree
from lxml.html import HtmlElement
from trafilatura.settings import Document

from akhbar.crawl.decode import decode_html
from akhbar.crawl.sanitize import sanitize_html

log = logging.getLogger(__name__)

LOCAL_TIMEZONE = ZoneInfo("Africa/Casablanca")
# Extraction time grows with the page (about 20 µs an element), so hostile or absurd pages are bounded:
# longer HTML is cut, and a page with more elements is refused. The largest page of trafilatura's
# evaluation corpus has 1.6 MB and 10,106 elements.
MAX_HTML_CHARS = 2_000_000
MAX_ELEMENTS = 50_000
# Less text than this (under a sentence) is a notice such as "enable JavaScript", not an article; the
# feed's own summary serves better. The shortest article body of the evaluation corpus has 99 characters.
MIN_TEXT_CHARS = 60
TRAFILATURA_SETTINGS = {"include_comments": False, "include_tables": True, "include_formatting": False}
DATE_FORMAT = "%Y-%m-%dT%H:%M:%S%z"


class ExtractError(TypeError):
    """Raised only for input that cannot be a web page at all; hostile or empty pages give None."""


@dataclass(frozen=True)
class Extracted:
    title: str | None
    author: str | None
    published: datetime | None  # timezone-aware; naive dates are Africa/Casablanca time, a bare day is midnight
    language: str | None  # two lower-case letters
    text: str  # plain text, paragraphs separated by "\n\n"
    html: str  # sanitised HTML
    image_url: str | None  # absolute
    image_caption: str | None
    canonical_url: str | None  # absolute


def extract_article(html: str | bytes, *, url: str, http_charset: str | None = None) -> Extracted | None:
    """The article in a page, or None when the page holds no article text."""
    if not isinstance(html, (str, bytes)):
        raise ExtractError(f"extract: the page must be given as str or bytes, not {type(html).__name__}")
    if isinstance(html, str):
        # Same clean-up as for bytes: control characters out, lone surrogates replaced.
        html, http_charset = html.encode("utf-8", "surrogatepass"), "utf-8"
    page = decode_html(html, http_charset=http_charset)
    if not page.strip():
        return None
    tree = trafilatura.load_html(page[:MAX_HTML_CHARS])
    if tree is None:
        return None
    if tree.xpath("count(//*)") > MAX_ELEMENTS:
        log.warning("extract: page has too many elements", extra={"article_url": url})
        return None
    document = _trafilatura(tree, url)
    if document is None:
        return None
    title = _clean_line(document.title)
    _drop_title_heading(document, title)
    if len((document.text or "").strip()) < MIN_TEXT_CHARS:
        return None
    image_url = _absolute(url, document.image) or _first_content_image(tree, url)
    return Extracted(
        title=title,
        author=_clean_line(document.author),
        published=_published(document.date),
        language=_language(tree),
        text=_paragraphs(document.text),
        html=_nfc(sanitize_html(_body_html(document.body), base_url=url)),
        image_url=image_url,
        image_caption=_caption(tree, url, image_url) if image_url else None,
        canonical_url=_canonical(tree, url),
    )


def _trafilatura(tree: HtmlElement, url: str) -> Document | None:
    date_params = {
        "original_date": True,
        "extensive_search": True,
        "outputformat": DATE_FORMAT,
        # Computed per call: a value fixed at start-up would reject every article after that day.
        "max_date": (date.today() + timedelta(days=1)).isoformat(),
    }
    try:
        return trafilatura.bare_extraction(
            tree, url=url, with_metadata=True, date_extraction_params=date_params, **TRAFILATURA_SETTINGS
        )
    except Exception:  # one odd page must not fail the poll of its whole feed
        # Hostile markup can push trafilatura, htmldate or dateparser past their limits or into a bug.
        log.warning("extract: trafilatura failed on the page", extra={"article_url": url}, exc_info=True)
        return None


def _drop_title_heading(document: Document, title: str | None) -> None:
    """The page's headline is the article's title, shown apart: remove it from the top of the body."""
    first = document.body[0] if len(document.body) else None
    if title is None or first is None or first.tag != "head":
        return
    if _clean_line("".join(first.itertext())) == title:
        document.body.remove(first)
        first_line, _, rest = (document.text or "").lstrip().partition("\n")
        document.text = rest if _clean_line(first_line) == title else document.text


def _paragraphs(text: str) -> str:
    return _nfc("\n\n".join(line for line in (raw.strip() for raw in text.splitlines()) if line))


def _nfc(text: str) -> str:
    # Pages mix composed and decomposed accents; trafilatura's own text output is NFC, so is ours.
    return unicodedata.normalize("NFC", text)


def _clean_line(value: str | None) -> str | None:
    value = _nfc(" ".join((value or "").split()))
    return value or None


def _published(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=LOCAL_TIMEZONE)


# trafilatura's internal XML -> HTML tags we allow (sanitize_html maps heading levels into range).
_HTML_TAGS = {"p": "p", "quote": "blockquote", "lb": "br", "item": "li", "table": "table", "row": "tr", "code": "p"}


def _body_html(body: etree._Element) -> str:
    """HTML of trafilatura's XML body; formatting is off, so it holds only block structure."""
    for element in body.iter():
        tag = element.tag
        if tag == "head":
            element.tag = element.get("rend", "h3") if element.get("rend", "")[1:].isdigit() else "h3"
        elif tag == "list":
            element.tag = "ol" if element.get("rend") == "ol" else "ul"
        elif tag == "cell":
            element.tag = "th" if element.get("role") == "head" else "td"
        elif tag == "div":
            has_blocks = any(child.tag in ("p", "div", "list", "table", "quote", "head") for child in element)
            element.tag = "span" if has_blocks else "p"
        elif isinstance(tag, str):
            element.tag = _HTML_TAGS.get(tag, "span")
        element.attrib.clear()
    body.tag = "div"
    return etree.tostring(body, method="html", encoding="unicode")


def _absolute(base: str, link: str | None) -> str | None:
    link = (link or "").strip()
    if not link or link.startswith("data:"):
        return None
    try:
        absolute = urljoin(base, link)
        parts = urlsplit(absolute)
    except ValueError:
        return None
    return absolute if parts.scheme in ("http", "https") and parts.netloc else None


def _canonical(tree: HtmlElement, url: str) -> str | None:
    for link in tree.iterfind(".//link[@href]"):
        if "canonical" in (link.get("rel") or "").lower().split():
            return _absolute(url, link.get("href"))
    for meta in tree.iterfind(".//meta[@content]"):
        if (meta.get("property") or meta.get("name") or "").lower() == "og:url":
            return _absolute(url, meta.get("content"))
    return None


_LANGUAGE_METAS = {"content-language", "language", "dc.language", "og:locale", "lang"}


def _language(tree: HtmlElement) -> str | None:
    candidates = [tree.get("lang"), tree.get("{http://www.w3.org/XML/1998/namespace}lang")]
    for meta in tree.iterfind(".//meta[@content]"):
        key = (meta.get("http-equiv") or meta.get("property") or meta.get("name") or "").lower()
        if key in _LANGUAGE_METAS:
            candidates.append(meta.get("content"))
    for candidate in candidates:
        code = (candidate or "").strip()[:3].replace("_", "-").split("-")[0].lower()
        if len(code) == 2 and code.isalpha() and code.isascii():
            return code
    return None


_IMAGE_SOURCES = ("src", "data-src", "data-lazy-src", "data-original")
_CONTENT_IMAGE_PATHS = (".//article//img", ".//main//img", ".//figure//img")
_MIN_IMAGE_SIDE = 100  # icons, avatars and tracking pixels are smaller


def _image_source(img: etree._Element, url: str) -> str | None:
    for attribute in _IMAGE_SOURCES:
        source = _absolute(url, img.get(attribute))
        if source:
            return source
    return None


def _first_content_image(tree: HtmlElement, url: str) -> str | None:
    for path in _CONTENT_IMAGE_PATHS:
        for img in tree.iterfind(path):
            sides = [img.get("width", ""), img.get("height", "")]
            if any(side.isdigit() and int(side) < _MIN_IMAGE_SIDE for side in sides):
                continue
            source = _image_source(img, url)
            if source:
                return source
    return None


def _caption(tree: HtmlElement, url: str, image_url: str) -> str | None:
    """figcaption, else alt text, of the <img> showing the lead image (matched by file name)."""
    wanted = _file_name(image_url)
    if not wanted:
        return None
    for img in tree.iter("img"):
        source = _image_source(img, url)
        if not source or _file_name(source) != wanted:
            continue
        figure = next((a for a in img.iterancestors("figure")), None)
        caption = figure.find(".//figcaption") if figure is not None else None
        text = _clean_line(caption.text_content()) if caption is not None else None
        return text or _clean_line(img.get("alt"))
    return None


_SIZE_SUFFIX = re.compile(r"([-_]\d{2,4}x\d{2,4}|[-_]scaled)?\.\w{2,5}$")


def _file_name(link: str) -> str:
    """File name without extension or a CMS size suffix ("photo-1200x630.jpg" -> "photo")."""
    # Sites often serve the og:image and the inline picture in different sizes, or from another host.
    return _SIZE_SUFFIX.sub("", urlsplit(link).path.rsplit("/", 1)[-1].lower())
