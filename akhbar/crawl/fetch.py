"""Fetch stage: the only module that talks to the network.

`Fetcher.fetch(url)` returns a `FetchResult` holding the decompressed body, or raises `FetchError`
whose `kind` and `retry_after` tell the scheduler what to do next. Along the way it:

* connects only through `netguard.GuardedTransport`, so every hop, robots.txt included, is
  resolved and checked before any connection is made (see netguard.py);
* follows redirects itself, checking robots.txt again for each new origin;
* keeps at most `per_host` requests in flight per host:port, starts them at least `host_delay`
  seconds apart, and at most `concurrency` requests in flight overall;
* bounds each fetch by a wall-clock deadline (`timeout`) on top of httpx's connect and read
  timeouts, because a server can keep a read timeout happy by sending one byte at a time;
* decompresses gzip, deflate and brotli itself, in bounded steps, so the body limit applies to
  the decompressed bytes while they stream in and a compression bomb stops at the limit.
"""

import asyncio
import email.utils
import http
import logging
import time
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import UTC
from types import MappingProxyType

import httpx

from akhbar.crawl import robots
from akhbar.crawl.decompress import CORRUPT_DATA, UnsupportedEncoding, decode, decoders_for
from akhbar.crawl.netguard import AddressRefused, GuardedTransport, NetworkPolicy

log = logging.getLogger(__name__)

REDIRECTS = frozenset({301, 302, 303, 307, 308})
DEFAULT_PORTS = {"http": 80, "https": 443}
CONNECT_TIMEOUT = 10.0
ROBOTS_TIMEOUT = 10.0
# Decompression works in steps of this many bytes, whatever the compression ratio.
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, "
    "text/html;q=0.8, */*;q=0.5"
)


@dataclass(frozen=True)
class FetchResult:
    """A successful answer: 2xx with its body, or 304 when the validators still hold."""

    url: str
    status: int
    headers: Mapping[str, str]
    body: bytes
    content_type: str | None
    charset: str | None
    etag: str | None
    last_modified: str | None
    not_modified: bool
    elapsed: float


class FetchError(Exception):
    """A fetch that gave no usable answer; the message starts with "fetch: " and says what to do."""

    KINDS = frozenset(
        {"refused_address", "robots", "timeout", "too_large", "http_status", "too_many_redirects", "connection", "bad_url"}
    )

    def __init__(
        self, kind: str, url: str, message: str, status: int | None = None, retry_after: float | None = None
    ) -> None:
        assert kind in self.KINDS and message.startswith("fetch: "), (kind, message)
        super().__init__(message)
        self.kind = kind
        self.url = url
        self.status = status
        self.retry_after = retry_after

    def __reduce__(self):
        return type(self), (self.kind, self.url, str(self), self.status, self.retry_after)


def _decoders(content_encoding: str, url: str) -> list:
    try:
        return decoders_for(content_encoding)
    except UnsupportedEncoding as error:
        raise FetchError("connection", url, f"fetch: {url} came encoded as {error}, which Akhbar cannot "
                         "decode although it asked for gzip, deflate or br; report it to the site") from error


def _too_large(url: str, limit: int, what: str) -> FetchError:
    return FetchError("too_large", url, f"fetch: {url} {what} the {limit:,} bytes Akhbar accepts; "
                      "if it is genuine, raise AKHBAR_FETCH_MAX_BYTES (pages, feeds) or AKHBAR_IMAGE_MAX_BYTES (images)")


async def _read_body(response: httpx.Response, limit: int, *, truncate: bool) -> bytes:
    """The decompressed body, refused (or cut, if `truncate`) as soon as it passes `limit` bytes."""
    url = str(response.url)
    declared = response.headers.get("content-length", "").strip()
    if declared.isdigit() and int(declared) > limit and not truncate:
        raise _too_large(url, limit, f"announces {int(declared):,} bytes, more than")
    decoders = _decoders(response.headers.get("content-encoding", ""), url)
    body = bytearray()
    received = 0
    try:
        async for chunk in response.aiter_raw():
            received += len(chunk)
            if received > limit and not truncate:
                raise _too_large(url, limit, "sent more than")
            for piece in decode(decoders, chunk):
                if _append(body, piece, limit, truncate, url):
                    return bytes(body)
            if received > limit:
                return bytes(body)
        for piece in decode(decoders, b""):
            if _append(body, piece, limit, truncate, url):
                break
    except CORRUPT_DATA as exc:
        raise FetchError("connection", url, f"fetch: the body of {url} could not be decompressed ({exc}); "
                         "the site sent broken data, Akhbar tries again later") from exc
    return bytes(body)


