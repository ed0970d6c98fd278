"""The page cache in front of Django, called as the production server calls it (WSGI)."""

import gzip
from datetime import datetime
from io import BytesIO
from wsgiref.util import setup_testing_defaults
from zoneinfo import ZoneInfo

import pytest

from akhbar.crawl import store
from akhbar.crawl.records import FeedJob
from akhbar.news.models import Article
from akhbar.sources.services import outlet_upsert
from akhbar.wsgi import application

pytestmark = pytest.mark.django_db(transaction=True)


def get(path: str, *, method: str = "GET", **headers: str) -> tuple[str, dict, bytes]:
    environ = {"PATH_INFO": path.split("?")[0], "QUERY_STRING": path.partition("?")[2], "REQUEST_METHOD": method,
               "wsgi.input": BytesIO(b""), "SERVER_NAME": "127.0.0.1", "HTTP_HOST": "127.0.0.1"}
    environ.update({f"HTTP_{name.upper()}": value for name, value in headers.items()})
    setup_testing_defaults(environ)
    answer: dict = {}
    body = b"".join(application(environ, lambda status, headers, exc=None: answer.update(s=status, h=headers)))
    return answer["s"], dict(answer["h"]), body


def add_article(outlet, n: int) -> Article:
    return Article.objects.create(
        outlet=outlet, url=f"https://example.ma/{n}", url_hash=store.url_hash(f"https://example.ma/{n}"),
        title=f"Titre numéro {n}", content_html="<p>Texte.</p>", language="fr",
        published_at=datetime(2024, 10, n, 12, tzinfo=ZoneInfo("Africa/Casablanca")),
    )


def articles_arrived(outlet) -> None:
    job = FeedJob(feed_id=0, url="", outlet_id=outlet.pk, outlet_slug=outlet.slug, outlet_language="fr")
    store.record_success(job, etag=None, last_modified=None, new_articles=1)


@pytest.fixture
def outlet():
    return outlet_upsert(name="L'opinion", slug="lopinion")


def test_home_is_rendered_once_then_refreshed_when_new_articles_arrive(outlet):
    add_article(outlet, 1)
    articles_arrived(outlet)
    assert "Titre numéro 1" in get("/fr/")[2].decode()
    add_article(outlet, 2)
    # No new content version yet: the stored page is served, Django does not render again.
    assert "Titre numéro 2" not in get("/fr/")[2].decode()
    articles_arrived(outlet)
    assert "Titre numéro 2" in get("/fr/")[2].decode()


def test_cached_page_keeps_security_headers_and_answers_304_and_gzip(outlet):
    article = add_article(outlet, 1)
    first = get(article.get_absolute_url())
    second = get(article.get_absolute_url())
    assert first[2] == second[2] and first[1]["ETag"] == second[1]["ETag"]
    for _, headers, _ in (first, second):
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        assert headers["X-Frame-Options"] == "DENY" and headers["X-Content-Type-Options"] == "nosniff"
        assert "X-Akhbar-Page-Cache" not in headers
    assert get(article.get_absolute_url(), if_none_match=second[1]["ETag"])[0].startswith("304")
    status, headers, body = get(article.get_absolute_url(), accept_encoding="gzip, br")
    assert headers["Content-Encoding"] == "gzip" and gzip.decompress(body) == first[2]
    assert get(article.get_absolute_url(), method="HEAD")[2] == b""


def test_errors_and_forms_are_never_cached(outlet):
    assert get("/fr/lopinion/999999")[0].startswith("404")
    first, second = get("/admin/login/"), get("/admin/login/")
    assert first[0].startswith("200") and "public" not in first[1].get("Cache-Control", "")
    # The login form's CSRF token is masked afresh on every render: equal bodies would mean a cached form.
    assert first[2] != second[2]


def redis_url() -> str:
    import os

    import redis

    url = os.environ.get("AKHBAR_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError:
        pytest.skip(f"Redis page-cache test: no Redis answers at {url} (set AKHBAR_TEST_REDIS_URL)")
    return url


def test_with_redis_pages_and_their_version_are_shared_by_every_process(outlet):
    from django.core.cache import cache
    from django.test import override_settings

    from akhbar.news import freshness

    shared = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url(),
                          "KEY_PREFIX": "akhbar-test"}}
    with override_settings(CACHES=shared):
        cache.clear()
        add_article(outlet, 1)
        articles_arrived(outlet)
        version = freshness.current()
        assert version >= 1
        assert "Titre numéro 1" in get("/fr/")[2].decode()
        # What another web process (or machine) finds in the shared cache: this very page.
        assert cache.get("page:http://127.0.0.1/fr/").version == version
        add_article(outlet, 2)
        articles_arrived(outlet)
        assert freshness.current() == version + 1
        assert "Titre numéro 2" in get("/fr/")[2].decode()
        cache.clear()


def test_a_site_reached_by_two_names_never_hands_one_names_links_to_the_other(outlet, settings):
    settings.ALLOWED_HOSTS = ["127.0.0.1", "akhbar.example"]
    add_article(outlet, 1)
    articles_arrived(outlet)
    first = get("/fr/rss.xml")[2].decode()
    other = get("/fr/rss.xml", host="akhbar.example")[2].decode()
    assert "http://127.0.0.1/fr/" in first and "akhbar.example" not in first
    assert "http://akhbar.example/fr/" in other and "127.0.0.1" not in other
