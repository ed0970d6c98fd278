"""Loopback HTTP servers for crawl tests: real sockets on 127.0.0.x, a route table, a request log.

    def test_something(serve):
        server = serve({"/feed.xml": lambda req: req.reply(200, b"<rss/>", {"Content-Type": "application/rss+xml"})})
        ... fetch(server.url("/feed.xml")) ...
        assert server.requests("/feed.xml")[0].headers["user-agent"].startswith("Akhbar")

A handler receives the request handler itself (a BaseHTTPRequestHandler), so it can answer with
`req.reply(...)` or write bytes by hand to misbehave (drip slowly, never answer). Handlers that wait
should wait on `req.server.stopping` (set when the test ends) or on events and barriers of the test,
never on sleeps. Every server of a test shares one `Recorder`, which keeps the log with timestamps
and the high-water mark of requests in flight, per host and overall.

Linux routes all of 127.0.0.0/8 to the loopback interface, so servers can stand for different hosts
by binding 127.0.0.2, 127.0.0.3... Nothing here listens on or connects to anything else.
"""

import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

Handler = Callable[["RequestHandler"], None]


@dataclass
class LoggedRequest:
    host: str  # "ip:port" of the server that received it
    method: str
    path: str
    headers: dict[str, str]  # lower-case names
    started: float  # time.monotonic()
    finished: float | None = None


@dataclass
class Recorder:
    """Request log and concurrency high-water marks, shared by all servers of one test."""

    log: list[LoggedRequest] = field(default_factory=list)
    in_flight: Counter = field(default_factory=Counter)
    high_water: Counter = field(default_factory=Counter)
    total_in_flight: int = 0
    total_high_water: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def enter(self, entry: LoggedRequest) -> None:
        with self.lock:
            self.log.append(entry)
            self.in_flight[entry.host] += 1
            self.high_water[entry.host] = max(self.high_water[entry.host], self.in_flight[entry.host])
            self.total_in_flight += 1
            self.total_high_water = max(self.total_high_water, self.total_in_flight)

    def leave(self, entry: LoggedRequest) -> None:
        with self.lock:
            entry.finished = time.monotonic()
            self.in_flight[entry.host] -= 1
            self.total_in_flight -= 1


class RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real sites do
    # Headers and body go out in two writes; with Nagle on, the second waits for a delayed ACK
    # (about 40 ms a request on keep-alive connections), which would make every test and bench crawl.
    disable_nagle_algorithm = True
    server: "LoopbackServer"

    def do_GET(self) -> None:
        entry = LoggedRequest(
            host=self.server.host_key,
            method=self.command,
            path=self.path,
            headers={name.lower(): value for name, value in self.headers.items()},
            started=time.monotonic(),
        )
        self.server.recorder.enter(entry)
        try:
            route = self.server.routes.get(self.path) or self.server.routes.get(self.path.split("?")[0])
            if route is None:
                self.reply(404, b"not found")
            else:
                route(self)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up; that is often the point of the test
        finally:
            self.server.recorder.leave(entry)

    def reply(self, status: int, body: bytes = b"", headers: Mapping[str, str] | None = None) -> None:
        """Send a complete answer with a Content-Length."""
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass  # the Recorder keeps the log; stderr noise helps no one


class LoopbackServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 128

    def __init__(self, host: str, routes: Mapping[str, Handler] | None, recorder: Recorder) -> None:
        super().__init__((host, 0), RequestHandler)
        self.host, self.port = self.server_address[:2]
        self.host_key = f"{self.host}:{self.port}"
        self.base_url = f"http://{self.host_key}"
        self.routes: dict[str, Handler] = dict(routes or {})
        self.recorder = recorder
        self.connections = 0
        self.stopping = threading.Event()
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def verify_request(self, request, client_address) -> bool:
        # Counted before any byte is read: a canary proves that nothing even connected.
        self.connections += 1
        return True

    def route(self, path: str) -> Callable[[Handler], Handler]:
        """Decorator form of `routes[path] = handler`."""

        def register(handler: Handler) -> Handler:
            self.routes[path] = handler
            return handler

        return register

    def url(self, path: str = "/") -> str:
        return self.base_url + path

    def requests(self, path: str | None = None) -> list[LoggedRequest]:
        """Requests this server received, optionally only those for `path`."""
        with self.recorder.lock:
            return [r for r in self.recorder.log if r.host == self.host_key and (path is None or r.path == path)]

    def start(self) -> "LoopbackServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.shutdown()
        self.server_close()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def serve(recorder: Recorder):
    """Factory: serve(routes, host="127.0.0.1") starts a LoopbackServer, stopped when the test ends."""
    servers: list[LoopbackServer] = []

    def start(routes: Mapping[str, Handler] | None = None, *, host: str = "127.0.0.1") -> LoopbackServer:
        server = LoopbackServer(host, routes, recorder).start()
        servers.append(server)
        return server

    yield start
    # Each stop waits up to one poll interval; stopping thirty servers one by one would take a second.
    stoppers = [threading.Thread(target=server.stop) for server in servers]
    for stopper in stoppers:
        stopper.start()
    for stopper in stoppers:
        stopper.join()


@pytest.fixture
def server(serve) -> LoopbackServer:
    """One server on 127.0.0.1 with an empty route table (every path answers 404)."""
    return serve()


@pytest.fixture(autouse=True)
def empty_page_cache():
    """Crawl tests use no Django; this stands in for tests/conftest.py's autouse fixture, which
    needs Django settings and so breaks runs with `-p no:django`."""
