"""Bring articles stored by an older crosswire up to what analysis stores today.

Articles stored before the opening vector existed (``Article.text_vector``, schema 3)
have none, and the same-story score then falls back on the article vectors; nor do
they have a profile (their names and places, ``profile.py``), which is then found
again each time they are read for scoring (some 60 ms a pair, against ~1.3 ms).
This embeds their openings and stores their profiles, from the stored sentences
(nothing is analysed again), in batches of short write transactions, so a server or
an ingest beside it waits at most one batch.
"""
from __future__ import annotations

from typing import Any, Callable

from crosswire.analysis import profile
from crosswire.analysis.embedders import Embedder
from crosswire.analysis.stages.embed import opening
from crosswire.store.base import StoreProtocol
from crosswire.store.queries import id_chunks


def missing_text_vectors(store: StoreProtocol, embedder: str) -> list[int]:
    return store.missing_text_vectors(embedder)


def store_profile(store: StoreProtocol, row: int, made: dict[str, Any]) -> None:
    """Keep an article's profile in its stored analysis; the caller holds the transaction."""
    store.set_meta(row, profile.META_KEY, made)


def fill_text_vectors(store: StoreProtocol, model: Embedder, batch: int = 64,
                      progress: Callable[[int, int], None] | None = None) -> int:
    """Embed the opening of every stored article of ``model`` that has no opening vector; returns how many."""
    todo = missing_text_vectors(store, model.name)
    done = 0
    for chunk in id_chunks(todo, batch):
        articles = store.articles(chunk)
        vectors = model.embed([opening(a) for a in articles])
        profiles = {a.meta["store_id"]: profile.compute(a) for a in articles
                    if not isinstance(a.meta.get(profile.META_KEY), dict)
                    or a.meta[profile.META_KEY].get("version") != profile.VERSION}
        with store.transaction():
            for article, vector in zip(articles, vectors):
                row = article.meta["store_id"]
                # Only where still missing: another writer may have filled or replaced the row meanwhile.
                store.fill_text_vector(row, vector)
                if row in profiles:
                    store_profile(store, row, profiles[row])
        done += len(articles)
        if progress:
            progress(done, len(todo))
    return done
