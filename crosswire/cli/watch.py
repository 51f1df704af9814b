"""``crosswire watch add|list|remove``: the watch-lists of a store."""
from __future__ import annotations

import click

from crosswire.cli.common import EXIT_NOTHING, EXIT_USAGE, db_option, fail, legacy_lang, open_store, say
from crosswire.render.text import clean_for_terminal
from crosswire.watch import WatchError, conditions_text, new_watch, watch_spec
from crosswire.watch.lists import shown_webhook


def _out(line: str) -> None:
    """A result line on standard output, cleaned like every line the CLI prints (names are untrusted)."""
    click.echo(clean_for_terminal(line))


def _whole_number(ctx: click.Context, param: click.Parameter, value: str | None) -> int | None:
    """--min-languages as a number, or one error line (not click's usage block)."""
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        raise fail(f"--min-languages must be a whole number, got {value!r}", EXIT_USAGE)


@click.group()
def watch() -> None:
    """Watch-lists: an alert when a story about these names, words or languages appears or grows.

    Watches are checked on the stories each ingest (and poll) touches; see crosswire alerts.
    """


@watch.command("add")
@click.argument("name")
@db_option
@click.option("--entity", "entities", multiple=True, metavar="NAME",
              help="A person, organisation or place, matched in any script (Mark Rutte = مارك روتي); "
                   "repeat for several: an article naming any of them.")
@click.option("--text", "words", default=None, metavar="WORDS",
              help="Words an article's title or text must all hold, in any case (as crosswire stories --text).")
@click.option("--with-lang", "languages", multiple=True, metavar="CODE",
              help="Only articles in this language (zh matches zh-CN); repeat for several.")
@legacy_lang("languages", "--with-lang", multiple=True)
@click.option("--min-languages", default=None, metavar="N", callback=_whole_number,
              help="Alert when a matching story reaches N languages (not when it first appears).")
@click.option("--webhook", default=None, metavar="URL",
              help="POST each alert there as signed JSON (README: Watch-lists and alerts).")
@click.option("--secret", default=None, metavar="S", envvar="CROSSWIRE_WEBHOOK_SECRET", show_envvar=True,
              help="The webhook's signing key (16+ characters); made and printed once when not given.")
def add(name: str, db: str, entities: tuple[str, ...], words: str | None, languages: tuple[str, ...],
        min_languages: int | None, webhook: str | None, secret: str | None) -> None:
    """Add the watch NAME."""
    source = click.get_current_context().get_parameter_source("secret")
    if webhook is None and source is click.core.ParameterSource.ENVIRONMENT:
        secret = None  # CROSSWIRE_WEBHOOK_SECRET set for the watches with webhooks says nothing about this one
    try:  # checked before the store is opened: a refused watch leaves no new file behind
        spec = watch_spec(name, entities=entities, words=words, languages=languages, min_languages=min_languages,
                          webhook=webhook, secret=secret)
    except WatchError as err:
        raise fail(str(err), EXIT_USAGE)
    with open_store(db, create=True) as store:
        try:
            added = new_watch(store, spec)
        except WatchError as err:
            raise fail(str(err), EXIT_USAGE)
    hook = f"; webhook {shown_webhook(added.webhook)}" if added.webhook else ""
    _out(f"added watch {added.name} (id {added.id}): {conditions_text(added)}{hook}")
    if spec.secret_made:
        _out(f"webhook secret: {spec.secret}")
        say("crosswire: the webhook secret is shown this once: give it to the receiver, which checks "
            "X-Crosswire-Signature with it")


@watch.command("list")
@db_option
def list_watches(db: str) -> None:
    """List the watches: conditions, webhook, alerts."""
    with open_store(db, create=False) as store:
        watches = store.watches()
        counts = store.alert_counts()
    if not watches:
        say(f"crosswire: {db} has no watches (add one with crosswire watch add)")
    for w in watches:
        count, latest = counts.get(w.id, (0, None))
        alerts = f"{count} alert{'s' if count != 1 else ''}" + (
            f", latest {latest:%Y-%m-%d %H:%M:%S}Z" if latest else "")
        hook = f" · webhook {shown_webhook(w.webhook)}" if w.webhook else ""
        _out(f"{w.name} (id {w.id}): {conditions_text(w)}{hook} · {alerts}")


@watch.command("remove")
@click.argument("name")
@db_option
def remove(name: str, db: str) -> None:
    """Remove the watch NAME (or id) with its alerts."""
    with open_store(db, create=False) as store:
        found = store.watch(name)
        count = store.alert_counts().get(found.id, (0, None))[0] if found else 0
        if found is None or store.remove_watch(str(found.id)) is None:
            raise fail(f"{name}: no such watch in {db} (crosswire watch list)", EXIT_NOTHING)
    _out(f"removed watch {found.name} and its {count} alert{'s' if count != 1 else ''}")
