"""Which addresses crosswire may connect to, checked after name resolution (SSRF).

A followed feed, a link in it or a webhook is an address somebody else chose. Left unchecked,
``http://169.254.169.254/`` would read the cloud's instance credentials, ``http://localhost:6379/``
would talk to a local service, and a public name can resolve to a private address, or to a
public one when checked and a private one when connected to (DNS rebinding). So the check is not
made on the URL but inside the connection itself: ``SafeBackend`` is the httpcore network backend
of the one connection pool crosswire uses; it resolves the name, refuses the addresses the policy
refuses, and connects to one of the addresses it has just checked, by number, so nothing is
resolved twice. Every hop of a redirect opens its connections through it too.

``SafeBackend`` also holds each request to an overall deadline (``deadline``): httpx's timeouts
bound each read, so a server sending one byte a second would otherwise never time out.
"""
from __future__ import annotations

import ipaddress
import socket
import ssl
import threading
import time
import typing
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import httpcore

IPAddress = typing.Union[ipaddress.IPv4Address, ipaddress.IPv6Address]
Network = typing.Union[ipaddress.IPv4Network, ipaddress.IPv6Network]

# Refused by default, the first match naming the reason. Written out rather than taken from
# ipaddress's is_private / is_global: their tables have changed between Python releases (3.11.10,
# 3.12.4), and multicast counts as "global" there. Anything these miss falls to the final test in
# ``refusal`` (not global unicast), so the tables name reasons more than they decide.
_V4: tuple[tuple[ipaddress.IPv4Network, str], ...] = tuple((ipaddress.IPv4Network(net), why) for net, why in (
    ("0.0.0.0/8", "an unspecified address (0.0.0.0 reaches this machine)"),
    ("127.0.0.0/8", "a loopback address"),
    ("10.0.0.0/8", "a private address"),
    ("172.16.0.0/12", "a private address"),
    ("192.168.0.0/16", "a private address"),
    ("169.254.169.254/32", "a link-local address (cloud metadata)"),
    ("169.254.0.0/16", "a link-local address"),
    ("100.100.100.200/32", "a shared address (cloud metadata)"),  # Alibaba Cloud's
    ("100.64.0.0/10", "a shared address (carrier-grade NAT)"),
    ("224.0.0.0/4", "a multicast address"),
    ("255.255.255.255/32", "the broadcast address"),
    ("240.0.0.0/4", "a reserved address"),
    ("192.0.0.0/24", "a reserved address (IETF protocol assignments)"),
    ("192.0.2.0/24", "a reserved address (documentation)"),
    ("198.51.100.0/24", "a reserved address (documentation)"),
    ("203.0.113.0/24", "a reserved address (documentation)"),
    ("198.18.0.0/15", "a reserved address (benchmarking)"),
    ("192.88.99.0/24", "a reserved address (6to4 relay)"),
))
_V6: tuple[tuple[ipaddress.IPv6Network, str], ...] = tuple((ipaddress.IPv6Network(net), why) for net, why in (
    ("::/128", "an unspecified address (:: reaches this machine)"),
    ("::1/128", "a loopback address"),
    ("fd00:ec2::254/128", "a unique local address (cloud metadata)"),  # AWS's, over IPv6
    ("fc00::/7", "a unique local (private) address"),
    ("fe80::/10", "a link-local address"),
    ("fec0::/10", "a site-local (private) address"),
    ("ff00::/8", "a multicast address"),
    ("100::/64", "a reserved address (discard)"),
    ("2001:db8::/32", "a reserved address (documentation)"),
    ("3fff::/20", "a reserved address (documentation)"),
    ("2001:2::/48", "a reserved address (benchmarking)"),
    ("2001:10::/28", "a reserved address (ORCHID)"),
    ("2001:20::/28", "a reserved address (ORCHID)"),
))
_GLOBAL_UNICAST = ipaddress.IPv6Network("2000::/3")
# IPv6 addresses that carry an IPv4 address, which is what they reach: judged by that address,
# so that ::ffff:127.0.0.1 is loopback while 64:ff9b::8.8.8.8 (NAT64, on IPv6-only networks)
# is as public as 8.8.8.8.
_MAPPED = ipaddress.IPv6Network("::ffff:0:0/96")
_NAT64 = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))


