"""``crosswire story``."""
from __future__ import annotations

import sys

import click

from crosswire.cli.common import (
    EXIT_NOTHING,
    EXIT_USAGE,
    db_option,
    fail,
    legacy_lang,
    open_store,
    output_option,
    reader_lang_option,
    view_option,
    with_view,
    write_output,
)
from crosswire.errors import CrosswireError
from crosswire.render import RENDERERS, render
from crosswire.stories.view import (
    story_comparison,
)


@click.command()
@click.argument("story_id", metavar="ID")
@db_option
@click.option("--format", "fmt", type=click.Choice(sorted(RENDERERS)), default="terminal", show_default=True,
              help="Output format.")
@output_option
@click.option("--width", type=int, default=None, help="Terminal view width (default: the terminal's).")
@reader_lang_option
@legacy_lang("reader_lang", "--reader-lang")
@view_option
def story(story_id: str, db: str, fmt: str, output: str | None, width: int | None, reader_lang: str | None,
          view: str) -> None:
    """Compare the articles of one story side by side (ID from crosswire stories)."""
    try:
        number = int(story_id)
    except ValueError:
        raise fail(f"story id must be a whole number (see crosswire stories), got {story_id!r}", EXIT_USAGE)
    with open_store(db, create=False) as store:
        try:
            comparison = story_comparison(store, number)
        except CrosswireError as err:
            raise fail(str(err), EXIT_NOTHING)
    with_view(comparison, view, reader_lang)
    colored = fmt == "terminal" and not output and sys.stdout.isatty()
    write_output(render(comparison, fmt, width=width, color=colored), output, fmt, colored)


