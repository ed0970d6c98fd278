"""Our RSS and Atom feeds, requested through Django's test client and read back with feedparser."""

from datetime import datetime, timedelta
from html import unescape
from zoneinfo import ZoneInfo

import feedparser
import pytest
from django.test import Client

from akhbar.crawl import store
from akhbar.news.models import Article, Story
from akhbar.sources.models import Outlet
from akhbar.sources.services import categories_ensure, feed_add, outlet_upsert

pytestmark = pytest.mark.django_db(transaction=True)
CASABLANCA = ZoneInfo("Africa/Casablanca")
# 23:30 UTC on 3 October is 4 October in Casablanca: the credit line's date is Moroccan.
WHEN = datetime(2024, 10, 3, 23, 30, tzinfo=ZoneInfo("UTC"))
HOST = "http://testserver"
TRICKY_TITLE = "Maroc & Espagne : l'accord <enfin> signé"
ARABIC_TITLE = "المغرب وإسبانيا: توقيع اتفاق «تاريخي» & جديد"


def make_article(outlet, n: int, *, title: str, language: str = "fr", when: datetime = WHEN, story=None,
                 category=None, summary: str = "Le résumé de l'article.") -> Article:
    url = f"https://www.{outlet.slug}.ma/article-{n}.html"
    return Article.objects.create(outlet=outlet, url=url, url_hash=store.url_hash(url), title=title, summary=summary,
                                  content_html=f"<p>{summary}</p>", published_at=when, language=language,
                                  story=story, category=category)


@pytest.fixture
def outlet():
    outlet = outlet_upsert(name="L'opinion", slug="lopinion", homepage="https://www.lopinion.ma/", category="politique")
    feed_add(outlet=outlet, url="https://www.lopinion.ma/rss")
    return outlet


@pytest.fixture
def arabic_outlet():
    return outlet_upsert(name="هسبريس", slug="hespress-ar", homepage="https://www.hespress.com/", language="ar")


def parsed(url: str):
    response = Client().get(url)
    assert response.status_code == 200, url
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, (url, feed.get("bozo_exception"))
    return response, feed


def text(entry) -> str:
    """The item's description as a reader sees it (it is HTML)."""
    return unescape(entry.summary)


def test_edition_rss_links_our_page_credits_the_outlet_and_links_the_original(outlet, arabic_outlet):
    article = make_article(outlet, 1, title=TRICKY_TITLE)
    make_article(arabic_outlet, 2, title=ARABIC_TITLE, language="ar")
    response, feed = parsed("/fr/rss.xml")
    assert response["Content-Type"].startswith("application/rss+xml")
    assert feed.version == "rss20" and feed.feed.language == "fr"
    [entry] = feed.entries  # the Arabic article belongs to the Arabic edition's feed
    assert entry.title == TRICKY_TITLE
    assert entry.link == entry.id == f"{HOST}/fr/lopinion/{article.pk}"
    assert entry.author == "L'opinion"
    assert entry.published_parsed[:3] == (2024, 10, 3)  # 23:30 UTC
    assert "Le résumé de l'article." in text(entry)
    assert "Publié dans L'opinion le 04 - 10 - 2024" in text(entry)
    assert f'href="{article.url}"' in text(entry)
    assert entry.source == {"href": "https://www.lopinion.ma/rss", "title": "L'opinion"}


def test_edition_atom_is_the_same_feed_with_the_original_as_a_related_link(outlet):
    article = make_article(outlet, 1, title=TRICKY_TITLE)
    response, feed = parsed("/fr/atom.xml")
    assert response["Content-Type"].startswith("application/atom+xml")
    assert feed.version == "atom10" and feed.feed.language == "fr"
    [entry] = feed.entries
    assert entry.title == TRICKY_TITLE and entry.author == "L'opinion"
    assert entry.id == f"{HOST}/fr/lopinion/{article.pk}"
    links = {link.rel: link.href for link in entry.links}
    assert links == {"alternate": f"{HOST}/fr/lopinion/{article.pk}", "related": article.url}
    assert entry.updated_parsed == entry.published_parsed  # Atom requires <updated>
    assert feed.feed.title == "Akhbar — Français" and feed.feed.link == f"{HOST}/fr/"
    assert "Publié dans L'opinion le 04 - 10 - 2024" in text(entry)


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_arabic_edition_feed_keeps_arabic_titles_exactly_in_its_language(arabic_outlet, kind):
    article = make_article(arabic_outlet, 1, title=ARABIC_TITLE, language="ar", summary="ملخص المقال.")
    _, feed = parsed(f"/ar/{kind}.xml")
    assert feed.feed.language == "ar"
    [entry] = feed.entries
    assert entry.title == ARABIC_TITLE
    assert entry.link == f"{HOST}/ar/hespress-ar/{article.pk}"
    # The credit line is in the edition's language once the catalogue has it; its outlet and date are there anyway.
    assert "ملخص المقال." in text(entry) and "هسبريس" in text(entry) and "04 - 10 - 2024" in text(entry)


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_headline_only_outlets_give_the_credit_without_their_text(outlet, kind):
    Outlet.objects.filter(pk=outlet.pk).update(display=Outlet.Display.HEADLINE)
    article = make_article(outlet, 1, title="Un titre seul", summary="Un texte qui ne doit pas sortir.")
    _, feed = parsed(f"/fr/lopinion/{kind}.xml")
    [entry] = feed.entries
    assert "Un texte qui ne doit pas sortir" not in text(entry)
    assert "Publié dans L'opinion le 04 - 10 - 2024" in text(entry) and article.url in text(entry)


