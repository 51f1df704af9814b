"""Bring articles stored by an older crosswire up to what analysis stores today.

Articles stored before the opening vector existed (``Article.text_vector``, schema 3)
have none, and the same-story score then falls back on the article vectors. This
embeds their openings, from the stored sentences (nothing is analysed again), in
batches of short write transactions, so a server or an ingest beside it waits at
most one batch.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from .embedders import Embedder
from .stages.embed import opening
from .store import Store, id_chunks


def missing_text_vectors(store: Store, embedder: str) -> list[int]:
    return [r[0] for r in store.db.execute(
        "SELECT id FROM articles WHERE text_vector IS NULL AND embedder = ? ORDER BY id", (embedder,))]


def fill_text_vectors(store: Store, model: Embedder, batch: int = 64,
                      progress: Callable[[int, int], None] | None = None) -> int:
    """Embed the opening of every stored article of ``model`` that has no opening vector; returns how many."""
    todo = missing_text_vectors(store, model.name)
    done = 0
    for chunk in id_chunks(todo, batch):
        articles = store.articles(chunk)
        vectors = model.embed([opening(a) for a in articles])
        with store.transaction():
            for article, vector in zip(articles, vectors):
                # Only where still missing: another writer may have filled or replaced the row meanwhile.
                store.db.execute("UPDATE articles SET text_vector = ? WHERE id = ? AND text_vector IS NULL",
                                 (np.asarray(vector, dtype=np.float32).tobytes(), article.meta["store_id"]))
        done += len(articles)
        if progress:
            progress(done, len(todo))
    return done
