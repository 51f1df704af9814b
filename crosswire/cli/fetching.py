"""The options of every command that fetches (``follow add``, ``poll``, ``serve --poll``), declared once."""
from __future__ import annotations

import ipaddress
from typing import Any, Callable

import click

from crosswire.cli.common import EXIT_USAGE, fail
from crosswire.fetch import FetchOptions


def _networks(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> tuple[str, ...]:
    for given in value:
        try:
            ipaddress.ip_network(given, strict=False)
        except ValueError:
            raise fail(f"--allow-address {given!r}: not an address or network (like 10.1.2.3 or 10.0.0.0/8)",
                       EXIT_USAGE)
    return value


def fetch_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The fetcher's settings as options; the command takes them as ``**fetching`` (see ``fetch_settings``)."""
    defaults = FetchOptions()
    options = [
        click.option("--allow-private", is_flag=True,
                     help="Fetch from loopback, private, link-local and cloud-metadata addresses too (refused "
                          "by default, after name resolution and on every redirect): for intranet sources and tests."),
        click.option("--allow-address", "allowed_networks", multiple=True, metavar="CIDR", callback=_networks,
                     help="Allow one private address or network only (repeatable), e.g. 10.1.2.3 or 10.0.0.0/8."),
        click.option("--timeout", "fetch_timeout", type=click.FloatRange(min=0, min_open=True),
                     default=defaults.timeout, show_default=True, metavar="SECONDS",
                     help="Give up on an address that does not answer (or stops sending) this long."),
        click.option("--max-bytes", "max_bytes", type=click.IntRange(min=1), default=defaults.max_bytes,
                     show_default=True, metavar="BYTES", help="The largest answer read (after decompression)."),
        click.option("--per-host", type=click.IntRange(min=1), default=defaults.per_host, show_default=True,
                     metavar="N", help="Requests at once to one host."),
        click.option("--host-delay", type=click.FloatRange(min=0), default=defaults.host_delay, show_default=True,
                     metavar="SECONDS", help="Between the starts of two requests to one host (or the host's "
                                             "robots.txt Crawl-delay, when longer)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def fetch_settings(options: dict[str, Any]) -> FetchOptions:
    """The ``FetchOptions`` of a command's keyword options, taken out of them (the rest, say the
    article limits, stay for the command)."""
    return FetchOptions(allow_private=options.pop("allow_private"),
                        allowed_networks=tuple(options.pop("allowed_networks")),
                        timeout=options.pop("fetch_timeout"), max_bytes=options.pop("max_bytes"),
                        per_host=options.pop("per_host"), host_delay=options.pop("host_delay"))
