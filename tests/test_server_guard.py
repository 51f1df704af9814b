"""crosswire serve answers only to its own names, takes writes only from its own origin, and
refuses a token short enough to guess (issue #10, case 6: DNS rebinding).

A page at attacker.example whose name is re-pointed to 127.0.0.1 reaches the server with
``Host: attacker.example``; a page of another site posting to it sends its own ``Origin``.
Both run against real servers (uvicorn on loopback, in a thread or as ``crosswire serve``).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest
from server_support import Answer, ProcessServer, ThreadServer, request

from crosswire.errors import CrosswireError
from crosswire.server import ServeOptions
from crosswire.server.guard import MIN_TOKEN_LENGTH, HostRules, same_origin, split_host

TOKEN = "a-token-long-enough-for-tests"
ARTICLE = {"id": "bridge", "title": "Harbour bridge vote delayed", "language": "en",
           "text": "The city council postponed its vote on the new harbour bridge.\n"
                   "Critics said the plan had been rushed through without a hearing."}
JSON = {"Content-Type": "application/json"}


def refused(answer: Answer, status: int, code: str) -> None:
    """The one error shape, with this status and code, and the security headers."""
    assert answer.status == status, (answer.status, answer.body[:300])
    assert answer.headers["content-type"].startswith("application/json")
    assert answer.json()["error"]["status"] == status and answer.json()["error"]["code"] == code
    assert "\n" not in answer.json()["error"]["message"]
    assert "default-src 'self'" in answer.headers["content-security-policy"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ThreadServer]:
    running = ThreadServer(ServeOptions(db=str(tmp_path_factory.mktemp("guard") / "g.db"), embedder="hash"))
    yield running
    running.stop()


def articles(server: ThreadServer) -> int:
    return server("GET", "/api/health").json()["articles"]


# --- Host -------------------------------------------------------------------------------------------

def test_loopback_names_with_the_servers_port_or_none_are_served(server: ThreadServer) -> None:
    port = server.port
    for host in [f"127.0.0.1:{port}", f"localhost:{port}", "localhost", f"LocalHost:{port}", f"127.8.9.10:{port}",
                 f"[::1]:{port}", "127.0.0.1"]:
        assert server("GET", "/api/health", headers={"Host": host}).status == 200, host


@pytest.mark.parametrize("path", ["/", "/app.js", "/api/health", "/api/stories", "/api/openapi.json",
                                  "/api/nothing"])
def test_another_name_is_refused_on_every_route(server: ThreadServer, path: str) -> None:
    for host in [f"attacker.example:{server.port}", "attacker.example", f"localhost.attacker.example:{server.port}",
                 f"192.0.2.1:{server.port}", f"localhost:{server.port + 1}"]:
        answer = server("GET", path, headers={"Host": host})
        refused(answer, 421, "bad_host")
        assert "--allowed-host" in answer.json()["error"]["message"]


def test_a_rebound_page_cannot_write(server: ThreadServer) -> None:
    before = articles(server)
    answer = server("POST", "/api/articles", ARTICLE, {"Host": f"attacker.example:{server.port}",
                                                       "Origin": f"http://attacker.example:{server.port}"})
    refused(answer, 421, "bad_host")
    assert articles(server) == before


@pytest.mark.parametrize("host", ["", "a b", "attacker.example:port", "[::1", "::1", "x:99999"])
def test_a_malformed_host_is_a_bad_request(server: ThreadServer, host: str) -> None:
    refused(server("GET", "/api/health", headers={"Host": host}), 400, "bad_host")


def test_a_request_without_a_host_is_a_bad_request(server: ThreadServer) -> None:
    import socket

    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as conn:
        conn.sendall(b"GET /api/health HTTP/1.0\r\n\r\n")
        head = b""
        while chunk := conn.recv(65536):
            head += chunk
    assert head.startswith(b"HTTP/1.1 400") and b'"bad_host"' in head


# --- Origin on writes -------------------------------------------------------------------------------

def test_a_cross_origin_write_is_forbidden_and_stores_nothing(server: ThreadServer) -> None:
    before = articles(server)
    for origin in ["http://attacker.example", f"http://localhost:{server.port}", f"https://127.0.0.1:{server.port}",
                   f"http://127.0.0.1:{server.port + 1}", "null"]:
        answer = server("POST", "/api/articles", ARTICLE, {"Origin": origin})
        refused(answer, 403, "bad_origin")
    assert articles(server) == before


def test_a_same_origin_write_and_a_write_without_origin_are_taken(server: ThreadServer) -> None:
    before = articles(server)
    same = server("POST", "/api/articles", ARTICLE, {"Origin": f"http://127.0.0.1:{server.port}"})
    assert same.status == 201, same.body
    other = dict(ARTICLE, id="bridge-2", text=ARTICLE["text"] + "\nThe vote is now set for May.")
    assert server("POST", "/api/articles", other).status == 201  # curl and scripts send no Origin
    named = dict(ARTICLE, id="bridge-3", text=ARTICLE["text"] + "\nThe mayor agreed.")
    assert server("POST", "/api/articles", named, {"Host": f"localhost:{server.port}",
                                                   "Origin": f"http://localhost:{server.port}"}).status == 201
    assert articles(server) == before + 3


def test_reads_from_another_origin_are_answered(server: ThreadServer) -> None:
    # A cross-site page cannot read the answer (no CORS headers); refusing would only break links.
    assert server("GET", "/api/stories", headers={"Origin": "http://attacker.example"}).status == 200


# --- beyond loopback -----------------------------------------------------------------------------------

def test_a_server_bound_beyond_loopback_answers_to_its_address_and_the_allowed_names(tmp_path: Path) -> None:
    # Listens on 127.0.0.1 (the test's socket) but is configured as if bound to a LAN address.
    running = ThreadServer(ServeOptions(db=str(tmp_path / "lan.db"), embedder="hash", host="192.0.2.7",
                                        token=TOKEN, allowed_hosts=("news.example.org", "proxy.example.org:8443")))
    try:
        port = running.port
        for host in [f"192.0.2.7:{port}", "news.example.org", f"news.example.org:{port}", "proxy.example.org:8443",
                     f"127.0.0.1:{port}"]:  # the last: the address this connection came in on
            assert running("GET", "/api/health", headers={"Host": host}).status == 200, host
        for host in [f"localhost:{port}", "attacker.example", "proxy.example.org", f"news.example.org:{port + 1}"]:
            refused(running("GET", "/api/health", headers={"Host": host}), 421, "bad_host")
        proxied = running("POST", "/api/articles", ARTICLE, {"Host": "proxy.example.org:8443",
                                                             "Origin": "http://proxy.example.org:8443",
                                                             "Authorization": f"Bearer {TOKEN}"})
        assert proxied.status == 201, proxied.body
    finally:
        running.stop()


def test_the_rules() -> None:
    loopback = HostRules.of("127.0.0.1")
    assert loopback.serves("localhost", None, ("127.0.0.1", 8080))
    assert not loopback.serves("localhost", 8081, ("127.0.0.1", 8080))
    assert not loopback.serves("attacker.example", 8080, ("127.0.0.1", 8080))
    wildcard = HostRules.of("0.0.0.0", ["crosswire.lan"])
    assert wildcard.serves("localhost", 8080, ("127.0.0.1", 8080))
    assert wildcard.serves("192.168.1.20", 8080, ("::ffff:192.168.1.20", 8080))  # a LAN client, dual stack
    assert wildcard.serves("crosswire.lan", None, ("192.168.1.20", 8080))
    assert not wildcard.serves("attacker.example", 8080, ("192.168.1.20", 8080))
    assert split_host("[0:0::1]:80") == ("[::1]", 80) and split_host("Example.ORG") == ("example.org", None)
    assert same_origin("http://localhost", "http", ("localhost", 80))
    assert same_origin("https://news.example.org", "https", ("news.example.org", None))
    assert not same_origin("http://localhost:8080/", "http", ("localhost", 8080))  # an Origin has no path
    with pytest.raises(CrosswireError, match="--allowed-host"):
        HostRules.of("127.0.0.1", ["http://news.example.org/"])


# --- crosswire serve ------------------------------------------------------------------------------

def test_crosswire_serve_refuses_other_names_and_takes_allowed_ones(tmp_path: Path) -> None:
    proc = ProcessServer(tmp_path / "cli.db", "--embedder", "hash", "--allowed-host", "crosswire.home.arpa")
    try:
        assert request(proc.port, "GET", "/", headers={"Host": "crosswire.home.arpa"}).status == 200
        assert request(proc.port, "GET", "/").status == 200  # http.client sends 127.0.0.1:PORT
        refused(request(proc.port, "GET", "/", headers={"Host": "rebound.attacker.example"}), 421, "bad_host")
        cross = request(proc.port, "POST", "/api/articles", json.dumps(ARTICLE).encode(),
                        {**JSON, "Origin": "http://rebound.attacker.example"})
        refused(cross, 403, "bad_origin")
        same = request(proc.port, "POST", "/api/articles", json.dumps(ARTICLE).encode(),
                       {**JSON, "Origin": f"http://127.0.0.1:{proc.port}"})
        assert same.status == 201, same.body
    finally:
        proc.stop()


def start(tmp_path: Path, *args: str, token: str = "") -> subprocess.CompletedProcess[str]:
    """crosswire serve in a subprocess that must refuse to start: one that serves is stopped, and fails."""
    command = [sys.executable, "-m", "crosswire", "serve", "--db", str(tmp_path / "x.db"), "--port", "0", *args]
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=60,
                              env={**os.environ, "CROSSWIRE_TOKEN": token})
    except subprocess.TimeoutExpired:
        pytest.fail("crosswire serve started instead of refusing")


@pytest.mark.parametrize("env", [False, True])
def test_a_short_token_is_refused_at_start_up(tmp_path: Path, env: bool) -> None:
    short = "x" * (MIN_TOKEN_LENGTH - 1)
    done = start(tmp_path, token=short) if env else start(tmp_path, "--token", short)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and not done.stdout, done.stderr
    assert "--token" in done.stderr and f"at least {MIN_TOKEN_LENGTH}" in done.stderr
    assert short not in done.stderr  # the secret is not echoed
    assert not (tmp_path / "x.db").exists()


def test_a_bad_allowed_host_is_refused_at_start_up(tmp_path: Path) -> None:
    done = start(tmp_path, "--allowed-host", "http://x/")
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "--allowed-host" in done.stderr, done.stderr
    assert not (tmp_path / "x.db").exists()
