"""Network guard for the fetch stage: which addresses Akhbar may connect to, enforced at connect time.

Feed and article URLs come from outside (OPML files, feeds, redirects), so a URL must never make
the crawler talk to the machine it runs on or to a private network (SSRF). The guard therefore
sits where connections are opened, not where URLs are parsed:

* `GuardedBackend` is an httpcore network backend. For every new connection it resolves the host
  name once, checks EVERY resolved address against the `NetworkPolicy`, and then connects to the
  checked address itself, never to the name. A DNS answer that changes between check and connect
  (DNS rebinding) therefore cannot steer the connection: there is no second lookup.
* The Host header and the TLS server name (SNI and certificate check) stay the URL's host name,
  because httpcore takes both from the request URL, not from the address we connect to.
* Odd spellings of addresses (``2130706434``, ``0x7f000002``, ``127.2``, ``[::ffff:127.0.0.2]``)
  are handled by the same path: getaddrinfo turns them into the address that will actually be
  dialled, and that address is what gets checked.
* `GuardedTransport` wraps a connection pool using that backend, so every request of the client,
  including each redirect hop and every robots.txt fetch, goes through the guard.

Known limits: ports are not restricted (any port on an allowed address is reachable); proxies are
not supported (a proxy would be the checked address, not the site).
"""

import ipaddress
import socket
import ssl
import typing
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import anyio
import httpcore
import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], Awaitable[list[str]]]

# Shared address space for carrier-grade NAT; Python's flags do not single it out.
SHARED_SPACE = ipaddress.ip_network("100.64.0.0/10")
# Well-known NAT64 prefix: the last 32 bits are the IPv4 address really reached.
NAT64_PREFIX = ipaddress.ip_network("64:ff9b::/96")


class AddressRefused(Exception):
    """A URL's host resolves to an address that Akhbar must not connect to."""

    def __init__(self, message: str, *, host: str, address: str) -> None:
        super().__init__(message)
        self.host = host
        self.address = address


def _networks(values: Iterable[str], setting: str) -> tuple[IPNetwork, ...]:
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError as exc:
            raise ValueError(
                f"fetch: {setting} holds {value!r}, which is not a network; "
                "write networks like 10.0.0.0/8 or 2001:db8::/32"
            ) from exc
    return tuple(networks)


