"""NTREX-128 articles analysed once per checkout and shared by the evaluations.

Several evaluations read the same NTREX documents (story grouping, alignment, the
report, the grouping over every language); each used to analyse them again. Here
an article is analysed by the real pipeline once and kept in a crosswire store
under ``evals/out/`` (gitignored), found again by its content hash, so the second
evaluation to want it reads it back. CI runs on a clean clone, so nothing carries
over between runs: within one run, the evaluations after the first share its work.

``vector_format``: the format the cache keeps sentence vectors in (store/vectors.py; default the
store's default), one cache file per format, so an evaluation can be run on float32 and on a
compact format and the two compared. A compact cache missing beside a float32 one is made from
it as ``crosswire compact`` makes one (``Store.recode_vectors``), not analysed again: "before and
after compaction" on the very same analysis.
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from crosswire.analysis.pipeline import Pipeline, default_pipeline
from crosswire.article import Article
from crosswire.errors import CrosswireError
from crosswire.store.sqlite import Store, content_hash
from crosswire.store.vectors import DEFAULT as DEFAULT_FORMAT
from crosswire.stories.backfill import fill_text_vectors
from evals.common import REPO

if TYPE_CHECKING:
    from crosswire.readers.ntrex import Ntrex

OUT = REPO / "evals" / "out"
# Bump when the analysis (pipeline stages, what is stored) changes: old caches are then ignored.
CACHE_VERSION = 1


def cache_path(embedder: str, vector_format: str) -> Path:
    return OUT / f"ntrex-analysis.v{CACHE_VERSION}.{embedder}.{vector_format}.db"


def open_cache(embedder: str, vector_format: str) -> Store:
    """The cache store of this embedder in this format: made from the float32 one where only that exists."""
    path, full = cache_path(embedder, vector_format), cache_path(embedder, "float32")
    if not path.exists() and vector_format != "float32" and full.exists():
        Store(full).close()  # the WAL checkpointed into the file: one file to copy
        shutil.copyfile(full, path)
        with Store(path) as store:
            store.set_vector_format(vector_format)
            store.recode_all_vectors()
    store = Store(path)
    store.set_vector_format(vector_format)
    return store


def analyse(corpus: "Ntrex", pairs: list[tuple[str, list[str]]], pipeline: Pipeline | None = None,
            vector_format: str = DEFAULT_FORMAT) -> dict[str, list[Article | CrosswireError]]:
    """language -> its documents' analyses (an error where the pipeline refused one), in the
    order asked, each read from the cache or analysed now and cached."""
    pipeline = pipeline or default_pipeline()
    embedder = pipeline.embedder
    OUT.mkdir(parents=True, exist_ok=True)
    store = open_cache(embedder.name, vector_format)
    try:
        wanted = [(lang, a) for lang, docs in pairs for a in corpus.articles(lang, docs)]
        digests = [content_hash(a) for _, a in wanted]
        rows = [store.find_hash(d) for d in digests]
        missing = [a for (_, a), row in zip(wanted, rows) if row is None]
        refused: dict[str, CrosswireError] = {}
        if missing:
            print(f"analysing {len(missing)} NTREX articles (cached in {store.path.name})", file=sys.stderr, flush=True)
            for article, result in zip(missing, pipeline.pipe(missing)):
                if isinstance(result, Article):
                    with store.transaction():
                        if store.find_hash(content_hash(article)) is None:
                            store.add_article(result)
                else:
                    refused[article.id] = result
            rows = [store.find_hash(d) for d in digests]
        fill_text_vectors(store, embedder)
        found = {row: a for row, a in zip([r for r in rows if r is not None],
                                          store.articles([r for r in rows if r is not None]))}
        out: dict[str, list[Article | CrosswireError]] = {}
        for (lang, article), row in zip(wanted, rows):
            if row is not None:
                got = found[row]
                got.meta = {k: v for k, v in got.meta.items() if k not in ("store_id", "story_id")}
                out.setdefault(lang, []).append(got)
            else:
                out.setdefault(lang, []).append(refused.get(article.id) or CrosswireError(article.source, "not analysed"))
        return out
    finally:
        store.close()
