"""SSRF protection: a webhook URL may not lead to loopback, private, link-local, multicast, reserved or cloud
metadata addresses, unless WRENCHWORK_WEBHOOK_ALLOW_PRIVATE is set. Checked when a webhook is saved and again
at every delivery, on the addresses the name resolves to then; the delivery connects to the address it checked
(`target`), so a name that resolves differently a moment later (DNS rebinding) cannot redirect it."""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

# Metadata services that are not in a private or link-local range everywhere (169.254.169.254 is link-local).
METADATA = frozenset(ipaddress.ip_address(a) for a in ("fd00:ec2::254", "100.100.100.200"))


class Refused(Exception):
    """The URL may not be called; the message says why."""


def allowed(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast and address not in METADATA


def check_url(url: str) -> None:
    """The URL's form: http or https with a host, a port in range, no credentials."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port out of range or not a number
    except ValueError as exc:  # also an unclosed "[" of an IPv6 address
        raise Refused("is not a valid URL") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Refused("must be an http or https URL")
    if parts.username or parts.password:
        raise Refused("must not carry a user name or password")


def resolve(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise Refused(f"cannot be resolved ({host})") from exc
    return [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in found]


def checked_address(url: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """The address to connect to for `url`; Refused when any address its host resolves to is not public."""
    check_url(url)
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    addresses = resolve(host, port)
    bad = [a for a in addresses if not allowed(a)]
    if bad or not addresses:
        raise Refused(f"resolves to a loopback, private, link-local or metadata address ({bad[0] if bad else host})")
    return addresses[0]


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # connected to: the checked address (or the URL's host name when private addresses are allowed)
    port: int
    path: str  # with the query
    host_header: str  # the URL's host[:port]
    server_name: str  # the URL's host name: what a TLS certificate must name


def target(url: str, allow_private: bool) -> Target:
    """Where a delivery to `url` connects: the checked address itself, with the URL's host name as the Host header
    and as the TLS server name (so certificates are still checked against the name)."""
    check_url(url)
    parts = urlsplit(url)
    name = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    host = name if allow_private else str(checked_address(url))
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, host, port, path, parts.netloc, name)
