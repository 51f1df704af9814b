"""Ingest on this machine: read, ``analyse`` a batch, ``place`` it, and so on, in one process.

The composition of the two steps (``worker.analyse``, ``writer.Placer``) that
``crosswire ingest`` and the server use; a runner that analyses elsewhere
composes them the same way.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Callable, Iterable

from crosswire.analysis.pipeline import Pipeline
from crosswire.article import Article
from crosswire.errors import CrosswireError
from crosswire.ingest.outcome import IngestReport, Outcome, refused
from crosswire.ingest.worker import analyse
from crosswire.ingest.writer import Placer
from crosswire.limits import Limits
from crosswire.readers.files import iter_articles
from crosswire.store.base import StoreProtocol
from crosswire.stories.neighbours import VectorIndex
from crosswire.stories.placement import StoryOptions

Progress = Callable[[IngestReport], None]
# Outcomes are given in input order; an input decided early (a duplicate, an unreadable file) waits
# for the articles before it to be placed. At most this many wait, so that re-reading a large input
# that is all stored already holds little.
MAX_WAITING = 1024


def ingest_articles(articles: Iterable[Article | CrosswireError], store: StoreProtocol, pipeline: Pipeline,
                    options: StoryOptions = StoryOptions(), batch_size: int = 32,
                    progress: Progress | None = None, index: VectorIndex | None = None,
                    on_outcome: Callable[[Outcome], None] | None = None) -> IngestReport:
    """Analyse, store and place each article; ``index``: the story index, kept open by the caller
    (see ``Placer``); ``on_outcome``: given each input's outcome, in input order.

    An input given as an error (a reader's) is refused as unreadable.
    """
    report = IngestReport()
    started = time.perf_counter()
    embedder = pipeline.embedder
    placer = Placer(store, embedder.name, embedder.dim, options, index)
    window: list[Article | Outcome] = []  # inputs in order: decided, or read and to be analysed
    waiting = 0  # articles in the window

    def flush() -> None:
        analysed = iter(analyse([item for item in window if isinstance(item, Article)], pipeline, batch_size))
        for item in window:
            outcome = item if isinstance(item, Outcome) else placer.place(next(analysed))
            report.count(outcome)
            if on_outcome:
                on_outcome(outcome)
        window.clear()
        if progress:
            report.seconds = time.perf_counter() - started
            progress(report)

    for item in articles:
        if isinstance(item, CrosswireError):
            window.append(refused(item))
        else:
            report.read += 1
            screened = placer.screen(item)
            window.append(item if screened is None else screened)
            waiting += screened is None
        if waiting >= batch_size or len(window) >= MAX_WAITING:
            flush()
            waiting = 0
    if window:
        flush()
    placer.close()
    report.seconds = time.perf_counter() - started
    return report


def ingest_paths(paths: Iterable[str | Path], store: StoreProtocol, pipeline: Pipeline,
                 options: StoryOptions = StoryOptions(), progress: Progress | None = None,
                 limits: Limits = Limits()) -> IngestReport:
    """``limits`` bounds the files read (the pipeline's own bound the articles)."""
    return ingest_articles(iter_articles(paths, limits), store, pipeline, options, progress=progress)
