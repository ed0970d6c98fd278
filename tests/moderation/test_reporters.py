"""Who a reporter is: the right address behind proxies, grouped by network, never stored in the clear."""

import ipaddress

import pytest
from django.test import RequestFactory

from akhbar.moderation import reporters


@pytest.fixture
def proxies(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1/32", "10.0.0.0/8"]
    reporters._trusted_proxies.cache_clear()
    yield
    reporters._trusted_proxies.cache_clear()


def request(remote: str, forwarded: str | None = None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().post("/", REMOTE_ADDR=remote, **headers)


@pytest.mark.parametrize(("remote", "forwarded", "client"), [
    ("203.0.113.9", None, "203.0.113.9"),
    ("203.0.113.9", "198.51.100.1", "203.0.113.9"),  # not a trusted proxy: its header is ignored
    ("127.0.0.1", "198.51.100.1", "198.51.100.1"),
    ("127.0.0.1", "6.6.6.6, 198.51.100.1, 10.1.2.3", "198.51.100.1"),  # the reader may forge the left part
    ("127.0.0.1", "not-an-address", "127.0.0.1"),
    ("127.0.0.1", "", "127.0.0.1"),
    ("127.0.0.1", "2001:db8::1", "2001:db8::1"),
])
def test_client_address_believes_only_trusted_proxies(proxies, remote, forwarded, client):
    assert reporters.client_address(request(remote, forwarded)) == ipaddress.ip_address(client)


@pytest.mark.parametrize(("address", "network"), [
    ("203.0.113.9", "203.0.113.0/24"),
    ("2001:db8:abcd:12::1", "2001:db8:abcd::/48"),
    ("::ffff:203.0.113.9", "203.0.113.0/24"),
])
def test_readers_are_grouped_by_network(address, network):
    assert reporters.network_of(ipaddress.ip_address(address)) == network


def test_keys_are_keyed_hashes_not_addresses(proxies):
    first = reporters.reporter_for(request("127.0.0.1", "203.0.113.9"))
    neighbour = reporters.reporter_for(request("127.0.0.1", "203.0.113.200"))
    elsewhere = reporters.reporter_for(request("127.0.0.1", "198.51.100.9"))
    assert first.network_key == neighbour.network_key != elsewhere.network_key
    assert "203.0.113" not in first.network_key and len(first.network_key) == 64
    assert first.cookie_value and first.reporter_key != neighbour.reporter_key  # two browsers, two readers


def test_a_tampered_cookie_makes_a_new_reader(proxies):
    forged = request("127.0.0.1", "203.0.113.9")
    forged.COOKIES[reporters.COOKIE_NAME] = "someone-else:forged-signature"
    assert reporters.reporter_for(forged).cookie_value is not None
