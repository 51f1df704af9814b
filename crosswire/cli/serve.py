"""``crosswire serve``."""
from __future__ import annotations

import click

from crosswire.analysis.embedders import EmbedderError
from crosswire.cli.common import (
    ARTICLE_LIMITS,
    EXIT_NOTHING,
    EXIT_USAGE,
    db_option,
    embedder_option,
    fail,
    limit_options,
    open_store,
    say,
    warn_uncalibrated,
)
from crosswire.cli.fetching import fetch_options, fetch_settings
from crosswire.errors import CrosswireError
from crosswire.follow import PollOptions
from crosswire.limits import Limits
from crosswire.server import ServeOptions
from crosswire.server.guard import MIN_TOKEN_LENGTH
from crosswire.server.guard import is_loopback as _is_loopback
from crosswire.server.state import PollerOptions
from crosswire.store.sqlite import StoreError


@click.command()
@db_option
@click.option("--host", default=ServeOptions.host, show_default=True,
              help="Address to listen on; beyond loopback (e.g. 0.0.0.0) a --token is required.")
@click.option("--port", type=click.IntRange(0, 65535), default=ServeOptions.port, show_default=True,
              help="Port to listen on (0: any free port, shown when the server starts).")
@click.option("--token", envvar="CROSSWIRE_TOKEN", default=None, metavar="TOKEN",
              help=f"Writes need 'Authorization: Bearer TOKEN' (also from $CROSSWIRE_TOKEN); "
                   f"at least {MIN_TOKEN_LENGTH} characters.")
@click.option("--allowed-host", "allowed_hosts", multiple=True, metavar="NAME",
              help="Another name the server answers to (repeatable; NAME or NAME:PORT), e.g. this machine's "
                   "name on the LAN or a reverse proxy's; requests naming any other host get 421.")
@embedder_option(from_store=True)
@click.option("--max-body", type=click.IntRange(min=1), default=ServeOptions.max_body, show_default=True,
              metavar="BYTES", help="Largest POST body accepted; larger ones get 413.")
@click.option("--write-timeout", type=click.FloatRange(min=0, min_open=True), default=ServeOptions.write_timeout,
              show_default=True, metavar="SECONDS",
              help="How long a write waits for the one writer; then it gets 503 (code busy) with Retry-After.")
@limit_options(*ARTICLE_LIMITS)
@click.option("--poll", "polling", is_flag=True,
              help="Follow the store's sources while serving (crosswire follow add): each is fetched when due, "
                   "as crosswire poll does.")
@click.option("--every", type=click.FloatRange(min=1), default=PollOptions.every, show_default=True, metavar="SECONDS",
              help="With --poll: how long after a fetch a source is due again.")
@click.option("--poll-tick", type=click.FloatRange(min=0.1), default=PollerOptions.tick, show_default=True,
              metavar="SECONDS", help="With --poll: how often the poller looks for sources that are due.")
@fetch_options
def serve(db: str, host: str, port: int, token: str | None, allowed_hosts: tuple[str, ...], embedder: str | None,
          max_body: int, write_timeout: float, polling: bool, every: float, poll_tick: float, **settings: int) -> None:
    """Serve the store over HTTP: a JSON API (/api, described at /api/openapi.json) and a web page (/)."""
    import socket

    fetching = fetch_settings(settings)
    limits = settings
    poller = PollerOptions(fetching, PollOptions(every=every), poll_tick) if polling else None

    if not _is_loopback(host) and not token:
        raise fail(f"--host {host} is reachable beyond this machine: give --token (or $CROSSWIRE_TOKEN) "
                    "so that only you can add articles", EXIT_USAGE)
    options = ServeOptions(db=db, host=host, port=port, token=token or None, embedder=embedder,
                           max_body=max_body, allowed_hosts=allowed_hosts, write_timeout=write_timeout,
                           limits=Limits(**limits), poller=poller)
    try:
        import uvicorn

        from crosswire.server import create_app
        app = create_app(options)
    except StoreError as err:
        raise fail(str(err), EXIT_NOTHING)
    except EmbedderError as err:  # e.g. the embedding server is down
        raise fail(str(err), EXIT_NOTHING)
    except CrosswireError as err:  # a wrong option: a short token, a wrong embedder or one the store does not hold
        raise fail(str(err), EXIT_USAGE)
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        sock = socket.create_server((host.strip("[]"), port), family=family)
        # Accepted connections inherit this: without it a keep-alive answer (headers, then body, in two
        # writes) waits ~40 ms for the client's delayed ACK (measured: 44 ms -> 2 ms per request).
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except OSError as err:
        raise fail(f"cannot listen on {host}:{port} ({err.strerror or err})", EXIT_NOTHING)
    bound = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host and not host.startswith("[") else host
    with open_store(db, create=False) as store:
        count = store.count()
    say(f"crosswire: serving {db} ({count} article(s)) on http://{shown}:{bound}/ "
         f"(writes {'need the token' if token else 'open to this machine'}"
        f"{'; following its sources' if polling else ''}); Ctrl+C stops")
    warn_uncalibrated(app.state.crosswire.embedder)  # after the line above: scripts read the address from it
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    server.run(sockets=[sock])
