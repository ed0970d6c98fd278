"""The four editions: /fr/ /ar/ /es/ /en/, each in its language, each listing its language's articles."""

from datetime import datetime
from zoneinfo import ZoneInfo

import lxml.html
import pytest
from django.test import Client

from akhbar.crawl import store
from akhbar.news.models import Article, Story
from akhbar.sources.services import outlet_upsert

pytestmark = pytest.mark.django_db(transaction=True)
CASABLANCA = ZoneInfo("Africa/Casablanca")
OCT_4 = datetime(2024, 10, 4, 10, 0, tzinfo=CASABLANCA)


def article(outlet, n: int, title: str, language: str, *, story=None) -> Article:
    url = f"https://example.ma/{outlet.slug}/{n}"
    return Article.objects.create(outlet=outlet, url=url, url_hash=store.url_hash(url), title=title,
                                  summary=title, content_html=f"<p>{title}</p>", published_at=OCT_4,
                                  language=language, story=story)


@pytest.fixture
def outlets():
    return {"fr": outlet_upsert(name="L'opinion", slug="lopinion", category="politique"),
            "ar": outlet_upsert(name="هسبريس", slug="hespress", language="ar", category="politique")}


@pytest.fixture
def story(outlets):
    shared = Story.objects.create(first_published_at=OCT_4, last_published_at=OCT_4, outlets_count=2,
                                  articles_count=2, languages=["ar", "fr"])
    french = article(outlets["fr"], 1, "Le Maroc accueillera la CAN 2025", "fr", story=shared)
    arabic = article(outlets["ar"], 2, "المغرب يحتضن كأس إفريقيا 2025 بحضور Patrice Motsepe", "ar", story=shared)
    Story.objects.filter(pk=shared.pk).update(headline=french)
    return shared, french, arabic


def html(response) -> lxml.html.HtmlElement:
    assert response.status_code == 200, response.status_code
    return lxml.html.fromstring(response.content)


@pytest.mark.parametrize(("accept", "edition"), [
    ("ar-MA,ar;q=0.9,fr;q=0.8", "/ar/"), ("es-ES,es;q=0.9", "/es/"), ("en-GB,en;q=0.9", "/en/"),
    ("fr-FR,fr;q=0.9", "/fr/"), ("de-DE,de;q=0.9", "/fr/"), ("", "/fr/"),
])
def test_the_root_sends_each_reader_to_the_edition_of_their_browser(accept, edition):
    response = Client().get("/", HTTP_ACCEPT_LANGUAGE=accept)
    assert response.status_code == 302 and response["Location"] == edition


def test_a_chosen_edition_is_remembered_over_the_browser_language():
    reader = Client()
    chosen = reader.get("/edition/ar/")
    assert chosen.status_code == 302 and chosen["Location"] == "/ar/"
    assert reader.get("/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr").get("Location") == "/ar/"
    assert reader.get("/edition/xx/").status_code == 404


def test_an_old_address_without_edition_still_leads_to_the_page(story):
    _, french, _ = story
    response = Client().get(f"/lopinion/{french.pk}", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 302 and response["Location"] == french.get_absolute_url()


def test_each_edition_lists_only_its_language_and_speaks_it(story):
    _, french, arabic = story
    french_home, arabic_home = html(Client().get("/fr/")), html(Client().get("/ar/"))
    french_ticker = " ".join(french_home.xpath('//ol[@class="ticker-list"]//a/text()'))
    arabic_ticker = " ".join(arabic_home.xpath('//ol[@class="ticker-list"]//a/text()'))
    assert french.title in french_ticker and arabic.title not in french_ticker
    assert arabic.title in arabic_ticker and french.title not in arabic_ticker
    assert (french_home.get("lang"), french_home.get("dir")) == ("fr", "ltr")
    assert (arabic_home.get("lang"), arabic_home.get("dir")) == ("ar", "rtl")
    assert "À la une" in french_home.text_content() and "À la une" not in arabic_home.text_content()


def test_an_article_lives_in_its_languages_edition(story):
    _, french, arabic = story
    assert french.get_absolute_url() == f"/fr/lopinion/{french.pk}"
    assert arabic.get_absolute_url() == f"/ar/hespress/{arabic.pk}"
    moved = Client().get(f"/fr/hespress/{arabic.pk}")
    assert moved.status_code == 301 and moved["Location"] == arabic.get_absolute_url()


def test_the_arabic_article_page_is_arabic_right_to_left_with_mixed_text_isolated(story):
    _, _, arabic = story
    page = html(Client().get(arabic.get_absolute_url()))
    assert page.get("dir") == "rtl"
    line = page.xpath('//p[@class="published"]')[0].text_content()
    assert line == "نشر في هسبريس يوم 04 - 10 - 2024"
    assert page.xpath('//p[@class="source-link"]/a')[0].text_content() == "اضغط هنا لقراءة المقال من مصدره."
    title = page.xpath("//h1")[0]
    assert title.get("dir") == "auto" and "Patrice Motsepe" in title.text_content()


@pytest.mark.parametrize(("edition", "line", "source"), [
    ("es", "Publicado en L'opinion el 04 - 10 - 2024", "Haga clic aquí para leer el artículo en su fuente."),
    ("en", "Published in L'opinion on 04 - 10 - 2024", "Click here to read the article at its source."),
])
def test_the_spanish_and_english_editions_speak_their_language(outlets, edition, line, source):
    item = article(outlets["fr"], 7, "Titre", edition)
    page = html(Client().get(item.get_absolute_url()))
    assert item.get_absolute_url().startswith(f"/{edition}/") and page.get("lang") == edition
    assert page.xpath('//p[@class="published"]')[0].text_content() == line
    assert page.xpath('//p[@class="source-link"]/a')[0].text_content() == source


def test_a_story_in_two_languages_links_across_editions(story):
    shared, french, arabic = story
    french_page = html(Client().get(french.get_absolute_url()))
    assert french_page.xpath('//p[@class="elsewhere"]/a/@href') == [f"/ar/sujet/{shared.pk}/"]
    story_page = html(Client().get(f"/ar/sujet/{shared.pk}/"))
    assert story_page.xpath("//h1")[0].text_content() == arabic.title  # the Arabic edition's headline
    assert story_page.xpath('//p[@class="elsewhere"]/a/@href') == [f"/fr/sujet/{shared.pk}/"]
    assert story_page.xpath('//link[@rel="alternate"][@hreflang="fr"]/@href') == [f"/fr/sujet/{shared.pk}/"]


def test_the_page_points_search_engines_to_the_publishers_original(story):
    _, french, _ = story
    page = html(Client().get(french.get_absolute_url()))
    assert page.xpath('//link[@rel="canonical"]/@href') == [french.url]


def test_the_sites_categories_are_named_in_each_edition():
    from django.utils import translation

    from akhbar.sources.services import categories_ensure

    politics = categories_ensure()["politique"]
    for code, name in [("fr", "Politique"), ("ar", "سياسة"), ("es", "Política"), ("en", "Politics")]:
        with translation.override(code):
            assert politics.shown_name == name
    with translation.override("ar"):
        assert categories_ensure()["actualite"].shown_name == "مستجدات"
