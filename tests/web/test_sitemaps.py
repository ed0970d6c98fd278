"""The sitemaps, the Google News sitemap, robots.txt and the OPML list, requested through Django's test client."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import defusedxml.ElementTree as safe_xml
import pytest
from django.test import Client
from django.utils import timezone

from akhbar.crawl import store
from akhbar.news.models import Article, Story
from akhbar.sources.models import Feed, Outlet
from akhbar.sources.opml import parse_opml
from akhbar.sources.services import feed_add, outlet_upsert
from akhbar.web.sitemaps import ArticlesSitemap

pytestmark = pytest.mark.django_db(transaction=True)
HOST = "http://testserver"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
WHEN = datetime(2024, 10, 4, 10, 0, tzinfo=ZoneInfo("Africa/Casablanca"))


def make_article(outlet, n: int, *, title: str = "", language: str = "fr", when: datetime = WHEN,
                 story=None) -> Article:
    url = f"https://www.{outlet.slug}.ma/article-{n}.html"
    return Article.objects.create(outlet=outlet, url=url, url_hash=store.url_hash(url), title=title or f"Article {n}",
                                  published_at=when, language=language, story=story)


def xml(url: str, content_type: str = "application/xml"):
    response = Client().get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith(content_type), response["Content-Type"]
    return safe_xml.fromstring(response.content)


def locations(root) -> list[str]:
    return [loc.text for loc in root.iter(f"{SITEMAP}loc")]


@pytest.fixture
def outlets():
    french = outlet_upsert(name="L'opinion", slug="lopinion", homepage="https://www.lopinion.ma/")
    arabic = outlet_upsert(name="هسبريس", slug="hespress-ar", language="ar")
    quiet = outlet_upsert(name="Sans articles", slug="sans-articles")
    return french, arabic, quiet


def test_the_index_lists_each_section_and_the_pages_of_the_articles(outlets, monkeypatch):
    french, arabic, _ = outlets
    for n in range(5):
        make_article(french if n % 2 else arabic, n, language="fr" if n % 2 else "ar")
    monkeypatch.setattr(ArticlesSitemap, "limit", 2)
    index = locations(xml("/sitemap.xml"))
    assert index == [f"{HOST}/sitemaps/{section}.xml" for section in ("editions", "outlets", "stories", "articles")] + [
        f"{HOST}/sitemaps/articles.xml?p=2", f"{HOST}/sitemaps/articles.xml?p=3"]
    # Every article once, at its page in its language's edition, across the pages; none past the last.
    pages = [locations(xml(url.removeprefix(HOST))) for url in index[3:]]
    expected = [HOST + article.get_absolute_url() for article in Article.objects.order_by("pk")]
    assert [loc for page in pages for loc in page] == expected
    assert all("/ar/hespress-ar/" in loc or "/fr/lopinion/" in loc for loc in expected)
    assert Client().get("/sitemaps/articles.xml?p=4").status_code == 404
    assert Client().get("/sitemaps/nothing.xml").status_code == 404


def test_every_article_appears_with_its_date_and_a_gap_leaves_a_short_page(outlets, monkeypatch):
    french = outlets[0]
    articles = [make_article(french, n, when=WHEN + timedelta(days=n)) for n in range(5)]
    articles[0].delete()  # taken down: pages start at the lowest id left
    articles[2].delete()
    monkeypatch.setattr(ArticlesSitemap, "limit", 2)
    first = xml("/sitemaps/articles.xml")
    urls = {url.find(f"{SITEMAP}loc").text: url.find(f"{SITEMAP}lastmod").text for url in first.iter(f"{SITEMAP}url")}
    assert urls == {f"{HOST}/fr/lopinion/{articles[1].pk}": "2024-10-05"}
    assert locations(xml("/sitemaps/articles.xml?p=2")) == [f"{HOST}/fr/lopinion/{a.pk}" for a in articles[3:]]


def test_the_editions_name_each_other_and_the_address_that_picks_one(outlets):
    root = xml("/sitemaps/editions.xml")
    assert locations(root) == [f"{HOST}/{code}/" for code in ("fr", "ar", "es", "en")]
    first = next(root.iter(f"{SITEMAP}url"))
    alternates = {link.get("hreflang"): link.get("href") for link in first.iter(f"{XHTML}link")}
    assert alternates == {"fr": f"{HOST}/fr/", "ar": f"{HOST}/ar/", "es": f"{HOST}/es/", "en": f"{HOST}/en/",
                          "x-default": f"{HOST}/"}


def test_outlets_with_articles_are_listed_in_their_languages_edition(outlets):
    french, arabic, quiet = outlets
    make_article(french, 1)
    make_article(arabic, 2, language="ar")
    gone = outlet_upsert(name="Fermé", slug="ferme")
    make_article(gone, 3)
    Outlet.objects.filter(pk=gone.pk).update(enabled=False)
    assert sorted(locations(xml("/sitemaps/outlets.xml"))) == [f"{HOST}/ar/hespress-ar/", f"{HOST}/fr/lopinion/"]


def test_only_stories_told_by_several_outlets_are_listed(outlets):
    french, arabic, _ = outlets
    told = Story.objects.create(first_published_at=WHEN, last_published_at=WHEN, outlets_count=2)
    told.headline = make_article(arabic, 1, language="ar", story=told)
    told.save()
    make_article(french, 2, story=told)
    Story.objects.create(first_published_at=WHEN, last_published_at=WHEN, outlets_count=1)
    Story.objects.create(first_published_at=WHEN, last_published_at=WHEN, outlets_count=3, merged_into=told)
    assert locations(xml("/sitemaps/stories.xml")) == [f"{HOST}/ar/sujet/{told.pk}/"]


def test_the_news_sitemap_lists_the_last_48_hours_newest_first(outlets):
    french, arabic, _ = outlets
    now = timezone.now()
    recent = make_article(french, 1, title="Budget & réformes : <le> vote", when=now - timedelta(hours=1))
    arabic_one = make_article(arabic, 2, title="المغرب يفوز", language="ar", when=now - timedelta(hours=47))
    make_article(french, 3, title="Trop ancien", when=now - timedelta(hours=49))
    response = Client().get("/sitemap-news.xml")
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    root = safe_xml.fromstring(response.content)
    assert root.tag == f"{SITEMAP}urlset"
    urls = list(root.iter(f"{SITEMAP}url"))
    assert [url.find(f"{SITEMAP}loc").text for url in urls] == [HOST + recent.get_absolute_url(),
                                                              HOST + arabic_one.get_absolute_url()]
    news = urls[1].find(f"{NEWS}news")
    assert news.find(f"{NEWS}publication/{NEWS}name").text == "Akhbar"
    assert news.find(f"{NEWS}publication/{NEWS}language").text == "ar"
    assert news.find(f"{NEWS}title").text == "المغرب يفوز"
    assert urls[0].find(f"{NEWS}news/{NEWS}title").text == "Budget & réformes : <le> vote"
    published = news.find(f"{NEWS}publication_date").text  # W3C: in Moroccan time, with its offset
    assert published.endswith("+01:00") and datetime.fromisoformat(published) == arabic_one.published_at


def test_robots_keeps_crawlers_off_admin_and_search_and_names_the_sitemaps():
    response = Client().get("/robots.txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[:3] == ["User-agent: *", "Disallow: /admin/", "Disallow: /*/recherche"]
    assert "Disallow: /" not in lines
    assert [line for line in lines if line.startswith("Sitemap:")] == [
        f"Sitemap: {HOST}/sitemap.xml", f"Sitemap: {HOST}/sitemap-news.xml"]


def test_the_opml_lists_enabled_outlets_and_their_feeds_and_reads_back(outlets):
    french, arabic, quiet = outlets
    feed_add(outlet=french, url="https://www.lopinion.ma/rss")
    feed_add(outlet=french, url="https://www.lopinion.ma/economie/rss")
    feed_add(outlet=arabic, url="https://www.hespress.com/feed")
    Feed.objects.filter(url="https://www.lopinion.ma/economie/rss").update(enabled=False)
    Outlet.objects.filter(pk=quiet.pk).update(enabled=False)
    feed_add(outlet=quiet, url="https://sans-articles.ma/rss")
    response = Client().get("/medias.opml")
    assert response["Content-Type"] == "text/x-opml; charset=utf-8"
    rows = {row["slug"]: row for row in parse_opml(response.content)}
    assert set(rows) == {"lopinion", "hespress-ar"}
    assert rows["lopinion"]["feeds"] == ["https://www.lopinion.ma/rss"]
    assert rows["lopinion"]["name"] == "L'opinion" and rows["lopinion"]["homepage"] == "https://www.lopinion.ma/"
    assert rows["hespress-ar"] | {"feeds": None} == {"name": "هسبريس", "slug": "hespress-ar", "homepage": "",
                                                      "lang": "ar", "category": "actualite", "feeds": None}


def test_a_site_without_articles_still_has_valid_sitemaps():
    assert locations(xml("/sitemap.xml"))[-1] == f"{HOST}/sitemaps/articles.xml"
    assert locations(xml("/sitemaps/articles.xml")) == []
    assert locations(xml("/sitemap-news.xml")) == []
    assert Client().get("/sitemap.xml")["X-Robots-Tag"] == "noindex, noodp, noarchive"  # the framework's
