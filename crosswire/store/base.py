"""The store as the rest of crosswire sees it: small Protocols, and the values they pass.

``crosswire.store.sqlite.Store`` implements them over one SQLite file; another
store (PostgreSQL, say) would implement the same methods and nothing outside
this package would change. Every method is one question or one write; a write
is made inside ``transaction()`` (the caller's, or its own where it says so),
and whatever the store keeps beside the articles (the story index that listing
reads, which embedders made its vectors) is kept up to date by the write itself.
"""
from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Iterator, Protocol

import numpy as np

from crosswire.article import Article

Vectors = tuple[np.ndarray, np.ndarray, list[str | None]]  # (row ids, article vectors, languages), in id order


@dataclass(frozen=True)
class StoryFilter:
    """Which stories a listing keeps (every one, by default)."""

    languages: tuple[str, ...] | None = None  # stored language codes: a story with an article in one; () keeps none
    active_since: datetime | None = None      # last seen at or after
    begun_until: datetime | None = None       # first seen at or before
    words: tuple[str, ...] = ()               # casefolded: an article's title or text holds every one
    names: bool = True                        # ... or, for a word, names it in any script (store/names.py)
    outlet: str | None = None                 # casefolded: a story with an article from it (outlet, or URL host)


@dataclass(frozen=True)
class Member:
    """An article of a story, as a listing shows it (no text, no vectors)."""

    id: int
    ext_id: str
    story_id: int
    title: str | None
    outlet: str | None
    url: str | None
    source: str | None
    language: str | None
    seen: datetime  # published, else ingested, else ``times.NEVER``


class Articles(Protocol):
    """Analysed articles, with their vectors; stored once (the content hash), never changed but for backfills."""

    path: Path  # the store's file: caches (the nearest-neighbour index) are kept beside it

    def find_hash(self, digest: str) -> int | None: ...
    def add_article(self, article: Article, story_id: int | None = None, digest: str | None = None) -> int: ...
    def article(self, row_id: int) -> Article: ...
    def articles(self, row_ids: list[int]) -> list[Article]: ...
    def count(self) -> int: ...
    def ids(self) -> np.ndarray: ...
    def hash_of(self, row_id: int) -> str | None: ...
    def embedders(self) -> list[str]: ...
    def embedder(self) -> str | None: ...
    def dim(self) -> int | None: ...
    def iter_vectors(self, after_id: int = 0, batch: int = 10_000) -> Iterator[Vectors]: ...
    def vectors_of(self, row_ids: list[int], batch: int = 500) -> Iterator[Vectors]: ...
    def analyses(self, row_ids: list[int]) -> dict[int, dict[str, Any]]: ...
    def missing_text_vectors(self, embedder: str) -> list[int]: ...
    def fill_text_vector(self, row_id: int, vector: np.ndarray) -> None: ...
    def set_meta(self, row_id: int, key: str, value: Any) -> None: ...


class Stories(Protocol):
    """Which story each article is in."""

    def new_story(self, clusterer: str) -> int: ...
    def set_story(self, article_id: int, story_id: int) -> None: ...
    def clear_stories(self) -> None: ...
    def story_members(self, story_id: int) -> list[int]: ...
    def stories_of(self, article_ids: list[int]) -> dict[int, int]: ...
    def published_in(self, story_ids: list[int]) -> list[tuple[int, str | None]]: ...
    def story_count(self) -> int: ...


class Listing(Protocol):
    """The stories sorted, filtered and paged (most recently active first, then the biggest)."""

    def story_languages(self) -> list[str]: ...
    def story_page(self, where: StoryFilter, limit: int | None = None, offset: int = 0) -> list[int]: ...
    def story_total(self, where: StoryFilter) -> int: ...
    def story_page_and_total(self, where: StoryFilter, limit: int | None = None,
                             offset: int = 0) -> tuple[list[int], int]: ...
    def members_of(self, story_ids: list[int]) -> list[Member]: ...


