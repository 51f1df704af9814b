"""What following the news keeps in the store: the sources followed, the entries already seen,
the watch-lists, the alerts they raised and the webhook deliveries of those alerts.

Each method is one question or one write. A write made outside a caller's transaction takes
its own (``_write``), so a poll pass killed at any point leaves each source's state, each
entry and each alert either recorded or not, never half. Alerts are recorded once per event:
``(watch, key)`` is unique and a second recording of it is a no-op that returns None.

Times are kept as ISO 8601 UTC text with microseconds (``stamp``), which sorts as the times do.
"""
from __future__ import annotations

import json
import sqlite3
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime, timezone
from typing import Any, Callable, Iterator

from crosswire.store.base import Alert, Delivery, Source, Watch
from crosswire.store.queries import id_chunks, marks

SCHEMA = [
    # A followed feed. ``failures``: consecutive failed fetches (the backoff grows with it);
    # ``errors``: every failed fetch since it was added.
    """CREATE TABLE sources (
        id INTEGER PRIMARY KEY,
        url TEXT NOT NULL UNIQUE,
        found_at TEXT,
        title TEXT,
        language TEXT,
        added_at TEXT NOT NULL,
        etag TEXT,
        last_modified TEXT,
        last_fetch_at TEXT,
        last_status INTEGER,
        last_new_at TEXT,
        next_fetch_at TEXT NOT NULL,
        failures INTEGER NOT NULL DEFAULT 0,
        errors INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        articles INTEGER NOT NULL DEFAULT 0
    )""",
    # Every entry already taken, by the canonical address of its article: never fetched or analysed again.
    """CREATE TABLE entries (
        url TEXT PRIMARY KEY,
        source_id INTEGER REFERENCES sources(id) ON DELETE SET NULL,
        article_id INTEGER,
        seen_at TEXT NOT NULL
    ) WITHOUT ROWID""",
    """CREATE TABLE watches (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        entities TEXT NOT NULL,
        words TEXT,
        languages TEXT NOT NULL,
        min_languages INTEGER,
        webhook TEXT,
        secret TEXT,
        created_at TEXT NOT NULL
    )""",
    # story_id is not a foreign key: a recluster renumbers stories, the alerts stay as they were said.
    """CREATE TABLE alerts (
        id INTEGER PRIMARY KEY,
        watch_id INTEGER NOT NULL REFERENCES watches(id) ON DELETE CASCADE,
        story_id INTEGER NOT NULL,
        event TEXT NOT NULL,
        key TEXT NOT NULL,
        detail TEXT NOT NULL,
        created_at TEXT NOT NULL,
        UNIQUE (watch_id, key)
    )""",
    "CREATE INDEX alerts_created ON alerts(created_at)",
    """CREATE TABLE deliveries (
        alert_id INTEGER PRIMARY KEY REFERENCES alerts(id) ON DELETE CASCADE,
        url TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_at TEXT NOT NULL,
        delivered_at TEXT,
        failed_at TEXT,
        last_error TEXT
    )""",
    "CREATE INDEX deliveries_due ON deliveries(next_at) WHERE delivered_at IS NULL AND failed_at IS NULL",
]


def stamp(when: datetime | None = None) -> str:
    """``when`` (default: now) as the follow tables keep times: UTC, microseconds, sortable as text."""
    when = (when or datetime.now(timezone.utc)).astimezone(timezone.utc)
    return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _time(value: str | None) -> datetime | None:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc) if value else None


def _source(row: sqlite3.Row) -> Source:
    return Source(id=row["id"], url=row["url"], found_at=row["found_at"], title=row["title"],
                  language=row["language"], added_at=_time(row["added_at"]) or datetime.now(timezone.utc),
                  etag=row["etag"], last_modified=row["last_modified"], last_fetch_at=_time(row["last_fetch_at"]),
                  last_status=row["last_status"], last_new_at=_time(row["last_new_at"]),
                  next_fetch_at=_time(row["next_fetch_at"]) or datetime.now(timezone.utc),
                  failures=row["failures"], errors=row["errors"], last_error=row["last_error"],
                  articles=row["articles"])


def _watch(row: sqlite3.Row) -> Watch:
    return Watch(id=row["id"], name=row["name"], entities=tuple(json.loads(row["entities"])), words=row["words"],
                 languages=tuple(json.loads(row["languages"])), min_languages=row["min_languages"],
                 webhook=row["webhook"], secret=row["secret"], created_at=_time(row["created_at"]))


