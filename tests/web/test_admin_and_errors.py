"""Operators' admin pages, and what a reader sees when the server fails."""

import pytest
from django.contrib.auth.models import User
from django.test import Client, override_settings
from django.urls import path

from akhbar.sources.services import feed_add, outlet_upsert
from akhbar.web.urls import urlpatterns as site_urls

pytestmark = pytest.mark.django_db(transaction=True)


def test_operator_sees_feed_health_in_the_admin():
    outlet = outlet_upsert(name="Goud", language="ar")
    feed = feed_add(outlet=outlet, url="https://www.goud.ma/feed")
    feed.consecutive_failures, feed.last_error = 2, "fetch: the server answered 403 Forbidden"
    feed.save()
    User.objects.create_superuser("operator", "op@example.ma", "a-long-password")
    client = Client()
    client.login(username="operator", password="a-long-password")
    listing = client.get("/admin/sources/feed/").content.decode()
    assert "https://www.goud.ma/feed" in listing and "fetch: the server answered 403 Forbidden" in listing
    assert client.get("/admin/news/article/").status_code == 200
    assert client.get(f"/admin/sources/outlet/{outlet.pk}/change/").status_code == 200


def test_admin_login_form_requires_csrf():
    User.objects.create_superuser("operator", "op@example.ma", "a-long-password")
    client = Client(enforce_csrf_checks=True)
    response = client.post("/admin/login/", {"username": "operator", "password": "a-long-password"})
    assert response.status_code == 403


def crash(request):
    raise RuntimeError("boom")


urlpatterns = [path("crash/", crash), *site_urls]
handler500 = "akhbar.web.views.errors.server_error"


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_server_error_page_is_french_and_reveals_nothing():
    client = Client(raise_request_exception=False)
    response = client.get("/crash/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Une erreur est survenue" in body and "boom" not in body and "Traceback" not in body


def test_pages_forbid_scripts_from_elsewhere():
    response = Client().get("/fr/")
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
