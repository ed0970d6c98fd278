"""sanitize_html keeps the harmless structure of article HTML; plain_text flattens it to paragraphs.

Everything shown on the site passes through sanitize_html first, whether it came from a page or a feed.
The allow-list is small on purpose: paragraphs, a few headings, lists, quotes, emphasis, links, figures
and images, and tables (their cells would run together as one word if the tags were stripped).
"""

import re
from urllib.parse import urlsplit

import nh3
from lxml import etree

ALLOWED_TAGS = {
    "p", "br", "h2", "h3", "h4", "ul", "ol", "li", "blockquote", "strong", "em", "b", "i",
    "a", "figure", "figcaption", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
# No <img>: readers' browsers never load a publisher's image; the lead image is served from /img/.
ALLOWED_ATTRIBUTES = {"a": {"href"}}
# Removed with everything inside them; any other unknown tag is unwrapped and keeps its text.
DROPPED_WITH_CONTENT = {
    "script", "style", "iframe", "object", "embed", "form", "svg", "math", "template",
    "noscript", "select", "textarea", "button", "applet", "frameset", "noembed", "noframes",
}  # fmt: skip
LINK_REL = "nofollow noopener ugc"
URL_SCHEMES = {"http", "https"}

# The site's own <h1> is the article title; other heading levels are folded into the allowed range
# so that they still read as headings instead of melting into the next paragraph.
_HEADING_TAG = re.compile(r"<(/?)h([1-6])\b", re.IGNORECASE)
_HEADING_LEVEL = {"1": "2", "2": "2", "3": "3", "4": "4", "5": "4", "6": "4"}

_BLOCKS = {
    "p", "div", "section", "article", "header", "footer", "main", "aside", "nav", "h1", "h2", "h3", "h4",
    "h5", "h6", "ul", "ol", "li", "dl", "dt", "dd", "blockquote", "figure", "figcaption", "pre",
    "table", "tr", "address", "hr",
}  # fmt: skip
_INVISIBLE = DROPPED_WITH_CONTENT | {"head", "title"}
_PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True, no_network=True)
_BREAK = "\x00"  # marks a paragraph boundary while walking; never present in real text


_NOT_XML_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def sanitize_html(html: str, *, base_url: str | None = None) -> str:
    """Keep only the allowed tags and http(s) URLs, resolving relative ones against base_url."""
    if not html:
        return ""
    # A lone surrogate (a broken numeric entity upstream) cannot cross into nh3's UTF-8; control characters
    # would make our own RSS and Atom feeds invalid XML, and no page means them.
    html = _NOT_XML_TEXT.sub("", html.encode("utf-8", "replace").decode("utf-8"))
    html = _HEADING_TAG.sub(lambda m: f"<{m[1]}h{_HEADING_LEVEL[m[2]]}", html)
    try:
        return _clean(html, _relative_urls(base_url))
    except ValueError:  # nh3 refuses a base URL it cannot parse (e.g. a bad host name)
        return _clean(html, "deny")


def _clean(html: str, url_relative: str | tuple[str, str]) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        link_rel=LINK_REL,
        url_schemes=URL_SCHEMES,
        url_relative=url_relative,
        strip_comments=True,
    )


def _relative_urls(base_url: str | None) -> str | tuple[str, str]:
    try:
        parts = urlsplit(base_url or "")
    except ValueError:
        parts = urlsplit("")
    if base_url and parts.scheme in URL_SCHEMES and parts.netloc:
        return ("rewrite_with_base", base_url)
    # Without a usable base a relative link cannot be made to work on our site.
    return "deny"


def plain_text(html: str) -> str:
    """Text of an HTML fragment: whitespace collapsed, paragraphs separated by a blank line."""
    if not html or not html.strip():
        return ""
    try:
        root = etree.fromstring(f"<html><body>{html}</body></html>", _PARSER)
    except (etree.ParserError, ValueError):
        return ""
    if root is None:
        return ""
    pieces: list[str] = []
    # iterwalk is iterative: a hostile fragment can nest deeper than Python's recursion limit.
    walker = etree.iterwalk(root, events=("start", "end"))
    for event, element in walker:
        tag = element.tag if isinstance(element.tag, str) else ""
        if event == "end":
            pieces.append(_BREAK if tag in _BLOCKS else "")
            pieces.append(element.tail or "")
        elif tag in _INVISIBLE:
            walker.skip_subtree()
            pieces.append(_BREAK)  # its end event adds the tail, not its text
        elif tag:
            pieces.append(_BREAK if tag in _BLOCKS or tag == "br" else "")
            pieces.append(element.text or "")
    paragraphs = (" ".join(chunk.split()) for chunk in "".join(pieces).split(_BREAK))
    return "\n\n".join(p for p in paragraphs if p)