def _append(body: bytearray, piece: bytes, limit: int, truncate: bool, url: str) -> bool:
    """Add `piece` to `body`; True when the limit is reached and reading should stop."""
    room = limit - len(body)
    if len(piece) <= room:
        body += piece
        return len(body) == limit and truncate
    if not truncate:
        raise _too_large(url, limit, "decompresses to more than")
    body += piece[:room]
    return True


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - time.time())


def _media_type(value: str | None) -> tuple[str | None, str | None]:
    """Media type and charset of a Content-Type header, both lower-case."""
    if not value:
        return None, None
    media, _, params = value.partition(";")
    charset = None
    for param in params.split(";"):
        name, _, param_value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = param_value.strip().strip("\"'").lower() or None
    return media.strip().lower() or None, charset


def _status_hint(status: int, retry_after: float | None) -> str:
    if status in (404, 410):
        return "the feed may have moved; try `akhbar sources discover`"
    if status in (401, 403, 451):
        return "the site refuses Akhbar; open the URL in a browser, or ask the site to allow Akhbar"
    if status == 429 or (status == 503 and retry_after is not None):
        wait = f"in {retry_after:.0f} s" if retry_after is not None else "later"
        return f"the site asks Akhbar to slow down; Akhbar tries again {wait}"
    if status >= 500:
        return "the site has a problem on its side; Akhbar backs off and tries again later"
    if 300 <= status < 400:
        return "a redirect Akhbar cannot follow; open the URL in a browser to see where it leads"
    return "check the URL in a browser"


@dataclass(frozen=True)
class _Answer:
    url: httpx.URL
    status: int
    reason: str
    headers: httpx.Headers
    body: bytes = b""
    location: str | None = None


