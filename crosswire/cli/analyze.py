"""``crosswire analyze``."""
from __future__ import annotations

import sys
from typing import Any

import click

from crosswire.analysis.embedders import EmbedderUnavailable
from crosswire.article import Article
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
from crosswire.render.tables import csv_text, jsonl_text

SENTENCE_COLUMNS = ["article_id", "source", "article_language", "sentence", "line", "language", "furniture", "text"]


def sentence_rows(articles: list[Article]) -> list[dict[str, Any]]:
    """One row per sentence of each analysed article (the CSV of ``analyze``)."""
    return [{"article_id": a.id, "source": a.source, "article_language": a.language, "sentence": s.id, "line": s.line,
             "language": s.language, "furniture": s.furniture or "", "text": s.text}
            for a in articles for s in a.sentences]


@click.command()
@click.argument("inputs", nargs=-1, required=True)
@output_option
@embedder_option()
@lang_option
@legacy_lang("language", "--input-lang")
@limit_options()
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True,
              help="jsonl: each article as one JSON object a line; csv: one row per sentence.")
def analyze(inputs: tuple[str, ...], output: str | None, embedder: str, language: str | None, fmt: str,
            **limits: int) -> None:
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
    if fmt == "csv":
        write_output(csv_text(sentence_rows(done), SENTENCE_COLUMNS), output, fmt)
    else:
        write_output(jsonl_text([a.to_dict() for a in done]), output, "json")
    sys.exit(EXIT_SKIPPED if skipped else EXIT_OK)


