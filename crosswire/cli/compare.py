"""``crosswire compare``."""
from __future__ import annotations

import sys

import click

from crosswire.cli.common import (
    EXIT_NOTHING,
    EXIT_OK,
    EXIT_SKIPPED,
    embedder_option,
    fail,
    language_code,
    legacy_lang,
    limit_options,
    load_pipeline,
    output_option,
    reader_lang_option,
    report_skipped,
    say,
    tell_warnings,
    view_option,
    with_view,
    write_output,
)
from crosswire.errors import CrosswireError
from crosswire.limits import Limits
from crosswire.matching.compare import CompareOptions, compare_paths
from crosswire.render import RENDERERS, render
from crosswire.report.build import warm_up


@click.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(sorted(RENDERERS)), default="terminal", show_default=True,
              help="Output format.")
@output_option
@click.option("--width", type=int, default=None, help="Terminal view width (default: the terminal's).")
@embedder_option()
@reader_lang_option
@legacy_lang("reader_lang", "--reader-lang")
@click.option("--input-lang", "language", default=None, metavar="CODE", callback=language_code,
              help="Language of all inputs, e.g. ar or nb (skips detection).")
@view_option
@limit_options()
def compare(inputs: tuple[str, ...], fmt: str, output: str | None, width: int | None,
            embedder: str, reader_lang: str | None, language: str | None, view: str, **limits: int) -> None:
    """Compare articles side by side: same-story score, shared facts, facts only one reports.

    INPUTS are files (.txt, .html, .jsonl, RSS/Atom feeds), folders, or - for standard
    input; every pair of the articles they hold is compared.
    """
    bounds = Limits(**limits)
    pipeline = load_pipeline(embedder, bounds)
    warming = warm_up() if view == "report" else None
    try:
        comparison = compare_paths(inputs, CompareOptions(embedder=embedder, language=language, limits=bounds),
                                   pipeline)
    except CrosswireError as err:
        raise fail(str(err), EXIT_NOTHING)
    for article in comparison.articles:
        tell_warnings(article, say)
    report_skipped(comparison.skipped, len(comparison.articles))
    if len(comparison.articles) < 2:
        raise fail(f"need at least two readable articles to compare, got {len(comparison.articles)}",
                    EXIT_NOTHING)
    with_view(comparison, view, reader_lang, warming)
    colored = fmt == "terminal" and not output and sys.stdout.isatty()
    write_output(render(comparison, fmt, width=width, color=colored), output, fmt, colored)
    sys.exit(EXIT_SKIPPED if comparison.skipped else EXIT_OK)