def _unwrap(address: IPAddress) -> IPAddress:
    """The address really reached: IPv4-mapped and NAT64 IPv6 forms lead to an IPv4 host."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address in NAT64_PREFIX:
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address


def _special_kind(address: IPAddress) -> str | None:
    """Name the special-purpose range holding `address`, or None for an ordinary public address."""
    checks = (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("shared (carrier-grade NAT)", address in SHARED_SPACE),
        ("reserved", address.is_reserved),
        ("private", address.is_private),
        # Catches the rest of the IANA special-purpose registry (documentation, benchmarking...).
        ("not publicly routable", not address.is_global),
    )
    for kind, hit in checks:
        if hit:
            return kind
    if isinstance(address, ipaddress.IPv6Address):
        # 6to4 and Teredo tunnel to an embedded IPv4 host; judge that host too.
        embedded = [address.sixtofour, *(address.teredo or ())]
        for inner in embedded:
            if inner is not None and (kind := _special_kind(inner)):
                return f"{kind} (inside a tunnelled IPv6 address)"
    return None


@dataclass(frozen=True)
class NetworkPolicy:
    """Which addresses may be connected to: public ones, plus `allow`, and only inside `only` if set."""

    allow: tuple[IPNetwork, ...] = ()
    only: tuple[IPNetwork, ...] = ()

    @classmethod
    def from_settings(cls, *, allow_networks: Sequence[str] = (), only_networks: Sequence[str] = ()) -> "NetworkPolicy":
        """Build a policy from network strings such as "10.0.0.0/8"; a bad string raises ValueError."""
        return cls(_networks(allow_networks, "allow_networks"), _networks(only_networks, "only_networks"))

    def refusal(self, address: str) -> str | None:
        """Why `address` may not be connected to, in plain words, or None when it may."""
        try:
            parsed = ipaddress.ip_address(address.split("%", 1)[0])
        except ValueError:
            return "not an IP address"
        reached = _unwrap(parsed)
        candidates = {parsed, reached}
        if self.only and not any(ip in net for ip in candidates for net in self.only):
            return "outside the networks Akhbar is limited to (only_networks)"
        if any(ip in net for ip in candidates for net in self.allow):
            return None
        kind = _special_kind(reached)
        return f"a {kind} address" if kind else None

    def check(self, host: str, addresses: Sequence[str]) -> None:
        """Raise AddressRefused unless every address that `host` resolved to may be connected to."""
        if not addresses:
            raise AddressRefused(f"fetch: {host} resolved to no address; check the host name", host=host, address="")
        for address in addresses:
            if reason := self.refusal(address):
                raise AddressRefused(
                    f"fetch: refused to connect to {host} because it resolves to {address}, {reason}; "
                    "if this host is really meant to be crawled, add its network to "
                    "AKHBAR_FETCH_ALLOW_NETWORKS",
                    host=host,
                    address=address,
                )


async def resolve(host: str, port: int) -> list[str]:
    """Resolve `host` the way the operating system will, keeping getaddrinfo's order."""
    try:
        answers = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise httpcore.ConnectError(f"could not resolve {host} ({exc})") from exc
    unique: dict[str, None] = {}
    for _family, _type, _proto, _name, sockaddr in answers:
        unique[str(sockaddr[0])] = None
    return list(unique)


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """An httpcore backend that checks every resolved address, then connects to the checked one."""

    def __init__(
        self,
        policy: NetworkPolicy,
        *,
        resolver: Resolver = resolve,
        inner: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self.policy = policy
        self._resolve = resolver
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[typing.Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            with anyio.fail_after(timeout):
                addresses = await self._resolve(host, port)
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(f"resolving {host} took too long") from exc
        self.policy.check(host, addresses)
        failure: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None
        raise failure

    async def connect_unix_socket(self, path: str, timeout: float | None = None, socket_options=None):
        raise AddressRefused(f"fetch: refused to open the local socket {path}", host=path, address=path)

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


# httpcore's errors, most specific first, and the httpx error each becomes.
_ERRORS: tuple[tuple[type[Exception], type[httpx.HTTPError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.ProtocolError, httpx.ProtocolError),
)


@contextmanager
def _as_httpx_errors() -> Iterator[None]:
    try:
        yield
    except Exception as exc:
        for source, target in _ERRORS:
            if isinstance(exc, source):
                raise target(str(exc)) from exc
        raise


class _ResponseStream(httpx.AsyncByteStream):
    def __init__(self, stream: typing.AsyncIterable[bytes]) -> None:
        self._stream = stream

    async def __aiter__(self) -> typing.AsyncIterator[bytes]:
        with _as_httpx_errors():
            async for part in self._stream:
                yield part

    async def aclose(self) -> None:
        if hasattr(self._stream, "aclose"):
            await self._stream.aclose()


class GuardedTransport(httpx.AsyncBaseTransport):
    """An httpx transport whose every connection goes through `GuardedBackend`."""

    def __init__(
        self,
        policy: NetworkPolicy,
        *,
        limits: httpx.Limits | None = None,
        ssl_context: ssl.SSLContext | None = None,
        resolver: Resolver = resolve,
        inner: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        limits = limits or httpx.Limits()
        # No proxy and no environment settings: the address checked must be the site's own.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context or httpx.create_ssl_context(trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=GuardedBackend(policy, resolver=resolver, inner=inner),
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=typing.cast(typing.AsyncIterable[bytes], request.stream),
            extensions=request.extensions,
        )
        with _as_httpx_errors():
            response = await self._pool.handle_async_request(core_request)
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_ResponseStream(typing.cast(typing.AsyncIterable[bytes], response.stream)),
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        await self._pool.aclose()
