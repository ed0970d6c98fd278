"""Forms in cached pages: every reader gets a token of their own, and it works, through the real WSGI stack."""

import gzip
import re
from io import BytesIO
from urllib.parse import urlencode
from wsgiref.util import setup_testing_defaults

import pytest

from akhbar.news.models import Article
from akhbar.web import pageform
from akhbar.wsgi import application
from tests.helpers import crawl_all

pytestmark = pytest.mark.django_db(transaction=True)


def call(path: str, *, method: str = "GET", body: bytes = b"", **headers: str) -> tuple[str, dict, bytes]:
    environ = {"PATH_INFO": path, "REQUEST_METHOD": method, "wsgi.input": BytesIO(body),
               "CONTENT_LENGTH": str(len(body)), "SERVER_NAME": "127.0.0.1", "HTTP_HOST": "127.0.0.1"}
    if method == "POST":
        environ["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
    environ.update({f"HTTP_{name.upper()}": value for name, value in headers.items()})
    setup_testing_defaults(environ)
    answer: dict = {}
    chunks = application(environ, lambda status, headers, exc=None: answer.update(s=status, h=headers))
    content = b"".join(chunks)
    return answer["s"], answer["h"], content


def header(headers: list, name: str) -> list[str]:
    return [v for k, v in headers if k.lower() == name.lower()]


def token_in(page: bytes) -> str:
    return re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()


def csrf_cookie(headers: list) -> str:
    (cookie,) = [c for c in header(headers, "Set-Cookie") if c.startswith("csrftoken=")]
    return cookie.split(";")[0]


@pytest.fixture
def article_path(demo_outlets):
    crawl_all()
    return Article.objects.filter(image__isnull=False).first().get_absolute_url()


def test_each_reader_of_a_cached_page_gets_a_working_token_of_their_own(article_path):
    _, first_headers, first = call(article_path)
    _, second_headers, second = call(article_path, accept_encoding="gzip")
    second = gzip.decompress(second)
    assert pageform.PLACEHOLDER not in first + second
    cookies = csrf_cookie(first_headers), csrf_cookie(second_headers)
    assert cookies[0] != cookies[1]
    # Apart from the token, both readers were served the very same page.
    assert re.sub(rb'value="[A-Za-z0-9]{64}"', b"", first) == re.sub(rb'value="[A-Za-z0-9]{64}"', b"", second)
    sha = re.search(r"/img/([0-9a-f]{64})/", first.decode()).group(1)
    for page, cookie, address in ((first, cookies[0], "203.0.113.1"), (second, cookies[1], "198.51.100.1")):
        status, _, _ = call(f"/fr/img/{sha}/signaler/", method="POST", cookie=cookie, remote_addr=address,
                            body=urlencode({"csrfmiddlewaretoken": token_in(page)}).encode())
        assert status.startswith("200")
    # A token is worth nothing with another reader's cookie.
    status, _, _ = call(f"/fr/img/{sha}/signaler/", method="POST", cookie=cookies[1],
                        body=urlencode({"csrfmiddlewaretoken": token_in(first)}).encode())
    assert status.startswith("403")


def test_a_reader_with_a_cookie_keeps_it_and_may_revalidate(article_path):
    _, headers, page = call(article_path)
    cookie = csrf_cookie(headers)
    status, again_headers, again = call(article_path, cookie=cookie, accept_encoding="gzip")
    assert status.startswith("200") and not [c for c in header(again_headers, "Set-Cookie") if "csrftoken" in c]
    assert header(again_headers, "Cache-Control")[0].startswith("private")
    etag = header(again_headers, "ETag")[0]
    assert call(article_path, cookie=cookie, accept_encoding="gzip", if_none_match=etag)[0].startswith("304")
    # Without the cookie the browser's copy holds a token for nobody: it gets the page again, and a cookie.
    status, fresh_headers, _ = call(article_path, accept_encoding="gzip", if_none_match=etag)
    assert status.startswith("200") and csrf_cookie(fresh_headers)


def test_splitting_and_filling_keeps_the_page_byte_for_byte():
    body = ("<html>" + "é texte " * 5000 + '<input value="').encode() + pageform.PLACEHOLDER + b'"></form></html>'
    split = pageform.split(body)
    filled = body.replace(pageform.PLACEHOLDER, b"T" * 64)
    assert pageform.fill(split, "T" * 64, gzipped=False) == filled
    assert gzip.decompress(pageform.fill(split, "T" * 64, gzipped=True)) == filled
    assert pageform.split(b"<html>no form</html>") is None
    with pytest.raises(ValueError, match="one token placeholder"):
        pageform.split(pageform.PLACEHOLDER * 2)
