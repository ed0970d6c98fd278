"""A page cache for anonymous readers: a page is rendered once per content version.

The key holds the content version (akhbar.news.freshness), so new articles make every cached page
stale at once, in every process, without deleting anything.
"""

from collections.abc import Callable
from functools import wraps

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control, set_response_etag

from akhbar.news import freshness

PAGE_TTL = 600
BROWSER_MAX_AGE = 60


def cached_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        key = f"page:{freshness.current()}:{request.get_full_path()}"
        response = cache.get(key)
        if response is None:
            response = view(request, *args, **kwargs)
            if response.status_code == 200 and not getattr(response, "streaming", False):
                patch_cache_control(response, public=True, max_age=BROWSER_MAX_AGE)
                # The ETag is computed once here, not by ConditionalGetMiddleware on every hit.
                set_response_etag(response)
                cache.set(key, response, PAGE_TTL)
        return response

    return wrapper
