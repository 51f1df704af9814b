"""``crosswire score``."""
from __future__ import annotations

import json
import sys

import click

from crosswire.analysis.embedders import EmbedderUnavailable
from crosswire.cli.common import (
    ARTICLE_LIMITS,
    EXIT_NOTHING,
    EXIT_OK,
    EXIT_SKIPPED,
    embedder_option,
    fail,
    limit_options,
    load_pipeline,
    output_option,
    output_stream,
    say,
)
from crosswire.limits import Limits
from crosswire.matching.compare import CompareOptions
from crosswire.matching.score_pairs import PairScore, read_pairs, score_pairs


@click.command()
@click.option("--pairs", "pairs_file", required=True, metavar="FILE.jsonl",
              help='One pair a line: {"id", "text1", "text2"}, optional "lang1", "lang2".')
@embedder_option()
@output_option
@limit_options(*ARTICLE_LIMITS)
def score(pairs_file: str, embedder: str, output: str | None, **limits: int) -> None:
    """Score text pairs: one {"id", "same_story"} JSON line per usable input line."""
    pipeline = load_pipeline(embedder, Limits(**limits))
    skipped = scored = 0
    with output_stream(output, "json") as write:
        try:
            for result in score_pairs(read_pairs(pairs_file), pipeline, CompareOptions(embedder=embedder)):
                if isinstance(result, PairScore):
                    write(json.dumps(result.to_dict(), ensure_ascii=False) + "\n")
                    scored += 1
                else:
                    say(f"crosswire: skipped {result}")
                    skipped += 1
        except EmbedderUnavailable as err:  # its server went away: every pair after would fail alike
            raise fail(f"{err}; {scored} pair(s) scored before it", EXIT_NOTHING)
    if skipped:
        say(f"crosswire: {skipped} line(s) skipped, {scored} pair(s) scored")
    if not scored:
        raise fail("no pair could be scored", EXIT_NOTHING)
    if output:
        say(f"crosswire: wrote {output}")
    sys.exit(EXIT_SKIPPED if skipped else EXIT_OK)


