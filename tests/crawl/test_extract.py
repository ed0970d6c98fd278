"""extract_article on saved pages, each with its expectation beside it, and on hostile input.

Adding a case is adding tests/data/extract/NAME.html with NAME.expected.json: `url` (passed to
extract_article), optional `http_charset`, `article` (false when the page holds none), then any of
title, author, published (ISO 8601 with offset), language, image_url, image_caption, canonical_url
(compared exactly when present), text_contains, text_excludes and html_contains (lists of strings).
"""

import json
import re
import time
from datetime import datetime
from pathlib import Path

import pytest

from akhbar.crawl.extract import MAX_HTML_CHARS, Extracted, ExtractError, extract_article

FIXTURES = Path(__file__).parents[1] / "data" / "extract"
PAGES = sorted(FIXTURES.glob("*.html"))
EXACT_FIELDS = ("title", "author", "language", "image_url", "image_caption", "canonical_url")
HOSTILE_SECONDS = 10.0


def _expectation(page: Path) -> dict:
    return json.loads(page.with_suffix(".expected.json").read_text(encoding="utf-8"))


def test_every_page_has_an_expectation():
    assert PAGES, f"no fixtures in {FIXTURES}"
    missing = [p.name for p in PAGES if not p.with_suffix(".expected.json").is_file()]
    assert not missing, f"add NAME.expected.json beside: {missing}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_fixture(page: Path):
    expected = _expectation(page)
    result = extract_article(page.read_bytes(), url=expected["url"], http_charset=expected.get("http_charset"))
    if not expected["article"]:
        assert result is None
        return
    assert isinstance(result, Extracted)
    for name in EXACT_FIELDS:
        if name in expected:
            assert getattr(result, name) == expected[name], name
    if "published" in expected:
        wanted = expected["published"] and datetime.fromisoformat(expected["published"])
        assert result.published == wanted
        assert result.published is None or result.published.utcoffset() == wanted.utcoffset()
    for snippet in expected.get("text_contains", []):
        assert snippet in result.text
    for snippet in expected.get("text_excludes", []):
        assert snippet not in result.text
    for snippet in expected.get("html_contains", []):
        assert snippet in result.html
    _assert_shape(result)


def _assert_shape(result: Extracted) -> None:
    assert "\n\n" in result.text and "\n\n\n" not in result.text
    assert result.text == result.text.strip()
    assert result.html.startswith("<") and "<script" not in result.html and "<div" not in result.html
    assert result.published is None or result.published.tzinfo is not None
    assert result.language is None or re.fullmatch(r"[a-z]{2}", result.language)


def _page(body: str, *, lang: str = "fr") -> str:
    return f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>T</title></head><body>{body}</body></html>'


ARTICLE = "".join(
    f"<p>Paragraphe numéro {i} d'un article de presse suffisamment long pour être retenu comme texte.</p>"
    for i in range(6)
)


def test_str_and_bytes_give_the_same_result():
    html = _page(f"<article>{ARTICLE}</article>")
    assert extract_article(html, url="https://a.ma/x") == extract_article(html.encode(), url="https://a.ma/x")


def test_http_charset_is_used_for_bytes():
    body = _page(f"<article>{ARTICLE}<p>Très été à Fès.</p></article>").replace('<meta charset="utf-8">', "")
    result = extract_article(body.encode("cp1252"), url="https://a.ma/x", http_charset="windows-1252")
    assert "Très été à Fès." in result.text


def test_paragraphs_are_separated_by_a_blank_line():
    result = extract_article(_page(f"<article>{ARTICLE}</article>"), url="https://a.ma/x")
    assert result.text.split("\n\n")[1].startswith("Paragraphe numéro 1")
    assert result.html.count("<p>") == 6


def test_html_is_sanitised():
    hostile = '<p onclick="steal()">Cliquez <a href="javascript:alert(1)">ici</a> pour lire la suite.</p>'
    result = extract_article(_page(f"<article>{ARTICLE}{hostile}</article>"), url="https://a.ma/x")
    assert "onclick" not in result.html and "javascript:" not in result.html


def test_page_without_text_gives_none():
    assert extract_article(b"", url="https://a.ma/x") is None
    assert extract_article(_page(""), url="https://a.ma/x") is None
    assert extract_article(_page("<p>Trop court.</p>"), url="https://a.ma/x") is None


def test_input_that_is_not_a_page_raises():
    with pytest.raises(ExtractError, match="^extract: "):
        extract_article(None, url="https://a.ma/x")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "name, html",
    [
        ("200k nested divs", "<div>" * 200_000 + ARTICLE + "</div>" * 200_000),
        ("200k nested tables", "<table><tr><td>" * 70_000 + ARTICLE),
        ("200k empty elements", "<b></b>" * 200_000 + ARTICLE),
        ("huge page", ARTICLE + "<script>" + "var x=1;" * (MAX_HTML_CHARS // 4) + "</script>"),
        ("huge attribute", f'<p title="{"a" * 3_000_000}">x</p>' + ARTICLE),
        ("binary garbage", bytes(range(256)).decode("latin-1") * 2000),
        ("unclosed everything", "<article><p><blockquote><ul><li><table><tr><td>" * 5000 + ARTICLE),
    ],
)
def test_hostile_pages_return_in_bounded_time(name: str, html: str):
    started = time.monotonic()
    result = extract_article(_page(html).encode(), url="https://a.ma/x")
    assert result is None or isinstance(result, Extracted)
    assert time.monotonic() - started < HOSTILE_SECONDS, name


def test_lone_surrogates_in_str_input_do_not_break_extraction():
    result = extract_article(
        _page(f"<article>{ARTICLE}<p>Texte cassé \ud800 ici, mais lisible.</p></article>"), url="https://a.ma/x"
    )
    assert "Texte cassé" in result.text and "\ud800" not in result.text + result.html


def test_xml_declaration_with_legacy_encoding():
    arabic = "أعلنت وزارة الاقتصاد والمالية عن ارتفاع معدل النمو الاقتصادي خلال الربع الثالث من السنة الجارية."
    page = (
        '<?xml version="1.0" encoding="windows-1256"?><html xmlns="http://www.w3.org/1999/xhtml" lang="ar">'
        f"<head><title>t</title></head><body><article>{f'<p>{arabic}</p>' * 3}</article></body></html>"
    )
    result = extract_article(page.encode("cp1256"), url="https://a.ma/x")
    assert result.text.startswith(arabic) and result.language == "ar"