def _alert(row: sqlite3.Row) -> Alert:
    return Alert(id=row["id"], watch_id=row["watch_id"], watch=row["watch"], story_id=row["story_id"],
                 event=row["event"], key=row["key"], detail=json.loads(row["detail"]),
                 created_at=_time(row["created_at"]) or datetime.now(timezone.utc))


_ALERT_SELECT = "SELECT alerts.*, watches.name AS watch FROM alerts JOIN watches ON watches.id = alerts.watch_id"


class FollowTables:
    """The methods of ``base.Following``; mixed into ``sqlite.Store``, which gives ``db``."""

    db: sqlite3.Connection
    transaction: Callable[[], AbstractContextManager[sqlite3.Connection]]  # the Store's

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """The caller's transaction when one is open, else one of its own (the Store's ``transaction``)."""
        if self.db.in_transaction:
            yield self.db
            return
        with self.transaction() as db:
            yield db

    # -- sources -------------------------------------------------------------------------------

    def add_source(self, url: str, title: str | None = None, language: str | None = None,
                   found_at: str | None = None) -> tuple[Source, bool]:
        """The source at ``url``, added now (True) or as it was already followed (False)."""
        with self._write():
            row = self.db.execute("SELECT * FROM sources WHERE url = ?", (url,)).fetchone()
            if row is not None:
                return _source(row), False
            now = stamp()
            cur = self.db.execute(
                "INSERT INTO sources (url, found_at, title, language, added_at, next_fetch_at) VALUES (?, ?, ?, ?, ?, ?)",
                (url, found_at, title, language, now, now))
            row = self.db.execute("SELECT * FROM sources WHERE id = ?", (cur.lastrowid,)).fetchone()
        return _source(row), True

    def remove_source(self, url_or_id: str) -> Source | None:
        """Stop following a source (by its address or id); its articles and entries stay."""
        with self._write():
            row = self.db.execute("SELECT * FROM sources WHERE url = ? OR CAST(id AS TEXT) = ?",
                                  (url_or_id, url_or_id)).fetchone()
            if row is None:
                return None
            self.db.execute("DELETE FROM sources WHERE id = ?", (row["id"],))
        return _source(row)

    def sources(self) -> list[Source]:
        return [_source(r) for r in self.db.execute("SELECT * FROM sources ORDER BY id")]

    def due_sources(self, now: datetime | None = None) -> list[Source]:
        """The sources whose next fetch is due at ``now``, the longest waiting first."""
        rows = self.db.execute("SELECT * FROM sources WHERE next_fetch_at <= ? ORDER BY next_fetch_at, id",
                               (stamp(now),))
        return [_source(r) for r in rows]

    def record_fetch(self, source_id: int, *, status: int | None, next_fetch_at: datetime,
                     error: str | None = None, etag: str | None = None, last_modified: str | None = None,
                     title: str | None = None, language: str | None = None, keep_validators: bool = True) -> None:
        """What one fetch of a source found. An error counts as a failure (``failures`` grows,
        the validators stay); a success resets ``failures`` and keeps the new validators
        (``keep_validators=False``: forget them, so that the next fetch reads the feed whole)."""
        now = stamp()
        with self._write():
            if error is not None:
                self.db.execute("UPDATE sources SET last_fetch_at = ?, last_status = ?, next_fetch_at = ?, "
                                "failures = failures + 1, errors = errors + 1, last_error = ? WHERE id = ?",
                                (now, status, stamp(next_fetch_at), error, source_id))
                return
            self.db.execute(
                "UPDATE sources SET last_fetch_at = ?, last_status = ?, next_fetch_at = ?, failures = 0, "
                "etag = CASE WHEN ? THEN coalesce(?, etag) ELSE NULL END, "
                "last_modified = CASE WHEN ? THEN coalesce(?, last_modified) ELSE NULL END, "
                "title = coalesce(?, title), language = coalesce(?, language) WHERE id = ?",
                (now, status, stamp(next_fetch_at), keep_validators, etag, keep_validators, last_modified,
                 title, language, source_id))

    def source_error(self, source_id: int, error: str) -> None:
        """An error of one entry of a source (its page could not be read, say): counted and shown,
        the source's schedule unchanged."""
        with self._write():
            self.db.execute("UPDATE sources SET errors = errors + 1, last_error = ? WHERE id = ?", (error, source_id))

    def seen_entries(self, urls: list[str]) -> set[str]:
        """Which of these canonical entry addresses were taken already (from any source)."""
        found: set[str] = set()
        for chunk in id_chunks(urls):
            found.update(r[0] for r in self.db.execute(f"SELECT url FROM entries WHERE url IN ({marks(chunk)})", chunk))
        return found

    def add_entry(self, url: str, source_id: int | None, article_id: int | None, new: bool = False) -> None:
        """An entry taken: ``article_id`` its article in the store (None when it was refused), ``new``
        when it was stored now (the source's article count and last new article say so at once, so
        a pass killed half-way leaves them right)."""
        with self._write():
            now = stamp()
            cur = self.db.execute("INSERT OR IGNORE INTO entries (url, source_id, article_id, seen_at) VALUES (?, ?, ?, ?)",
                                  (url, source_id, article_id, now))
            if new and cur.rowcount and source_id is not None:
                self.db.execute("UPDATE sources SET articles = articles + 1, last_new_at = ? WHERE id = ?", (now, source_id))

    # -- watches and alerts --------------------------------------------------------------------

    def add_watch(self, name: str, *, entities: tuple[str, ...] = (), words: str | None = None,
                  languages: tuple[str, ...] = (), min_languages: int | None = None,
                  webhook: str | None = None, secret: str | None = None) -> Watch | None:
        """A new watch-list; None when one of that name exists."""
        with self._write():
            try:
                cur = self.db.execute(
                    "INSERT INTO watches (name, entities, words, languages, min_languages, webhook, secret, created_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (name, json.dumps(list(entities), ensure_ascii=False), words,
                     json.dumps(list(languages)), min_languages, webhook, secret, stamp()))
            except sqlite3.IntegrityError:
                return None
            row = self.db.execute("SELECT * FROM watches WHERE id = ?", (cur.lastrowid,)).fetchone()
        return _watch(row)

    def watches(self) -> list[Watch]:
        return [_watch(r) for r in self.db.execute("SELECT * FROM watches ORDER BY id")]

    def watch(self, name_or_id: str) -> Watch | None:
        row = self.db.execute("SELECT * FROM watches WHERE name = ? OR CAST(id AS TEXT) = ? ORDER BY name = ? DESC",
                              (name_or_id, name_or_id, name_or_id)).fetchone()
        return _watch(row) if row else None

    def remove_watch(self, name_or_id: str) -> Watch | None:
        """Remove a watch-list with its alerts and their deliveries."""
        with self._write():
            found = self.watch(name_or_id)
            if found is not None:
                self.db.execute("DELETE FROM watches WHERE id = ?", (found.id,))
        return found

    def add_alert(self, watch: Watch, story_id: int, event: str, key: str, detail: dict[str, Any]) -> Alert | None:
        """Record an event of a watch, once: None when ``(watch, key)`` was recorded before. A watch
        with a webhook gets the alert's delivery queued, due now, in the same transaction."""
        with self._write():
            now = stamp()
            cur = self.db.execute(
                "INSERT OR IGNORE INTO alerts (watch_id, story_id, event, key, detail, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (watch.id, story_id, event, key, json.dumps(detail, ensure_ascii=False), now))
            if not cur.rowcount:
                return None
            alert_id = int(cur.lastrowid or 0)
            if watch.webhook:
                self.db.execute("INSERT INTO deliveries (alert_id, url, next_at) VALUES (?, ?, ?)",
                                (alert_id, watch.webhook, now))
            row = self.db.execute(f"{_ALERT_SELECT} WHERE alerts.id = ?", (alert_id,)).fetchone()
        return _alert(row)

    def alert_keys(self, watch_id: int, story_ids: list[int]) -> dict[int, set[str]]:
        """The keys of the events already recorded for a watch, by story."""
        found: dict[int, set[str]] = {}
        for chunk in id_chunks(story_ids):
            for story_id, key in self.db.execute(
                    f"SELECT story_id, key FROM alerts WHERE watch_id = ? AND story_id IN ({marks(chunk)})", [watch_id, *chunk]):
                found.setdefault(story_id, set()).add(key)
        return found

    def alerts_keyed(self, watch_id: int, prefixes: list[str]) -> list[Alert]:
        """The alerts of a watch whose key starts with one of ``prefixes``, oldest first: a range
        of the ``(watch, key)`` index each, so asking about many stories at once stays cheap."""
        found: list[Alert] = []
        for given in id_chunks(prefixes, 200):
            chunk = [p for p in given if p]
            if not chunk:
                continue
            ranges = " OR ".join(["(alerts.key >= ? AND alerts.key < ?)"] * len(chunk))
            bounds = [b for p in chunk for b in (p, p[:-1] + chr(ord(p[-1]) + 1))]
            found += [_alert(r) for r in self.db.execute(
                f"{_ALERT_SELECT} WHERE alerts.watch_id = ? AND ({ranges}) ORDER BY alerts.id", [watch_id, *bounds])]
        return sorted(found, key=lambda a: a.id)

    def alerts_by_id(self, alert_ids: list[int]) -> dict[int, Alert]:
        found: dict[int, Alert] = {}
        for chunk in id_chunks(alert_ids):
            found.update((r["id"], _alert(r)) for r in self.db.execute(f"{_ALERT_SELECT} WHERE alerts.id IN ({marks(chunk)})",
                                                                       chunk))
        return found

    def alerts(self, since: datetime | None = None, watch_id: int | None = None, limit: int = 100) -> list[Alert]:
        """The latest alerts first (of one watch, or every), recorded at or after ``since``."""
        where, args = ["alerts.created_at >= ?"], [stamp(since) if since else ""]
        if watch_id is not None:
            where.append("alerts.watch_id = ?")
            args.append(str(watch_id))
        rows = self.db.execute(f"{_ALERT_SELECT} WHERE {' AND '.join(where)} ORDER BY alerts.id DESC LIMIT ?",
                               [*args, limit])
        return [_alert(r) for r in rows]

    def alert_counts(self) -> dict[int, tuple[int, datetime]]:
        """For each watch that has alerts: how many, and when the latest was recorded (one query)."""
        rows = self.db.execute("SELECT watch_id, count(*), max(created_at) FROM alerts GROUP BY watch_id")
        return {r[0]: (r[1], _time(r[2]) or datetime.now(timezone.utc)) for r in rows}

    def due_deliveries(self, now: datetime | None = None, limit: int = 100) -> list[Delivery]:
        """Webhook deliveries neither made nor given up, due at ``now``."""
        rows = self.db.execute(
            "SELECT deliveries.*, alerts.watch_id FROM deliveries JOIN alerts ON alerts.id = deliveries.alert_id "
            "WHERE delivered_at IS NULL AND failed_at IS NULL AND next_at <= ? ORDER BY next_at LIMIT ?",
            (stamp(now), limit))
        return [Delivery(alert_id=r["alert_id"], watch_id=r["watch_id"], url=r["url"], attempts=r["attempts"],
                         next_at=_time(r["next_at"]) or datetime.now(timezone.utc), last_error=r["last_error"])
                for r in rows]

    def record_delivery(self, alert_id: int, *, error: str | None = None, next_at: datetime | None = None) -> None:
        """One attempt at a delivery: made (no ``error``), failed and due again at ``next_at``, or
        failed for good (``error`` and no ``next_at``)."""
        now = stamp()
        with self._write():
            if error is None:
                self.db.execute("UPDATE deliveries SET attempts = attempts + 1, delivered_at = ?, last_error = NULL "
                                "WHERE alert_id = ?", (now, alert_id))
            elif next_at is not None:
                self.db.execute("UPDATE deliveries SET attempts = attempts + 1, next_at = ?, last_error = ? "
                                "WHERE alert_id = ?", (stamp(next_at), error, alert_id))
            else:
                self.db.execute("UPDATE deliveries SET attempts = attempts + 1, failed_at = ?, last_error = ? "
                                "WHERE alert_id = ?", (now, error, alert_id))

    def delivery_of(self, alert_id: int) -> dict[str, Any] | None:
        """A delivery's state, for showing (attempts, delivered_at, failed_at, last_error)."""
        row = self.db.execute("SELECT attempts, delivered_at, failed_at, last_error FROM deliveries WHERE alert_id = ?",
                              (alert_id,)).fetchone()
        return dict(row) if row else None
