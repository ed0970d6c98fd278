"""The hostile publishers' web: one loopback site per case, two canaries, one request log.

Every case gets its own site on 127.0.0.1 and a free port (and a second one, its "peer", if it needs
another host): the fetcher keys politeness on scheme, host and port, so a port stands for a host, and
a slow case never holds up another. The canaries listen on 127.0.0.2 and 127.0.0.3, outside the
networks the crawler may reach; they count connections before reading a byte.

A route is data (see cases.py): a status, headers and a body, or a named misbehaviour from BEHAVIOURS
for what plain answers cannot do (reset the connection, send one byte a second, never answer).
Handlers that wait, wait on the site's `stopping` event or on a condition, never on a bare sleep.
"""

import email.utils
import gzip
import itertools
import re
import socket
import struct
import sys
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests.crawl.conftest import LoggedRequest, LoopbackServer, Recorder, RequestHandler
from tests.hostile import bodies

Handler = Callable[[RequestHandler], None]
CASES_DIR = Path(__file__).parent / "cases"
TYPES = {".xml": "application/rss+xml", ".atom": "application/atom+xml", ".html": "text/html",
         ".json": "application/feed+json", ".png": "image/png", ".svg": "image/svg+xml", ".txt": "text/plain"}
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
_NOW_PLUS = re.compile(r"\{\{now\+(\d+)\}\}")


class Site(LoopbackServer):
    """A case's site: its routes, plus an article page for any /articles/ path it does not list."""

    def __init__(self, host: str, recorder: Recorder) -> None:
        super().__init__(host, None, recorder)
        self.routes = Routes()
        self.failures: list[str] = []  # the server's own errors: a case must not pass by our mistake

    def handle_error(self, request, client_address) -> None:
        error = sys.exc_info()[1]
        if not isinstance(error, (ConnectionError, TimeoutError)):  # a client hanging up is the point
            self.failures.append(f"{type(error).__name__}: {error}")


class Routes(dict):
    """Exact paths, then "prefix*" entries, then the default article page for /articles/."""

    def get(self, path: str, default=None):
        found = super().get(path)
        if found is not None:
            return found
        prefixed = [key for key in self if key.endswith("*") and path.startswith(key[:-1])]
        if prefixed:
            return self[max(prefixed, key=len)]
        return article_page if path.startswith("/articles/") else default


def article_page(req: RequestHandler) -> None:
    """A French article page whose text names its own path, so a stored copy can be traced back."""
    req.reply(200, bodies.article_page(req.path.split("?")[0]), {"Content-Type": "text/html; charset=utf-8"})


@dataclass
class Web:
    """All the sites and canaries of one crawl, sharing one recorder."""

    recorder: Recorder = field(default_factory=Recorder)
    sites: dict[str, Site] = field(default_factory=dict)
    canaries: list[LoopbackServer] = field(default_factory=list)

    def start(self) -> "Web":
        for host in ("127.0.0.2", "127.0.0.3"):
            canary = LoopbackServer(host, None, self.recorder)
            canary.routes["/"] = lambda req: req.reply(200, b"canary: nothing here should ever be read")
            self.canaries.append(canary.start())
        return self

    def site(self, key: str) -> Site:
        if key not in self.sites:
            self.sites[key] = Site("127.0.0.1", self.recorder).start()
        return self.sites[key]

    def placeholders(self, case_name: str) -> dict[str, str]:
        """What {{name}} stands for in this case's routes, bodies and expectations."""
        two, three = (canary.port for canary in self.canaries)
        values = {"site": self.site(case_name).base_url, "canary2": f"http://127.0.0.2:{two}",
                  "canary3": f"http://127.0.0.3:{three}", "canary2_decimal": f"http://2130706434:{two}",
                  "canary2_hex": f"http://0x7f000002:{two}", "canary2_short": f"http://127.2:{two}",
                  "canary2_mapped": f"http://[::ffff:127.0.0.2]:{two}", "canary3_hex": f"http://0x7f000003:{three}"}
        if f"{case_name}+peer" in self.sites:
            values["peer"] = self.sites[f"{case_name}+peer"].base_url
        return values

    def requests(self, site: Site, since: int = 0) -> list[LoggedRequest]:
        with self.recorder.lock:
            return [r for r in self.recorder.log[since:] if r.host == site.host_key]

    def stop(self) -> None:
        servers = [*self.sites.values(), *self.canaries]
        stoppers = [threading.Thread(target=server.stop) for server in servers]
        for stopper in stoppers:
            stopper.start()
        for stopper in stoppers:
            stopper.join()


