"""Fuzzing the pure stages with hypothesis: whatever bytes a publisher sends, nothing escapes a stage but its own
error type, and what it returns keeps its promises (sanitised HTML holds nothing executable, URLs stay strings).

Bounded: AKHBAR_FUZZ_EXAMPLES examples a stage (default 150, about a minute in all on 2 cores); raise it
locally to fuzz longer. Inputs are random bytes, and real fixtures (tests/data) spliced with random bytes, so
that the parsers get past their first checks.
"""

import os
from datetime import datetime
from pathlib import Path

import lxml.html
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from akhbar.crawl.decode import decode_html
from akhbar.crawl.extract import extract_article
from akhbar.crawl.feeds import FeedError, parse_feed
from akhbar.crawl.normalize import canonical_url, clean_text_line, parse_date, split_title_tags, text_from_html
from akhbar.crawl.sanitize import sanitize_html

DATA = Path(__file__).resolve().parent.parent / "data"
FEEDS = [p.read_bytes() for p in sorted((DATA / "feeds").glob("*.xml"))]
PAGES = [p.read_bytes() for p in sorted((DATA / "extract").glob("*.html"))]
EXAMPLES = int(os.environ.get("AKHBAR_FUZZ_EXAMPLES", 150))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=False, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
EXECUTABLE_ATTRIBUTES = ("onerror", "onload", "onclick", "onmouseover", "onfocus", "srcdoc", "formaction")


@st.composite
def spliced(draw, corpus: list[bytes]) -> bytes:
    """A real fixture with a few random byte runs inserted, replaced or cut out."""
    body = bytearray(draw(st.sampled_from(corpus)))
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(body)))
        cut = draw(st.integers(0, 64))
        body[at:at + cut] = draw(st.binary(max_size=64))
    return bytes(body)


def feed_bodies() -> st.SearchStrategy[bytes]:
    return st.one_of(st.binary(max_size=4096), spliced(FEEDS))


def page_bodies() -> st.SearchStrategy[bytes]:
    return st.one_of(st.binary(max_size=4096), spliced(PAGES))


def assert_not_executable(html: str) -> None:
    if not html.strip():
        return
    tree = lxml.html.fragment_fromstring(html, create_parent="div")
    assert not tree.xpath("//script|//iframe|//object|//embed|//style|//form"), html[:500]
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on") and name.lower() not in EXECUTABLE_ATTRIBUTES, html[:500]
            assert not value.strip().lower().startswith(("javascript:", "vbscript:", "data:text/html")), html[:500]


@FUZZ
@given(body=feed_bodies(), content_type=st.sampled_from([None, "application/rss+xml", "text/html", "text/xml; charset=windows-1256"]))
def test_feed_parsing_raises_only_feed_errors(body, content_type):
    try:
        parsed = parse_feed(body, url="https://example.ma/feed", content_type=content_type)
    except FeedError as error:
        assert str(error).startswith("feeds:")
        return
    for entry in parsed.entries:
        assert isinstance(entry.title, str)
        assert entry.link is None or isinstance(entry.link, str)
        assert entry.published is None or entry.published.tzinfo is not None


@FUZZ
@given(body=page_bodies(), charset=st.sampled_from([None, "utf-8", "windows-1256", "iso-8859-1", "bogus-charset"]))
def test_extraction_returns_an_article_or_none_and_its_html_is_safe(body, charset):
    found = extract_article(body, url="https://example.ma/article/1", http_charset=charset)
    if found is not None:
        assert isinstance(found.text, str) and isinstance(found.html, str)
        assert_not_executable(found.html)


@FUZZ
@given(body=page_bodies(), charset=st.sampled_from([None, "utf-8", "windows-1256", "utf-16", "nonsense"]))
def test_decoding_always_gives_text(body, charset):
    assert isinstance(decode_html(body, http_charset=charset), str)


@FUZZ
@given(html=st.one_of(st.text(max_size=2000), page_bodies().map(lambda b: b.decode("utf-8", "replace"))))
def test_sanitised_html_holds_nothing_executable(html):
    assert_not_executable(sanitize_html(html, base_url="https://example.ma/a/"))


@FUZZ
@given(url=st.text(max_size=300), canonical=st.one_of(st.none(), st.text(max_size=200)))
def test_url_normalisation_never_fails(url, canonical):
    assert isinstance(canonical_url(url, canonical=canonical), str)


@FUZZ
@given(text=st.text(max_size=500))
def test_text_normalisation_never_fails(text):
    assert isinstance(clean_text_line(text), str)
    assert isinstance(text_from_html(text), str)
    title, tags = split_title_tags(text)
    assert isinstance(title, str) and all(isinstance(tag, str) for tag in tags)
    when = parse_date(text)
    assert when is None or (isinstance(when, datetime) and when.tzinfo is not None)


@pytest.mark.parametrize("body", FEEDS[:3])
def test_the_fixtures_used_as_seeds_are_read(body):
    # The splices start from real feeds: if none of them parsed, the fuzzing would only test the error path.
    try:
        parse_feed(body, url="https://example.ma/feed")
    except FeedError:
        pytest.skip("a hostile fixture")
