"""``crosswire alerts``: the alerts the watches raised, latest first."""
from __future__ import annotations

import json
from typing import Any

import click

from crosswire.cli.common import EXIT_NOTHING, EXIT_USAGE, db_option, fail, open_store, say, write_output
from crosswire.errors import CrosswireError
from crosswire.store.base import Alert
from crosswire.stories.view import parse_when
from crosswire.watch import alert_line


def _delivery(state: dict[str, Any] | None) -> str:
    """How an alert's webhook delivery stands, in a few words ('' for a watch without a webhook)."""
    if state is None:
        return ""
    tries = f"{state['attempts']} attempt{'s' if state['attempts'] != 1 else ''}"
    if state["delivered_at"]:
        return " [webhook delivered]"
    if state["failed_at"]:
        return f" [webhook failed, {tries}: {state['last_error']}]"
    return f" [webhook pending, {tries}" + (f": {state['last_error']}]" if state["last_error"] else "]")


def _as_json(alert: Alert, delivery: dict[str, Any] | None) -> dict[str, Any]:
    return {"id": alert.id, "watch": alert.watch, "event": alert.event, "story": alert.story_id, "key": alert.key,
            "created_at": alert.created_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), "detail": alert.detail,
            "delivery": delivery}


@click.command()
@db_option
@click.option("--since", default=None, metavar="DATE",
              help="Only alerts raised on or after this ISO date (or date-time, UTC unless it says).")
@click.option("--watch", "watch_name", default=None, metavar="NAME", help="Only this watch's alerts.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: one line an alert; json: an array of alerts.")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True, help="At most this many.")
def alerts(db: str, since: str | None, watch_name: str | None, fmt: str, limit: int) -> None:
    """The alerts of the store's watches, latest first (crosswire watch add makes watches)."""
    try:
        start = parse_when(since)
    except CrosswireError as err:
        raise fail(f"--since {err}", EXIT_USAGE)
    with open_store(db, create=False) as store:
        watch_id = None
        if watch_name is not None:
            found = store.watch(watch_name)
            if found is None:
                raise fail(f"{watch_name}: no such watch in {db} (crosswire watch list)", EXIT_NOTHING)
            watch_id = found.id
        found_alerts = store.alerts(since=start, watch_id=watch_id, limit=limit)
        deliveries = {a.id: store.delivery_of(a.id) for a in found_alerts}
    if fmt == "json":
        text = json.dumps([_as_json(a, deliveries[a.id]) for a in found_alerts], ensure_ascii=False, indent=2)
    else:
        text = "".join(f"{a.created_at:%Y-%m-%d %H:%M:%S}Z {alert_line(a)}{_delivery(deliveries[a.id])}\n"
                       for a in found_alerts)
    if text:
        write_output(text, None, fmt)
    else:
        say("crosswire: no alerts" + (" of that watch" if watch_name else "") + (" since then" if since else ""))
