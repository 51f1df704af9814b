"""JSON requests to one HTTP server over one kept connection, with one error shape.

The standard library's ``http.client`` rather than an HTTP package: the connection
is kept between requests (``urllib`` opens one per request, which costs a TCP
handshake per batch), and crosswire gains no dependency for it.

Failures are ``EmbedderUnavailable`` when no request can succeed now (nothing
listens, a timeout, a refused key, a wrong URL) and ``EmbedderError`` when this
request failed (a 500, a body that is not JSON): the pipeline stops on the first,
and fails only the articles concerned on the second.
"""
from __future__ import annotations

import http.client
import json
import socket
import threading
from typing import Any
from urllib.parse import urlsplit

from crosswire.analysis.embedders.base import EmbedderError, EmbedderUnavailable
from crosswire.registry import SettingsError

MAX_BODY = 256 * 2**20  # bytes; a larger answer is no embedding answer (64 x 3072 floats is ~4 MB)
FATAL_STATUS = {401: "refused the key", 403: "refused the key", 404: "has no such route"}


def check_url(owner: str, url: str) -> str:
    """A base URL (http or https, a host, a path), without its trailing slash; a usage error otherwise."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SettingsError(owner, f"{url!r} is not an http:// or https:// URL")
    if parts.username or parts.password:
        raise SettingsError(owner, "a URL with a user or password in it: credentials never go in settings "
                                   "(give key_env=VARIABLE, the environment variable holding the key)")
    if parts.query or parts.fragment:
        raise SettingsError(owner, f"{url!r}: the base URL takes no query or fragment")
    try:
        _ = parts.port  # a bad port raises here
    except ValueError:
        raise SettingsError(owner, f"{url!r}: not a port number") from None
    return url.rstrip("/")


class JsonClient:
    def __init__(self, url: str, *, timeout: float, headers: dict[str, str] | None = None) -> None:
        parts = urlsplit(url)
        self.url = url
        self._https = parts.scheme == "https"
        self._host, self._port = parts.hostname or "", parts.port
        self._path = parts.path.rstrip("/")
        self._timeout = timeout
        self._headers = {"Accept": "application/json", **(headers or {})}
        self._conn: http.client.HTTPConnection | None = None
        self._lock = threading.Lock()  # one request at a time on the one connection

    def get(self, path: str) -> Any:
        return self.request("GET", path)

    def post(self, path: str, body: Any) -> Any:
        return self.request("POST", path, json.dumps(body, ensure_ascii=False).encode("utf-8"))

    def request(self, method: str, path: str, body: bytes | None = None) -> Any:
        where = f"{self.url}{path}"
        with self._lock:
            status, reason, raw = self._exchange(method, self._path + path, body, where)
        if status >= 400:
            message = _error_message(raw)
            problem = f"answered {status} {reason}".rstrip() + (f": {message}" if message else "")
            if status in FATAL_STATUS:
                raise EmbedderUnavailable(where, f"{problem} (the server {FATAL_STATUS[status]})")
            raise EmbedderError(where, problem)
        try:
            return json.loads(raw)
        except ValueError:
            raise EmbedderError(where, f"answered {status} with a body that is not JSON: {_excerpt(raw)!r}") from None

    def _exchange(self, method: str, path: str, body: bytes | None, where: str) -> tuple[int, str, bytes]:
        headers = dict(self._headers)
        if body is not None:
            headers["Content-Type"] = "application/json"
        # A kept connection may have been closed by the server meanwhile: one more try on a new one.
        for attempt in (1, 2):
            reused = self._conn is not None
            conn = self._conn or self._connect()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                raw = response.read(MAX_BODY + 1)
                if len(raw) > MAX_BODY:
                    self.close()
                    raise EmbedderError(where, f"answered more than {MAX_BODY // 2**20} MiB")
                if response.will_close:
                    self.close()
                else:
                    self._conn = conn
                return response.status, response.reason or "", raw
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as err:
                self.close()
                if reused and attempt == 1:
                    continue
                raise EmbedderUnavailable(where, f"the server closed the connection without answering ({err})") from None
            except socket.timeout:
                self.close()
                raise EmbedderUnavailable(where, f"no answer within {self._timeout:g} s (timeout=SECONDS "
                                                 "gives it longer)") from None
            except (OSError, http.client.HTTPException) as err:
                self.close()
                why = getattr(err, "strerror", None) or str(err) or type(err).__name__
                raise EmbedderUnavailable(where, f"cannot reach the embedding server ({why})") from None
        raise AssertionError("unreachable")

    def _connect(self) -> http.client.HTTPConnection:
        kind = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
        return kind(self._host, self._port, timeout=self._timeout)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def _excerpt(raw: bytes, limit: int = 120) -> str:
    return raw[:limit].decode("utf-8", "replace")


def _error_message(raw: bytes) -> str:
    """The message of an OpenAI-style error body ({"error": {"message": ...}}), else the body's start."""
    try:
        body = json.loads(raw)
    except ValueError:
        return _excerpt(raw)
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict) and isinstance(error.get("message"), str):
        return error["message"][:300]
    if isinstance(error, str):
        return error[:300]
    return _excerpt(raw)
