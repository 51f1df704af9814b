"""The local store: one SQLite file holding articles, their analysis, vectors and stories.

Disciplines (after sqlite-utils and llm): numbered migrations, each in its own
transaction, tracked in ``PRAGMA user_version`` (``migrations.py``); WAL so
readers never block the one writer; vectors as BLOBs with the versioned
name of the embedder that made them (sentence vectors float16 by default, each
row saying its format: ``vectors.py``); a content hash so that storing the same
article twice is a no-op. A file that is not ours (another application's
database, or not SQLite at all) is refused and never written to.

Beside the articles the store keeps the story index that listing stories reads
(``listing.py``), the embedders of its vectors and a random id of its own; each
write method keeps them within the caller's transaction. The questions about
stories are asked in ``queries.py``. ``Store`` implements ``base.StoreProtocol``.
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import unicodedata
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator

import numpy as np

from crosswire.article import Article, Line, Sentence, stacked_vectors
from crosswire.errors import CrosswireError
from crosswire.store import listing, listing_v2, names
from crosswire.store import vectors as vector_formats
from crosswire.store.base import StoreProtocol, Vectors
from crosswire.store.following import FollowTables
from crosswire.store.migrations import KEPT_IN_PYTHON, MIGRATIONS, Unsupported
from crosswire.store.queries import StoryQueries, id_chunks, marks
from crosswire.times import seen, to_micros

__all__ = ["APPLICATION_ID", "MIGRATIONS", "DataVersion", "Store", "StoreError", "content_hash", "id_chunks"]

APPLICATION_ID = 0x43525357  # "CRSW": marks a SQLite file as a crosswire store


class StoreError(CrosswireError):
    """The database file cannot be used (corrupt, foreign, or from a newer crosswire)."""


def content_hash(article: Article) -> str:
    """Same outlet, title and text (modulo whitespace and Unicode form) = same article."""
    def norm(value: str | None) -> str:
        return " ".join(unicodedata.normalize("NFC", value or "").split())

    payload = "\x1f".join([norm(article.outlet), norm(article.title), norm(article.text)])
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Store(StoryQueries, FollowTables):
    def __init__(self, path: str | Path, *, create: bool = True) -> None:
        self._text_vector_column: bool | None = None
        self._format_column: bool | None = None
        self._vector_format: int | None = None
        self._by_triggers = False  # the story index kept by listing_v2's triggers: a store left at schema 2 or 3
        self._store_id: str | None = None
        self.path = Path(path)
        self._check_path(create)
        try:
            self.db = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False)
        except sqlite3.Error as err:  # e.g. a file we may not read
            raise StoreError(str(self.path), f"cannot open the database ({err})") from err
        try:
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA busy_timeout = 5000")
            self._check_header()
            self._claim_or_verify()
            self._check_version()  # before WAL: switching the journal mode writes to the file
            self._check_tables()
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = NORMAL")
            self.db.execute("PRAGMA foreign_keys = ON")
            if self._version() < KEPT_IN_PYTHON:
                self._legacy_triggers()
            self._migrate()
            self._by_triggers = self._version() < KEPT_IN_PYTHON  # only where MIGRATIONS is cut short (tests, benches)
        except Unsupported as exc:
            self.db.close()
            raise StoreError(str(self.path), str(exc)) from exc
        except BaseException as exc:
            # Closed at once, not at garbage collection: a refused file keeps no handle, -wal or -shm.
            self.db.close()
            if isinstance(exc, sqlite3.DatabaseError):
                raise StoreError(str(self.path), f"not a usable crosswire database ({exc})") from exc
            raise

    # -- opening -------------------------------------------------------------------------------

    def _check_path(self, create: bool) -> None:
        # Only stat() here, never open(): on POSIX, closing any descriptor of a file drops every
        # lock this process holds on it, SQLite's included. A server whose threads each opened
        # the file to read its header silently lost its locks, and a `crosswire ingest` beside it
        # then checkpointed and deleted the WAL the server was still writing to: confirmed writes
        # lost, the file corrupt (SQLite's "How To Corrupt", section 2.2). The header is read by
        # SQLite itself (``_check_header``).
        if self.path.is_dir():
            raise StoreError(str(self.path), "is a folder, not a database file")
        if not self.path.exists():
            if not create:
                raise StoreError(str(self.path), "no such database (run crosswire ingest first)")
            if not self.path.parent.exists():
                raise StoreError(str(self.path), f"folder {self.path.parent} does not exist")

    def _check_header(self) -> None:
        """Refuse a file that is not SQLite: the first read of the header says so, and writes nothing."""
        try:
            self.db.execute("PRAGMA schema_version").fetchone()
        except sqlite3.DatabaseError as err:
            if "not a database" in str(err):
                raise StoreError(str(self.path), "is not a SQLite database (or its header is damaged); "
                                                 "refusing to touch it") from err
            raise

    def _claim_or_verify(self) -> None:
        # Read and claimed in one write transaction: two processes creating the same new store
        # at once must not each see it unclaimed, or one see the other's tables as foreign.
        app_id = self.db.execute("PRAGMA application_id").fetchone()[0]
        if app_id == APPLICATION_ID:
            return
        with self.transaction():
            app_id = self.db.execute("PRAGMA application_id").fetchone()[0]
            if app_id == APPLICATION_ID:
                return
            tables = self.db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if app_id != 0 or tables:
                raise StoreError(str(self.path), "is a SQLite database of another application; refusing to touch it")
            self.db.execute(f"PRAGMA application_id = {APPLICATION_ID}")

    def _version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def _legacy_triggers(self) -> None:
        """What listing_v2's triggers need: the store is at schema 2 or 3, or will be on its way to 4."""
        # The triggers call functions this connection registers, so they must run where SQLite is
        # built to distrust functions named in a schema. Safe: both functions are pure.
        self.db.execute("PRAGMA trusted_schema = ON")
        # So that a row deleted by INSERT OR REPLACE leaves the story index too.
        self.db.execute("PRAGMA recursive_triggers = ON")
        listing_v2.register(self.db)

    def _check_version(self) -> None:
        version = self._version()
        if version > len(MIGRATIONS):
            raise StoreError(str(self.path), f"was written by a newer crosswire (schema {version}); upgrade crosswire")

    def _check_tables(self) -> None:
        """A file marked as a crosswire store at some schema must hold that schema's tables.

        Checked before anything is written (the journal mode included): a file that claims to
        be ours but is not what we made is refused untouched, not half-used.
        """
        version = self._version()
        if version == 0:
            return  # a new store (or one claimed just now): the migrations create everything
        names = {r[0] for r in self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        missing = [t for t in ("articles", "stories") if t not in names]
        if missing:
            raise StoreError(str(self.path), f"is marked as a crosswire store (schema {version}) but has no "
                                             f"{' or '.join(missing)} table; refusing to touch it")

    def _migrate(self) -> None:
        self._check_version()
        if self._version() >= len(MIGRATIONS):
            # Up to date (versions only grow): no write transaction, so a connection that only reads
            # opens at once while another process holds the writer (an ingest, a recluster).
            return
        while True:
            # The version is read again inside each write transaction: another process may be
            # migrating the same store at this moment (two ingests starting on a new file).
            with self.transaction():
                version = self._version()
                if version >= len(MIGRATIONS):
                    return
                for step in MIGRATIONS[version]:
                    if isinstance(step, str):
                        self.db.execute(step)
                    else:
                        step(self.db)
                self.db.execute(f"PRAGMA user_version = {version + 1}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- articles ------------------------------------------------------------------------------

    def find_hash(self, digest: str) -> int | None:
        row = self.db.execute("SELECT id FROM articles WHERE content_hash = ?", (digest,)).fetchone()
        return row[0] if row else None

    def hash_of(self, row_id: int) -> str | None:
        """The content hash of a stored article (None when there is no such row)."""
        row = self.db.execute("SELECT content_hash FROM articles WHERE id = ?", (row_id,)).fetchone()
        return row[0] if row else None

    def add_article(self, article: Article, story_id: int | None = None, digest: str | None = None) -> int:
        """Insert an analysed article; the caller holds the transaction. Returns its row id.

        ``digest`` is its ``content_hash`` when the caller has already computed it.
        """
        if article.vector is None or not article.sentences:
            raise CrosswireError(article.source, "article has not been analysed")
        vectors = stacked_vectors(article.sentences, article.source).astype(np.float32)
        code = self._vector_format_code() if self._has_format_column() else vector_formats.FLOAT32
        now = _now()
        analysis = {
            "lines": [[line.number, line.furniture] for line in article.lines if line.furniture],
            "sentences": [[s.line, s.text, s.language, s.furniture] for s in article.sentences],
            "language_given": article.language_given,
            "meta": article.meta,
        }
        values = {
            "ext_id": article.id, "content_hash": digest or content_hash(article), "source": article.source,
            "title": article.title, "url": article.url, "outlet": article.outlet, "author": article.author,
            "published": article.published, "language": article.language, "text": article.text,
            "analysis": json.dumps(analysis, ensure_ascii=False), "embedder": article.embedder,
            "dim": int(vectors.shape[1]), "vector": article.vector.astype(np.float32).tobytes(),
            "sentence_vectors": vector_formats.encode(vectors, code), "story_id": story_id, "ingested_at": now,
        }
        if code != vector_formats.FLOAT32:
            values["vector_format"] = code
        if article.text_vector is not None and self._has_text_vector():
            values["text_vector"] = article.text_vector.astype(np.float32).tobytes()
        cur = self.db.execute(f"INSERT INTO articles ({', '.join(values)}) VALUES ({marks(list(values))})",
                              tuple(values.values()))
        row_id = int(cur.lastrowid or 0)
        if not self._by_triggers:
            listing.add(self.db, row_id, story_id, article.language,
                        to_micros(seen(article.published, now)), article.title, article.text)
            self.db.execute("INSERT OR IGNORE INTO embedders (name) VALUES (?)", (article.embedder,))
        if self._has_names_table():
            names.index(self.db, row_id, article.meta)
        return row_id

    def _has_text_vector(self) -> bool:
        """Whether the articles table has the opening vector (schema 3). Always, once the store is
        migrated; the upgrade tests and benches build stores at older schemas on purpose."""
        if self._text_vector_column is None:
            self._text_vector_column = any(r[1] == "text_vector" for r in self.db.execute("PRAGMA table_info(articles)"))
        return self._text_vector_column

    def _has_format_column(self) -> bool:
        """Whether the articles table says each row's vector format (schema 6); older rows' are float32."""
        if self._format_column is None:
            self._format_column = any(r[1] == "vector_format" for r in self.db.execute("PRAGMA table_info(articles)"))
        return self._format_column

    def _vector_format_code(self) -> int:
        if self._vector_format is None:
            self._vector_format = vector_formats.code_of(self.vector_format())
        return self._vector_format

    def vector_format(self) -> str:
        """The format new rows' sentence vectors are written in: the store's setting, else the default."""
        row = (self.db.execute("SELECT value FROM meta WHERE key = 'vector_format'").fetchone()
               if self._has_format_column() else None)
        return str(row[0]) if row else vector_formats.DEFAULT

    def set_vector_format(self, name: str) -> None:
        """Write new rows' sentence vectors in this format from now on ("float32", "float16", "int8");
        rows already stored keep theirs until ``recode_vectors`` rewrites them."""
        vector_formats.code_of(name)  # refuses an unknown name before anything is written
        if not self._has_format_column():
            raise CrosswireError(str(self.path), "this store's schema keeps only float32 vectors")
        with self.transaction():
            self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('vector_format', ?)", (name,))
        self._vector_format = None

    def recode_vectors(self, after_id: int = 0, batch: int = 500) -> tuple[int, int | None]:
        """Rewrite the sentence vectors of up to ``batch`` rows after ``after_id`` not in the store's
        format into it, in one transaction of their own. Returns (rows rewritten, last id looked at:
        the next call's ``after_id``; None when no rows are left)."""
        code = self._vector_format_code()
        with self.transaction():
            rows = self.db.execute("SELECT id, dim, sentence_vectors, vector_format FROM articles WHERE id > ? "
                                   "ORDER BY id LIMIT ?", (after_id, batch)).fetchall()
            changed = [(vector_formats.encode(vector_formats.decode(r[2], r[1], r[3]), code), code, r[0])
                       for r in rows if r[3] != code]
            self.db.executemany("UPDATE articles SET sentence_vectors = ?, vector_format = ? WHERE id = ?", changed)
        return len(changed), (int(rows[-1][0]) if rows else None)

    def recode_all_vectors(self, progress: Callable[[int], None] | None = None) -> int:
        """``recode_vectors`` batch after batch until every row is in the store's format (each batch
        its own transaction: a stopped run is finished by calling this again); the rows rewritten.
        ``progress`` is told the running count after each batch."""
        total = 0
        after: int | None = 0
        while after is not None:
            done, after = self.recode_vectors(after)
            total += done
            if progress:
                progress(total)
        return total

    def vacuum(self) -> None:
        """Give the pages freed by ``recode_vectors`` back to the file system (rewrites the whole file)."""
        self.db.execute("VACUUM")

    def article(self, row_id: int) -> Article:
        row = self.db.execute("SELECT * FROM articles WHERE id = ?", (row_id,)).fetchone()
        if row is None:
            raise CrosswireError(f"article {row_id}", "no such article in the store")
        return _to_article(row)

    def articles(self, row_ids: list[int]) -> list[Article]:
        """The stored articles of these ids, in the order given (ids with no article left out)."""
        rows: dict[int, sqlite3.Row] = {}
        for chunk in id_chunks(list(dict.fromkeys(row_ids))):
            rows.update((r["id"], r) for r in self.db.execute(f"SELECT * FROM articles WHERE id IN ({marks(chunk)})",
                                                             chunk))
        return [_to_article(rows[i]) for i in row_ids if i in rows]

    def analyses(self, row_ids: list[int]) -> dict[int, dict[str, Any]]:
        """The stored analysis (lines, sentences, meta) of each of these articles, as JSON objects."""
        found: dict[int, dict[str, Any]] = {}
        for chunk in id_chunks(row_ids):
            for row in self.db.execute(f"SELECT id, analysis FROM articles WHERE id IN ({marks(chunk)})", chunk):
                found[row[0]] = json.loads(row[1])
        return found

    def count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM articles").fetchone()[0])

    def embedders(self) -> list[str]:
        """Every embedder with vectors in the store, the first one first (to report a mixed store)."""
        if self._by_triggers:  # a store left at an older schema has no table of them: the rows tell
            return [r[0] for r in self.db.execute("SELECT DISTINCT embedder FROM articles")]
        return [r[0] for r in self.db.execute("SELECT name FROM embedders ORDER BY rowid")]

    def embedder(self) -> str | None:
        """The embedder of the store's vectors, None when empty: every writer refuses to mix them
        (``ingest_articles``), so the first article's tells, at the cost of one row."""
        row = self.db.execute("SELECT embedder FROM articles ORDER BY id LIMIT 1").fetchone()
        return row[0] if row else None

    def dim(self) -> int | None:
        """The dimension of the store's vectors, None when empty."""
        row = self.db.execute("SELECT dim FROM articles LIMIT 1").fetchone()
        return int(row[0]) if row else None

    def iter_vectors(self, after_id: int = 0, batch: int = 10_000) -> Iterator[Vectors]:
        """(row ids, article vectors, languages) in id order, in batches: for (re)building indexes."""
        last = after_id
        while True:
            rows = self.db.execute(
                "SELECT id, vector, language FROM articles WHERE id > ? ORDER BY id LIMIT ?", (last, batch)
            ).fetchall()
            if not rows:
                return
            ids = np.array([r["id"] for r in rows], dtype=np.int64)
            vecs = np.stack([np.frombuffer(r["vector"], dtype=np.float32) for r in rows])
            yield ids, vecs, [r["language"] for r in rows]
            last = int(ids[-1])

    def vectors_of(self, row_ids: list[int], batch: int = 500) -> Iterator[Vectors]:
        """(row ids, article vectors, languages) of the given rows, in batches, as ``iter_vectors`` gives them."""
        for chunk in id_chunks(row_ids, batch):
            rows = self.db.execute(f"SELECT id, vector, language FROM articles WHERE id IN ({marks(chunk)}) ORDER BY id",
                                   chunk).fetchall()
            if rows:
                yield (np.array([r["id"] for r in rows], dtype=np.int64),
                       np.stack([np.frombuffer(r["vector"], dtype=np.float32) for r in rows]),
                       [r["language"] for r in rows])

    def ids(self) -> np.ndarray:
        """Every article's row id, in order."""
        return np.array([r[0] for r in self.db.execute("SELECT id FROM articles ORDER BY id")], dtype=np.int64)

    def data_version(self) -> int:
        """Changes when another connection commits, never for this connection's own writes (PRAGMA data_version)."""
        return int(self.db.execute("PRAGMA data_version").fetchone()[0])

    def store_id(self) -> str | None:
        """The store's own random id (made by migration 4): what caches of it are checked against."""
        if self._store_id is None and not self._by_triggers:
            row = self.db.execute("SELECT value FROM meta WHERE key = 'store_id'").fetchone()
            self._store_id = row[0] if row else None
        return self._store_id

    # -- backfills: what older crosswire versions did not store (stories/backfill.py) ----------

    def missing_text_vectors(self, embedder: str) -> list[int]:
        """The articles of this embedder stored without an opening vector, in id order."""
        return [r[0] for r in self.db.execute(
            "SELECT id FROM articles WHERE text_vector IS NULL AND embedder = ? ORDER BY id", (embedder,))]

    def fill_text_vector(self, row_id: int, vector: np.ndarray) -> None:
        """Store an article's opening vector where it is still missing (the caller holds the transaction)."""
        # Only where still missing: another writer may have filled or replaced the row meanwhile.
        self.db.execute("UPDATE articles SET text_vector = ? WHERE id = ? AND text_vector IS NULL",
                        (np.asarray(vector, dtype=np.float32).tobytes(), row_id))

    def set_meta(self, row_id: int, key: str, value: Any) -> None:
        """Keep one entry of an article's analysis ``meta`` (the caller holds the transaction)."""
        stored = self.db.execute("SELECT analysis FROM articles WHERE id = ?", (row_id,)).fetchone()
        if stored is not None:
            analysis = json.loads(stored[0])
            analysis.setdefault("meta", {})[key] = value
            self.db.execute("UPDATE articles SET analysis = ? WHERE id = ?",
                            (json.dumps(analysis, ensure_ascii=False), row_id))
            if self._has_names_table():  # a profile made later (stories/backfill.py) brings its names
                names.index(self.db, row_id, analysis["meta"])

    # -- stories (the questions about them: queries.py) -----------------------------------------

    def new_story(self, clusterer: str) -> int:
        cur = self.db.execute("INSERT INTO stories (clusterer, created_at) VALUES (?, ?)", (clusterer, _now()))
        return int(cur.lastrowid or 0)

    def set_story(self, article_id: int, story_id: int) -> None:
        """Put an article in a story (the caller holds the transaction)."""
        self.db.execute("UPDATE articles SET story_id = ? WHERE id = ?", (story_id, article_id))
        if not self._by_triggers:
            listing.move(self.db, article_id, story_id)

    def clear_stories(self) -> None:
        """Forget every story, before a regrouping (the caller holds the transaction)."""
        self.db.execute("UPDATE articles SET story_id = NULL")
        if not self._by_triggers:
            listing.clear(self.db)
        self.db.execute("DELETE FROM stories")


class DataVersion:
    """``PRAGMA data_version`` of a store on a connection of its own that never writes: it changes
    whenever any other connection (this process's or another's) commits. Any thread may ask."""

    def __init__(self, path: str | Path) -> None:
        self._db = sqlite3.connect(str(path), check_same_thread=False)
        self._lock = threading.Lock()

    def __call__(self) -> int:
        with self._lock:
            return int(self._db.execute("PRAGMA data_version").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _to_article(row: sqlite3.Row) -> Article:
    analysis = json.loads(row["analysis"])
    dim = row["dim"]
    code = row["vector_format"] if "vector_format" in row.keys() else vector_formats.FLOAT32
    vectors = vector_formats.decode(row["sentence_vectors"], dim, code)
    sentences = [
        Sentence(id=i, line=line, text=text, language=lang, furniture=furniture, vector=vectors[i])
        for i, (line, text, lang, furniture) in enumerate(analysis["sentences"])
    ]
    furniture = {number: kind for number, kind in analysis["lines"]}
    lines = [Line(n, t.strip(), furniture.get(n)) for n, t in enumerate(row["text"].split("\n"), start=1)]
    return Article(
        id=row["ext_id"], text=row["text"], source=row["source"], title=row["title"], url=row["url"],
        outlet=row["outlet"], author=row["author"], published=row["published"], language=row["language"],
        language_given=analysis.get("language_given", False), lines=lines, sentences=sentences,
        vector=np.frombuffer(row["vector"], dtype=np.float32), embedder=row["embedder"],
        text_vector=(np.frombuffer(row["text_vector"], dtype=np.float32)
                     if "text_vector" in row.keys() and row["text_vector"] is not None else None),
        meta={**analysis.get("meta", {}), "store_id": row["id"], "story_id": row["story_id"]},
    )


if TYPE_CHECKING:
    def _implements(store: Store) -> StoreProtocol:  # mypy holds Store to the interface the rest of crosswire calls
        return store
