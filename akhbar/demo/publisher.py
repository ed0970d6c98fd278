"""A local HTTP server that plays several Moroccan outlets, for `akhbar up --demo`, the tests and the benchmarks.

    with SamplePublisher() as publisher:
        publisher.outlets[0]["feed_url"]      # http://127.0.0.1:<port>/hespress-ar/feed/index.rss
        publisher.article_urls("lopinion")

    python -m akhbar.demo.publisher --port 8001

The outlets, articles and templates are data files under akhbar/demo/data/; the articles are
samples written for Akhbar, not texts published by the outlets they are credited to. Dates other
than fixed ones are counted back from the moment the publisher starts, so the demo looks fresh and
every response stays byte-identical while it runs (which keeps ETags stable).

Every feed, page and image carries an ETag and a Last-Modified header and is answered with
304 Not Modified to a matching If-None-Match (or, without one, If-Modified-Since). Text is gzipped
when Accept-Encoding allows it; the gzipped variant's ETag is the weak form W/"..." of the same tag,
and either form matches. HEAD is supported, unknown paths get 404, and /private/ is disallowed by
/robots.txt (it still answers, so a test can see a crawler that ignores robots.txt in request_log).

Failure routes, for the crawler's tests:
    /broken/404.rss      404 Not Found
    /broken/500.rss      500 Internal Server Error
    /broken/invalid.rss  200 with a truncated, unparseable RSS document
    /broken/slow.rss     answers (with a valid, empty RSS) only after 30 s, or 503 as soon as stop() is called
"""

import argparse
import logging
import sys
import threading
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

from .content import DATA_DIR
from .site import Resource, Site

logger = logging.getLogger(__name__)

SLOW_SECONDS = 30
ERROR_PAGE = '<!DOCTYPE html><html><head><meta charset="utf-8"><title>{status}</title></head><body>{status}</body>'
EMPTY_RSS = (b'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Slow</title>'
             b"<link>http://127.0.0.1/broken/</link><description>Slow feed</description></channel></rss>\n")


