"""``crosswire recluster``."""
from __future__ import annotations

import sqlite3

import click

from crosswire.analysis.embedders import get_embedder
from crosswire.cli.common import (
    EXIT_NOTHING,
    StatusLine,
    db_option,
    fail,
    open_store,
    window_option,
)
from crosswire.cli.engine import engine_options, engine_session
from crosswire.ingest.ray_runner import ClusterUnavailable
from crosswire.ingest.ray_scores import RayScorer
from crosswire.matching.compare import CompareOptions
from crosswire.store.sqlite import StoreError
from crosswire.stories.backfill import fill_text_vectors, missing_text_vectors
from crosswire.stories.placement import StoryOptions
from crosswire.stories.placement import recluster as recluster_store


@click.command()
@db_option
@window_option
@engine_options("the scoring of each article against its neighbours")
def recluster(db: str, window_days: float, engine: str, address: str | None, workers: int | None) -> None:
    """Re-group every stored article into stories from scratch (batch, average linkage)."""
    with engine_session(engine, address, workers) as ray, open_store(db, create=False) as store:
        scorer = RayScorer(ray, workers) if ray is not None else None
        known = store.embedders()
        if len(known) > 1:
            raise fail(f"{db}: holds vectors of several embedders ({', '.join(known)}); cannot group them",
                        EXIT_NOTHING)
        status = StatusLine()
        try:
            if known and missing_text_vectors(store, known[0]):
                # Articles stored before the opening vector existed get it first (stages/embed.py):
                # the grouping then rests on the same evidence as for new articles.
                fill_text_vectors(store, get_embedder(known[0]), progress=lambda done, total: status.update(
                    f"crosswire: embedded the opening of {done}/{total} older articles ..."))
            count = recluster_store(store, known[0] if known else CompareOptions.embedder,
                                    StoryOptions(window_days=window_days),
                                    progress=lambda done, total: status.update(
                                        f"crosswire: scored {done}/{total} articles ..."), scorer=scorer)
        except ClusterUnavailable as err:  # a batch of scores failed for good on the cluster
            raise fail(str(err), EXIT_NOTHING)
        except (StoreError, sqlite3.Error) as err:  # the previous grouping stays: one transaction
            raise fail(str(err) if isinstance(err, StoreError) else f"{db}: {err}", EXIT_NOTHING)
        finally:
            status.clear()
        articles = store.count()
    click.echo(f"{count} {'story' if count == 1 else 'stories'} from {articles} article(s)")


