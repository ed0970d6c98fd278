"""Outlets and feeds: the default list, OPML, claiming due feeds, the health table."""

from datetime import timedelta

import pytest
from django.utils import timezone

from akhbar.sources.defaults import read_outlets_tsv
from akhbar.sources.models import Feed, Outlet
from akhbar.sources.opml import OpmlError, export_opml, parse_opml
from akhbar.sources.selectors import feed_health_list
from akhbar.sources.services import SourceError, feed_add, feeds_claim_due, outlet_upsert, outlets_load

pytestmark = pytest.mark.django_db(transaction=True)


def test_default_list_has_thirty_real_outlets_in_four_languages():
    rows = read_outlets_tsv()
    assert len(rows) >= 30
    assert {row["lang"] for row in rows} >= {"fr", "ar", "en"}
    assert len({row["slug"] for row in rows}) == len(rows)
    names = {row["name"] for row in rows}
    assert {"L'opinion", "Le360", "Hespress FR"} <= names
    assert all(row["feeds"][0].startswith("https://") for row in rows)


def test_load_defaults_is_idempotent():
    rows = read_outlets_tsv()
    assert outlets_load(rows) == len(rows)
    assert outlets_load(rows) == 0
    assert Outlet.objects.count() == len(rows)
    assert Feed.objects.count() == len(rows)


def test_opml_round_trip_keeps_outlets_and_feeds():
    outlet = outlet_upsert(name="Le360", slug="le360", homepage="https://le360.ma/", language="fr", category="economie")
    feed_add(outlet=outlet, url="https://fr.le360.ma/rss")
    feed_add(outlet=outlet, url="https://fr.le360.ma/economie/feed")
    document = export_opml(list(Outlet.objects.all()))
    rows = parse_opml(document)
    assert rows == [{
        "name": "Le360", "slug": "le360", "homepage": "https://le360.ma/", "lang": "fr", "category": "economie",
        "feeds": ["https://fr.le360.ma/economie/feed", "https://fr.le360.ma/rss"],
    }]


def test_opml_from_another_reader_and_broken_opml():
    rows = parse_opml(b"""<?xml version="1.0"?><opml version="1.0"><body>
      <outline text="Maroc"><outline text="TelQuel" type="rss" xmlUrl="https://telquel.ma/feed"/></outline>
      </body></opml>""")
    assert [(r["name"], r["slug"], r["feeds"]) for r in rows] == [("TelQuel", "telquel", ["https://telquel.ma/feed"])]
    with pytest.raises(OpmlError, match="^opml: "):
        parse_opml(b"<opml><body><outline")
    with pytest.raises(OpmlError, match="no feed found"):
        parse_opml(b"<opml><body><outline text='x'/></body></opml>")


def test_reserved_slugs_and_bad_feed_addresses_are_refused_in_words():
    with pytest.raises(SourceError, match="used by the site"):
        outlet_upsert(name="Admin", slug="admin")
    outlet = outlet_upsert(name="Goud", language="ar")
    with pytest.raises(SourceError, match="must start with http"):
        feed_add(outlet=outlet, url="file:///etc/passwd")


def test_due_feeds_are_claimed_once():
    outlet = outlet_upsert(name="Goud", language="ar")
    due = feed_add(outlet=outlet, url="https://www.goud.ma/feed")
    later = feed_add(outlet=outlet, url="https://www.goud.ma/later")
    Feed.objects.filter(pk=later.pk).update(next_attempt_at=timezone.now() + timedelta(hours=1))
    assert feeds_claim_due() == [due.pk]
    assert feeds_claim_due() == []  # the claim pushed it forward: a second scheduler gets nothing
    assert set(feeds_claim_due(force=True)) == {due.pk, later.pk}


def test_health_table_says_what_is_wrong():
    outlet = outlet_upsert(name="Goud", language="ar")
    feed = feed_add(outlet=outlet, url="https://www.goud.ma/feed")
    Feed.objects.filter(pk=feed.pk).update(consecutive_failures=3, last_error="fetch: the server answered 404")
    (row,) = feed_health_list()
    assert row.status == "failing" and row.consecutive_failures == 3
    assert row.last_error == "fetch: the server answered 404"
    assert row.as_json()["next_attempt"]


def test_a_warning_shows_in_health_survives_a_304_and_clears_when_fixed():
    from akhbar.crawl import store

    outlet = outlet_upsert(name="Le Reporter")
    feed = feed_add(outlet=outlet, url="https://www.lereporter.ma/feed/")
    (job,) = store.feed_jobs([feed.pk])
    store.record_success(job, etag=None, last_modified=None, new_articles=2,
                         warning="feeds: the feed is not well-formed XML")
    (row,) = feed_health_list()
    assert row.status == "warning" and row.last_error == "feeds: the feed is not well-formed XML"
    store.record_success(job, etag=None, last_modified=None, new_articles=0)  # a 304
    assert feed_health_list()[0].status == "warning"
    store.record_success(job, etag=None, last_modified=None, new_articles=0, warning="")
    assert feed_health_list()[0].status == "ok"
