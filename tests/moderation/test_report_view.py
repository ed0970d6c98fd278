"""The report control over HTTP: CSRF, methods, thanks with and without JavaScript, limits, and the block."""

import re

import pytest
from django.test import Client

from akhbar.moderation.models import ImageCase, Report
from akhbar.moderation.reporters import COOKIE_NAME
from akhbar.news.models import Article
from tests.helpers import crawl_all

pytestmark = pytest.mark.django_db(transaction=True)

THANKS = ("Merci d'avoir signalé!",
          "Cette image sera automatiquement bloquée après qu'elle soit signalée par plusieurs personnes.")


@pytest.fixture
def article(demo_outlets, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1/32"]
    settings.IMAGE_REPORT_THRESHOLD = 3
    from akhbar.moderation.reporters import _trusted_proxies

    _trusted_proxies.cache_clear()
    crawl_all()
    yield Article.objects.filter(image__isnull=False).select_related("image", "outlet").first()
    _trusted_proxies.cache_clear()


def reader(address: str) -> Client:
    """A browser of its own, behind the trusted proxy, that has loaded a page (and so holds a token)."""
    return Client(enforce_csrf_checks=True, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=address)


def token_of(client: Client, article: Article) -> str:
    page = client.get(article.get_absolute_url()).content.decode()
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def report(client: Client, article: Article, **headers):
    token = token_of(client, article)
    url = f"/fr/img/{article.image.sha256}/signaler/"
    return client.post(url, {"csrfmiddlewaretoken": token, "next": article.get_absolute_url()}, **headers)


def test_without_javascript_a_confirmation_page_says_thanks(article):
    response = report(reader("203.0.113.5"), article)
    assert response.status_code == 200
    text = response.content.decode()
    assert all(line.replace("'", "&#x27;") in text for line in THANKS)
    assert f'href="{article.get_absolute_url()}"' in text
    assert COOKIE_NAME in response.cookies and response.cookies[COOKIE_NAME]["httponly"]


def test_with_javascript_the_same_two_lines_come_back_as_json(article):
    response = report(reader("203.0.113.5"), article, HTTP_ACCEPT="application/json")
    assert response.status_code == 200 and response.json() == {"lines": list(THANKS)}


def test_three_readers_block_the_image_everywhere(article):
    image_url = article.image.get_absolute_url()
    for address in ("203.0.113.5", "198.51.100.7", "192.0.2.9"):
        assert reader("10.0.0.1").get(image_url).status_code == 200
        assert report(reader(address), article).status_code == 200
    assert reader("10.0.0.1").get(image_url).status_code == 410
    for other in Article.objects.filter(image=article.image):
        page = Client().get(other.get_absolute_url()).content.decode()
        assert 'class="image-placeholder"' in page and image_url not in page and "Signaler cette image" not in page


def test_a_reader_reporting_twice_counts_once(article):
    same = reader("203.0.113.5")
    report(same, article)
    report(same, article)
    report(reader("203.0.113.77"), article)  # same /24, another browser
    assert ImageCase.objects.get(image=article.image).reporters == 1


def test_a_forged_forwarded_address_from_an_untrusted_peer_is_ignored(article, settings):
    for fake in ("203.0.113.5", "198.51.100.7", "192.0.2.9"):
        client = Client(enforce_csrf_checks=True, REMOTE_ADDR="192.168.1.20", HTTP_X_FORWARDED_FOR=fake)
        report(client, article)
    assert ImageCase.objects.get(image=article.image).reporters == 1


def test_no_raw_address_is_stored(article):
    report(reader("203.0.113.5"), article)
    stored = " ".join(str(value) for row in Report.objects.values() for value in row.values())
    assert "203.0.113" not in stored and "127.0.0.1" not in stored


def test_the_wrong_requests_get_the_right_errors(article):
    url = f"/fr/img/{article.image.sha256}/signaler/"
    client = reader("203.0.113.5")
    token = token_of(client, article)
    assert client.get(url).status_code == 405
    assert client.post(url, {}).status_code == 403
    assert client.post("/fr/img/" + "ab" * 32 + "/signaler/", {"csrfmiddlewaretoken": token}).status_code == 404
    assert not Report.objects.exists()


def test_past_the_hourly_limit_the_reader_is_told_in_french(article, settings):
    settings.REPORTS_PER_HOUR = 1
    other = Article.objects.filter(image__isnull=False).exclude(image=article.image).first()
    client = reader("203.0.113.5")
    assert report(client, article).status_code == 200
    refused = report(client, other)
    assert refused.status_code == 429 and refused["Retry-After"] == "3600"
    assert "réessayer dans une heure" in refused.content.decode()
    assert report(client, other, HTTP_ACCEPT="application/json").json()["lines"][0].startswith("Vous avez envoyé")
    assert not Report.objects.filter(image=other.image).exists()