def expand(text: str, values: dict[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda m: values[m[1]], text)


# --- routes: from a case's data to handlers ------------------------------------------------------------


def install(site: Site, routes: dict[str, dict], values: dict[str, str]) -> None:
    """Turn a case's route table into handlers on its site."""
    for path, spec in routes.items():
        if spec.get("behave") == "redirect_chain":
            site.routes.update(redirect_chain(path, spec["hops"], expand(spec["to"], values)))
        else:
            site.routes[path] = handler_for(spec, values)


def handler_for(spec: dict, values: dict[str, str]) -> Handler:
    if "answers" in spec:  # one answer per request, the last one repeated
        handlers = [handler_for(answer, values) for answer in spec["answers"]]
        count = itertools.count()
        return lambda req: handlers[min(next(count), len(handlers) - 1)](req)
    if "behave" in spec:
        return BEHAVIOURS[spec["behave"]](spec, values)
    return plain(spec, values)


def body_of(spec: dict, values: dict[str, str]) -> bytes:
    """The bytes a route sends: a file of cases/, inline text or a generated body; placeholders filled."""
    if "make" in spec:
        return bodies.MAKERS[spec["make"]](values=values, **spec.get("args", {}))
    if "file" in spec:
        raw = (CASES_DIR / spec["file"]).read_bytes()
    else:
        raw = spec.get("body", "").encode()
    encoding = spec.get("encoding")
    if encoding:  # files are kept in UTF-8 to be readable; this is what goes on the wire
        return expand(raw.decode("utf-8"), values).encode(encoding)
    return re.sub(rb"\{\{(\w+)\}\}", lambda m: values[m[1].decode()].encode(), raw)


def content_type(spec: dict) -> str | None:
    if "type" in spec:
        return spec["type"]
    suffix = Path(spec.get("file", "")).suffix
    return TYPES.get(suffix, "application/rss+xml") if spec.get("status", 200) < 300 else "text/html"


def plain(spec: dict, values: dict[str, str]) -> Handler:
    body = body_of(spec, values)
    headers = {"Content-Type": content_type(spec)} if content_type(spec) else {}
    headers |= {name: expand(value, values) for name, value in spec.get("headers", {}).items()}
    if spec.get("coding") == "gzip":
        body, headers["Content-Encoding"] = gzip.compress(body, mtime=0), "gzip"
    elif spec.get("coding") == "raw-deflate":
        squeeze = zlib.compressobj(wbits=-zlib.MAX_WBITS)
        body, headers["Content-Encoding"] = squeeze.compress(body) + squeeze.flush(), "deflate"
    status = spec.get("status", 200)

    def handler(req: RequestHandler) -> None:
        if spec.get("conditional") and _still_valid(req, headers):
            req.reply(304, b"", {k: v for k, v in headers.items() if k in ("ETag", "Last-Modified")})
            return
        req.reply(status, body, {name: _at_serve_time(value) for name, value in headers.items()})

    return handler


def _still_valid(req: RequestHandler, headers: dict[str, str]) -> bool:
    etag, modified = headers.get("ETag"), headers.get("Last-Modified")
    return bool((etag and req.headers.get("If-None-Match") == etag)
                or (modified and req.headers.get("If-Modified-Since") == modified))


def _at_serve_time(value: str) -> str:
    """{{now+N}} becomes the HTTP date N seconds from now (a Retry-After date must be in the future)."""
    return _NOW_PLUS.sub(lambda m: email.utils.formatdate(time.time() + int(m[1]), usegmt=True), value)


def redirect_chain(first: str, hops: int, target: str) -> dict[str, Handler]:
    """first -> first/1 -> ... -> first/hops-1 -> target: `hops` redirects in all."""
    paths = [first] + [f"{first}/{n}" for n in range(1, hops)] + [target]
    return {paths[n]: _redirect(paths[n + 1]) for n in range(hops)}


def _redirect(location: str) -> Handler:
    return lambda req: req.reply(302, b"", {"Location": location})


# --- misbehaviours ------------------------------------------------------------------------------------


def _hang_up(req: RequestHandler) -> None:
    req.close_connection = True


def reset(spec: dict, values: dict[str, str]) -> Handler:
    """Read the request, then close with a TCP reset instead of an answer."""

    def handler(req: RequestHandler) -> None:
        req.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        req.connection.close()
        _hang_up(req)

    return handler


def short_body(spec: dict, values: dict[str, str]) -> Handler:
    """Announce the whole body's length, send a fifth of it, close."""
    body = body_of(spec, values)

    def handler(req: RequestHandler) -> None:
        req.send_response(200)
        req.send_header("Content-Type", content_type(spec))
        req.send_header("Content-Length", str(len(body)))
        req.end_headers()
        req.wfile.write(body[: len(body) // 5])
        _hang_up(req)

    return handler


def drip(spec: dict, values: dict[str, str]) -> Handler:
    """Headers at once, then the body one byte a second: each read is quick, the whole never ends in time."""
    body = body_of(spec, values)

    def handler(req: RequestHandler) -> None:
        req.send_response(200)
        req.send_header("Content-Type", content_type(spec))
        req.send_header("Content-Length", str(len(body)))
        req.end_headers()
        for offset in range(len(body)):
            req.wfile.write(body[offset:offset + 1])
            if req.server.stopping.wait(1.0):  # the pace of the misbehaviour, not a synchronisation
                break
        _hang_up(req)

    return handler


def silent(spec: dict, values: dict[str, str]) -> Handler:
    """Accept the request and never send a byte back."""

    def handler(req: RequestHandler) -> None:
        req.server.stopping.wait()
        _hang_up(req)

    return handler


def endless(spec: dict, values: dict[str, str]) -> Handler:
    """A 200 without length whose body never ends, as fast as the client reads."""
    chunk = (b"<item><title>encore</title></item>\n" * 2000)

    def handler(req: RequestHandler) -> None:
        req.send_response(200)
        req.send_header("Content-Type", "application/rss+xml")
        req.send_header("Connection", "close")
        req.end_headers()
        req.wfile.write(b'<?xml version="1.0"?><rss version="2.0"><channel>')
        while not req.server.stopping.is_set():
            req.wfile.write(chunk)  # raises once the client hangs up
        _hang_up(req)

    return handler


def meet(spec: dict, values: dict[str, str]) -> Handler:
    """Answer once a second request is in flight on this route (or after a second alone): a crawler that
    keeps two requests going shows it, and a third one in flight would show in the recorder."""
    answer = plain({key: value for key, value in spec.items() if key != "behave"}, values)
    arrived = threading.Condition()
    inside = [0]

    def handler(req: RequestHandler) -> None:
        with arrived:
            inside[0] += 1
            arrived.notify_all()
            arrived.wait_for(lambda: inside[0] >= 2 or req.server.stopping.is_set(), timeout=1.0)
        try:
            (answer if "file" in spec or "body" in spec else article_page)(req)
        finally:
            with arrived:
                inside[0] -= 1

    return handler


BEHAVIOURS: dict[str, Callable[[dict, dict[str, str]], Handler]] = {
    "reset": reset, "short_body": short_body, "drip": drip, "silent": silent, "endless": endless, "meet": meet,
}

