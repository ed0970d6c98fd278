"""A reader's own CSRF token inside a page the page cache shares between all readers.

A cached page is the same bytes for everyone, but a form's CSRF token must match the reader's own
cookie. Pages therefore carry a placeholder instead of a token, once, near their end (every form
uses it through the `form` attribute); the page cache fills it in for each reader. The gzipped copy
is kept as a compressed head, flushed to a byte boundary, plus the plain tail: filling it compresses
only the few hundred bytes after the placeholder, and the gzip trailer's CRC continues from the head's.
"""

import re
import struct
import zlib
from dataclasses import dataclass
from http.cookies import SimpleCookie

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token

PLACEHOLDER = b"__akhbar_csrf_token__"
ENVIRON_FLAG = "akhbar.page_cache"  # set by the page cache on requests whose page it may share
GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # no name, no mtime, unknown OS
SECRET = re.compile(r"[A-Za-z0-9]{32}")


def token_input(request: HttpRequest) -> str:
    """The hidden input of a page's form: the placeholder in a page to share, else the reader's token."""
    value = PLACEHOLDER.decode() if request.META.get(ENVIRON_FLAG) else get_token(request)
    return f'<input type="hidden" name="csrfmiddlewaretoken" value="{value}">'


@dataclass(frozen=True)
class FormPage:
    """A page split around its token placeholder, with its head compressed once and for all."""

    head: bytes
    tail: bytes
    gzipped_head: bytes  # gzip header + raw deflate of head, full-flushed, not final
    head_crc: int


def split(body: bytes) -> FormPage | None:
    """Split a page at its placeholder; None for a page without a form."""
    head, found, tail = body.partition(PLACEHOLDER)
    if not found:
        return None
    if PLACEHOLDER in tail:
        raise ValueError("pageform: a page must hold one token placeholder; point every form at one input")
    compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    deflated = compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH)
    return FormPage(head, tail, GZIP_HEADER + deflated, zlib.crc32(head))


def fill(page: FormPage, token: str, *, gzipped: bool) -> bytes:
    """The page with this reader's token, plain or gzipped."""
    rest = token.encode() + page.tail
    if not gzipped:
        return page.head + rest
    compressor = zlib.compressobj(1, zlib.DEFLATED, -zlib.MAX_WBITS)
    size = len(page.head) + len(rest)
    trailer = struct.pack("<II", zlib.crc32(rest, page.head_crc), size & 0xFFFFFFFF)
    return page.gzipped_head + compressor.compress(rest) + compressor.flush() + trailer


def reader_secret(environ: dict) -> str | None:
    """The CSRF secret in the reader's cookie, when it is a well-formed one."""
    cookie = SimpleCookie()
    try:
        cookie.load(environ.get("HTTP_COOKIE", ""))
    except Exception:  # noqa: BLE001 - a garbled Cookie header just means no usable cookie
        return None
    morsel = cookie.get(settings.CSRF_COOKIE_NAME)
    return morsel.value if morsel and SECRET.fullmatch(morsel.value) else None


def reader_token(environ: dict) -> tuple[str, str | None]:
    """A masked token for the reader's secret, and a Set-Cookie value when they need a new secret."""
    request = HttpRequest()
    secret = reader_secret(environ)
    if secret:
        request.META["CSRF_COOKIE"] = secret
    token = get_token(request)
    return token, None if secret else _csrf_cookie(request.META["CSRF_COOKIE"])


def _csrf_cookie(secret: str) -> str:
    response = HttpResponse()
    response.set_cookie(
        settings.CSRF_COOKIE_NAME, secret, max_age=settings.CSRF_COOKIE_AGE, domain=settings.CSRF_COOKIE_DOMAIN,
        path=settings.CSRF_COOKIE_PATH, secure=settings.CSRF_COOKIE_SECURE, httponly=settings.CSRF_COOKIE_HTTPONLY,
        samesite=settings.CSRF_COOKIE_SAMESITE,
    )
    return response.cookies[settings.CSRF_COOKIE_NAME].OutputString()
