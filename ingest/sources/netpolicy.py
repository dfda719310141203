"""Which network addresses an ingest may connect to: the guard against server-side request forgery (SSRF).

A URL pasted into the web UI, or a link in somebody's feed, is chosen by someone else. Fetched naively it
reaches whatever this machine can: the web UI itself (``http://127.0.0.1:7860/config``), a Chroma or
llama.cpp server on loopback, a router on the private network, a cloud metadata service
(``169.254.169.254``). So by default every connection made for an ingest goes to public addresses only:

- the check is on the addresses a host name *resolves to*, never on how the URL spells it, so
  ``2130706433``, ``0x7f.1``, ``127.1``, ``[::ffff:127.0.0.1]`` or a DNS name pointing at 10.0.0.5 are all
  caught (and one non-public address among a name's answers is enough to refuse it);
- the connection then goes to the checked address itself, never resolved again, so a DNS answer that
  changes between check and connect (DNS rebinding) cannot slip through;
- it runs inside the HTTP transport, for every connection, so every redirect hop is checked too.

``ingest.allow_private_urls`` (``warta ingest --allow-private-urls``) switches it off for trusted sources.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpcore
import httpx

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]  # (host, port) -> addresses as strings
HOW_TO_ALLOW = ("Warta fetches only public addresses unless told otherwise: `warta ingest --allow-private-urls` "
                "or ingest.allow_private_urls = true allows them")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def address_kind(address: Address) -> str | None:
    """Why ``address`` is not a public one ("loopback", "private", ...), or None when it is public."""
    if isinstance(address, ipaddress.IPv6Address):
        # IPv6 forms that carry an IPv4 address lead to that address: judge it instead.
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return address_kind(embedded)
    for kind, flag in (("loopback", address.is_loopback), ("unspecified", address.is_unspecified),
                       ("link-local", address.is_link_local), ("multicast", address.is_multicast),
                       ("reserved", address.is_reserved), ("private", address.is_private)):
        if flag:
            return kind
    return None if address.is_global else "non-public"  # e.g. 100.64.0.0/10, shared by carrier-grade NAT


def system_resolver(host: str, port: int) -> list[str]:
    """The addresses the operating system gives for ``host`` (what a plain connection would use)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise httpcore.ConnectError(str(exc)) from None
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class RefusedAddressError(Exception):
    """A connection to a non-public address was refused (raised inside the transport, turned into a
    ``SourceError`` naming the URL by the fetcher)."""

    def __init__(self, host: str, address: str, kind: str) -> None:
        super().__init__(f"{host} -> {address} ({kind})")
        self.host, self.address, self.kind = host, address, kind

    def reason(self, url: str) -> str:
        """The message for ``url``, whose fetch (or one of its redirects) ran into this address."""
        try:
            redirected = httpx.URL(url).raw_host.decode("ascii").lower() != self.host.lower()
        except (httpx.InvalidURL, UnicodeError):
            redirected = False
        subject = f"a redirect led to {self.host}, which" if redirected else self.host
        what = (f"{subject} is a {self.kind} address" if self.host == self.address
                else f"{subject} resolves to {self.address}, a {self.kind} address")
        return f"refused: {what}. {HOW_TO_ALLOW}."


@dataclass(frozen=True)
class AddressPolicy:
    """Where ingest connections may go: public addresses only, unless ``allow_private``.

    Args:
        allow_private: connect anywhere (trusted sources); the check is skipped entirely.
        resolve: host name -> addresses; the system resolver by default (tests pass their own).
    """

    allow_private: bool = False
    resolve: Resolver = field(default=system_resolver, compare=False)

    def blocked(self, address: Address, port: int) -> str | None:
        """Why connecting to ``address:port`` is refused ("loopback", ...), or None when it is allowed."""
        return None if self.allow_private else address_kind(address)

    def checked_addresses(self, host: str, port: int) -> list[str]:
        """The addresses to connect to for ``host:port``, every one of them allowed.

        Raises:
            RefusedAddressError: ``host`` is, or resolves to, an address that is not allowed.
            httpcore.ConnectError: ``host`` does not resolve.
        """
        host = host.strip("[]")
        addresses = self.resolve(host, port)
        if not addresses:
            raise httpcore.ConnectError(f"{host} has no address")
        for text in addresses:
            kind = self.blocked(ipaddress.ip_address(text.split("%", 1)[0]), port)
            if kind is not None:
                raise RefusedAddressError(host, text, kind)
        return addresses

    def client_options(self) -> dict[str, Any]:
        """Extra ``httpx.Client`` arguments that put this policy on every connection."""
        if self.allow_private and type(self) is AddressPolicy:
            return {}
        # Proxy variables are ignored: a proxy would connect on Warta's behalf, out of reach of the check.
        return {"transport": GuardedTransport(self), "trust_env": False}


class _GuardedBackend(httpcore.NetworkBackend):
    """httpcore's own sockets, opened only to addresses the policy has checked."""

    def __init__(self, policy: AddressPolicy) -> None:
        self.policy = policy
        self._sockets = httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Any = None) -> httpcore.NetworkStream:
        failure: Exception | None = None
        for address in self.policy.checked_addresses(host, port):
            try:  # to the checked address itself: TLS still verifies the certificate against ``host``
                return self._sockets.connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None
        raise failure

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Any = None) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("Unix sockets are not fetched")

    def sleep(self, seconds: float) -> None:
        self._sockets.sleep(seconds)


class GuardedTransport(httpx.HTTPTransport):
    """httpx's standard transport, connecting through the policy.

    httpx 0.28 offers no argument for httpcore's network backend, so the connection pool it builds is
    swapped for an equal one that has ours (``tests/test_security.py`` fails if that stops working).
    """

    def __init__(self, policy: AddressPolicy) -> None:
        super().__init__()
        if not isinstance(getattr(self, "_pool", None), httpcore.ConnectionPool):
            raise RuntimeError("httpx.HTTPTransport changed: update ingest.netpolicy.GuardedTransport")
        self._pool = httpcore.ConnectionPool(ssl_context=httpx.create_ssl_context(),
                                             network_backend=_GuardedBackend(policy))
