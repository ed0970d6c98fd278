"""Cross-origin reads: the API serves public data, read-only, so any site's scripts may fetch it."""

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern


def any_origin(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Let every origin read this view's answers (no credentials: nothing here depends on who asks)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response["Access-Control-Allow-Origin"] = "*"
        response["Access-Control-Expose-Headers"] = "Retry-After"
        return response

    return wrapper


def any_origin_patterns(patterns: list[URLPattern]) -> list[URLPattern]:
    """The same URL patterns, each view wrapped in any_origin."""
    return [URLPattern(p.pattern, any_origin(p.callback), p.default_args, p.name) for p in patterns]
