"""``crosswire poll``: one pass over the followed sources that are due (run it from cron)."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Callable

import click

from crosswire.analysis.pipeline import default_pipeline
from crosswire.article import Article
from crosswire.cli.common import (
    ARTICLE_LIMITS,
    EXIT_OK,
    EXIT_SKIPPED,
    EXIT_USAGE,
    StatusLine,
    db_option,
    embedder_for_store,
    embedder_option,
    fail,
    limit_options,
    load_embedder,
    open_store,
    say,
    storing,
    window_option,
)
from crosswire.cli.fetching import fetch_options, fetch_settings
from crosswire.fetch import Fetcher
from crosswire.follow import PollOptions, poll
from crosswire.ingest import IngestReport, ingest_articles
from crosswire.ingest.outcome import Outcome
from crosswire.limits import Limits
from crosswire.stories.placement import StoryOptions
from crosswire.watch import alert_line


@click.command("poll")
@db_option
@click.option("--every", type=click.FloatRange(min=1), default=PollOptions.every, show_default=True,
              metavar="SECONDS", help="How long after a fetch a source is due again (a failing one waits longer, "
                                      "doubling per failure).")
@click.option("--all", "everything", is_flag=True, help="Fetch every source now, due or not.")
@click.option("--workers", type=click.IntRange(min=1, max=64), default=PollOptions.workers, show_default=True,
              metavar="N", help="Fetches at once (each host still gets --per-host at most).")
@fetch_options
@embedder_option(from_store=True)
@window_option
@limit_options(*ARTICLE_LIMITS)
def poll_command(db: str, every: float, everything: bool, workers: int, embedder: str | None, window_days: float,
                 **settings: Any) -> None:
    """Fetch the followed sources that are due, and analyse and place their new articles as ingest does."""
    fetching = fetch_settings(settings)
    if not Path(db).exists():  # nothing is followed where there is no store: no empty one is made
        raise fail(f"{db}: no such store; follow a source first (crosswire follow add URL --db {db})", EXIT_USAGE)
    model = load_embedder(embedder) if embedder else None
    with open_store(db, create=False) as store:
        if not store.sources():
            raise fail(f"{db}: follows no source (crosswire follow add URL)", EXIT_USAGE)
        pipeline = default_pipeline(embedder_for_store(store, db, model), Limits(**settings))
        status = StatusLine()
        options = StoryOptions(window_days=window_days)

        def place(articles: list[Article], on_outcome: Callable[[Outcome], None]) -> IngestReport:
            def progress(report: IngestReport) -> None:
                status.update(f"crosswire: {report.read}/{len(articles)} new articles analysed, {report.added} added ...")
            return ingest_articles(articles, store, pipeline, options, progress=progress, on_outcome=on_outcome)

        with storing(db, status, "every article stored so far is complete, and the next poll takes the rest"), \
                Fetcher(fetching) as fetcher:
            report = poll(store, fetcher, place, PollOptions(every=every, workers=workers, everything=everything),
                          say=status.update)
        status.clear()
        for problem in report.problems:
            say(f"crosswire: skipped {problem}")
        for problem in report.deliveries.errors:
            say(f"crosswire: webhook: {problem}")
        total = store.count()
    say(f"crosswire: {report.summary()}; {db} holds {total} article(s)")
    for alert in report.alerts:
        say(f"crosswire: alert: {alert_line(alert)}")
    sys.exit(EXIT_SKIPPED if report.problems else EXIT_OK)
