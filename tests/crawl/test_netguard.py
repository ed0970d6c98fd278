"""Network guard: which addresses are refused, and that the address connected to is the one checked.

Policy tests are pure. Connection tests use loopback servers, a fake resolver (to play a DNS server
that changes its answer) and a tripwire backend that fails the test if the guard lets anything
through to the socket layer, so nothing here can reach another machine even if the guard breaks.
"""

import ipaddress
import shutil
import ssl
import subprocess

import httpcore
import httpx
import pytest

from akhbar.crawl.netguard import AddressRefused, GuardedBackend, GuardedTransport, NetworkPolicy, resolve

from .conftest import LoopbackServer

DEFAULT = NetworkPolicy()


@pytest.mark.parametrize(
    "address, kind",
    [
        ("127.0.0.1", "loopback"),
        ("127.255.0.9", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),  # cloud metadata endpoints live here
        ("100.64.0.1", "shared"),
        ("224.0.0.1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("240.0.0.1", "reserved"),
        ("255.255.255.255", "reserved"),
        ("192.0.2.10", "private"),  # documentation range
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("fe80::1", "link-local"),
        ("fe80::1%lo", "link-local"),
        ("fc00::1", "private"),
        ("ff02::1", "multicast"),
        ("::ffff:127.0.0.2", "loopback"),  # IPv4-mapped
        ("::ffff:10.0.0.1", "private"),
        ("::7f00:1", "reserved"),  # IPv4-compatible, deprecated
        ("64:ff9b::a00:1", "private"),  # NAT64 of 10.0.0.1
        ("2002:7f00:1::", "tunnelled"),  # 6to4 of 127.0.0.1
        ("2002:a00:1::1", "tunnelled"),  # 6to4 of 10.0.0.1
        ("2001:0:4136:e378:8000:63bf:80ff:fffe", "private"),  # Teredo
    ],
)
def test_special_addresses_are_refused(address, kind):
    assert kind in DEFAULT.refusal(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "196.200.131.5", "2606:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"])
def test_public_addresses_pass(address):
    assert DEFAULT.refusal(address) is None


def test_allow_networks_opens_a_range_and_only_networks_closes_everything_else():
    policy = NetworkPolicy.from_settings(allow_networks=["10.0.0.0/8", "127.0.0.1"], only_networks=["10.0.0.0/16"])
    assert policy.refusal("10.0.9.9") is None
    assert "only_networks" in policy.refusal("10.1.0.1")
    assert "only_networks" in policy.refusal("93.184.216.34")
    assert "only_networks" in policy.refusal("127.0.0.1")
    assert NetworkPolicy.from_settings(allow_networks=["127.0.0.1/32"]).refusal("::ffff:127.0.0.1") is None


def test_every_resolved_address_must_pass():
    policy = NetworkPolicy.from_settings(allow_networks=["127.0.0.1/32"])
    policy.check("news.example", ["127.0.0.1"])
    with pytest.raises(AddressRefused, match="127.0.0.2, a loopback address"):
        policy.check("news.example", ["127.0.0.1", "127.0.0.2"])
    with pytest.raises(AddressRefused):
        policy.check("news.example", [])


def test_bad_network_setting_says_what_to_write():
    with pytest.raises(ValueError, match="^fetch: allow_networks holds 'ten/8'"):
        NetworkPolicy.from_settings(allow_networks=["ten/8"])


@pytest.mark.anyio
@pytest.mark.parametrize("spelling", ["2130706434", "0x7f000002", "127.2", "::ffff:127.0.0.2", "127.0.0.2"])
async def test_odd_spellings_resolve_to_the_address_really_dialled(spelling):
    assert [a.removeprefix("::ffff:") for a in await resolve(spelling, 80)] == ["127.0.0.2"]


class Tripwire(httpcore.AsyncNetworkBackend):
    """Stands where sockets would be opened; the guard must refuse before anything gets here."""

    def __init__(self) -> None:
        self.attempts: list[tuple[str, int]] = []

    async def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        self.attempts.append((host, port))
        raise httpcore.ConnectError("tripwire: the guard let a connection through")


