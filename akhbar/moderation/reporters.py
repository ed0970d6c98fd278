"""Who is reporting: a signed first-party cookie and a keyed hash of the reader's network, never an address.

A reader behind a proxy is known by X-Forwarded-For only when the proxy is listed in
AKHBAR_TRUSTED_PROXIES; otherwise anyone could claim any address and report many times.
"""

import ipaddress
import secrets
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import salted_hmac

COOKIE_NAME = "akhbar_lecteur"
COOKIE_SALT = "akhbar.moderation.reporter"
COOKIE_MAX_AGE = 365 * 24 * 3600
IPV4_PREFIX = 24
IPV6_PREFIX = 48

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class Reporter:
    reporter_key: str  # keyed hash of the cookie's random identifier
    network_key: str  # keyed hash of the /24 or /48 the reader is in
    cookie_value: str | None  # a new identifier to set in the reader's cookie, or None to keep theirs


@cache
def _trusted_proxies() -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(net, strict=False) for net in settings.TRUSTED_PROXIES)


def _parse(address: str) -> Address | None:
    try:
        return ipaddress.ip_address(address.strip())
    except ValueError:
        return None


def _is_trusted(address: Address) -> bool:
    return any(address in network for network in _trusted_proxies())


def client_address(request: HttpRequest) -> Address | None:
    """The reader's address: the socket's peer, or, behind trusted proxies, the last untrusted hop they saw."""
    address = _parse(request.META.get("REMOTE_ADDR", ""))
    if address is None or not _is_trusted(address):
        return address
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        forwarded = _parse(hop)
        if forwarded is None:
            return address  # a garbled header: fall back to the proxy itself rather than guess
        if not _is_trusted(forwarded):
            return forwarded
        address = forwarded
    return address


def network_of(address: Address | None) -> str:
    """The /24 (IPv4) or /48 (IPv6) an address belongs to, as text; "unknown" without one."""
    if address is None:
        return "unknown"
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    prefix = IPV4_PREFIX if address.version == 4 else IPV6_PREFIX
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def _keyed(purpose: str, value: str) -> str:
    return salted_hmac(f"akhbar.moderation.{purpose}", value, algorithm="sha256").hexdigest()


def reporter_for(request: HttpRequest) -> Reporter:
    """Identify the reader of this request, making them a cookie identifier if they have none."""
    identifier = request.get_signed_cookie(COOKIE_NAME, default=None, salt=COOKIE_SALT, max_age=COOKIE_MAX_AGE)
    new_cookie = None
    if not identifier:
        identifier = new_cookie = secrets.token_urlsafe(18)
    return Reporter(
        reporter_key=_keyed("reporter", identifier),
        network_key=_keyed("network", network_of(client_address(request))),
        cookie_value=new_cookie,
    )


def remember_reporter(response: HttpResponse, reporter: Reporter) -> None:
    """Set the reader's identifier cookie on the response, when they were given a new one."""
    if reporter.cookie_value:
        response.set_signed_cookie(
            COOKIE_NAME, reporter.cookie_value, salt=COOKIE_SALT, max_age=COOKIE_MAX_AGE,
            httponly=True, samesite="Lax", secure=settings.CSRF_COOKIE_SECURE,
        )
