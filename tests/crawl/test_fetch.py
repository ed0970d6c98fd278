"""Fetch stage against real loopback servers: encodings, validators, errors, redirects, limits, politeness."""

import email.utils
import gzip
import pickle
import socket
import threading
import time
import zlib

import anyio
import brotli
import pytest

from akhbar.crawl.fetch import Fetcher, FetchError

pytestmark = pytest.mark.anyio

UA = "Akhbar/0.1 (+https://akhbar.example/about)"
TEXT = ("Le Maroc et l'Afrique — المغرب وأفريقيا. " * 8000).encode()  # ~400 KB, several chunks


def fetcher(**options) -> Fetcher:
    settings = {"user_agent": UA, "allow_networks": ["127.0.0.0/8"], "host_delay": 0, "timeout": 5}
    return Fetcher(**(settings | options))


async def fetch_error(fetcher_: Fetcher, url: str, **options) -> FetchError:
    async with fetcher_:
        with pytest.raises(FetchError) as caught:
            await fetcher_.fetch(url, **options)
    assert str(caught.value).startswith("fetch: ")
    assert caught.value.url == url
    return caught.value


def answer(status: int, body: bytes = b"", **headers: str):
    return lambda req: req.reply(status, body, {k.replace("_", "-"): v for k, v in headers.items()})


# --- success, encodings, validators -------------------------------------------------------------


async def test_plain_answer_has_headers_media_type_and_charset(serve):
    server = serve({"/feed": answer(200, b"<rss/>", Content_Type='Application/RSS+XML; Charset="UTF-8"', X_Thing="1")})
    async with fetcher() as f:
        result = await f.fetch(server.url("/feed"))
    assert (result.status, result.body, result.url) == (200, b"<rss/>", server.url("/feed"))
    assert (result.content_type, result.charset, result.not_modified) == ("application/rss+xml", "utf-8", False)
    assert result.headers["x-thing"] == "1" and "X-Thing" not in result.headers
    sent = server.requests("/feed")[0].headers
    assert sent["user-agent"] == UA and sent["accept-encoding"] == "gzip, deflate, br"


def _raw_deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


@pytest.mark.parametrize(
    "coding, encode",
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),  # zlib-wrapped, as the standard says
        ("deflate", _raw_deflate),  # raw, as many servers send it
        ("br", brotli.compress),
        ("deflate, br", lambda data: brotli.compress(zlib.compress(data))),  # applied in that order
    ],
    ids=["gzip", "deflate-zlib", "deflate-raw", "brotli", "deflate-then-brotli"],
)
async def test_compressed_bodies_are_decoded(serve, coding, encode):
    server = serve({"/page": answer(200, encode(TEXT), Content_Encoding=coding, Content_Type="text/html")})
    async with fetcher() as f:
        result = await f.fetch(server.url("/page"))
    assert result.body == TEXT


def _conditional(req):
    if req.headers.get("If-None-Match") == '"v1"' or req.headers.get("If-Modified-Since") == "Tue, 01 Apr 2025 10:00:00 GMT":
        req.reply(304, headers={"ETag": '"v1"'})
    else:
        req.reply(200, b"<rss/>", {"ETag": '"v1"', "Last-Modified": "Tue, 01 Apr 2025 10:00:00 GMT"})


async def test_etag_and_last_modified_give_not_modified(serve):
    server = serve({"/feed": _conditional})
    async with fetcher() as f:
        first = await f.fetch(server.url("/feed"))
        by_etag = await f.fetch(server.url("/feed"), etag=first.etag)
        by_date = await f.fetch(server.url("/feed"), last_modified=first.last_modified)
    assert (first.etag, first.last_modified) == ('"v1"', "Tue, 01 Apr 2025 10:00:00 GMT")
    for result in (by_etag, by_date):
        assert (result.status, result.not_modified, result.body) == (304, True, b"")
    sent = [r.headers for r in server.requests("/feed")]
    assert sent[1]["if-none-match"] == '"v1"' and "if-modified-since" not in sent[1]
    assert sent[2]["if-modified-since"] == first.last_modified


# --- HTTP errors -----------------------------------------------------------------------------------


async def test_not_found_says_what_to_do(serve):
    server = serve()
    error = await fetch_error(fetcher(), server.url("/gone"))
    assert (error.kind, error.status, error.retry_after) == ("http_status", 404, None)
    assert "404 Not Found" in str(error) and "akhbar sources discover" in str(error)


async def test_server_error(serve):
    server = serve({"/feed": answer(500, b"oops")})
    error = await fetch_error(fetcher(), server.url("/feed"))
    assert (error.kind, error.status, error.retry_after) == ("http_status", 500, None)