class SamplePublisher:
    """The sample outlets on a ThreadingHTTPServer in a daemon thread; also a context manager.

    request_log holds (method, raw request target with its query) for every request parsed, in arrival order.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *,
                 articles_per_outlet: int | None = None, extra_outlets: int = 0):
        self.host, self.port = host, port
        self.articles_per_outlet, self.extra_outlets = articles_per_outlet, extra_outlets
        self.base_url = ""
        self.outlets: list[dict] = []
        self.request_log: list[tuple[str, str]] = []
        self._log_lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._site: Site | None = None

    def start(self) -> "SamplePublisher":
        """Bind the port, build the sites and serve in the background; base_url and outlets are set from here on."""
        if self._server is not None:
            raise RuntimeError("publisher: already started; call stop() first")
        self._stopping = threading.Event()
        server = _Server((self.host, self.port), _Handler)
        host = "127.0.0.1" if self.host in ("", "0.0.0.0") else self.host
        self.base_url = f"http://{host}:{server.server_address[1]}"
        site = Site(self.base_url, now=datetime.now(UTC),
                    articles_per_outlet=self.articles_per_outlet, extra_outlets=self.extra_outlets)
        server.site, server.stopping, server.record = site, self._stopping, self._record
        self._server, self._site = server, site
        self.outlets = [outlet.public(self.base_url) for outlet in site.outlets]
        # A short poll interval keeps stop() quick; shutdown() waits for the loop to notice.
        serve = partial(server.serve_forever, poll_interval=0.05)
        self._thread = threading.Thread(target=serve, name="sample-publisher", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Release waiting slow requests, stop serving and close the port."""
        if self._server is None:
            return
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
        self._server = self._thread = None

    def article_urls(self, slug: str) -> list[str]:
        """Absolute URLs of the outlet's articles, in feed order (newest first)."""
        if self._site is None:
            raise RuntimeError("publisher: not started; call start() first")
        return [self.base_url + article.path for article in self._site.outlet(slug).articles]

    def _record(self, method: str, path: str) -> None:
        with self._log_lock:
            self.request_log.append((method, path))

    def __enter__(self) -> "SamplePublisher":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    site: Site
    stopping: threading.Event

    def handle_error(self, request, client_address):
        # Clients that time out or hang up are part of the tests, not server errors.
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            logger.debug("publisher: client went away", extra={"client": client_address})
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so benchmarks measure the crawler and not TCP handshakes
    disable_nagle_algorithm = True  # headers and body go out in two writes; Nagle would hold the body 40 ms
    timeout = SLOW_SECONDS + 5  # idle keep-alive connections are dropped after this
    server: _Server

    def version_string(self) -> str:
        return "AkhbarSamplePublisher/1.0"

    def parse_request(self) -> bool:
        parsed = super().parse_request()
        if parsed:
            self.server.record(self.command, self.path)
        return parsed

    def do_GET(self) -> None:
        self._serve(send_body=True)

    def do_HEAD(self) -> None:
        self._serve(send_body=False)

    def log_message(self, format, *args) -> None:
        logger.debug("publisher: " + format, *args)

    def _serve(self, *, send_body: bool) -> None:
        path = unquote(urlsplit(self.path).path)
        broken = BROKEN_ROUTES.get(path)
        if broken is not None:
            broken(self, send_body=send_body)
            return
        resource = self.server.site.resolve(path)
        if resource is None:
            self._send_error(404, send_body)
            return
        self._send_resource(resource, send_body)

    def _send_resource(self, resource: Resource, send_body: bool) -> None:
        gzipped = resource.compressible and accepts_gzip(self.headers.get("Accept-Encoding", ""))
        etag = "W/" + resource.etag if gzipped else resource.etag
        if not_modified(self.headers, etag, resource.last_modified):
            self.send_response(304)
            self._send_validators(etag, resource)
            self.send_header("Content-Length", "0")  # explicit, so keep-alive clients never wait for a body
            self.end_headers()
            return
        body = resource.gzipped if gzipped else resource.body
        self.send_response(200)
        self.send_header("Content-Type", resource.content_type)
        self.send_header("Content-Length", str(len(body)))
        self._send_validators(etag, resource)
        self.send_header("Cache-Control", "public, max-age=60")
        if resource.compressible:
            self.send_header("Vary", "Accept-Encoding")
        if gzipped:
            self.send_header("Content-Encoding", "gzip")
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def _send_validators(self, etag: str, resource: Resource) -> None:
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", format_datetime(resource.last_modified, usegmt=True))

    def _send_body(self, status: int, body: bytes, content_type: str, send_body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def _send_error(self, status: int, send_body: bool) -> None:
        label = f"{status} {self.responses[status][0]}"
        self._send_body(status, ERROR_PAGE.format(status=label).encode(), "text/html; charset=utf-8", send_body)

    def _broken_invalid(self, send_body: bool) -> None:
        body = (DATA_DIR / "broken" / "invalid.rss").read_bytes()
        self._send_body(200, body, "application/rss+xml; charset=utf-8", send_body)

    def _broken_slow(self, send_body: bool) -> None:
        # An Event rather than sleep(): stop() wakes every waiting request at once.
        if self.server.stopping.wait(SLOW_SECONDS):
            self.close_connection = True
            self._send_error(503, send_body)
            return
        self._send_body(200, EMPTY_RSS, "application/rss+xml; charset=utf-8", send_body)


BROKEN_ROUTES = {
    "/broken/404.rss": partial(_Handler._send_error, status=404),
    "/broken/500.rss": partial(_Handler._send_error, status=500),
    "/broken/invalid.rss": _Handler._broken_invalid,
    "/broken/slow.rss": _Handler._broken_slow,
}


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether an Accept-Encoding header lets us answer with gzip (RFC 9110 §12.5.3)."""
    weights = {}
    for part in accept_encoding.split(","):
        coding, _, params = part.strip().partition(";")
        weight = 1.0
        name, _, value = params.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                weight = float(value)
            except ValueError:
                weight = 0.0
        weights[coding.strip().lower()] = weight
    return weights.get("gzip", weights.get("x-gzip", weights.get("*", 0.0))) > 0


def not_modified(headers, etag: str, last_modified: datetime) -> bool:
    """Whether the request's validators still match: If-None-Match, else If-Modified-Since (RFC 9110 §13.2.2)."""
    if_none_match = headers.get("If-None-Match")
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or etag.removeprefix("W/") in tags
    if_modified_since = headers.get("If-Modified-Since")
    if not if_modified_since:
        return False
    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError):
        return False
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return last_modified <= since


def main(argv: list[str] | None = None) -> None:
    """Serve the sample outlets until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m akhbar.demo.publisher", description=main.__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--extra-outlets", type=int, default=0, help="synthetic outlets bench-1..N, for benchmarks")
    parser.add_argument("--articles-per-outlet", type=int, default=None, help="articles in each synthetic outlet")
    args = parser.parse_args(argv)
    publisher = SamplePublisher(args.host, args.port,
                                articles_per_outlet=args.articles_per_outlet, extra_outlets=args.extra_outlets)
    publisher.start()
    print(f"Sample publisher on {publisher.base_url}/", flush=True)
    for outlet in publisher.outlets:
        print(f"  {outlet['slug']:<16} {outlet['lang']}  {outlet['feed_format']:<7} {outlet['feed_url']}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        publisher.stop()


if __name__ == "__main__":
    main()