def embedded_v4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, NAT64, 6to4, Teredo client), if any."""
    if isinstance(address, ipaddress.IPv4Address):
        return None
    if address in _MAPPED or any(address in net for net in _NAT64):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    return None


def refusal(address: IPAddress) -> str | None:
    """Why ``address`` is refused by default ("a loopback address"), or None when it is public."""
    inner = embedded_v4(address)
    if inner is not None:
        why = refusal(inner)
        return f"{why} (carried as {inner})" if why else None
    if isinstance(address, ipaddress.IPv4Address):
        for net4, why in _V4:
            if address in net4:
                return why
        return None if address.is_global else "a reserved address"
    plain = ipaddress.IPv6Address(int(address))  # without its scope (fe80::1%eth0), which takes no part
    for net6, why in _V6:
        if plain in net6:
            return why
    return None if plain in _GLOBAL_UNICAST else "a reserved address"


class AddressPolicy:
    """The addresses a ``Fetcher`` may connect to: public ones, plus the private ones it is allowed."""

    def __init__(self, allow_private: bool = False, allowed_networks: Iterable[str] = ()) -> None:
        self.allow_private = allow_private
        networks: list[Network] = []
        for text in allowed_networks:
            try:
                networks.append(ipaddress.ip_network(text.strip(), strict=False))
            except ValueError as err:
                raise ValueError(f"not a network (CIDR such as 10.0.0.0/8 expected): {text!r}") from err
        self.allowed_networks = tuple(networks)

    def refusal(self, address: IPAddress) -> str | None:
        """Why connecting to ``address`` is refused ("127.0.0.1 is a loopback address"), or None."""
        if self.allow_private:
            return None
        why = refusal(address)
        if why is None:
            return None
        inner = embedded_v4(address)
        # ::ffff:127.0.0.1 is allowed by 127.0.0.1/32: it is the same socket address.
        if any(address in net or (inner is not None and inner in net) for net in self.allowed_networks):
            return None
        return f"{address} is {why}"


class UnsafeAddress(Exception):
    """A host whose addresses are all refused; nothing was connected to.

    Deliberately not an httpcore (nor httpx) exception: httpx passes exceptions it does not know
    through unchanged, so the ``Fetcher`` receives this one and its reason intact."""

    def __init__(self, host: str, reason: str) -> None:
        super().__init__(f"{host}: {reason}")
        self.host = host
        self.reason = reason


class Unresolvable(Exception):
    """A host name that does not resolve (passed through httpx unchanged, as ``UnsafeAddress``)."""

    def __init__(self, host: str, reason: str) -> None:
        super().__init__(f"{host}: {reason}")
        self.host = host
        self.reason = reason


def resolve(host: str, port: int) -> list[str]:
    """The addresses of ``host``, as numbers, in the resolver's order (a module function: tests replace it)."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as err:
        raise Unresolvable(host, str(err) or "does not resolve") from err
    addresses: list[str] = []
    for *_, sockaddr in found:
        text = str(sockaddr[0])
        if text not in addresses:
            addresses.append(text)
    return addresses


class SafeBackend(httpcore.NetworkBackend):
    """httpcore's synchronous backend, connecting only to addresses the policy allows.

    Thread-safe: the deadline is per thread, and httpcore's synchronous pool does all of a
    request's input and output in the thread that sent it."""

    def __init__(self, policy: AddressPolicy, inner: httpcore.NetworkBackend | None = None) -> None:
        self.policy = policy
        self._inner = inner if inner is not None else httpcore.SyncBackend()
        self._local = threading.local()

    @contextmanager
    def deadline(self, seconds: float) -> Iterator[None]:
        """Every connect, TLS handshake, read and write of this thread ends within ``seconds`` from now."""
        previous = getattr(self._local, "deadline", None)
        self._local.deadline = time.monotonic() + seconds
        try:
            yield
        finally:
            self._local.deadline = previous

    def bounded(self, timeout: float | None, error: type[Exception]) -> float | None:
        """``timeout`` shortened to what is left of the deadline; ``error`` once nothing is."""
        deadline: float | None = getattr(self._local, "deadline", None)
        if deadline is None:
            return timeout
        left = deadline - time.monotonic()
        if left <= 0:
            raise error("the request's deadline has passed")
        return left if timeout is None else min(timeout, left)

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None) -> httpcore.NetworkStream:
        self.bounded(timeout, httpcore.ConnectTimeout)  # no connecting at all once the deadline has passed
        # The system resolver is not bounded by the deadline (getaddrinfo takes no timeout); its
        # own timeouts apply (resolv.conf: 5 s per try by default).
        addresses = resolve(host, port)
        allowed: list[str] = []
        refused: list[str] = []
        for text in addresses:
            reason = self.policy.refusal(ipaddress.ip_address(text))
            (refused if reason else allowed).append(reason or text)
        if not allowed:
            raise UnsafeAddress(host, refused[0] if refused else "resolves to no address")
        # A name resolving to refused and allowed addresses alike is connected to the allowed ones
        # only: what matters is where the socket goes, and it goes nowhere unchecked.
        failure: Exception | None = None
        for address in allowed:
            try:
                # A numeric address: the inner backend resolves nothing more.
                stream = self._inner.connect_tcp(address, port, timeout=self.bounded(timeout, httpcore.ConnectTimeout),
                                                 local_address=local_address, socket_options=socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as err:
                failure = err
                continue
            return _DeadlineStream(stream, self)
        assert failure is not None
        raise failure

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None) -> httpcore.NetworkStream:
        raise UnsafeAddress(path, "a Unix socket is never connected to")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every read and write is held to the deadline of the request using it."""

    def __init__(self, inner: httpcore.NetworkStream, backend: SafeBackend) -> None:
        self._inner = inner
        self._backend = backend

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, self._backend.bounded(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, self._backend.bounded(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        bounded = self._backend.bounded(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, bounded), self._backend)

    def get_extra_info(self, info: str) -> typing.Any:
        return self._inner.get_extra_info(info)
