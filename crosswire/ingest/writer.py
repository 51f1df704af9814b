"""The second step of an ingest, the single writer: ``Placer.place`` stores each analysed
article and assigns it to a story, in one transaction.

So an ingest killed at any point leaves every article either stored with its
story or not stored at all, and running it again skips what is stored (the
content hash) and does the rest. Before analysis, ``Placer.screen`` tells which
read articles are stored already, so they are not analysed for nothing.

The ANN index is a cache of the store, brought up to date when it is opened. A
caller that keeps one open across calls (the server) passes it in, caught up
with the store; it is then saved only when due, never per call.
"""
from __future__ import annotations

import time

from crosswire.article import Article
from crosswire.errors import CrosswireError
from crosswire.ingest.outcome import ALREADY_STORED, REPEATED, STORED_MEANWHILE, Outcome, duplicate
from crosswire.store.base import StoreProtocol
from crosswire.store.sqlite import content_hash
from crosswire.stories.neighbours import VectorIndex
from crosswire.stories.placement import StoryAssigner, StoryOptions, open_index

SAVE_EVERY_SECONDS = 60.0


class Placer:
    """Places analysed articles of one embedder in one store; one Placer per writer."""

    def __init__(self, store: StoreProtocol, embedder: str, dim: int, options: StoryOptions = StoryOptions(),
                 index: VectorIndex | None = None) -> None:
        """``index``: the story index, kept open by the caller and up to date with the store
        (``stories.catch_up``); saved here only every ``SAVE_EVERY_SECONDS``, the caller saving
        it when done with it. Without it the store's index file is opened (and caught up) here
        and saved by ``close``."""
        stored = store.embedder()
        if stored and stored != embedder:
            # Vectors of different models are not comparable: never mix them in one store.
            raise CrosswireError(str(store.path), f"holds vectors of {[stored]}, not {embedder}; "
                                                  "use another --db or the same --embedder")
        self.store = store
        self.embedder = embedder
        self.own_index = index is None
        self.index = open_index(store, dim, embedder) if index is None else index
        self.assigner = StoryAssigner(store, self.index, embedder, options)
        # Where each article this Placer stored was read, by content hash: a later input with the
        # same content is named a repeat of it, not a duplicate of something stored before.
        self._placed: dict[str, str] = {}

    def screen(self, article: Article) -> Outcome | None:
        """The outcome of a read article already in the store (a duplicate), or None: analyse it."""
        digest = content_hash(article)
        stored = self.store.find_hash(digest)
        return None if stored is None else self._duplicate(article, digest, stored, ALREADY_STORED)

    def place(self, result: Article | Outcome) -> Outcome:
        """Store an analysed article and place it in a story; a refusal (``analyse``'s) passes through."""
        if isinstance(result, Outcome):
            return result
        article = result
        if article.embedder != self.embedder:  # analysed elsewhere, by another model: never mixed in
            raise CrosswireError(article.source, f"analysed by {article.embedder}, not {self.embedder}, "
                                                 "the embedder of this ingest")
        # Analysis assigns no field the hash reads (outlet, title, text): it is the read article's.
        digest = content_hash(article)
        with self.store.transaction():
            self.assigner.sync()  # place it knowing what other writers placed meanwhile
            stored = self.store.find_hash(digest)
            if stored is not None:  # since it was screened: this ingest's repeat, or another writer's
                return self._duplicate(article, digest, stored, STORED_MEANWHILE)
            article_id = self.store.add_article(article, digest=digest)
            story, joined = self.assigner.assign(article, article_id)
        self.assigner.commit(article, article_id, story)
        self._placed[digest] = article.source
        # The index is a cache of the store (caught up from it on open), so it is saved now
        # and then, not per article: at 1M articles a save takes seconds.
        if self.index.unsaved and time.monotonic() - self.index.saved_at > SAVE_EVERY_SECONDS:
            self.index.save()
        return Outcome("stored", article.source, article.id, article_id, story, joined)

    def close(self) -> None:
        """Save the index this Placer opened (a caller's own index is the caller's to save)."""
        if self.own_index:
            self.index.save()

    def _duplicate(self, article: Article, digest: str, stored: int, code: str) -> Outcome:
        first = self._placed.get(digest)
        if first is not None:
            return duplicate(article.source, article.id, stored, self.store.stories_of([stored]).get(stored), REPEATED, first)
        return duplicate(article.source, article.id, stored, self.store.stories_of([stored]).get(stored), code)
