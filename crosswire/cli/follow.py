"""``crosswire follow add|list|remove``: the sources ``crosswire poll`` fetches."""
from __future__ import annotations

import json
import sys
from datetime import datetime
from typing import Any

import click

from crosswire.cli.common import EXIT_NOTHING, EXIT_OK, EXIT_SKIPPED, EXIT_USAGE, db_option, fail, open_store, say
from crosswire.cli.fetching import fetch_options, fetch_settings
from crosswire.errors import CrosswireError
from crosswire.fetch import Fetcher
from crosswire.follow import FeedRef, discover, is_address
from crosswire.store.base import Source


@click.group()
def follow() -> None:
    """Follow sources: feeds, sites that name their feeds, OPML lists. `crosswire poll` fetches them."""


@follow.command("add")
@click.argument("sources", nargs=-1, required=True, metavar="URL|FILE.opml...")
@db_option
@click.option("--no-check", is_flag=True,
              help="Follow each address as a feed without fetching it now (a source that is down today); "
                   "crosswire poll tells whether it is one.")
@fetch_options
def add(sources: tuple[str, ...], db: str, no_check: bool, **fetching: Any) -> None:
    """Follow each feed: a feed's address, a page's (its <link rel="alternate"> feeds are followed),
    or an OPML file or address (each feed in it)."""
    failed = 0
    with open_store(db, create=True) as store, Fetcher(fetch_settings(fetching)) as fetcher:
        for given in sources:
            try:
                feeds = [FeedRef(given)] if no_check and is_address(given) else discover(given, fetcher)
            except CrosswireError as err:
                say(f"crosswire: skipped {err}")
                failed += 1
                continue
            for feed in feeds:
                source, new = store.add_source(feed.url, feed.title, feed.language,
                                               None if feed.url == given else given)
                name = f" ({source.title})" if source.title else ""
                say(f"crosswire: {'following' if new else 'already following'} {source.url}{name}")
    if failed == len(sources):
        raise fail("nothing to follow", EXIT_NOTHING)
    sys.exit(EXIT_SKIPPED if failed else EXIT_OK)


def _when(stamp: datetime | None) -> str | None:
    return stamp.strftime("%Y-%m-%dT%H:%M:%SZ") if stamp else None


def _as_json(source: Source) -> dict[str, Any]:
    return {"id": source.id, "url": source.url, "outlet": source.title, "language": source.language,
            "found_at": source.found_at, "added_at": _when(source.added_at), "last_fetch_at": _when(source.last_fetch_at),
            "last_status": source.last_status, "last_new_at": _when(source.last_new_at),
            "next_fetch_at": _when(source.next_fetch_at), "articles": source.articles, "errors": source.errors,
            "failures": source.failures, "last_error": source.last_error}


@follow.command("list")
@db_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def list_(db: str, fmt: str) -> None:
    """Each source: its outlet, language, last fetch, last new article, articles, errors and the last one."""
    with open_store(db, create=False) as store:
        sources = store.sources()
    if fmt == "json":
        click.echo(json.dumps([_as_json(s) for s in sources], ensure_ascii=False, indent=2))
        return
    if not sources:
        click.echo("no sources followed (crosswire follow add URL)")
        return
    for s in sources:
        fetched = f"fetched {_when(s.last_fetch_at)} ({s.last_status or 'no answer'})" if s.last_fetch_at else "not fetched yet"
        new = f"last new {_when(s.last_new_at)}" if s.last_new_at else "nothing new yet"
        click.echo(f"{s.id:>4}  {s.url}\n      {s.title or '(no name)'} · {s.language or 'language unknown'} · "
                   f"{fetched} · {new} · {s.articles} article(s) · {s.errors} error(s)")
        if s.last_error and s.errors:
            click.echo(f"      last error: {s.last_error}")


@follow.command("remove")
@click.argument("sources", nargs=-1, required=True, metavar="URL|ID...")
@db_option
def remove(sources: tuple[str, ...], db: str) -> None:
    """Stop following sources (their articles stay in the store)."""
    missing = 0
    with open_store(db, create=False) as store:
        for given in sources:
            gone = store.remove_source(given)
            if gone is None:
                say(f"crosswire: skipped {given}: not followed (crosswire follow list shows what is)")
                missing += 1
            else:
                say(f"crosswire: no longer following {gone.url}")
    if missing == len(sources):
        raise fail("nothing removed", EXIT_USAGE)
    sys.exit(EXIT_SKIPPED if missing else EXIT_OK)
