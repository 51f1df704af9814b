"""Who may talk to the server: the names it answers to, same-origin writes, a long enough token.

DNS rebinding: a page the reader visits at ``attacker.example`` re-points that name to
127.0.0.1, and the browser then sends the page's requests to this server as same-origin
requests for ``attacker.example``. Without a token on loopback, that page could add
articles to the store. The browser cannot lie about the name, though: it sends
``Host: attacker.example``. So every request must name a host this server serves (loopback
names for a loopback bind, the bound address, the address the connection came in on, and
names given with ``--allowed-host``); and a write that carries an ``Origin`` must come from
the origin it is sent to, so no other site's page (another local server's included) can post.

No web framework here: the CLI checks its options with it before anything starts; the ASGI
middleware that applies the rules is ``app.HostGuard``.
"""
from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Iterable

from crosswire.errors import CrosswireError

MIN_TOKEN_LENGTH = 16  # ~95 bits from token_urlsafe(12); short enough to type, too long to guess
DEFAULT_PORTS = {"http": 80, "https": 443}

# name[:port] or [IPv6][:port]; a name is letters, digits, dots, hyphens and underscores (IDNs come
# punycoded; underscores are not DNS names, but container hosts use them).
_HOST = re.compile(r"(\[[0-9a-f:.]+\]|[a-z0-9_.-]+)(?::([0-9]{1,5}))?")
_ORIGIN = re.compile(r"([a-z][a-z0-9+.-]*)://(.+)")


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses (127.0.0.0/8, ::1), bracketed or not."""
    if host.lower() == "localhost":
        return True
    address = _address(host)
    return address is not None and address.is_loopback  # any other name may resolve beyond this machine


def _address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The IP address ``host`` writes (an IPv4-mapped IPv6 address as IPv4), else None."""
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _canonical(host: str) -> str:
    """A host as it is compared: lower case, an address in its one short form, IPv6 bracketed."""
    address = _address(host)
    if address is None:
        return host.lower()
    return f"[{address}]" if address.version == 6 else str(address)


def split_host(value: str) -> tuple[str, int | None] | None:
    """A Host header (or the host of an origin) as (canonical name, port or None); None when malformed."""
    found = _HOST.fullmatch(value.strip().lower())
    if not found:
        return None
    port = int(found.group(2)) if found.group(2) else None
    if port is not None and not 0 < port < 65536:
        return None
    return _canonical(found.group(1)), port


@dataclass(frozen=True)
class HostRules:
    """The names a server answers to, from where it listens and the names it was given."""

    loopback: bool                                 # localhost, 127.x and [::1] are served
    names: frozenset[tuple[str, int | None]]       # (name, port): port None means the server's own port

    @classmethod
    def of(cls, bind: str, allowed: Iterable[str] = ()) -> HostRules:
        address = _address(bind)
        wildcard = address is not None and address.is_unspecified  # 0.0.0.0 and :: listen on loopback too
        names: set[tuple[str, int | None]] = {(_canonical(bind), None)}
        for entry in allowed:
            parsed = split_host(entry)
            if parsed is None:
                raise CrosswireError(f"--allowed-host {entry}", "not a host name or address (NAME or NAME:PORT)")
            names.add(parsed)
        return cls(loopback=wildcard or is_loopback(bind), names=frozenset(names))

    def serves(self, host: str, port: int | None, local: tuple[str, int] | None) -> bool:
        """Whether ``host:port`` (from the Host header) names this server, reached at ``local``.

        A name without a port means the server's own port: it is served with that port, or none
        (the scheme's default, as a proxy in front may send).
        """
        own_port = local[1] if local else None
        if (host, port) in self.names:
            return True
        if port is not None and own_port is not None and port != own_port:
            return False
        if (host, None) in self.names:
            return True
        if self.loopback and is_loopback(host):
            return True
        # The address the connection came in on (a LAN address of a 0.0.0.0 bind): an address,
        # not a name, so no DNS answer can point it here for another site.
        return local is not None and _address(local[0]) is not None and host == _canonical(local[0])

    def describe(self) -> str:
        """The served names, for an error message."""
        shown = (["localhost", "127.0.0.1", "[::1]"] if self.loopback else []) + sorted(
            name if port is None else f"{name}:{port}" for name, port in self.names
            if not (self.loopback and is_loopback(name)) and not _is_unspecified(name))
        return ", ".join(dict.fromkeys(shown))


def _is_unspecified(host: str) -> bool:
    address = _address(host)
    return address is not None and address.is_unspecified


def same_origin(origin: str, scheme: str, host: tuple[str, int | None]) -> bool:
    """Whether an ``Origin`` header names the origin a request was sent to (``scheme``, its Host)."""
    found = _ORIGIN.fullmatch(origin.strip().lower())  # "null" (a sandboxed or file: page) never matches
    parsed = split_host(found.group(2)) if found else None
    if found is None or parsed is None or found.group(1) != scheme:
        return False
    default = DEFAULT_PORTS.get(scheme)
    return parsed[0] == host[0] and (parsed[1] or default) == (host[1] or default)


def check_token(token: str | None) -> None:
    """A token must be long enough that it cannot be guessed over the network."""
    if token is not None and len(token) < MIN_TOKEN_LENGTH:
        raise CrosswireError(
            "--token (or $CROSSWIRE_TOKEN)",
            f"too short ({len(token)} characters): use at least {MIN_TOKEN_LENGTH}, e.g. the output of "
            "python3 -c 'import secrets; print(secrets.token_urlsafe())'")