@pytest.mark.parametrize("status", [429, 503])
async def test_retry_after_in_seconds_and_as_a_date(serve, status):
    later = email.utils.formatdate(time.time() + 90, usegmt=True)
    server = serve({"/seconds": answer(status, Retry_After="120"), "/date": answer(status, Retry_After=later)})
    async with fetcher() as f:
        for path, low, high in (("/seconds", 120, 120), ("/date", 85, 91)):
            with pytest.raises(FetchError) as caught:
                await f.fetch(server.url(path))
            error = caught.value
            assert (error.kind, error.status) == ("http_status", status) and low <= error.retry_after <= high
            assert "slow down" in str(error)


async def test_refused_connection(serve):
    with socket.socket() as probe:  # a port that was free a moment ago, and nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    error = await fetch_error(fetcher(), f"http://127.0.0.1:{port}/feed")
    assert error.kind == "connection" and "robots.txt" in str(error)  # robots.txt is tried first


def test_fetch_error_survives_pickling():
    error = FetchError("http_status", "https://x.example/", "fetch: nope", 429, 30.0)
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.kind, copy.url, str(copy), copy.status, copy.retry_after) == ("http_status", "https://x.example/", "fetch: nope", 429, 30.0)


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/feed", "file:///etc/passwd", "http:///nohost", "javascript:alert(1)", "http://0177.0.0.1/"])
async def test_bad_urls(url):
    error = await fetch_error(fetcher(), url)
    assert error.kind == "bad_url"


# --- redirects -------------------------------------------------------------------------------------


def _redirects(server, count: int, *, prefix: str = "/hop") -> None:
    for i in range(count):
        server.routes[f"{prefix}{i}"] = answer(302, Location=f"{prefix}{i + 1}")
    server.routes[f"{prefix}{count}"] = answer(200, b"arrived")


async def test_three_redirects_are_followed(serve):
    server = serve()
    _redirects(server, 3)
    async with fetcher() as f:
        result = await f.fetch(server.url("/hop0"))
    assert (result.body, result.url) == (b"arrived", server.url("/hop3"))


async def test_six_redirects_are_too_many(serve):
    server = serve()
    _redirects(server, 6)
    error = await fetch_error(fetcher(), server.url("/hop0"))
    assert error.kind == "too_many_redirects"
    assert not server.requests("/hop6")


async def test_redirect_loop_is_cut_at_once(serve):
    server = serve({"/a": answer(301, Location="/b"), "/b": answer(301, Location="/a")})
    error = await fetch_error(fetcher(), server.url("/a"))
    assert error.kind == "too_many_redirects" and "loop" in str(error)
    assert len(server.requests("/a")) == 1


async def test_redirect_to_another_scheme_is_refused(serve):
    server = serve({"/feed": answer(302, Location="ftp://127.0.0.1/feed")})
    error = await fetch_error(fetcher(), server.url("/feed"))
    assert error.kind == "bad_url"


# --- network guard, end to end ---------------------------------------------------------------------


@pytest.fixture
def canary(serve):
    """A server on 127.0.0.2 that must never be reached."""
    canary = serve({"/": answer(200, b"secret")}, host="127.0.0.2")
    yield canary
    assert canary.connections == 0 and not canary.requests()


async def test_redirect_to_refused_address_never_connects(serve, canary):
    server = serve({"/feed": answer(302, Location=canary.url("/"))})
    error = await fetch_error(fetcher(allow_networks=["127.0.0.1/32"]), server.url("/feed"))
    assert error.kind == "refused_address" and "loopback" in str(error)
    assert server.requests("/feed")


@pytest.mark.parametrize("spelling", ["2130706434", "0x7f000002", "127.2", "[::ffff:127.0.0.2]", "127.0.0.2"])
async def test_odd_spellings_of_a_refused_address(canary, spelling):
    error = await fetch_error(fetcher(allow_networks=["127.0.0.1/32"]), f"http://{spelling}:{canary.port}/")
    assert error.kind == "refused_address"


async def test_only_networks_overrides_allow_networks(canary):
    limited = fetcher(allow_networks=["127.0.0.0/8"], only_networks=["127.0.0.1/32"])
    error = await fetch_error(limited, canary.url("/"))
    assert error.kind == "refused_address" and "only_networks" in str(error)


async def test_loopback_is_refused_by_default(canary):
    error = await fetch_error(Fetcher(user_agent=UA), canary.url("/"))
    assert error.kind == "refused_address"


# --- size limits and deadlines ---------------------------------------------------------------------


def _announces_too_much(req):
    req.send_response(200)
    req.send_header("Content-Length", "50000000")
    req.end_headers()
    req.server.stopping.wait()  # never sends the body: the client must not wait for it


