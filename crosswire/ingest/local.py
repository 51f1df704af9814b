"""Ingest: read, analyse, store, and place each article in a story, as it arrives.

Each article is stored and assigned in one transaction, so an ingest killed at
any point leaves every article either stored with its story or not stored at
all; running the same ingest again skips what is stored (the content hash) and
does the rest. The ANN index is a cache of the store, brought up to date when
it is opened. A caller that keeps one open across calls (the server) passes it
in, caught up with the store; it is then saved only when due, never per call.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from crosswire.analysis.pipeline import Pipeline
from crosswire.article import Article
from crosswire.errors import CrosswireError
from crosswire.limits import Limits
from crosswire.readers.files import iter_articles
from crosswire.store.sqlite import Store, content_hash
from crosswire.stories.neighbours import VectorIndex
from crosswire.stories.placement import StoryAssigner, StoryOptions, open_index


@dataclass
class IngestReport:
    read: int = 0
    added: int = 0
    duplicates: list[str] = field(default_factory=list)   # one line per article already stored
    failed: list[str] = field(default_factory=list)       # one line per input or article that failed
    new_stories: int = 0
    joined: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        rate = self.added / self.seconds if self.seconds else 0.0
        return (f"{self.read} read, {self.added} added ({rate:.1f}/s), {len(self.duplicates)} already stored, "
                f"{len(self.failed)} failed; {self.new_stories} new stories, {self.joined} joined existing ones")


Progress = Callable[[IngestReport], None]
SAVE_EVERY_SECONDS = 60.0


def ingest_articles(articles: Iterable[Article | CrosswireError], store: Store, pipeline: Pipeline,
                    options: StoryOptions = StoryOptions(), batch_size: int = 32,
                    progress: Progress | None = None, index: VectorIndex | None = None) -> IngestReport:
    """Analyse, store and place each article; ``index``: the story index, kept open by the caller.

    Without ``index`` the store's index file is opened (and caught up) here and
    saved at the end. A given index must be up to date with the store
    (``stories.catch_up``); it is saved only every ``SAVE_EVERY_SECONDS``, the
    caller saving it when done with it.
    """
    report = IngestReport()
    started = time.perf_counter()
    embedder = pipeline.stages[-1].embedder  # type: ignore[attr-defined]
    stored = store.embedder()
    if stored and stored != embedder.name:
        # Vectors of different models are not comparable: never mix them in one store.
        raise CrosswireError(str(store.path), f"holds vectors of {[stored]}, not {embedder.name}; "
                                              "use another --db or the same --embedder")
    own_index = index is None
    story_index = open_index(store, embedder.dim, embedder.name) if index is None else index
    assigner = StoryAssigner(store, story_index, embedder.name, options)
    batch: list[Article] = []
    digests: list[str] = []  # content hash of each article in the batch, computed once
    seen: set[str] = set()

    def flush() -> None:
        # pipe() yields one result per input, in order, so the digests line up.
        for digest, result in zip(digests, pipeline.pipe(batch, batch_size=batch_size)):
            if isinstance(result, CrosswireError):
                report.failed.append(str(result))
                continue
            with store.transaction():
                assigner.sync()  # place it knowing what other writers placed meanwhile
                if store.find_hash(digest) is not None:  # stored by a concurrent writer
                    report.duplicates.append(f"{result.source}: already stored")
                    continue
                article_id = store.add_article(result, digest=digest)
                story, joined = assigner.assign(result, article_id)
            assigner.commit(result, article_id, story)
            report.added += 1
            report.joined += joined
            report.new_stories += not joined
        batch.clear()
        digests.clear()
        # The index is a cache of the store (caught up from it on open), so it is
        # saved now and then, not per batch: at 1M articles a save takes seconds.
        if story_index.unsaved and time.monotonic() - story_index.saved_at > SAVE_EVERY_SECONDS:
            story_index.save()
        if progress:
            report.seconds = time.perf_counter() - started
            progress(report)

    for item in articles:
        if isinstance(item, CrosswireError):
            report.failed.append(str(item))
            continue
        report.read += 1
        digest = content_hash(item)
        if digest in seen or store.find_hash(digest) is not None:
            report.duplicates.append(f"{item.source}: already stored (same outlet, title and text)")
            continue
        seen.add(digest)
        batch.append(item)
        digests.append(digest)
        if len(batch) >= batch_size:
            flush()
    if batch:
        flush()
    if own_index:
        story_index.save()
    report.seconds = time.perf_counter() - started
    return report


def ingest_paths(paths: Iterable[str | Path], store: Store, pipeline: Pipeline,
                 options: StoryOptions = StoryOptions(), progress: Progress | None = None,
                 limits: Limits = Limits()) -> IngestReport:
    """``limits`` bounds the files read (the pipeline's own bound the articles)."""
    return ingest_articles(iter_articles(paths, limits), store, pipeline, options, progress=progress)
