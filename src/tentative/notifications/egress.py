"""Webhooks go to public addresses only.

Staff of any organisation register webhook URLs. Without this check, a URL naming 127.0.0.1,
10.0.0.0/8 or 169.254.169.254 (a cloud's metadata service), or a host name resolving there,
would make the server POST into the network it is hosted in (server-side request forgery).
The address is checked on the connected socket, after DNS and before a byte is sent, so a
name that resolved to a public address when it was saved and resolves to a private one
when a message is sent (DNS rebinding) is refused too; so is a redirect to such an address.

`TENTATIVE_WEBHOOKS_ALLOW_PRIVATE=1` lifts the rule for a single-organisation install whose
receivers live on its own network (and for the tests' receiver on 127.0.0.1).
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings


class PrivateAddress(OSError):
    """The receiver's address is not on the public internet."""


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def private_addresses(url: str) -> list[str]:
    """The non-public addresses the URL's host resolves to now (for a clear refusal when the
    URL is saved); empty when it resolves to public ones only, or not at all yet."""
    if settings.WEBHOOKS_ALLOW_PRIVATE:
        return []
    parts = urlsplit(url)
    try:
        found = socket.getaddrinfo(parts.hostname or "", parts.port or 443, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError):
        return []  # not resolvable now; sending checks again
    return sorted({info[4][0] for info in found if not is_public(info[4][0])})


def urlopen(request: urllib.request.Request, *, timeout: float) -> Any:
    """`urllib.request.urlopen`, refusing to connect to a non-public address."""
    return _opener.open(request, timeout=timeout)


def _connect_public(address: tuple[str, int], timeout: Any = None, source: Any = None) -> Any:
    sock = socket.create_connection(address, timeout, source)
    peer = sock.getpeername()[0]
    if not settings.WEBHOOKS_ALLOW_PRIVATE and not is_public(peer):
        sock.close()
        raise PrivateAddress(f"{peer} is not a public address")
    return sock


class _HTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # http.client's own seam for opening the socket; HTTPS wraps what it returns.
        self._create_connection = _connect_public


class _HTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _connect_public


class _HTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req: urllib.request.Request) -> Any:
        return self.do_open(_HTTPConnection, req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req: urllib.request.Request) -> Any:
        return self.do_open(_HTTPSConnection, req, context=self._context)  # type: ignore[attr-defined]


_opener = urllib.request.build_opener(_HTTPHandler, _HTTPSHandler)