def _endless(encode):
    def handler(req):
        req.send_response(200)
        if encode:
            req.send_header("Content-Encoding", "gzip")
        req.send_header("Connection", "close")  # body ends when the connection does
        req.end_headers()
        compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
        block = bytes(1 << 20) if encode else b"x" * 65536
        while not req.server.stopping.is_set():
            req.wfile.write(compressor.compress(block) if encode else block)
        req.close_connection = True

    return handler


@pytest.mark.parametrize(
    "route",
    [
        _announces_too_much,
        _endless(encode=False),
        _endless(encode=True),  # a gzip bomb: a few KB on the wire, unbounded once decoded
        answer(200, brotli.compress(bytes(50_000_000)), Content_Encoding="br"),  # 77 bytes, 50 MB decoded
    ],
    ids=["declared", "streamed", "gzip-bomb", "brotli-bomb"],
)
async def test_too_large_stops_quickly(serve, route):
    server = serve({"/big": route})
    started = time.monotonic()
    error = await fetch_error(fetcher(max_bytes=1_000_000), server.url("/big"))
    assert error.kind == "too_large"
    assert time.monotonic() - started < 3  # without the limit: a 5 s timeout, or no end at all


async def test_max_bytes_per_fetch_overrides_the_default(serve):
    server = serve({"/page": answer(200, b"x" * 2000)})
    async with fetcher() as f:
        assert len((await f.fetch(server.url("/page"), max_bytes=2000)).body) == 2000
        with pytest.raises(FetchError, match="too_large|more than"):
            await f.fetch(server.url("/page"), max_bytes=1999)


def _drip(req):
    req.send_response(200)
    req.send_header("Content-Length", "1000")
    req.end_headers()
    # One byte every 0.2 s keeps any read timeout happy; only the deadline can stop it.
    while not req.server.stopping.wait(0.2):
        req.wfile.write(b"x")


def _silent(req):
    req.server.stopping.wait()


@pytest.mark.parametrize("route", [_drip, _silent], ids=["one-byte-at-a-time", "never-answers"])
async def test_deadline_cuts_slow_servers(serve, route):
    server = serve({"/slow": route})
    started = time.monotonic()
    error = await fetch_error(fetcher(timeout=1.0, obey_robots=False), server.url("/slow"))
    assert error.kind == "timeout"
    assert 0.9 <= time.monotonic() - started < 2.5  # the drip alone would last 200 s


# --- concurrency and politeness --------------------------------------------------------------------


def _meet(barrier: threading.Barrier):
    def handler(req):
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            req.reply(500, b"not enough requests in flight")
        else:
            req.reply(200, b"ok")

    return handler


async def test_at_most_two_requests_per_host(serve, recorder):


    # Requests pass the barrier in pairs: a third one in flight would show in the high-water mark.
    server = serve({"/page": _meet(threading.Barrier(2, timeout=5))})
    async with fetcher() as f, anyio.create_task_group() as tasks:
        for i in range(20):
            tasks.start_soon(f.fetch, server.url(f"/page?n={i}"))
    assert len(server.requests()) == 21  # 20 pages and one robots.txt
    assert recorder.high_water[server.host_key] == 2


async def test_more_than_fifty_in_flight_across_hosts(serve):


    # Sixty requests must all be in flight at once for the barrier to let any of them through.
    meet = _meet(threading.Barrier(60, timeout=10))
    servers = [serve({"/page": meet}, host=f"127.0.0.{10 + i}") for i in range(30)]
    results = []

    async def one(url):
        results.append(await f.fetch(url))

    async with fetcher() as f, anyio.create_task_group() as tasks:
        for server in servers:
            for n in range(2):
                tasks.start_soon(one, server.url(f"/page?n={n}"))
    assert len(results) == 60 and all(r.body == b"ok" for r in results)


async def test_overall_concurrency_limit(serve, recorder):


    meet = _meet(threading.Barrier(4, timeout=5))
    servers = [serve({"/page": meet}, host=f"127.0.0.{50 + i}") for i in range(8)]
    async with fetcher(concurrency=4, obey_robots=False) as f, anyio.create_task_group() as tasks:
        for server in servers:
            tasks.start_soon(f.fetch, server.url("/page"))
    assert recorder.total_high_water == 4


async def test_polite_delay_between_requests_to_one_host(serve):


    server = serve({"/page": answer(200, b"ok")})
    # One connection, opened by a first fetch, so that connection set-up does not blur the timings.
    async with fetcher(host_delay=0.3, per_host=1, obey_robots=False) as f:
        await f.fetch(server.url("/page"))
        async with anyio.create_task_group() as tasks:
            for i in range(3):
                tasks.start_soon(f.fetch, server.url(f"/page?n={i}"))
    starts = sorted(r.started for r in server.requests())
    gaps = [later - earlier for earlier, later in zip(starts, starts[1:])]
    assert len(gaps) == 3 and min(gaps) >= 0.25, gaps
