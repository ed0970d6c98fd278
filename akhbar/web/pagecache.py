"""The page cache: a public page is rendered once per content version, then served before Django runs.

Views opt in with @cached_page (they promise to render nothing that depends on the reader). The WSGI
wrapper PageCacheApp keeps each such page's final bytes, headers and a gzipped copy, keyed by its
address; an entry is fresh while the content version (akhbar.news.freshness) has not moved, so new
articles make every cached page stale at once, in every process. While one request re-renders a stale
page, the other readers of this process get the stale copy instead of waiting for a second render.
"""

import gzip
import hashlib
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

from akhbar.news import freshness
from akhbar.web import pageform

PAGE_TTL = 600
BROWSER_MAX_AGE = 60
MARKER = "X-Akhbar-Page-Cache"
# Headers the cache computes itself for each copy it serves.
OWN_HEADERS = {MARKER.lower(), "content-length", "etag", "vary", "content-encoding"}


def cached_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Mark a view's pages as the same for every reader, so PageCacheApp may keep and serve them."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code == 200:
            patch_cache_control(response, public=True, max_age=BROWSER_MAX_AGE)
            response[MARKER] = "store"
        return response

    return wrapper


@dataclass(frozen=True)
class CachedPage:
    version: int
    status: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    gzipped: bytes
    etag: str
    form: pageform.FormPage | None = None  # set when the page holds a form, whose token is per reader


class PageCacheApp:
    """WSGI middleware in front of Django that serves and stores @cached_page pages."""

    def __init__(self, app: Callable) -> None:
        self.app = app
        self._rendering: set[str] = set()
        self._lock = threading.Lock()

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return self.app(environ, start_response)
        environ.pop(pageform.ENVIRON_FLAG, None)  # only this wrapper may ask for a shared page
        key = page_key(environ)
        version = freshness.current()
        entry: CachedPage | None = cache.get(key)
        if entry is not None and (entry.version == version or self._being_rendered(key)):
            return serve(entry, environ, start_response)
        if environ["REQUEST_METHOD"] == "HEAD" or not self._claim(key):
            return self._pass_through(environ, start_response)
        try:
            return self._render_and_store(key, version, environ, start_response)
        finally:
            with self._lock:
                self._rendering.discard(key)

    def _being_rendered(self, key: str) -> bool:
        with self._lock:
            return key in self._rendering

    def _claim(self, key: str) -> bool:
        with self._lock:
            if key in self._rendering:
                return False
            self._rendering.add(key)
            return True

    def _pass_through(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        def strip_marker(status, headers, exc_info=None):
            return start_response(status, [(k, v) for k, v in headers if k.lower() != MARKER.lower()], exc_info)

        return self.app(environ, strip_marker)

    def _render_and_store(self, key: str, version: int, environ: dict, start_response: Callable) -> Iterable[bytes]:
        captured: dict = {}

        def capture(status, headers, exc_info=None):
            captured.update(status=status, headers=headers)
            return lambda data: None  # Django never uses the legacy write() callable

        environ[pageform.ENVIRON_FLAG] = True
        result = self.app(environ, capture)
        try:
            body = b"".join(result)
        finally:
            getattr(result, "close", lambda: None)()
        headers = captured["headers"]
        storable = captured["status"].startswith("200") and any(k.lower() == MARKER.lower() for k, _ in headers)
        if storable and not any(k.lower() == "set-cookie" for k, _ in headers):
            entry = make_entry(version, captured["status"], headers, body)
            cache.set(key, entry, PAGE_TTL)
            return serve(entry, environ, start_response)
        headers = [(k, v) for k, v in headers if k.lower() != MARKER.lower()]
        form = pageform.split(body)
        if form is not None:  # a page that could not be kept still needs this reader's token
            token, cookie = pageform.reader_token(environ)
            body = pageform.fill(form, token, gzipped=False)
            headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
            headers += [("Content-Length", str(len(body)))] + ([("Set-Cookie", cookie)] if cookie else [])
        start_response(captured["status"], headers)
        return [body]


def page_key(environ: dict) -> str:
    """A page's cache key: its address, host and scheme included, since feeds, sitemaps and og:url hold
    absolute links built from the request (a site reached by two names must not hand one's links to the other)."""
    scheme = environ.get("HTTP_X_FORWARDED_PROTO") or environ.get("wsgi.url_scheme", "http")
    query = environ.get("QUERY_STRING", "")
    return (f"page:{scheme}://{environ.get('HTTP_HOST', '')}{environ.get('PATH_INFO', '/')}"
            + ("?" + query if query else ""))


def make_entry(version: int, status: str, headers: list[tuple[str, str]], body: bytes) -> CachedPage:
    kept = tuple((k, v) for k, v in headers if k.lower() not in OWN_HEADERS)
    etag = '"' + hashlib.md5(body, usedforsecurity=False).hexdigest() + '"'
    form = pageform.split(body)
    if form is not None:
        return CachedPage(version, status, private(kept), body, b"", etag, form)
    return CachedPage(version, status, kept, body, gzip.compress(body, compresslevel=6, mtime=0), etag)


def private(headers: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    """A page holding a reader's token may be kept by their browser, never by a shared cache."""
    return tuple(
        (k, v.replace("public", "private")) if k.lower() == "cache-control" else (k, v) for k, v in headers
    )


def serve(entry: CachedPage, environ: dict, start_response: Callable) -> Iterable[bytes]:
    """One copy of a cached page: gzipped when the reader accepts it, or 304 when they have it already."""
    zipped = "gzip" in environ.get("HTTP_ACCEPT_ENCODING", "")
    etag = entry.etag[:-1] + '-gz"' if zipped else entry.etag
    common = [("ETag", etag), ("Vary", "Accept-Encoding, Cookie" if entry.form else "Accept-Encoding")]
    # A reader without a token cookie gets the page with a new one, even if their browser kept a copy.
    revalidates = entry.form is None or pageform.reader_secret(environ) is not None
    if_none_match = environ.get("HTTP_IF_NONE_MATCH", "")
    if revalidates and if_none_match and (if_none_match.strip() == "*" or etag in if_none_match):
        start_response("304 Not Modified", [(k, v) for k, v in entry.headers if k.lower() == "cache-control"] + common)
        return [b""]
    if entry.form is None:
        body = entry.gzipped if zipped else entry.body
    else:
        token, cookie = pageform.reader_token(environ)
        body = pageform.fill(entry.form, token, gzipped=zipped)
        common += [("Set-Cookie", cookie)] if cookie else []
    headers = list(entry.headers) + common + [("Content-Length", str(len(body)))]
    if zipped:
        headers.append(("Content-Encoding", "gzip"))
    start_response(entry.status, headers)
    return [b""] if environ.get("REQUEST_METHOD") == "HEAD" else [body]
