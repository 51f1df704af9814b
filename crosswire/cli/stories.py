"""``crosswire stories``."""
from __future__ import annotations

import shutil
import sys

import click

from crosswire.cli.common import (
    EXIT_USAGE,
    db_option,
    fail,
    language_code,
    legacy_lang,
    open_store,
    write_output,
)
from crosswire.errors import CrosswireError
from crosswire.language_codes import default_reader_language
from crosswire.stories.view import (
    list_stories,
    parse_when,
    render_stories,
)


@click.command()
@db_option
@click.option("--with-lang", "language", default=None, metavar="CODE", callback=language_code,
              help="Only stories with an article in this language (zh matches zh-CN).")
@legacy_lang("language", "--with-lang")
@click.option("--since", default=None, metavar="DATE",
              help="Only stories with an article on or after this ISO date (or date-time).")
@click.option("--until", default=None, metavar="DATE",
              help="Only stories that began on or before this ISO date (or date-time).")
@click.option("--text", default=None, metavar="WORDS",
              help="Only stories with an article whose title or text holds all these words, in any case.")
@click.option("--outlet", default=None, metavar="NAME",
              help="Only stories with an article from this outlet (as the list names sources: an outlet, or a site "
                   "such as lemonde.fr).")
@click.option("--reader-lang", default=None, metavar="CODE", callback=language_code,
              help="Headlines in this language where a story has an article in it (default: from LANG, else en).")
@click.option("--format", "fmt", type=click.Choice(["terminal", "json", "jsonl", "csv"]), default="terminal",
              show_default=True, help="Output format: jsonl is one story a line, csv one story a row.")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Show at most this many stories.")
def stories(db: str, language: str | None, since: str | None, until: str | None, text: str | None,
            outlet: str | None, reader_lang: str | None, fmt: str, limit: int | None) -> None:
    """List the stories of the store, most recently active first."""
    try:
        parse_when(since), parse_when(until, end=True)
    except CrosswireError as err:
        raise fail(str(err), EXIT_USAGE)
    with open_store(db, create=False) as store:
        found = list_stories(store, language=language, since=since, until=until, text=text, outlet=outlet,
                             reader_lang=reader_lang or default_reader_language(), limit=limit)
    width = shutil.get_terminal_size().columns if sys.stdout.isatty() else 100
    write_output(render_stories(found, fmt, width=width), None, fmt)