@pytest.mark.anyio
@pytest.mark.parametrize("host", ["10.0.0.1", "0x0a000001", "93.184.216.34"])
async def test_refusal_happens_before_any_connection(host):
    tripwire = Tripwire()
    backend = GuardedBackend(NetworkPolicy.from_settings(only_networks=["127.0.0.0/8"]), inner=tripwire)
    with pytest.raises(AddressRefused, match="only_networks"):
        await backend.connect_tcp(host, 80)
    assert tripwire.attempts == []


class OnlyAddresses(httpcore.AnyIOBackend):
    """Opens real sockets, but only to IP addresses: a host name here would mean a second lookup."""

    def __init__(self) -> None:
        self.dialled: list[str] = []

    async def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        self.dialled.append(host)
        ipaddress.ip_address(host)  # raises ValueError for a name, before any socket exists
        return await super().connect_tcp(host, port, timeout, local_address, socket_options)


def fake_dns(*answers: list[str]):
    """A resolver giving each answer in turn, as a rebinding DNS server would."""
    calls: list[str] = []

    async def resolver(host: str, port: int) -> list[str]:
        calls.append(host)
        return answers[min(len(calls), len(answers)) - 1]

    resolver.calls = calls
    return resolver


@pytest.mark.anyio
async def test_connects_to_the_checked_address_keeping_the_host_name(server):
    server.routes["/"] = lambda req: req.reply(200, b"hello")
    dns = fake_dns(["127.0.0.1"], ["127.0.0.2"])  # a second lookup would be steered to 127.0.0.2
    sockets = OnlyAddresses()
    policy = NetworkPolicy.from_settings(allow_networks=["127.0.0.1/32"])
    async with httpx.AsyncClient(transport=GuardedTransport(policy, resolver=dns, inner=sockets)) as client:
        response = await client.get(f"http://news.example:{server.port}/")
    assert response.content == b"hello"
    assert dns.calls == ["news.example"] and sockets.dialled == ["127.0.0.1"]
    assert server.requests("/")[0].headers["host"] == f"news.example:{server.port}"


@pytest.mark.anyio
async def test_rebound_name_is_refused_and_never_reached(serve):
    canary = serve(host="127.0.0.2")
    policy = NetworkPolicy.from_settings(allow_networks=["127.0.0.1/32"])
    transport = GuardedTransport(policy, resolver=fake_dns(["127.0.0.2"]), inner=OnlyAddresses())
    async with httpx.AsyncClient(transport=transport) as client:
        with pytest.raises(AddressRefused):
            await client.get(f"http://news.example:{canary.port}/")
    assert canary.connections == 0


@pytest.mark.anyio
async def test_next_checked_address_is_tried_when_one_does_not_answer(server):
    server.routes["/"] = lambda req: req.reply(200, b"second address")
    dns = fake_dns(["127.0.0.3", "127.0.0.1"])  # nothing listens on 127.0.0.3
    sockets = OnlyAddresses()
    policy = NetworkPolicy.from_settings(allow_networks=["127.0.0.0/8"])
    async with httpx.AsyncClient(transport=GuardedTransport(policy, resolver=dns, inner=sockets)) as client:
        response = await client.get(f"http://news.example:{server.port}/")
    assert response.content == b"second address" and sockets.dialled == ["127.0.0.3", "127.0.0.1"]


@pytest.fixture
def tls_server(tmp_path, recorder):
    """An HTTPS loopback server whose certificate is for news.example only (made with openssl)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=news.example",
         "-addext", "subjectAltName=DNS:news.example"],
        check=True, capture_output=True,
    )
    server = LoopbackServer("127.0.0.1", {"/": lambda req: req.reply(200, b"over tls")}, recorder)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.start()
    yield server, ssl.create_default_context(cafile=cert)
    server.stop()


@pytest.mark.anyio
@pytest.mark.parametrize("name, works", [("news.example", True), ("other.example", False)])
async def test_tls_checks_the_host_name_while_connecting_to_the_checked_address(tls_server, name, works):
    server, trust = tls_server
    policy = NetworkPolicy.from_settings(allow_networks=["127.0.0.1/32"])
    transport = GuardedTransport(policy, ssl_context=trust, resolver=fake_dns(["127.0.0.1"]), inner=OnlyAddresses())
    async with httpx.AsyncClient(transport=transport) as client:
        if works:
            assert (await client.get(f"https://{name}:{server.port}/")).content == b"over tls"
        else:
            with pytest.raises(httpx.ConnectError, match="certificate|hostname"):
                await client.get(f"https://{name}:{server.port}/")