class _Deadline:
    """A wall-clock budget shared by all hops of one fetch; time spent queueing does not count."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.spent = 0.0

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        started = time.monotonic()
        try:
            async with asyncio.timeout(max(0.0, self.seconds - self.spent)):
                yield
        finally:
            self.spent += time.monotonic() - started


class _HostGate:
    """At most `per_host` requests at once to one host, started at least `delay` seconds apart."""

    def __init__(self, per_host: int, delay: float) -> None:
        self._slots = asyncio.Semaphore(per_host)
        self._delay = delay
        self._next_start = 0.0

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        async with self._slots:
            now = time.monotonic()
            start = max(now, self._next_start)
            self._next_start = start + self._delay
            if start > now:
                await asyncio.sleep(start - now)
            yield


def _parse_url(url: str) -> httpx.URL:
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise FetchError("bad_url", str(url), f"fetch: {url!r} is not a valid URL ({exc}); fix the address") from exc
    if parsed.scheme not in DEFAULT_PORTS:
        raise FetchError("bad_url", url, f"fetch: {url} is not an http or https URL, the only kinds Akhbar "
                         "fetches; fix the address")
    if not parsed.host:
        raise FetchError("bad_url", url, f"fetch: {url} has no host name; fix the address")
    return parsed.copy_with(fragment=None)


def _origin(url: httpx.URL) -> str:
    host = url.raw_host.decode("ascii")
    host = f"[{host}]" if ":" in host else host
    return f"{url.scheme}://{host}:{url.port or DEFAULT_PORTS[url.scheme]}"


# What a transport error means when httpx gives no message (a reset connection raises a bare ReadError).
_UNEXPLAINED = (
    (httpx.ReadError, "the connection was cut while the answer was read"),
    (httpx.WriteError, "the connection was cut while the request was sent"),
    (httpx.ConnectError, "no connection could be opened"),
    (httpx.TransportError, "the connection broke"),
)


@contextmanager
def _network_errors(url: httpx.URL, deadline: _Deadline) -> Iterator[None]:
    """Turn what httpx, the guard and the deadline raise into FetchError."""
    try:
        yield
    except AddressRefused as exc:
        raise FetchError("refused_address", str(url), str(exc)) from exc
    except (TimeoutError, httpx.TimeoutException) as exc:
        raise FetchError("timeout", str(url), f"fetch: {url} did not answer in full within {deadline.seconds:g} s; "
                         "the site is slow or down, Akhbar tries again later") from exc
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
        raise FetchError("bad_url", str(url), f"fetch: {url} cannot be requested ({exc}); fix the address") from exc
    except httpx.TransportError as exc:
        detail = str(exc) or next(words for kind, words in _UNEXPLAINED if isinstance(exc, kind))
        raise FetchError("connection", str(url), f"fetch: the connection to {url.host} failed ({detail}); "
                         "the site may be down or unreachable, Akhbar tries again later") from exc


class Fetcher:
    """Fetches URLs politely and safely: `async with Fetcher(user_agent=...) as fetcher: await fetcher.fetch(url)`."""

    def __init__(
        self,
        *,
        user_agent: str,
        timeout: float = 20,
        max_bytes: int = 10_000_000,
        max_redirects: int = 5,
        concurrency: int = 64,
        per_host: int = 2,
        host_delay: float = 0.5,
        allow_networks: Sequence[str] = (),
        only_networks: Sequence[str] = (),
        obey_robots: bool = True,
    ) -> None:
        if "http" not in user_agent:
            # Site owners need a way to reach whoever runs the crawler.
            raise ValueError("fetch: the user agent must name Akhbar and give a contact URL, "
                             "such as 'Akhbar/0.1 (+https://example.org/about)'")
        self.user_agent = user_agent
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.concurrency = concurrency
        self.per_host = per_host
        self.host_delay = host_delay
        self.obey_robots = obey_robots
        self.policy = NetworkPolicy.from_settings(allow_networks=allow_networks, only_networks=only_networks)
        self._agent = robots.product_token(user_agent)
        self._robots = robots.RobotsCache()
        self._slots = asyncio.Semaphore(concurrency)
        self._hosts: dict[str, _HostGate] = {}
        self._client: httpx.AsyncClient | None = None

    async def __aenter__(self) -> "Fetcher":
        limits = httpx.Limits(max_connections=self.concurrency, max_keepalive_connections=self.concurrency)
        self._client = httpx.AsyncClient(
            transport=GuardedTransport(self.policy, limits=limits),
            headers={"User-Agent": self.user_agent, "Accept": ACCEPT, "Accept-Encoding": "gzip, deflate, br"},
            timeout=httpx.Timeout(self.timeout, connect=min(CONNECT_TIMEOUT, self.timeout)),
            follow_redirects=False,
            trust_env=False,
        )
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None, max_bytes: int | None = None
    ) -> FetchResult:
        """Fetch `url`, following redirects; raise FetchError when no usable answer came back."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        deadline = _Deadline(self.timeout)
        try:
            answer = await self._follow(_parse_url(url), headers, limit=max_bytes or self.max_bytes,
                                        deadline=deadline, obey_robots=self.obey_robots)
            result = _result(answer, deadline.spent)
        except FetchError as exc:
            if exc.url == url:
                raise
            # Errors name the URL the caller asked for, whichever hop or robots.txt failed.
            raise FetchError(exc.kind, url, str(exc), exc.status, exc.retry_after) from exc
        log.debug("fetched", extra={"url": url, "final_url": result.url, "status": result.status,
                                    "elapsed": round(result.elapsed, 3)})
        return result

    async def _follow(self, url: httpx.URL, headers: dict[str, str], *, limit: int, deadline: _Deadline,
                      obey_robots: bool, truncate: bool = False) -> _Answer:
        """Request `url` and follow its redirects, each hop guarded and, if asked, checked against robots.txt."""
        first = url
        seen = {str(url)}
        for _hop in range(self.max_redirects + 1):
            if obey_robots:
                await self._check_robots(url)
            answer = await self._exchange(url, headers, limit=limit, deadline=deadline, truncate=truncate)
            if answer.location is None:
                return answer
            try:
                url = _parse_url(str(answer.url.join(answer.location)))
            except httpx.InvalidURL as exc:
                raise FetchError("bad_url", str(url), f"fetch: {url} redirects to an invalid address "
                                 f"{answer.location!r} ({exc}); the site is misconfigured") from exc
            if str(url) in seen:
                raise FetchError("too_many_redirects", str(first), f"fetch: {first} redirects in a loop "
                                 f"(back to {url}); the site is misconfigured, check the URL in a browser")
            seen.add(str(url))
        raise FetchError("too_many_redirects", str(first), f"fetch: {first} redirects more than "
                         f"{self.max_redirects} times; open it in a browser and store the final URL instead")

    async def _exchange(self, url: httpx.URL, headers: dict[str, str], *, limit: int, deadline: _Deadline,
                        truncate: bool) -> _Answer:
        """One request and, for a 2xx answer, its body; waits for the host's and the crawler's turn."""
        if self._client is None:
            raise RuntimeError("fetch: use `async with Fetcher(...) as fetcher:` before calling fetch()")
        gate = self._hosts.setdefault(_origin(url), _HostGate(self.per_host, self.host_delay))
        async with gate.turn(), self._slots:
            with _network_errors(url, deadline):
                async with deadline.running(), self._client.stream("GET", url, headers=headers) as response:
                    status = response.status_code
                    if status in REDIRECTS and response.headers.get("location"):
                        return _Answer(response.url, status, response.reason_phrase, response.headers,
                                       location=response.headers["location"])
                    body = await _read_body(response, limit, truncate=truncate) if 200 <= status < 300 else b""
                    return _Answer(response.url, status, response.reason_phrase, response.headers, body)

    async def _check_robots(self, url: httpx.URL) -> None:
        if url.path == "/robots.txt":
            return  # RFC 9309: robots.txt itself is always allowed.
        origin = _origin(url)
        rules, expires_in = await self._robots.rules(origin, lambda: self._download_robots(origin))
        if rules.unreachable:
            raise FetchError(rules.failure, str(url), f"fetch: could not read robots.txt of {origin} "
                             f"({rules.reason}), so Akhbar leaves the site alone for now and tries again in "
                             f"{expires_in:.0f} s", retry_after=expires_in)
        if not rules.allows(self._agent, str(url)):
            raise FetchError("robots", str(url), f"fetch: robots.txt of {origin} asks crawlers like Akhbar not to "
                             f"fetch {url}; Akhbar obeys, so remove this feed or ask the site to allow it")

    async def _download_robots(self, origin: str) -> robots.RobotsRules:
        deadline = _Deadline(min(ROBOTS_TIMEOUT, self.timeout))
        try:
            answer = await self._follow(httpx.URL(origin + "/robots.txt"), {}, limit=robots.ROBOTS_MAX_BYTES,
                                        deadline=deadline, obey_robots=False, truncate=True)
        except FetchError as exc:
            if exc.kind in ("refused_address", "bad_url"):
                raise
            if exc.kind == "too_many_redirects":
                # RFC 9309 2.3.1.2: after five redirects robots.txt may be taken as absent.
                return robots.RobotsRules("allow_all", "robots.txt redirects too often, so there are no rules")
            return robots.unreachable(str(exc).removeprefix("fetch: "), failure=exc.kind)
        return robots.rules_from_answer(answer.status, answer.body)


def _result(answer: _Answer, elapsed: float) -> FetchResult:
    status = answer.status
    if status >= 300 and status != 304:
        retry_after = _retry_after(answer.headers.get("retry-after")) if status in (429, 503) else None
        reason = answer.reason or (http.HTTPStatus(status).phrase if status in http.HTTPStatus else "")
        raise FetchError("http_status", str(answer.url), f"fetch: the server answered {status} {reason} for "
                         f"{answer.url} ({_status_hint(status, retry_after)})", status, retry_after)
    headers = MappingProxyType({key: answer.headers[key] for key in answer.headers.keys()})
    content_type, charset = _media_type(headers.get("content-type"))
    return FetchResult(
        url=str(answer.url),
        status=status,
        headers=headers,
        body=answer.body if status != 304 else b"",
        content_type=content_type,
        charset=charset,
        etag=headers.get("etag"),
        last_modified=headers.get("last-modified"),
        not_modified=status == 304,
        elapsed=elapsed,
    )
