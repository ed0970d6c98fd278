"""/edition/<code>/: the reader picks an edition; the choice is remembered for their next visit to /."""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation

from akhbar.news.editions import EDITIONS, NAMES


def choose(request: HttpRequest, code: str) -> HttpResponse:
    if code not in EDITIONS:
        raise Http404
    with translation.override(code):
        response = redirect(reverse("home"))
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, code, max_age=settings.LANGUAGE_COOKIE_AGE,
                        samesite=settings.LANGUAGE_COOKIE_SAMESITE, secure=settings.LANGUAGE_COOKIE_SECURE,
                        httponly=True)
    return response


def in_editions(view_name: str, languages: list[str], *, current: str, **kwargs) -> list[tuple[str, str, str]]:
    """(code, name, address) of this page in each other edition whose language is among these languages."""
    links = []
    for code in EDITIONS:
        if code != current and code in languages:
            with translation.override(code):
                links.append((code, NAMES[code], reverse(view_name, kwargs=kwargs)))
    return links
