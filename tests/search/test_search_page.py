"""/recherche as a reader uses it, and `akhbar search` in the terminal."""

import json
import re

import pytest

from tests.helpers import akhbar_ok
from tests.search.test_search import articles  # noqa: F401 - the shared fixture

pytestmark = pytest.mark.django_db


def test_results_are_highlighted_and_link_to_the_article(client, articles):  # noqa: F811
    page = client.get("/fr/recherche", {"q": "societe"}).content.decode()
    assert "1 article trouvé" in page
    assert "La <mark>société</mark> civile mobilisée à Fès" in page
    assert f'href="/fr/lopinion/{articles[0].pk}"' in page


def test_arabic_results_and_filters_in_the_page(client, articles):  # noqa: F811
    page = client.get("/fr/recherche", {"q": "اصلاح", "langue": "ar"}).content.decode()
    assert "<mark>إصلاح</mark> المستشفى الإقليمي" in page
    assert "Aucun article ne correspond" in client.get("/fr/recherche", {"q": "اصلاح", "langue": "fr"}).content.decode()
    assert "Aucun article" in client.get("/fr/recherche", {"q": "societe", "media": "le360"}).content.decode()


def test_pages_keep_the_query_and_filters(client, articles, settings):  # noqa: F811
    from akhbar.web.views import search

    search.PAGE_SIZE, kept = 1, search.PAGE_SIZE
    try:
        page = client.get("/fr/recherche", {"q": "les", "langue": "fr"}).content.decode()
        link = re.search(r'rel="next" href="([^"]+)"', page).group(1).replace("&amp;", "&")
        assert "q=les" in link and "langue=fr" in link and "page=2" in link
        assert "Page 2 sur" in client.get("/fr/recherche" + link).content.decode()
    finally:
        search.PAGE_SIZE = kept


@pytest.mark.parametrize("params", [{}, {"q": ""}, {"q": "x", "page": "999"}, {"q": "les", "page": "0"}, {"q": "x", "du": "pas-une-date"},
                                    {"q": "<script>alert(1)</script>"}, {"q": "a" * 5000}])
def test_odd_requests_get_a_page_not_an_error(client, articles, params):  # noqa: F811
    response = client.get("/fr/recherche", params)
    assert response.status_code == 200
    assert "<script>alert" not in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_terminal_search(tmp_path, sample_publisher):
    akhbar_ok(tmp_path, "manage", "migrate", "--verbosity", "0")
    lopinion = next(o for o in sample_publisher.outlets if o["slug"] == "lopinion")
    akhbar_ok(tmp_path, "sources", "add", "--name", "L'opinion", "--slug", "lopinion", "--feed", lopinion["feed_url"])
    akhbar_ok(tmp_path, "crawl", "--once")
    found = json.loads(akhbar_ok(tmp_path, "search", "salon du livre", "--json"))
    assert found["total"] >= 1 and found["results"][0]["title"] == "Salon du livre de Paris : le Maroc invité d'honneur"
    assert found["results"][0]["url"].startswith(lopinion["homepage"].rstrip("/"))
    table = akhbar_ok(tmp_path, "search", "salon livre", "--outlet", "lopinion")
    assert "Salon du livre" in table
    assert "0 articles" in akhbar_ok(tmp_path, "search", "salon livre", "--lang", "ar")


def test_dates_out_of_any_archive_are_ignored_not_an_error(client, articles):  # noqa: F811
    for bound in ("9999-12-31", "0001-01-01"):
        response = client.get("/fr/recherche", {"q": "societe", "au": bound, "du": bound})
        assert response.status_code == 200 and "1 article trouvé" in response.content.decode()
