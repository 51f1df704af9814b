"""One error shape for every HTTP error (after datasette's ``error_body``).

Every error the server answers, whatever raised it (a route, the framework's
validation, an unknown path, a wrong method, a body too large, a missing
token), is the same JSON object::

    {"error": {"status": 404, "code": "not_found", "message": "story 99: no such story"}}

``tests/test_server_api.py`` holds every route to it.
"""
from __future__ import annotations

import json
import logging
import sqlite3
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from crosswire.render.text import clean_for_terminal
from crosswire.store.sqlite import StoreError

log = logging.getLogger("crosswire.server")

# The code word for each status the server answers with; clients switch on it.
CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    500: "internal",
    503: "unavailable",
}
# A client told "busy" (503, code busy) may send the same request again after this many seconds:
# nothing of it was stored, or only whole articles, which a second try finds already stored.
RETRY_AFTER_SECONDS = 5


class ApiError(Exception):
    """An error the client caused (or may retry), with its HTTP status and one-line message."""

    def __init__(self, status: int, message: str, *, code: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code or CODES.get(status, "error")
        self.message = " ".join(str(message).split())
        self.headers = headers or {}


def busy(message: str) -> ApiError:
    """The writer is taken (another request's write, or another process's transaction): try again later."""
    return ApiError(503, message, code="busy", headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


# SQLite's primary result codes (sqlite3 names them from Python 3.11 only; we support 3.10).
SQLITE_BUSY, SQLITE_LOCKED = 5, 6


def is_busy(err: sqlite3.Error) -> bool:
    """SQLite gave up waiting for another connection's lock (``database is locked``, past the busy timeout)."""
    code = getattr(err, "sqlite_errorcode", None)  # Python 3.11+
    if code is not None:
        # An extended code (SQLITE_BUSY_SNAPSHOT...) keeps the primary one in its low byte.
        return (code & 0xFF) in (SQLITE_BUSY, SQLITE_LOCKED)
    return "database is locked" in str(err) or "database table is locked" in str(err)


def error_body(status: int, code: str, message: str) -> dict[str, Any]:
    return {"error": {"status": status, "code": code, "message": message}}


def error_response(err: ApiError) -> Response:
    body = json.dumps(error_body(err.status, err.code, err.message), ensure_ascii=False).encode("utf-8")
    return Response(body, status_code=err.status, media_type="application/json", headers=err.headers)


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error_response(exc)


async def _http_error(request: Request, exc: Exception) -> Response:
    """The framework's own errors: an unknown route (404), a wrong method (405)."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        message = f"{request.url.path}: no such route"
    elif exc.status_code == 405:
        message = f"{request.method} {request.url.path}: method not allowed"
    else:
        message = str(exc.detail)
    return error_response(ApiError(exc.status_code, message, headers=dict(exc.headers or {})))


async def _unexpected(request: Request, exc: Exception) -> Response:
    # A bug of ours: logged with its traceback for the operator, one line for the client.
    # The path is the client's: cleaned, so that it cannot drive the operator's terminal.
    log.error("unexpected error on %s %s", request.method, clean_for_terminal(request.url.path), exc_info=exc)
    return error_response(ApiError(500, f"internal error ({type(exc).__name__}); the server goes on"))


async def _sqlite_error(request: Request, exc: Exception) -> Response:
    """A store locked past the busy timeout (by ``crosswire ingest`` or ``recluster`` beside the server) is
    busy, wherever it is met, opening a connection included; any other SQLite error is unexpected."""
    cause = exc.__cause__ if isinstance(exc, StoreError) else exc
    if isinstance(cause, sqlite3.Error) and is_busy(cause):
        return error_response(busy(f"the store is locked by another writer ({cause}); try again"))
    return await _unexpected(request, exc)


HANDLERS = {ApiError: _api_error, HTTPException: _http_error, sqlite3.OperationalError: _sqlite_error,
            StoreError: _sqlite_error, Exception: _unexpected}
