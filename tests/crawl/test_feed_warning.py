"""A feed cut off mid-way still gives the entries before the cut, and says what is wrong with it."""

from akhbar.crawl.feeds import parse_feed

TRUNCATED = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Le Reporter</title><link>https://lereporter.ma/</link>
<item><title>Premier article</title><link>https://lereporter.ma/1</link></item>
<item><title>Second article</title><link>https://lereporter.ma/2</link></item>
<item><title>Troisi"""


def test_truncated_feed_keeps_its_entries_and_warns():
    parsed = parse_feed(TRUNCATED, url="https://lereporter.ma/feed")
    assert [e.title for e in parsed.entries] == ["Premier article", "Second article"]
    assert parsed.warning.startswith("feeds: the feed is not well-formed XML")
    assert "2 entries were read anyway" in parsed.warning


def test_well_formed_feed_has_no_warning():
    whole = TRUNCATED.rsplit(b"<item><title>Troisi", 1)[0] + b"</channel></rss>"
    assert parse_feed(whole, url="https://lereporter.ma/feed").warning is None
