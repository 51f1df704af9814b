"""The store's schema, as numbered migrations: each runs in one transaction, tracked in ``PRAGMA user_version``.

A migration is a list of steps, each an SQL statement or a function of the
connection (for what SQL alone cannot compute). A migration, once released,
never changes: stores that ran it keep what it made, and the next migration
starts from there.
"""
from __future__ import annotations

import sqlite3
from typing import Callable, Union

from crosswire.store import following, listing_v2, names, words

Step = Union[str, Callable[[sqlite3.Connection], None]]

KEPT_IN_PYTHON = 4  # from this schema on, the store's writes keep the story index (before: listing_v2's triggers)


class Unsupported(Exception):
    """This SQLite lacks something the store needs (the message says what)."""


def _one_schema(db: sqlite3.Connection) -> None:
    """4: the same story index on every SQLite, kept by the store's writes; the embedders and the store's id kept.

    Stores at schema 2 and 3 come in two variants (``listing_v2``): with a trigram
    index of the texts or, where the host's SQLite had no trigram tokenizer,
    without. Both become the one schema: the triggers go (the store's writes keep
    the tables they kept, which are right as they are), the trigram index, if any,
    is replaced by the one every SQLite can build (``words.py``), filled in one
    pass over the articles, which also names the embedders of the stored vectors.
    """
    if not words.fts5_available():
        raise Unsupported(f"this Python's SQLite ({sqlite3.sqlite_version}) has no FTS5, which the store's "
                          "text index needs")
    for trigger in listing_v2.TRIGGER_NAMES:
        db.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    db.execute("DROP TABLE IF EXISTS article_words")
    for statement in words.SCHEMA:
        db.execute(statement)
    # Every embedder with vectors in the store, in the order they first came: rowid order.
    db.execute("CREATE TABLE embedders (name TEXT NOT NULL UNIQUE)")
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID")
    # A random id: what the nearest-neighbour index file beside the store is checked against.
    db.execute("INSERT INTO meta (key, value) VALUES ('store_id', lower(hex(randomblob(16))))")
    found: dict[str, None] = {}
    last = 0
    while True:
        rows = db.execute("SELECT id, title, text, embedder FROM articles WHERE id > ? ORDER BY id LIMIT 1000",
                          (last,)).fetchall()
        if not rows:
            break
        words.fill(db, [(row[0], row[1], row[2]) for row in rows])
        found.update(dict.fromkeys(row[3] for row in rows))
        last = rows[-1][0]
    db.executemany("INSERT INTO embedders (name) VALUES (?)", [(name,) for name in found])


MIGRATIONS: list[list[Step]] = [
    [  # 1: articles and stories
        """CREATE TABLE stories (
            id INTEGER PRIMARY KEY,
            clusterer TEXT NOT NULL,
            created_at TEXT NOT NULL
        )""",
        """CREATE TABLE articles (
            id INTEGER PRIMARY KEY,
            ext_id TEXT NOT NULL,
            content_hash TEXT NOT NULL UNIQUE,
            source TEXT, title TEXT, url TEXT, outlet TEXT, author TEXT,
            published TEXT,
            language TEXT,
            text TEXT NOT NULL,
            analysis TEXT NOT NULL,
            embedder TEXT NOT NULL,
            dim INTEGER NOT NULL,
            vector BLOB NOT NULL,
            sentence_vectors BLOB NOT NULL,
            story_id INTEGER REFERENCES stories(id),
            ingested_at TEXT NOT NULL
        )""",
        "CREATE INDEX articles_story ON articles(story_id)",
        "CREATE INDEX articles_published ON articles(published)",
        "CREATE INDEX articles_language ON articles(language)",
    ],
    [*listing_v2.migration()],  # 2: what listing stories needs, kept by triggers (listing_v2.py, as it was)
    [  # 3: the opening of each article embedded as one input (stages/embed.py); NULL for older rows
        "ALTER TABLE articles ADD COLUMN text_vector BLOB",
    ],
    [_one_schema],  # 4: one schema on every SQLite, the index kept by the store's writes (listing.py)
    [*following.SCHEMA],  # 5: sources followed, entries taken, watch-lists, alerts, webhook deliveries
    [  # 6: the format of each row's sentence vectors (vectors.py); every row before it is float32 (0), not rewritten
        "ALTER TABLE articles ADD COLUMN vector_format INTEGER NOT NULL DEFAULT 0",
    ],
    [*names.SCHEMA, names.fill],  # 7: the romanised keys of the names each article mentions (names.py)
]
