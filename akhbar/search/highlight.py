"""Matches shown to the reader: the words of a text that a query's terms match, marked."""

import re
from functools import lru_cache

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from akhbar.search.fold import fold
from akhbar.search.selectors import MIN_PREFIX

WORD = re.compile(r"\w+")


@lru_cache(maxsize=65_536)
def _folded(word: str) -> str:
    return fold(word)  # a page folds some 1,200 words, most of them again and again


def _matches(word: str, terms: list[str]) -> bool:
    folded = _folded(word)
    return any(folded == term or (len(term) >= MIN_PREFIX and folded.startswith(term)) for term in terms)


def highlight(text: str, terms: list[str]) -> SafeString:
    """The text, escaped, with every matching word in <mark>."""
    pieces, position = [], 0
    for match in WORD.finditer(text):
        if _matches(match.group(), terms):
            pieces += [escape(text[position:match.start()]), f"<mark>{escape(match.group())}</mark>"]
            position = match.end()
    pieces.append(escape(text[position:]))
    return mark_safe("".join(pieces))  # noqa: S308 - every piece is escaped


def excerpt(text: str, terms: list[str], *, width: int = 240) -> SafeString:
    """About `width` characters of the text around its first match, highlighted."""
    first = next((m.start() for m in WORD.finditer(text) if _matches(m.group(), terms)), 0)
    start = max(0, first - width // 3)
    if start:
        start = text.find(" ", start) + 1 or start
    end = min(len(text), start + width)
    shown = text[start:end]
    return mark_safe(("… " if start else "") + highlight(shown, terms) + (" …" if end < len(text) else ""))  # noqa: S308
