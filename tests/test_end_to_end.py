"""From the sample publisher's feeds to our pages, with the real crawler and a real HTTP server."""

import re

import lxml.html
import pytest
from django.test import Client

from akhbar.news.models import Article
from akhbar.sources.models import Feed
from akhbar.sources.services import feed_add, outlet_upsert
from tests.helpers import crawl_all

pytestmark = pytest.mark.django_db(transaction=True)


def test_crawl_stores_every_outlets_articles_with_full_text(demo_outlets):
    outcomes = crawl_all()
    assert [o.error for o in outcomes if o.error] == []
    for outlet in demo_outlets:
        stored = Article.objects.filter(outlet__slug=outlet["slug"])
        assert stored.count() >= 3, outlet["slug"]
    # Full text from the page, not the feed's summary: long, and without the page's furniture.
    article = Article.objects.filter(outlet__slug="lopinion").order_by("-word_count").first()
    assert article.word_count > 150
    assert article.extraction_note == ""
    assert "<script" not in article.content_html


def test_second_crawl_adds_nothing_and_is_answered_304(demo_outlets, sample_publisher):
    crawl_all()
    count = Article.objects.count()
    outcomes = crawl_all()
    assert Article.objects.count() == count
    assert sum(o.new_articles for o in outcomes) == 0
    assert all(o.not_modified for o in outcomes), [(o.url, o.error) for o in outcomes if not o.not_modified]


def test_arabic_windows_1256_titles_come_out_right(demo_outlets):
    crawl_all()
    arabic = Article.objects.filter(language="ar")
    assert arabic.exists()
    for article in arabic:
        assert re.search(r"[\u0600-\u06FF]{3}", article.title), article.title
        assert "\ufffd" not in article.title + article.content_html


def test_home_ticker_and_article_page_show_the_model_lines(demo_outlets):
    crawl_all()
    client = Client()
    home = lxml.html.fromstring(client.get("/fr/").content)
    article = Article.objects.get(outlet__slug="lopinion", published_at__date="2024-10-04")
    ticker_links = home.xpath('//*[contains(@class, "ticker")]//a/@href')
    assert len(ticker_links) >= 20
    assert article.get_absolute_url() in ticker_links

    page = lxml.html.fromstring(client.get(article.get_absolute_url()).content)
    assert page.xpath("string(//h1)") == article.title
    lines = [" ".join(p.text_content().split()) for p in page.xpath("//p")]
    assert "Publié dans L'opinion le 04 - 10 - 2024" in lines
    (source,) = page.xpath('//a[normalize-space(.)="Cliquez ici pour lire l\'article depuis sa source."]')
    assert source.get("href") == article.url
    assert source.get("rel") == "nofollow noopener"
    body_text = page.xpath("string(//*[contains(@class, 'article-body')])")
    assert len(body_text.split()) > 150


def test_failing_feeds_are_reported_in_words_while_others_are_stored(demo_outlets, sample_publisher):
    broken = outlet_upsert(name="Cassé", slug="casse", language="fr")
    for path in ("/broken/404.rss", "/broken/invalid.rss", "/broken/slow.rss"):
        feed_add(outlet=broken, url=sample_publisher.base_url + path)
    outcomes = crawl_all()
    errors = {o.url.rsplit("/", 1)[-1]: o.error for o in outcomes if o.error}
    assert set(errors) == {"404.rss", "invalid.rss", "slow.rss"}
    assert "404" in errors["404.rss"]
    assert errors["slow.rss"].startswith("fetch:")
    for feed in Feed.objects.filter(outlet=broken):
        assert feed.consecutive_failures == 1 and feed.last_error
        assert feed.next_attempt_at > feed.last_attempt_at
    healthy = Feed.objects.exclude(outlet=broken)
    assert all(f.consecutive_failures == 0 and f.last_success_at for f in healthy)
    assert Article.objects.exclude(outlet=broken).count() > 10


def test_two_feeds_carrying_the_same_articles_store_each_once(demo_outlets, sample_publisher):
    lopinion = Feed.objects.get(outlet__slug="lopinion")
    feed_add(outlet=lopinion.outlet, url=f"{sample_publisher.base_url}/lopinion/news-sitemap.xml")
    outcomes = crawl_all(outlet_slug="lopinion")
    assert [o.error for o in outcomes] == [None, None]
    stored = Article.objects.filter(outlet__slug="lopinion")
    assert stored.count() == len(sample_publisher.article_urls("lopinion"))
    assert stored.values("url").distinct().count() == stored.count()