@dataclass(frozen=True)
class Source:
    """A followed feed and what its fetches found (``crosswire follow list`` shows it)."""

    id: int
    url: str
    found_at: str | None          # the page or OPML it was found from
    title: str | None             # the outlet's name, as the feed gives it
    language: str | None          # as the feed declares it
    added_at: datetime
    etag: str | None
    last_modified: str | None
    last_fetch_at: datetime | None
    last_status: int | None
    last_new_at: datetime | None  # when a fetch last brought a new article
    next_fetch_at: datetime
    failures: int                 # failed fetches in a row (the backoff)
    errors: int                   # errors since it was added (fetches and entries)
    last_error: str | None
    articles: int                 # articles stored from it


@dataclass(frozen=True)
class Watch:
    """A watch-list: the stories it is about, and where its alerts go besides the store."""

    id: int
    name: str
    entities: tuple[str, ...]     # names, matched across scripts
    words: str | None             # words an article's title or text holds, every one
    languages: tuple[str, ...]    # an article in one of these (none: any language)
    min_languages: int | None     # alert when a matching story reaches this many languages
    webhook: str | None
    secret: str | None            # the HMAC-SHA256 key of its webhook's signatures
    created_at: datetime | None


@dataclass(frozen=True)
class Alert:
    """One event of a watch, recorded once."""

    id: int
    watch_id: int
    watch: str
    story_id: int
    event: str                    # what happened (watch/events.py names them)
    key: str                      # what makes it one event: unique per watch
    detail: dict[str, Any]
    created_at: datetime


@dataclass(frozen=True)
class Delivery:
    """A webhook delivery of an alert, not made yet."""

    alert_id: int
    watch_id: int
    url: str
    attempts: int
    next_at: datetime
    last_error: str | None


class Following(Protocol):
    """The sources followed, the entries taken, watch-lists, their alerts and webhook deliveries
    (``store/following.py``)."""

    def add_source(self, url: str, title: str | None = None, language: str | None = None,
                   found_at: str | None = None) -> tuple[Source, bool]: ...
    def remove_source(self, url_or_id: str) -> Source | None: ...
    def sources(self) -> list[Source]: ...
    def due_sources(self, now: datetime | None = None) -> list[Source]: ...
    def record_fetch(self, source_id: int, *, status: int | None, next_fetch_at: datetime,
                     error: str | None = None, etag: str | None = None, last_modified: str | None = None,
                     title: str | None = None, language: str | None = None, keep_validators: bool = True) -> None: ...
    def source_error(self, source_id: int, error: str) -> None: ...
    def seen_entries(self, urls: list[str]) -> set[str]: ...
    def add_entry(self, url: str, source_id: int | None, article_id: int | None, new: bool = False) -> None: ...
    def add_watch(self, name: str, *, entities: tuple[str, ...] = (), words: str | None = None,
                  languages: tuple[str, ...] = (), min_languages: int | None = None,
                  webhook: str | None = None, secret: str | None = None) -> Watch | None: ...
    def watches(self) -> list[Watch]: ...
    def watch(self, name_or_id: str) -> Watch | None: ...
    def remove_watch(self, name_or_id: str) -> Watch | None: ...
    def add_alert(self, watch: Watch, story_id: int, event: str, key: str, detail: dict[str, Any]) -> Alert | None: ...
    def alert_keys(self, watch_id: int, story_ids: list[int]) -> dict[int, set[str]]: ...
    def alerts_keyed(self, watch_id: int, prefixes: list[str]) -> list[Alert]: ...
    def alerts_by_id(self, alert_ids: list[int]) -> dict[int, Alert]: ...
    def alerts(self, since: datetime | None = None, watch_id: int | None = None, limit: int = 100) -> list[Alert]: ...
    def alert_counts(self) -> dict[int, tuple[int, datetime]]: ...
    def due_deliveries(self, now: datetime | None = None, limit: int = 100) -> list[Delivery]: ...
    def record_delivery(self, alert_id: int, *, error: str | None = None, next_at: datetime | None = None) -> None: ...
    def delivery_of(self, alert_id: int) -> dict[str, Any] | None: ...


class StoreProtocol(Articles, Stories, Listing, Following, Protocol):
    """The whole store: what crosswire outside ``crosswire.store`` may call."""

    def transaction(self) -> AbstractContextManager[object]: ...
    def data_version(self) -> int: ...
    def store_id(self) -> str | None: ...
    def close(self) -> None: ...
