"""The JSON API at /api/, over HTTP through Django's test client, on a real SQLite file."""

import re
from urllib.parse import urlsplit

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.utils import timezone

from akhbar.api.throttle import client_key, parse_rate
from akhbar.moderation import reporters
from akhbar.news.models import Article, Story
from tests.api.conftest import make_article

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("generous_rate")]


def get(path: str, status: int = 200, **extra) -> dict:
    response = Client().get(path, **extra)
    assert response.status_code == status, (path, response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/json")
    assert response["Access-Control-Allow-Origin"] == "*"
    return response.json()


def local(url: str) -> str:
    """The path and query of an absolute address the API gave."""
    parts = urlsplit(url)
    assert parts.scheme == "http" and parts.netloc == "testserver", url
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_index_and_schema_are_served_and_docs_are_off():
    index = get("/api/")
    assert index["openapi"] == "http://testserver/api/openapi.json"
    assert set(index["endpoints"]) == {"headlines", "articles", "stories", "outlets", "search"}
    schema = get("/api/openapi.json")
    assert schema["info"]["title"] == "Akhbar"
    assert {"/api/headlines", "/api/articles", "/api/articles/{article_id}", "/api/stories", "/api/stories/{story_id}",
            "/api/outlets", "/api/outlets/{slug}", "/api/search"} <= set(schema["paths"])
    for path in schema["paths"].values():
        assert path["get"]["summary"] and path["get"].get("description"), path
    # Swagger UI would need a CDN the site's CSP forbids: no docs page, a JSON 404 instead.
    assert "n'existe pas" in get("/api/docs", 404)["detail"]


def test_headlines_are_the_editions_ticker(newsroom):
    lines = get("/api/headlines?lang=fr")["items"]
    story_lines = [line for line in lines if line["story_id"] == newsroom.story.pk]
    assert len(story_lines) == 1  # one line per story, however many outlets tell it
    line = story_lines[0]
    assert line["title"] == "Le gouvernement présente le budget" and line["article_id"] == newsroom.full.pk
    assert line["outlet"] == {"slug": "lopinion", "name": "L'Opinion"}
    assert line["url"] == newsroom.full.url
    assert local(line["page"]) == newsroom.full.get_absolute_url()
    assert line["other_outlets"] == 2 and local(line["story_page"]) == f"/fr/sujet/{newsroom.story.pk}/"
    alone = next(line for line in lines if line["article_id"] == newsroom.blocked.pk)
    assert alone["other_outlets"] == 0 and alone["story_id"] is None and alone["story_page"] is None
    assert all(line["language"] == "fr" for line in lines)
    arabic = get("/api/headlines?lang=ar")
    assert arabic["language"] == "ar"
    assert [line["title"] for line in arabic["items"]] == ["الحكومة تقدم مشروع الميزانية"]


def test_article_honours_each_outlets_display_mode(newsroom):
    full = get(f"/api/articles/{newsroom.full.pk}")
    assert full["display"] == "full" and full["content_html"] == "<p>Texte intégral de l'article 1.</p>"
    assert full["excerpt"] == "Résumé de l'article 1."
    assert full["url"] == "https://lopinion.example/1" and local(full["page"]) == newsroom.full.get_absolute_url()
    assert full["category"] == {"slug": "politique", "name": "Politique"}
    assert full["story_id"] == newsroom.story.pk and full["language"] == "fr"
    image = newsroom.full.image
    assert full["image"] == {"url": f"http://testserver/img/{image.sha256}/l.webp", "width": 1280, "height": 720,
                             "caption": "Le ministre à Rabat"}

    excerpt = get(f"/api/articles/{newsroom.excerpt.pk}")
    assert excerpt["display"] == "excerpt" and excerpt["content_html"] is None
    assert excerpt["excerpt"] == "Résumé de l'article 2." and excerpt["image"] is not None

    headline = get(f"/api/articles/{newsroom.headline.pk}")
    assert headline["display"] == "headline"
    assert headline["content_html"] is None and headline["excerpt"] is None and headline["image"] is None
    assert headline["title"] == "الحكومة تقدم مشروع الميزانية" and local(headline["page"]).startswith("/ar/hespress/")


def test_a_blocked_image_is_never_given(newsroom):
    article = get(f"/api/articles/{newsroom.blocked.pk}")
    assert article["image"] is None
    assert article["excerpt"] == "Sans résumé : l'extrait vient du texte."  # from the text, the feed gave no summary
    listed = {item["id"]: item for item in get("/api/articles?limit=100")["items"]}
    assert listed[newsroom.blocked.pk]["image"] is None and listed[newsroom.full.pk]["image"] is not None
    body = Client().get("/api/articles?limit=100").content.decode()
    assert newsroom.blocked.image.sha256 not in body


def test_article_list_shape_filters_and_display_modes(newsroom):
    page = get("/api/articles?limit=3")
    assert [item["id"] for item in page["items"]] == [newsroom.headline.pk, newsroom.excerpt.pk, newsroom.full.pk]
    first = page["items"][0]
    assert set(first) == {"id", "title", "language", "outlet", "category", "published_at", "url", "page", "api",
                          "excerpt", "image", "story_id"}
    assert first["excerpt"] is None and first["image"] is None  # Hespress: the title alone
    assert local(first["api"]) == f"/api/articles/{newsroom.headline.pk}"
    assert page["next_cursor"] and local(page["next"]).startswith("/api/articles?")
    arabic = get("/api/articles?lang=ar")["items"]
    assert [item["id"] for item in arabic] == [newsroom.headline.pk]
    assert {item["outlet"]["slug"] for item in get("/api/articles?outlet=le360&limit=100")["items"]} == {"le360"}
    politics = get("/api/articles?category=politique")["items"]
    assert [item["id"] for item in politics] == [newsroom.full.pk]
    day = timezone.localtime(newsroom.articles[-1].published_at).date()
    dated = get(f"/api/articles?since={day}&until={day}&limit=100")["items"]
    assert {item["id"] for item in dated} == {a.pk for a in newsroom.articles
                                              if timezone.localtime(a.published_at).date() == day}
    assert get("/api/articles?since=2000-01-01&until=2000-12-31")["items"] == []


def walk(path: str) -> list[int]:
    """Every id the list gives, following its next links to the end."""
    ids, pages = [], 0
    while path:
        page = get(path)
        ids += [item["id"] for item in page["items"]]
        path = local(page["next"]) if page["next"] else None
        pages += 1
        assert pages < 100
    return ids


@pytest.mark.parametrize("query", ["limit=7", "limit=1", "limit=5&lang=fr", "limit=4&outlet=lopinion"])
def test_keyset_pages_give_every_article_once_in_order(newsroom, query):
    ids = walk(f"/api/articles?{query}")
    expected = Article.objects.order_by("-published_at", "-id")
    if "lang=fr" in query:
        expected = expected.filter(language="fr")
    if "outlet=" in query:
        expected = expected.filter(outlet__slug="lopinion")
    assert ids == list(expected.values_list("pk", flat=True))
    assert len(ids) == len(set(ids))


def test_keyset_survives_new_articles_arriving_between_pages(newsroom):
    first = get("/api/articles?limit=10")
    make_article(newsroom.full.outlet, 999, when=newsroom.full.published_at)  # lands on page one, not later
    rest = walk(local(first["next"]))
    seen = [item["id"] for item in first["items"]] + rest
    assert len(seen) == len(set(seen)) == len(newsroom.articles)


@pytest.mark.parametrize("path", [
    "/api/articles?limit=0", "/api/articles?limit=101", "/api/articles?limit=abc", "/api/articles?lang=de",
    "/api/articles?since=hier", "/api/articles?until=2024-02-30",
    "/api/articles?outlet=not%20a%20slug", "/api/articles?cursor=nonsense", "/api/articles?cursor=" + "A" * 101,
    "/api/articles/abc", "/api/articles/0", "/api/articles/99999999999999999999", "/api/stories/-1",
    "/api/headlines?lang=xx", "/api/stories?lang=", "/api/search", "/api/search?q=", "/api/search?q=maroc&page=51",
    "/api/search?q=maroc&page=0", "/api/search?q=maroc&until=0", "/api/articles?since=1700000000",
    "/api/outlets/" + "x" * 51,
])
def test_invalid_parameters_are_422_in_french(newsroom, path):
    error = get(path, 422)
    assert error["detail"].startswith(("Paramètre invalide", "Paramètres invalides", "Curseur invalide")), error


@pytest.mark.parametrize("path", ["/api/articles?since=0001-01-01&until=9999-12-31", "/api/articles?until=9999-12-30",
                                  "/api/search?q=article&since=0001-01-01&until=9999-12-31"])
def test_the_calendars_first_and_last_days_bound_nothing(newsroom, path):
    found = get(path)
    assert len(found["items"]) == 20  # every article, where the dates would overflow on the way to UTC


def test_a_forged_cursor_with_a_huge_date_is_422_not_500(newsroom):
    import base64

    for raw in (b"99999999999999999999.5", b"1.99999999999999999999", b"1.0", b"-99999999999999999.5", b"1.2.3"):
        cursor = base64.urlsafe_b64encode(raw).decode().rstrip("=")
        assert get(f"/api/articles?cursor={cursor}", 422)["detail"].startswith("Curseur invalide")


@pytest.mark.parametrize(("path", "message"), [
    ("/api/articles/999999", "Aucun article ne porte le numéro 999999."),
    ("/api/stories/999999", "Aucun sujet ne porte le numéro 999999."),
    ("/api/outlets/nulle-part", "Aucun média ne porte le nom « nulle-part »."),
    ("/api/outlets/ancien", "Aucun média ne porte le nom « ancien »."),  # disabled
    ("/api/articles?outlet=nulle-part", "Aucun média ne porte le nom « nulle-part »."),
    ("/api/articles?category=nulle-part", "Aucune catégorie ne porte le nom « nulle-part »."),
    ("/api/search?q=budget&outlet=nulle-part", "Aucun média ne porte le nom « nulle-part »."),
    ("/api/nulle-part", "Cette adresse n'existe pas dans l'API : voir /api/openapi.json."),
])
def test_unknown_things_are_404_in_french(newsroom, path, message):
    assert get(path, 404)["detail"] == message


def test_top_stories_and_a_story_grouped_by_language(newsroom):
    stories = get("/api/stories?lang=fr")
    assert stories["language"] == "fr" and [s["id"] for s in stories["items"]] == [newsroom.story.pk]
    top = stories["items"][0]
    assert top["outlets_count"] == 3 and top["articles_count"] == 3 and top["languages"] == ["fr", "ar"]
    assert top["headline"]["id"] == newsroom.full.pk and local(top["page"]) == f"/fr/sujet/{newsroom.story.pk}/"
    assert get("/api/stories?lang=ar")["items"][0]["headline"]["id"] == newsroom.headline.pk
    assert get("/api/stories?lang=es")["items"] == []

    story = get(f"/api/stories/{newsroom.story.pk}")
    assert [group["language"] for group in story["groups"]] == ["fr", "ar"]
    assert [a["id"] for a in story["groups"][0]["articles"]] == [newsroom.full.pk, newsroom.excerpt.pk]
    assert story["groups"][1]["articles"][0]["excerpt"] is None  # the headline-only outlet, here too
    assert story["headline"]["id"] == newsroom.full.pk


def test_a_merged_story_answers_with_the_one_that_took_it_in(newsroom):
    old = Story.objects.create(first_published_at=newsroom.full.published_at,
                               last_published_at=newsroom.full.published_at, merged_into=newsroom.story)
    assert get(f"/api/stories/{old.pk}")["id"] == newsroom.story.pk


def test_outlets_are_the_enabled_ones_with_their_feeds(newsroom):
    outlets = {o["slug"]: o for o in get("/api/outlets")}
    assert set(outlets) == {"lopinion", "le360", "hespress"}  # "ancien" is disabled
    assert outlets["lopinion"]["feeds_count"] == 2 and outlets["hespress"]["feeds_count"] == 0
    assert outlets["hespress"]["language"] == "ar" and outlets["hespress"]["display"] == "headline"
    assert local(outlets["hespress"]["page"]) == "/ar/hespress/"
    assert local(outlets["le360"]["articles"]) == "/api/articles?outlet=le360"
    assert get("/api/outlets/le360") == outlets["le360"]


def test_search_counts_and_pages(newsroom):
    found = get("/api/search?q=budget")
    assert found["total"] == 2 and found["more"] is False and found["next"] is None and found["page"] == 1
    assert {item["id"] for item in found["items"]} == {newsroom.full.pk, newsroom.excerpt.pk}
    assert found["terms"] == ["budget"]
    assert get("/api/search?q=budget&outlet=le360")["total"] == 1
    assert get("/api/search?q=budget&lang=ar")["total"] == 0
    many = get("/api/search?q=article")  # every summary says "Résumé de l'article N"
    assert many["total"] == 43 and len(many["items"]) == 20 and local(many["next"]).endswith("page=2")
    last = get(local(many["next"]).replace("page=2", "page=3"))
    assert len(last["items"]) == 3 and last["next"] is None


def test_lists_cost_a_few_queries_however_long(newsroom, django_assert_max_num_queries):
    # Search on PostgreSQL: the planner's estimate, then its window in a transaction of its own (BEGIN, COMMIT
    # or a savepoint) with a planner setting.
    for path, most in [("/api/headlines", 3), ("/api/articles?limit=100", 2), ("/api/stories?lang=fr", 3),
                       (f"/api/stories/{newsroom.story.pk}", 4), ("/api/outlets", 1), ("/api/search?q=article", 9)]:
        with django_assert_max_num_queries(most):
            assert Client().get(path).status_code == 200, path


def test_addresses_are_built_from_the_request(newsroom):
    article = Client().get(f"/api/articles/{newsroom.full.pk}", HTTP_HOST="localhost").json()
    assert article["page"].startswith("http://localhost/fr/lopinion/")


# -- the rate limit ------------------------------------------------------------------------------------------------


@pytest.fixture
def small_rate(settings):
    settings.API_RATE = "3/minute"
    # The counters' keys are read back from the in-process cache, whatever the environment configures.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "api-tests"}}
    from django.core.cache import cache

    cache.clear()


def test_a_network_over_the_rate_gets_429_with_retry_after(newsroom, small_rate):
    client = Client()
    for _ in range(3):
        assert client.get("/api/outlets", REMOTE_ADDR="203.0.113.9").status_code == 200
    refused = client.get("/api/outlets", REMOTE_ADDR="203.0.113.77")  # the same /24: the same client
    assert refused.status_code == 429 and refused["Access-Control-Allow-Origin"] == "*"
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused.json()["detail"].startswith("Trop de requêtes")
    assert client.get("/api/outlets", REMOTE_ADDR="198.51.100.1").status_code == 200  # another network
    assert client.get("/api/outlets", REMOTE_ADDR="2001:db8:abcd:1::1").status_code == 200


def test_forwarded_addresses_count_only_behind_trusted_proxies(newsroom, small_rate, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1/32"]
    reporters._trusted_proxies.cache_clear()
    try:
        client = Client()
        for n in range(3):
            assert client.get("/api/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").status_code == 200
        assert client.get("/api/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.50").status_code == 429
        assert client.get("/api/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 200
        # Not from a trusted proxy: the header is the client's own claim, and ignored.
        for n in range(3):
            client.get("/api/", REMOTE_ADDR="203.0.113.1", HTTP_X_FORWARDED_FOR=f"10.9.{n}.1")
        assert client.get("/api/", REMOTE_ADDR="203.0.113.1", HTTP_X_FORWARDED_FOR="10.9.9.1").status_code == 429
    finally:
        reporters._trusted_proxies.cache_clear()


def test_the_cache_keys_hold_a_keyed_hash_of_the_network_never_an_address(newsroom, small_rate):
    from django.core.cache import cache
    from django.test import RequestFactory

    Client().get("/api/", REMOTE_ADDR="203.0.113.9")
    Client().get("/api/", REMOTE_ADDR="2001:db8:abcd:12::1")
    keys = list(cache._cache)  # LocMemCache's store: every key the limit wrote
    assert len(keys) == 2
    for key in keys:
        assert not re.search(r"203\.0\.113|2001:db8|\d+\.\d+\.\d+\.\d+", key), key
    expected = client_key(RequestFactory().get("/", REMOTE_ADDR="203.0.113.200"))  # any address of the /24
    assert re.fullmatch(r"[0-9a-f]{64}", expected)
    assert any(f":{expected}:" in key for key in keys)


def test_the_rate_setting_is_checked():
    assert parse_rate("120/minute").requests == 120 and parse_rate("5/s").seconds == 1
    with pytest.raises(ImproperlyConfigured, match="AKHBAR_API_RATE"):
        parse_rate("lots")
