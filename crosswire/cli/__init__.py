"""The ``crosswire`` command: a thin layer that parses options, calls the library
and turns library errors into one readable line and an exit status.

Exit status: 0 all inputs used; 1 some inputs were skipped (each named on
stderr) but the job was done with the rest; 2 wrong usage (a wrong option value,
or an output file that cannot be written); 3 nothing could be done (e.g. fewer
than two readable articles to compare, or a database file that cannot be used).

Commands that read or write the local store take ``--db`` (default
``crosswire.db`` in the current folder, declared once in ``DEFAULT_DB``).
"""
from __future__ import annotations

import click

from crosswire import __version__
from crosswire.cli.alerts import alerts
from crosswire.cli.analyze import analyze
from crosswire.cli.common import (
    DEFAULT_DB,
    EXIT_NOTHING,
    EXIT_OK,
    EXIT_SKIPPED,
    EXIT_USAGE,
    quiet_libraries,
)
from crosswire.cli.compact import compact
from crosswire.cli.compare import compare
from crosswire.cli.follow import follow
from crosswire.cli.ingest import ingest
from crosswire.cli.poll import poll_command
from crosswire.cli.recluster import recluster
from crosswire.cli.score import score
from crosswire.cli.serve import serve
from crosswire.cli.stories import stories
from crosswire.cli.story import story
from crosswire.cli.watch import watch


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="crosswire")
def main() -> None:
    """Read the news across languages: find the same story and compare how each outlet tells it."""
    quiet_libraries()



main.add_command(compare)
main.add_command(analyze)
main.add_command(ingest)
main.add_command(recluster)
main.add_command(compact)
main.add_command(stories)
main.add_command(story)
main.add_command(score)
main.add_command(serve)
main.add_command(follow)
main.add_command(poll_command)
main.add_command(watch)
main.add_command(alerts)

__all__ = ["DEFAULT_DB", "EXIT_NOTHING", "EXIT_OK", "EXIT_SKIPPED", "EXIT_USAGE", "main"]
