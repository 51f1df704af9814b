"""The HTTP client (crosswire.fetch): against real HTTP servers on 127.0.0.1 started here.

Nothing connects anywhere else: the unsafe addresses below are refused before connecting (which
the tests check by recording every connection the client opens), and names are resolved by a
stand-in resolver where a test needs one.
"""
from __future__ import annotations

import functools
import gzip
import ipaddress
import pickle
import random
import socket
import struct
import sys
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpcore
import pytest

from crosswire.fetch import Fetcher, FetchError, FetchOptions
from crosswire.fetch import addresses as addresses_module
from crosswire.fetch.addresses import AddressPolicy, refusal
from crosswire.fetch.backoff import backoff
from crosswire.fetch.body import Decoder, TooLarge, encodings
from crosswire.fetch.client import USER_AGENT

Route = Callable[["Handler"], None]
MiB = 2**20


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Server

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path = self.path.split("?")[0]
        owner = self.server.owner
        with owner.lock:
            owner.hits.append(path)
            owner.requests.append((self.command, path, dict(self.headers.items()), body))
        route = owner.routes.get(path)
        try:
            if route is None:
                reply(self, 404, b"not here")
            else:
                route(self)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped reading, as it should when a body is too large


class Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: TestServer

    def handle_error(self, request: object, client_address: object) -> None:
        # A client dropping a connection mid-answer is what several tests make it do.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class TestServer:
    """A server on 127.0.0.1: ``routes`` maps a path to a handler function; it records what came."""

    __test__ = False

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: list[str] = []
        self.requests: list[tuple[str, str, dict[str, str], bytes]] = []
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.httpd.owner = self
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def count(self, path: str) -> int:
        with self.lock:
            return self.hits.count(path)

    def close(self) -> None:
        self.stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def reply(h: BaseHTTPRequestHandler, status: int = 200, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
    h.send_response(status)
    for name, value in (headers or {}).items():
        h.send_header(name, value)
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    h.wfile.write(body)


@pytest.fixture
def server() -> Iterator[TestServer]:
    running = TestServer()
    yield running
    running.close()


@pytest.fixture
def make_fetcher() -> Iterator[Callable[..., Fetcher]]:
    """A Fetcher allowed to reach 127.0.0.1 only, without politeness delays or robots unless asked."""
    made: list[Fetcher] = []

    def make(**options: object) -> Fetcher:
        settings: dict[str, object] = {"allowed_networks": ("127.0.0.1/32",), "host_delay": 0.0, "robots": False,
                                       "timeout": 5.0}
        settings.update(options)
        fetcher = Fetcher(FetchOptions(**settings))  # type: ignore[arg-type]
        made.append(fetcher)
        return fetcher

    yield make
    for fetcher in made:
        fetcher.close()


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every address the client opens a TCP connection to (after its checks)."""
    opened: list[str] = []
    real = httpcore.SyncBackend.connect_tcp

    def recording(self: httpcore.SyncBackend, host: str, port: int, *args: object, **kwargs: object) -> httpcore.NetworkStream:
        opened.append(host)
        return real(self, host, port, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(httpcore.SyncBackend, "connect_tcp", recording)
    return opened


def failure(call: Callable[[], object]) -> FetchError:
    with pytest.raises(FetchError) as caught:
        call()
    return caught.value


# -- plain fetches, validators, statuses -------------------------------------------------------



def at_once(n: int, call: Callable[[], bytes]) -> list[bytes]:
    """``call`` on ``n`` threads started together; what each returned, in the order they finished."""
    got: list[bytes] = []
    threads = [threading.Thread(target=lambda: got.append(call())) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return got

def test_a_plain_200_returns_the_body_and_lower_case_headers(server: TestServer, make_fetcher: Callable[..., Fetcher]) -> None:
    server.routes["/feed"] = lambda h: reply(h, 200, b"<rss/>", {"Content-Type": "application/rss+xml", "ETag": '"v1"'})
    got = make_fetcher().get(server.url("/feed"), accept="application/rss+xml")
    assert (got.status, got.body, got.url) == (200, b"<rss/>", server.url("/feed"))
    assert got.headers["content-type"] == "application/rss+xml" and got.headers["etag"] == '"v1"'
    assert not got.not_modified
    _, _, sent, _ = server.requests[0]
    assert sent["User-Agent"] == USER_AGENT
    assert sent["Accept-Encoding"] == "gzip, deflate"
    assert sent["Accept"] == "application/rss+xml"


def test_the_user_agent_is_the_options_one(server: TestServer, make_fetcher: Callable[..., Fetcher]) -> None:
    server.routes["/"] = lambda h: reply(h, 200, b"ok")
    make_fetcher(user_agent="tester/1.0").get(server.url("/"))
    assert server.requests[0][2]["User-Agent"] == "tester/1.0"


def test_an_etag_gives_a_304(server: TestServer, make_fetcher: Callable[..., Fetcher]) -> None:
    def feed(h: BaseHTTPRequestHandler) -> None:
        if h.headers.get("If-None-Match") == '"v1"':
            reply(h, 304, b"", {"ETag": '"v1"'})
        else:
            reply(h, 200, b"body", {"ETag": '"v1"'})

    server.routes["/feed"] = feed
    fetcher = make_fetcher()
    first = fetcher.get(server.url("/feed"))
    again = fetcher.get(server.url("/feed"), etag=first.headers["etag"])
    assert again.status == 304 and again.not_modified and again.body == b""
    assert again.headers["etag"] == '"v1"'


def test_last_modified_gives_a_304(server: TestServer, make_fetcher: Callable[..., Fetcher]) -> None:
    stamp = "Wed, 21 Oct 2015 07:28:00 GMT"

    def feed(h: BaseHTTPRequestHandler) -> None:
        if h.headers.get("If-Modified-Since") == stamp:
            reply(h, 304)
        else:
            reply(h, 200, b"body", {"Last-Modified": stamp})

    server.routes["/feed"] = feed
    fetcher = make_fetcher()
    first = fetcher.get(server.url("/feed"))
    assert first.headers["last-modified"] == stamp
    assert fetcher.get(server.url("/feed"), last_modified=stamp).not_modified


def test_a_500_is_an_http_error_naming_the_url(server: TestServer, make_fetcher: Callable[..., Fetcher]) -> None:
    server.routes["/broken"] = lambda h: reply(h, 500, b"oops")
    err = failure(lambda: make_fetcher().get(server.url("/broken")))
    assert (err.kind, err.status) == ("http", 500)
    assert str(err) == f"{server.url('/broken')}: HTTP 500 Internal Server Error"


def test_connection_refused_is_a_network_error(make_fetcher: Callable[..., Fetcher]) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    err = failure(lambda: make_fetcher().get(f"http://127.0.0.1:{port}/"))
    assert err.kind == "network" and "connection refused" in str(err)
    assert str(err).startswith(f"http://127.0.0.1:{port}/: ")


def test_a_name_that_does_not_resolve_is_a_network_error(monkeypatch: pytest.MonkeyPatch,
                                                         make_fetcher: Callable[..., Fetcher]) -> None:
    def no_such_name(*args: object, **kwargs: object) -> object:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_name)
    err = failure(lambda: make_fetcher().get("http://no-such-host.invalid/feed"))
    assert err.kind == "network" and "cannot resolve no-such-host.invalid" in str(err)


def test_a_tls_failure_is_a_tls_error(server: TestServer, make_fetcher: Callable[..., Fetcher]) -> None:
    server.routes["/"] = lambda h: reply(h, 200, b"plain")
    err = failure(lambda: make_fetcher().get(f"https://127.0.0.1:{server.port}/"))
    assert err.kind == "tls" and "TLS failed" in str(err)


# -- timeouts ----------------------------------------------------------------------------------


def test_a_slow_answer_times_out(server: TestServer, make_fetcher: Callable[..., Fetcher]) -> None:
    def slow(h: BaseHTTPRequestHandler) -> None:
        server.stop.wait(5)
        reply(h, 200, b"late")

    server.routes["/slow"] = slow
    started = time.monotonic()
    err = failure(lambda: make_fetcher(timeout=0.5).get(server.url("/slow")))
    assert err.kind == "timeout" and "no answer within 0.5 s" in str(err)
    assert time.monotonic() - started < 2


def trickle_body(server: TestServer) -> Route:
    def route(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Length", "100000")
        h.end_headers()
        while not server.stop.wait(0.1):  # a byte every 0.1 s: each read is well within the timeout
            h.wfile.write(b"x")
            h.wfile.flush()
    return route


def trickle_headers(server: TestServer) -> Route:
    def route(h: BaseHTTPRequestHandler) -> None:
        h.wfile.write(b"HTTP/1.1 200 OK\r\n")
        while not server.stop.wait(0.1):
            h.wfile.write(b"X-Slow: y\r\n")
            h.wfile.flush()
    return route


@pytest.mark.parametrize("make_route", [trickle_body, trickle_headers])
def test_a_trickling_server_cannot_hold_a_fetch_beyond_the_deadline(server: TestServer, make_fetcher: Callable[..., Fetcher],
                                                                  make_route: Callable[[TestServer], Route]) -> None:
    server.routes["/trickle"] = make_route(server)
    started = time.monotonic()
    err = failure(lambda: make_fetcher(timeout=0.5, deadline=1.0).get(server.url("/trickle")))
    took = time.monotonic() - started
    assert err.kind == "timeout" and "took over 1 s" in str(err)
    assert 0.9 < took < 2


def test_the_deadline_defaults_to_three_timeouts(server: TestServer, make_fetcher: Callable[..., Fetcher]) -> None:
    server.routes["/trickle"] = trickle_body(server)
    started = time.monotonic()
    err = failure(lambda: make_fetcher(timeout=0.3).get(server.url("/trickle")))
    assert err.kind == "timeout" and "took over 0.9 s" in str(err)
    assert time.monotonic() - started < 2


# -- redirects ---------------------------------------------------------------------------------


def chain(server: TestServer, hops: int) -> None:
    """/r/N redirects to /r/N-1 ... /r/0, which answers."""
    server.routes["/r/0"] = lambda h: reply(h, 200, b"arrived")
    def hop(h: BaseHTTPRequestHandler) -> None:
        n = int(h.path.rsplit("/", 1)[1])
        reply(h, 302 if n % 2 else 301, b"", {"Location": f"/r/{n - 1}"})

    for n in range(1, hops + 1):
        server.routes[f"/r/{n}"] = hop


def test_a_redirect_chain_within_the_limit_is_followed(server: TestServer, make_fetcher: Callable[..., Fetcher]) -> None:
    chain(server, 3)
    got = make_fetcher(max_redirects=3).get(server.url("/r/3"))
    assert (got.status, got.body, got.url) == (200, b"arrived", server.url("/r/0"))
    assert server.hits == ["/r/3", "/r/2", "/r/1", "/r/0"]


def test_a_redirect_chain_beyond_the_limit_is_refused(server: TestServer, make_fetcher: Callable[..., Fetcher]) -> None:
    chain(server, 4)
    err = failure(lambda: make_fetcher(max_redirects=3).get(server.url("/r/4")))
    assert err.kind == "redirects" and "more than 3 redirects" in str(err)
    assert str(err).startswith(server.url("/r/4"))
    assert "/r/0" not in server.hits


def test_an_error_after_a_redirect_names_where_it_was(server: TestServer, make_fetcher: Callable[..., Fetcher]) -> None:
    server.routes["/moved"] = lambda h: reply(h, 301, b"", {"Location": "/gone"})
    server.routes["/gone"] = lambda h: reply(h, 410, b"")
    err = failure(lambda: make_fetcher().get(server.url("/moved")))
    assert (err.kind, err.status) == ("http", 410)
    assert str(err) == f"{server.url('/moved')}: HTTP 410 Gone (at {server.url('/gone')})"


def test_a_redirect_to_cloud_metadata_is_refused_without_connecting(server: TestServer, connections: list[str],
                                                                   make_fetcher: Callable[..., Fetcher]) -> None:
    server.routes["/meta"] = lambda h: reply(h, 302, b"", {"Location": "http://169.254.169.254/latest/meta-data/"})
    err = failure(lambda: make_fetcher(allowed_networks=("127.0.0.1/32",), robots=True).get(server.url("/meta")))
    assert err.kind == "unsafe"
    assert str(err) == (f"{server.url('/meta')}: redirected to http://169.254.169.254/latest/meta-data/: refused: "
                        f"169.254.169.254 is a link-local address (cloud metadata); --allow-private allows it")
    assert set(connections) == {"127.0.0.1"}


def test_a_redirect_to_another_scheme_is_refused(server: TestServer, make_fetcher: Callable[..., Fetcher]) -> None:
    server.routes["/file"] = lambda h: reply(h, 302, b"", {"Location": "file:///etc/passwd"})
    err = failure(lambda: make_fetcher().get(server.url("/file")))
    assert err.kind == "scheme" and "redirected to file:///etc/passwd: refused" in str(err)


# -- address safety ----------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "127.1", "2130706433", "0.0.0.0", "[::1]", "[::ffff:127.0.0.1]"])
def test_this_machine_is_refused_without_allow_private(server: TestServer, connections: list[str], host: str) -> None:
    server.routes["/"] = lambda h: reply(h, 200, b"secret")
    with Fetcher(FetchOptions(host_delay=0)) as fetcher:  # the defaults: robots.txt asked first, and refused too
        err = failure(lambda: fetcher.get(f"http://{host}:{server.port}/"))
    assert err.kind == "unsafe" and "--allow-private allows it" in str(err)
    assert str(err).startswith(f"http://{host}:{server.port}/: refused: ")
    assert connections == [] and server.hits == []


def test_allow_private_reaches_this_machine(server: TestServer, make_fetcher: Callable[..., Fetcher]) -> None:
    server.routes["/"] = lambda h: reply(h, 200, b"intranet")
    assert make_fetcher(allowed_networks=(), allow_private=True).get(f"http://localhost:{server.port}/").body == b"intranet"


def test_a_name_is_checked_after_it_is_resolved(monkeypatch: pytest.MonkeyPatch, server: TestServer, connections: list[str],
                                                make_fetcher: Callable[..., Fetcher]) -> None:
    server.routes["/"] = lambda h: reply(h, 200, b"ok")
    names = {"rebound.test": ["169.254.169.254"], "mixed.test": ["10.0.0.1", "127.0.0.1"]}
    monkeypatch.setattr(addresses_module, "resolve", lambda host, port: names[host])
    fetcher = make_fetcher()
    err = failure(lambda: fetcher.get(f"http://rebound.test:{server.port}/"))
    assert err.kind == "unsafe" and "169.254.169.254 is a link-local address (cloud metadata)" in str(err)
    assert connections == []
    # Of a name's addresses, only the checked ones are connected to.
    assert fetcher.get(f"http://mixed.test:{server.port}/").body == b"ok"
    assert connections == ["127.0.0.1"]


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/x", "javascript:alert(1)", "//example.com/x",
                                 "http:///nohost", "gopher://example.com/"])
def test_other_schemes_are_refused(url: str, connections: list[str], make_fetcher: Callable[..., Fetcher]) -> None:
    fetcher = make_fetcher()
    err = failure(lambda: fetcher.get(url))
    assert err.kind == "scheme" and str(err).startswith(f"{url}: ")
    assert failure(lambda: fetcher.post(url, b"{}", {})).kind == "scheme"
    assert connections == []


@pytest.mark.parametrize(("address", "reason"), [
    ("127.0.0.1", "a loopback address"),
    ("10.1.2.3", "a private address"),
    ("172.16.0.1", "a private address"),
    ("192.168.1.1", "a private address"),
    ("169.254.169.254", "a link-local address (cloud metadata)"),
    ("169.254.1.1", "a link-local address"),
    ("100.64.0.1", "a shared address (carrier-grade NAT)"),
    ("0.0.0.0", "an unspecified address (0.0.0.0 reaches this machine)"),
    ("224.0.0.1", "a multicast address"),
    ("255.255.255.255", "the broadcast address"),
    ("240.0.0.1", "a reserved address"),
    ("192.0.2.1", "a reserved address (documentation)"),
    ("::1", "a loopback address"),
    ("::", "an unspecified address (:: reaches this machine)"),
    ("fd00::1", "a unique local (private) address"),
    ("fd00:ec2::254", "a unique local address (cloud metadata)"),
    ("fe80::1", "a link-local address"),
    ("fe80::1%eth0", "a link-local address"),
    ("ff02::1", "a multicast address"),
    ("2001:db8::1", "a reserved address (documentation)"),
    ("::ffff:127.0.0.1", "a loopback address (carried as 127.0.0.1)"),
    ("::ffff:169.254.169.254", "a link-local address (cloud metadata) (carried as 169.254.169.254)"),
    ("64:ff9b::a00:1", "a private address (carried as 10.0.0.1)"),
    ("2002:7f00:1::", "a loopback address (carried as 127.0.0.1)"),
    ("::7f00:1", "a reserved address"),  # IPv4-compatible, deprecated
    ("8.8.8.8", None),
    ("93.184.215.14", None),
    ("2606:4700:4700::1111", None),
    ("::ffff:8.8.8.8", None),
    ("64:ff9b::808:808", None),  # NAT64 of a public address, as IPv6-only networks reach the web
])
def test_the_address_policy(address: str, reason: str | None) -> None:
    assert refusal(ipaddress.ip_address(address)) == reason


def test_allowed_networks_open_only_themselves() -> None:
    policy = AddressPolicy(allowed_networks=("127.0.0.1/32", "10.0.0.0/8"))
    assert policy.refusal(ipaddress.ip_address("127.0.0.1")) is None
    assert policy.refusal(ipaddress.ip_address("::ffff:127.0.0.1")) is None
    assert policy.refusal(ipaddress.ip_address("10.9.8.7")) is None
    assert policy.refusal(ipaddress.ip_address("127.0.0.2")) == "127.0.0.2 is a loopback address"
    assert policy.refusal(ipaddress.ip_address("169.254.169.254")) == \
        "169.254.169.254 is a link-local address (cloud metadata)"
    assert AddressPolicy(allow_private=True).refusal(ipaddress.ip_address("169.254.169.254")) is None
    err = failure(lambda: Fetcher(FetchOptions(allowed_networks=("10.0.0.0/33",))))
    assert "not a network" in str(err)


# -- bounded bodies ----------------------------------------------------------------------------


def test_a_content_length_over_the_limit_is_refused_before_reading(server: TestServer,
                                                                   make_fetcher: Callable[..., Fetcher]) -> None:
    def announced(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Length", str(2 * MiB))
        h.end_headers()
        server.stop.wait(5)  # never sends it: only the announcement can have refused it

    server.routes["/big"] = announced
    started = time.monotonic()
    err = failure(lambda: make_fetcher(max_bytes=MiB).get(server.url("/big")))
    assert err.kind == "too_large" and "2,097,152 bytes announced, over the 1 MiB limit" in str(err)
    assert time.monotonic() - started < 1


def test_a_chunked_body_over_the_limit_is_refused(server: TestServer, make_fetcher: Callable[..., Fetcher]) -> None:
    def chunked(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        piece = b"x" * 65536
        for _ in range(64):  # 4 MiB, no length announced
            h.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
        h.wfile.write(b"0\r\n\r\n")

    server.routes["/chunked"] = chunked
    err = failure(lambda: make_fetcher(max_bytes=MiB).get(server.url("/chunked")))
    assert err.kind == "too_large" and "over the 1 MiB limit" in str(err)


def test_a_body_at_the_limit_is_whole(server: TestServer, make_fetcher: Callable[..., Fetcher]) -> None:
    server.routes["/exact"] = lambda h: reply(h, 200, b"y" * 1000)
    assert make_fetcher(max_bytes=1000).get(server.url("/exact")).body == b"y" * 1000
    assert failure(lambda: make_fetcher(max_bytes=999).get(server.url("/exact"))).kind == "too_large"


@functools.lru_cache(maxsize=1)
def gzip_bomb(gigabytes: int = 1) -> list[bytes]:
    """A valid gzip of ``gigabytes`` GiB of zeros, about 1 MB per GiB, built in a moment: after a full
    flush deflate starts afresh, so the compressed MiB of zeros is the same bytes each time."""
    squeeze = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    block = squeeze.compress(bytes(MiB)) + squeeze.flush(zlib.Z_FULL_FLUSH)
    count = 1024 * gigabytes
    crc = 0
    zeros = bytes(MiB)
    for _ in range(count):
        crc = zlib.crc32(zeros, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    trailer = squeeze.flush() + struct.pack("<II", crc, (count * MiB) & 0xFFFFFFFF)
    return [header] + [block] * count + [trailer]


def test_the_gzip_bomb_builder_makes_real_gzip() -> None:
    parts = gzip_bomb()
    small = parts[:3] + parts[-1:]  # two blocks: the trailer's size and CRC are wrong, the data right
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
    assert inflate.decompress(b"".join(small)[:-8]) == bytes(2 * MiB)
    assert 0.9e6 < sum(map(len, parts)) < 1.2e6


def test_a_gzip_bomb_is_refused_with_memory_bounded(server: TestServer, make_fetcher: Callable[..., Fetcher]) -> None:
    parts = gzip_bomb()

    def bomb(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Encoding", "gzip")
        h.send_header("Content-Length", str(sum(map(len, parts))))
        h.end_headers()
        for part in parts:
            h.wfile.write(part)

    server.routes["/bomb"] = bomb
    fetcher = make_fetcher(max_bytes=2 * MiB)
    started = time.monotonic()
    tracemalloc.start()
    try:
        err = failure(lambda: fetcher.get(server.url("/bomb")))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert err.kind == "too_large" and "over the 2 MiB limit" in str(err)
    # The body so far (2 MiB) and one inflated piece (at most 2 MiB): 1 GiB were it inflated whole.
    assert peak < 8 * MiB, f"{peak / MiB:.1f} MiB at the peak"
    assert time.monotonic() - started < 5


@pytest.mark.parametrize(("coding", "squeeze"), [
    ("gzip", gzip.compress),
    ("x-gzip", gzip.compress),
    ("deflate", zlib.compress),
    ("deflate", lambda data: zlib.compress(data)[2:-4]),  # raw deflate, as some servers send it
])
def test_a_compressed_body_is_decoded(server: TestServer, make_fetcher: Callable[..., Fetcher], coding: str,
                                      squeeze: Callable[[bytes], bytes]) -> None:
    text = "<rss>ünïcode feed</rss>\n".encode() * 2000
    server.routes["/z"] = lambda h: reply(h, 200, squeeze(text), {"Content-Encoding": coding, "Content-Type": "text/xml"})
    got = make_fetcher().get(server.url("/z"))
    assert got.body == text
    assert "content-encoding" not in got.headers and "content-length" not in got.headers
    assert got.headers["content-type"] == "text/xml"


def test_a_body_that_does_not_decode_is_an_error(server: TestServer, make_fetcher: Callable[..., Fetcher]) -> None:
    server.routes["/bad"] = lambda h: reply(h, 200, b"not gzip at all", {"Content-Encoding": "gzip"})
    server.routes["/br"] = lambda h: reply(h, 200, b"\x0b\x02\x80", {"Content-Encoding": "br"})
    fetcher = make_fetcher()
    assert "does not decode" in str(failure(lambda: fetcher.get(server.url("/bad"))))
    assert "Content-Encoding 'br'" in str(failure(lambda: fetcher.get(server.url("/br"))))


def test_the_decoder_joins_gzip_members_and_counts_every_layer() -> None:
    decoder = Decoder(encodings("gzip"), 10)
    data = gzip.compress(b"hello") + gzip.compress(b"world")
    assert b"".join(decoder.feed(data[i:i + 3]) for i in range(0, len(data), 3)) + decoder.finish() == b"helloworld"
    twice = Decoder(encodings("gzip, gzip"), 1000)
    assert twice.feed(gzip.compress(gzip.compress(b"inner" * 100))) + twice.finish() == b"inner" * 100
    with pytest.raises(TooLarge):
        Decoder(encodings("gzip"), 9).feed(data)
    with pytest.raises(TooLarge):
        Decoder([], 4).feed(b"hello")


# -- robots.txt and politeness -----------------------------------------------------------------


def test_robots_txt_is_obeyed_and_read_once_per_host(server: TestServer, make_fetcher: Callable[..., Fetcher]) -> None:
    server.routes["/robots.txt"] = lambda h: reply(h, 200, b"User-agent: *\nDisallow: /private\n")
    server.routes["/public"] = lambda h: reply(h, 200, b"open")
    server.routes["/private"] = lambda h: reply(h, 200, b"closed")
    fetcher = make_fetcher(robots=True)
    assert fetcher.get(server.url("/public")).body == b"open"
    assert fetcher.get(server.url("/public?page=2")).body == b"open"
    err = failure(lambda: fetcher.get(server.url("/private")))
    assert err.kind == "robots" and str(err) == f"{server.url('/private')}: disallowed by {server.url('/robots.txt')}"
    assert server.count("/robots.txt") == 1 and "/private" not in server.hits
    # A webhook delivery is not crawling: robots.txt is not asked.
    fetcher.post(server.url("/private"), b"{}", {})
    assert server.count("/robots.txt") == 1


def test_robots_txt_for_our_agent(server: TestServer, make_fetcher: Callable[..., Fetcher]) -> None:
    server.routes["/robots.txt"] = lambda h: reply(h, 200, b"User-agent: crosswire\nDisallow: /\n\nUser-agent: *\nAllow: /\n")
    server.routes["/feed"] = lambda h: reply(h, 200, b"feed")
    assert failure(lambda: make_fetcher(robots=True).get(server.url("/feed"))).kind == "robots"
    assert make_fetcher(robots=True, user_agent="other/1").get(server.url("/feed")).body == b"feed"


@pytest.mark.parametrize("status", [404, 410, 403, 500, 503])
def test_no_robots_txt_allows_everything(server: TestServer, make_fetcher: Callable[..., Fetcher], status: int) -> None:
    server.routes["/robots.txt"] = lambda h: reply(h, status, b"Disallow: /")
    server.routes["/feed"] = lambda h: reply(h, 200, b"feed")
    fetcher = make_fetcher(robots=True)
    assert fetcher.get(server.url("/feed")).body == b"feed"
    assert fetcher.get(server.url("/feed")).body == b"feed"
    assert server.count("/robots.txt") == 1  # kept: an hour for a 4xx, five minutes for a 5xx


def test_robots_txt_is_read_once_by_many_threads(server: TestServer, make_fetcher: Callable[..., Fetcher]) -> None:
    def robots(h: BaseHTTPRequestHandler) -> None:
        time.sleep(0.1)  # long enough for every thread to want it
        reply(h, 200, b"User-agent: *\nDisallow: /private\n")

    server.routes["/robots.txt"] = robots
    server.routes["/feed"] = lambda h: reply(h, 200, b"feed")
    fetcher = make_fetcher(robots=True, per_host=8)
    bodies = at_once(6, lambda: fetcher.get(server.url("/feed")).body)
    assert bodies == [b"feed"] * 6 and server.count("/robots.txt") == 1


def test_a_crawl_delay_spaces_the_requests(server: TestServer, make_fetcher: Callable[..., Fetcher]) -> None:
    starts: list[float] = []

    def feed(h: BaseHTTPRequestHandler) -> None:
        starts.append(time.monotonic())
        reply(h, 200, b"feed")

    server.routes["/robots.txt"] = lambda h: reply(h, 200, b"User-agent: *\nCrawl-delay: 1\n")
    server.routes["/feed"] = feed
    fetcher = make_fetcher(robots=True)
    fetcher.get(server.url("/feed"))
    fetcher.get(server.url("/feed"))
    assert starts[1] - starts[0] >= 0.95


def test_one_request_at_a_time_per_host_with_a_delay(server: TestServer, make_fetcher: Callable[..., Fetcher]) -> None:
    active = [0]
    most = [0]
    starts: list[float] = []

    def slow(h: BaseHTTPRequestHandler) -> None:
        with server.lock:
            active[0] += 1
            most[0] = max(most[0], active[0])
            starts.append(time.monotonic())
        time.sleep(0.15)
        with server.lock:
            active[0] -= 1
        reply(h, 200, b"done")

    server.routes["/slow"] = slow
    fetcher = make_fetcher(per_host=1, host_delay=0.2)
    threads = [threading.Thread(target=fetcher.get, args=(server.url("/slow"),)) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most[0] == 1 and len(starts) == 3
    starts.sort()
    assert all(later - earlier >= 0.18 for earlier, later in zip(starts, starts[1:]))


def test_per_host_allows_that_many_at_once(server: TestServer, make_fetcher: Callable[..., Fetcher]) -> None:
    both_in = threading.Barrier(2, timeout=3)
    def pair(h: BaseHTTPRequestHandler) -> None:
        both_in.wait()  # both requests inside the server at once, or a BrokenBarrierError after 3 s
        reply(h, 200, b"ok")

    server.routes["/pair"] = pair
    fetcher = make_fetcher(per_host=2)
    results = at_once(2, lambda: fetcher.get(server.url("/pair")).body)
    assert results == [b"ok", b"ok"]  # each waited for the other inside the server: they overlapped


# -- webhooks ----------------------------------------------------------------------------------


def test_post_delivers_the_body_and_headers(server: TestServer, make_fetcher: Callable[..., Fetcher]) -> None:
    server.routes["/hook"] = lambda h: reply(h, 202, b'{"ok": true}', {"Content-Type": "application/json"})
    got = make_fetcher().post(server.url("/hook"), b'{"alert": 1}', {"Content-Type": "application/json",
                                                                     "X-Signature": "abc"})
    assert (got.status, got.body, got.headers["content-type"]) == (202, b'{"ok": true}', "application/json")
    method, path, headers, body = server.requests[0]
    assert (method, path, body) == ("POST", "/hook", b'{"alert": 1}')
    assert headers["Content-Type"] == "application/json" and headers["X-Signature"] == "abc"
    assert headers["User-Agent"] == USER_AGENT


def test_a_redirect_answering_a_post_is_an_error(server: TestServer, make_fetcher: Callable[..., Fetcher]) -> None:
    server.routes["/hook"] = lambda h: reply(h, 307, b"", {"Location": "/elsewhere"})
    server.routes["/elsewhere"] = lambda h: reply(h, 200, b"")
    err = failure(lambda: make_fetcher().post(server.url("/hook"), b"{}", {}))
    assert (err.kind, err.status) == ("http", 307) and "not follow" in str(err)
    assert "/elsewhere" not in server.hits


def test_post_is_refused_unsafe_addresses_and_bounds_the_answer(server: TestServer, connections: list[str]) -> None:
    server.routes["/hook"] = lambda h: reply(h, 200, b"z" * 5000)
    with Fetcher(FetchOptions(host_delay=0)) as fetcher:
        assert failure(lambda: fetcher.post(server.url("/hook"), b"{}", {})).kind == "unsafe"
    assert connections == []
    with Fetcher(FetchOptions(host_delay=0, allowed_networks=("127.0.0.1/32",), max_bytes=1000)) as fetcher:
        assert failure(lambda: fetcher.post(server.url("/hook"), b"{}", {})).kind == "too_large"
        assert failure(lambda: fetcher.post(server.url("/missing"), b"{}", {})).status == 404


# -- errors and backoff ------------------------------------------------------------------------


def test_a_fetch_error_pickles_whole() -> None:
    err = pickle.loads(pickle.dumps(FetchError("http://x/", "HTTP 503", status=503, kind="http")))
    assert (type(err), str(err), err.status, err.kind) == (FetchError, "http://x/: HTTP 503", 503, "http")


def test_backoff_grows_exponentially_with_jitter_up_to_the_cap() -> None:
    assert backoff(0) == 0.0 and backoff(-3) == 0.0
    rng = random.Random(7)
    for failures, ceiling in [(1, 60), (2, 120), (3, 240), (8, 7680), (9, 15360), (10, 6 * 3600), (10_000, 6 * 3600)]:
        waits = [backoff(failures, rng=rng) for _ in range(200)]
        assert all(ceiling / 2 <= wait <= ceiling for wait in waits)
        assert max(waits) - min(waits) > ceiling / 4  # spread, not all the same second
    assert backoff(3, base=1.0, cap=100.0, rng=random.Random(1)) <= 4.0
    assert backoff(50, base=1.0, cap=100.0) <= 100.0


def test_retry_after_reads_seconds_and_http_dates() -> None:
    from crosswire.fetch.client import retry_after

    assert retry_after("120") == 120.0
    assert retry_after("Wed, 02 Dec 2026 03:00:00 GMT", now=1796180400.0 - 60) == 60.0
    assert retry_after("Wed, 02 Dec 2026 03:00:00 GMT", now=1796180400.0 + 60) == 0.0  # past: no wait
    assert retry_after(None) is None and retry_after("soon") is None and retry_after(" ") is None
