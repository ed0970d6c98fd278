"""parse_feed over tests/data/feeds/: each NAME.<ext> sits beside NAME.expected.json.

Expectation keys (all optional): url, content_type; error + feed_links for a FeedError;
title, link, format, sitemaps, entry_count; entries (a list compared index by index,
only on the keys given; "published" as ISO 8601, "content_html_contains" a list of
substrings, "title_length" an exact length); must_not_contain (substrings absent from
repr of the result); max_cpu_seconds; max_repr_chars. A ".gz" body is gunzipped first.
"""

from __future__ import annotations

import gzip
import json
import time
from datetime import datetime
from pathlib import Path

import pytest

from akhbar.crawl.feeds import Entry, FeedError, ParsedFeed, parse_feed

FIXTURES = Path(__file__).parents[1] / "data" / "feeds"
CASES = sorted(FIXTURES.glob("*.expected.json"))
DEFAULT_URL = "https://www.example.ma/feed"


def load_case(expected_path: Path) -> tuple[bytes, dict]:
    stem = expected_path.name.removesuffix(".expected.json")
    bodies = [p for p in FIXTURES.glob(f"{stem}.*") if p != expected_path]
    assert len(bodies) == 1, f"{stem}: expected exactly one body file beside {expected_path.name}"
    raw = bodies[0].read_bytes()
    body = gzip.decompress(raw) if bodies[0].suffix == ".gz" else raw
    return body, json.loads(expected_path.read_text(encoding="utf-8"))


def check_entry(entry: Entry, expected: dict, where: str) -> None:
    for key, want in expected.items():
        if key == "content_html_contains":
            for fragment in want:
                assert fragment in entry.content_html, f"{where}: {fragment!r} not in content_html"
        elif key == "title_length":
            assert len(entry.title) == want, where
        elif key == "published":
            got = entry.published.isoformat() if entry.published else None
            assert got == want, f"{where}.published"
            if entry.published is not None:
                assert entry.published.tzinfo is not None, f"{where}: published must be aware"
        elif key == "categories":
            assert list(entry.categories) == want, f"{where}.categories"
        else:
            assert getattr(entry, key) == want, f"{where}.{key}"


def check_feed(result: ParsedFeed, expected: dict, name: str) -> None:
    for key in ("title", "link", "format", "sitemaps"):
        if key in expected:
            assert getattr(result, key) == expected[key], f"{name}: feed {key}"
    if "entry_count" in expected:
        assert len(result.entries) == expected["entry_count"], f"{name}: entry count"
    for index, want in enumerate(expected.get("entries", [])):
        check_entry(result.entries[index], want, f"{name}: entries[{index}]")
    for entry in result.entries:
        assert entry.link is None or entry.link.startswith(("http://", "https://")), name
        assert isinstance(entry.categories, tuple) and isinstance(entry.title, str), name
        assert entry.published is None or isinstance(entry.published, datetime), name


@pytest.mark.parametrize("expected_path", CASES, ids=lambda p: p.name.removesuffix(".expected.json"))
def test_feed_fixture(expected_path: Path) -> None:
    body, expected = load_case(expected_path)
    name = expected_path.name
    started = time.process_time()
    try:
        result = parse_feed(body, url=expected.get("url", DEFAULT_URL), content_type=expected.get("content_type"))
    except FeedError as error:
        assert "error" in expected, f"{name}: unexpected FeedError: {error}"
        assert str(error).startswith(expected["error"]), f"{name}: {error}"
        if "feed_links" in expected:
            assert list(error.feed_links) == expected["feed_links"], name
            assert all(link in str(error) for link in expected["feed_links"]), name
        return
    finally:
        elapsed = time.process_time() - started
        assert elapsed < expected.get("max_cpu_seconds", 5), f"{name}: {elapsed:.1f} s CPU"
    assert "error" not in expected, f"{name}: expected FeedError {expected['error']!r}"
    check_feed(result, expected, name)
    shown = repr(result)
    assert len(shown) <= expected.get("max_repr_chars", 10_000_000), f"{name}: output grew to {len(shown)} chars"
    for forbidden in expected.get("must_not_contain", []):
        assert forbidden not in shown, f"{name}: {forbidden!r} leaked into the result"


def test_every_fixture_has_an_expectation() -> None:
    bodies = {
        p.name.removesuffix(".gz").rsplit(".", 1)[0]
        for p in FIXTURES.iterdir() if not p.name.endswith(".expected.json")
    }
    expectations = {p.name.removesuffix(".expected.json") for p in CASES}
    assert bodies == expectations
