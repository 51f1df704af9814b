"""``crosswire analyze``."""
from __future__ import annotations

import json
import sys

import click

from crosswire.analysis.embedders import EmbedderUnavailable
from crosswire.cli.common import (
    EXIT_NOTHING,
    EXIT_OK,
    EXIT_SKIPPED,
    EXIT_USAGE,
    embedder_option,
    fail,
    lang_option,
    legacy_lang,
    limit_options,
    load_pipeline,
    output_option,
    report_skipped,
    say,
    warned,
    write_output,
)
from crosswire.errors import CrosswireError
from crosswire.limits import Limits
from crosswire.matching.compare import analyse
from crosswire.readers.files import iter_articles


@click.command()
@click.argument("inputs", nargs=-1, required=True)
@output_option
@embedder_option()
@lang_option
@legacy_lang("language", "--input-lang")
@limit_options()
def analyze(inputs: tuple[str, ...], output: str | None, embedder: str, language: str | None, **limits: int) -> None:
    """Analyse articles (clean, split, detect language, embed) and print them as JSON Lines."""
    skipped: list[str] = []
    articles = []
    bounds = Limits(**limits)
    pipeline = load_pipeline(embedder, bounds, scores=False)  # analysis alone: no score to warn of
    for item in warned(iter_articles(inputs, bounds), say):
        (skipped.append(str(item)) if isinstance(item, CrosswireError) else articles.append(item))
    try:
        done, errors = analyse(articles, pipeline, language)
    except EmbedderUnavailable as err:
        raise fail(str(err), EXIT_NOTHING)
    except CrosswireError as err:
        raise fail(str(err), EXIT_USAGE)
    skipped.extend(str(e) for e in errors)
    report_skipped(skipped, len(done))
    if not done:
        raise fail("no article could be analysed", EXIT_NOTHING)
    write_output("".join(json.dumps(a.to_dict(), ensure_ascii=False) + "\n" for a in done), output, "json")
    sys.exit(EXIT_SKIPPED if skipped else EXIT_OK)