def test_outlet_feed_lists_its_articles_in_every_language_newest_first(outlet):
    older = make_article(outlet, 1, title="Ancien")
    newer = make_article(outlet, 2, title="جديد", language="ar", when=WHEN + timedelta(hours=1))
    _, feed = parsed("/fr/lopinion/rss.xml")
    assert [e.title for e in feed.entries] == ["جديد", "Ancien"]
    # Each item links to the article's page in its own language's edition.
    assert [e.link for e in feed.entries] == [f"{HOST}/ar/lopinion/{newer.pk}", f"{HOST}/fr/lopinion/{older.pk}"]
    assert feed.feed.title == "L'opinion — Akhbar" and feed.feed.link == f"{HOST}/fr/lopinion/"


def test_unknown_or_disabled_outlet_has_no_feed(outlet):
    client = Client()
    assert client.get("/fr/personne/rss.xml").status_code == 404
    assert client.get("/fr/personne/atom.xml").status_code == 404
    Outlet.objects.filter(pk=outlet.pk).update(enabled=False)
    assert client.get("/fr/lopinion/rss.xml").status_code == 404


def test_category_feed_lists_the_editions_language_only(outlet, arabic_outlet):
    politics = categories_ensure()["politique"]
    make_article(outlet, 1, title="En français", category=politics)
    make_article(arabic_outlet, 2, title="بالعربية", language="ar", category=politics)
    make_article(outlet, 3, title="Ailleurs", category=categories_ensure()["sport"])
    assert [e.title for e in parsed("/fr/categorie/politique/rss.xml")[1].entries] == ["En français"]
    assert [e.title for e in parsed("/ar/categorie/politique/atom.xml")[1].entries] == ["بالعربية"]
    assert Client().get("/fr/categorie/nulle-part/rss.xml").status_code == 404


@pytest.fixture
def story(outlet, arabic_outlet):
    spanish = outlet_upsert(name="El Faro", slug="el-faro", language="es")
    story = Story.objects.create(first_published_at=WHEN, last_published_at=WHEN + timedelta(hours=2),
                                 articles_count=3, outlets_count=3, languages=["fr", "ar", "es"])
    make_article(outlet, 1, title="Le sujet en français", story=story)
    make_article(arabic_outlet, 2, title=ARABIC_TITLE, language="ar", story=story, when=WHEN + timedelta(hours=1))
    make_article(spanish, 3, title="El tema en español", language="es", story=story, when=WHEN + timedelta(hours=2))
    make_article(outlet, 4, title="Hors sujet")
    return story


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_story_feed_lists_its_articles_of_every_language_newest_first(story, kind):
    _, feed = parsed(f"/fr/sujet/{story.pk}/{kind}.xml")
    assert [e.title for e in feed.entries] == ["El tema en español", ARABIC_TITLE, "Le sujet en français"]
    assert feed.feed.title == "Le sujet en français — Akhbar"  # the headline in the edition's language
    assert "/es/el-faro/" in feed.entries[0].link and "/ar/hespress-ar/" in feed.entries[1].link


def test_a_merged_storys_feed_moves_to_the_story_that_took_it_in(story):
    gone = Story.objects.create(first_published_at=WHEN, last_published_at=WHEN, merged_into=story)
    response = Client().get(f"/fr/sujet/{gone.pk}/atom.xml")
    assert response.status_code == 301 and response["Location"] == f"/fr/sujet/{story.pk}/atom.xml"
    assert Client().get("/fr/sujet/999999/rss.xml").status_code == 404


def test_pages_announce_their_feeds(story):
    client = Client()
    pages = {"/fr/": "/fr/rss.xml", "/ar/": "/ar/rss.xml", "/fr/lopinion/": "/fr/lopinion/rss.xml",
             "/fr/categorie/politique/": "/fr/categorie/politique/rss.xml",
             f"/fr/sujet/{story.pk}/": f"/fr/sujet/{story.pk}/rss.xml"}
    for page, feed in pages.items():
        body = client.get(page).content.decode()
        assert '<link rel="alternate" type="application/rss+xml" title="' in body, page
        assert f'href="{feed}">' in body, page
        assert 'type="application/atom+xml"' in body and f'href="{feed[:-7]}atom.xml">' in body, page
    Outlet.objects.filter(slug="lopinion").update(enabled=False)
    assert "application/rss+xml" not in client.get("/fr/lopinion/").content.decode()
    assert "application/rss+xml" not in client.get("/fr/archives/2024/10/04/").content.decode()


def test_feeds_may_be_kept_and_answer_304(outlet):
    make_article(outlet, 1, title="Premier")
    client = Client()
    response = client.get("/fr/rss.xml")
    assert "public" in response["Cache-Control"]
    assert client.get("/fr/rss.xml", HTTP_IF_MODIFIED_SINCE=response["Last-Modified"]).status_code == 304
    assert client.get("/fr/rss.xml", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
