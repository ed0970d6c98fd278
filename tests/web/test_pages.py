"""The public pages, on a real SQLite file, through Django's test client."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import lxml.html
import pytest
from django.test import Client

from akhbar.crawl import store
from akhbar.news import freshness
from akhbar.news.models import Article
from akhbar.sources.services import categories_ensure, outlet_upsert

pytestmark = pytest.mark.django_db(transaction=True)
CASABLANCA = ZoneInfo("Africa/Casablanca")


def make_article(outlet, n: int, *, when: datetime, category=None) -> Article:
    return Article.objects.create(
        outlet=outlet, category=category, url=f"https://example.ma/{outlet.slug}/{n}",
        url_hash=store.url_hash(f"https://example.ma/{outlet.slug}/{n}"), title=f"Titre numéro {n} de {outlet.name}",
        summary="Résumé.", content_html="<p>Texte.</p>", published_at=when, language="fr",
    )


@pytest.fixture
def outlet():
    return outlet_upsert(name="L'opinion", slug="lopinion", category="politique")


def test_article_date_line_is_in_moroccan_time(outlet):
    # 23:30 UTC on 3 October is already 4 October in Casablanca (UTC+1).
    article = make_article(outlet, 1, when=datetime(2024, 10, 3, 23, 30, tzinfo=ZoneInfo("UTC")))
    page = lxml.html.fromstring(Client().get(article.get_absolute_url()).content)
    (line,) = page.xpath('//p[@class="published"]')
    assert line.text_content() == "Publié dans L'opinion le 04 - 10 - 2024"
    assert line.xpath("time/@datetime") == ["2024-10-04T00:30:00+01:00"]  # kept left to right in Arabic


def test_article_under_another_outlets_address_is_404(outlet):
    other = outlet_upsert(name="Le360", slug="le360")
    article = make_article(outlet, 1, when=datetime(2024, 10, 4, tzinfo=CASABLANCA))
    assert Client().get(f"/fr/{other.slug}/{article.pk}").status_code == 404


def test_unknown_page_gets_the_french_404():
    response = Client().get("/fr/nulle-part/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


def test_outlet_category_and_archive_lists_paginate(outlet):
    category = categories_ensure()["politique"]
    start = datetime(2024, 10, 4, 8, 0, tzinfo=CASABLANCA)
    for n in range(35):
        make_article(outlet, n, when=start + timedelta(minutes=n), category=category)
    client = Client()
    for url in ("/fr/lopinion/", "/fr/categorie/politique/", "/fr/archives/2024/10/04/"):
        first = client.get(url).content.decode()
        second = client.get(url + "?page=2").content.decode()
        assert "Titre numéro 34 de" in first and "Titre numéro 0 de" not in first, url
        assert "Titre numéro 0 de" in second and "Page 2 sur 2" in second, url
    assert "Aucun article" in client.get("/fr/archives/2024/10/05/").content.decode()
    assert client.get("/fr/archives/2024/02/30/").status_code == 404


def test_pages_carry_validators_and_answer_304(outlet):
    article = make_article(outlet, 1, when=datetime(2024, 10, 4, tzinfo=CASABLANCA))
    client = Client()
    for url in ("/fr/", article.get_absolute_url(), "/fr/lopinion/"):
        response = client.get(url)
        assert response.has_header("ETag"), url
        again = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
        assert again.status_code == 304, url


def test_html_declares_language_direction_and_opengraph(outlet):
    article = make_article(outlet, 1, when=datetime(2024, 10, 4, tzinfo=CASABLANCA))
    body = Client().get(article.get_absolute_url()).content.decode()
    assert '<html lang="fr" dir="ltr">' in body
    assert '<meta property="og:title" content="Titre numéro 1 de L&#x27;opinion">' in body
    assert '<meta name="viewport"' in body


def test_freshness_version_changes_on_every_bump():
    before = freshness.current()
    freshness.bump()
    middle = freshness.current()
    freshness.bump()
    assert before < middle < freshness.current()


def test_home_groups_latest_articles_by_category_and_by_outlet(outlet):
    category = categories_ensure()["politique"]
    make_article(outlet, 1, when=datetime(2024, 10, 4, tzinfo=CASABLANCA), category=category)
    body = Client().get("/fr/").content.decode()
    by_category = body[body.index('id="by-category"'):body.index('id="by-outlet"')]
    by_outlet = body[body.index('id="by-outlet"'):]
    assert 'href="/fr/categorie/politique/">Politique</a>' in by_category and "Titre numéro 1 de" in by_category
    assert 'href="/fr/lopinion/">L&#x27;opinion</a>' in by_outlet and "Titre numéro 1 de" in by_outlet


def test_every_page_of_a_long_list_holds_the_right_articles_newest_first(outlet):
    start = datetime(2024, 10, 1, tzinfo=CASABLANCA)
    made = [make_article(outlet, n, when=start + timedelta(hours=n // 3)) for n in range(95)]  # ties by 3
    expected = [a.pk for a in sorted(made, key=lambda a: (a.published_at, a.pk), reverse=True)]
    client, seen = Client(), []
    for number in range(1, 5):  # 30 a page: the last pages are read from the oldest end
        page = lxml.html.fromstring(client.get(f"/fr/lopinion/?page={number}").content)
        seen += [int(href.rsplit("/", 1)[1]) for href in page.xpath('//ul[contains(@class, "list")]//a[@class="card-title"]/@href')]
    assert seen == expected
