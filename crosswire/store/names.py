"""The text filter's name index: the romanised keys of the names each article mentions.

A reader searching for "Kavanaugh" wants the story told only as «Кавано» or كافانو,
which no substring finds. Analysis already finds each article's people,
organisations and places and keeps them with the article, each with the key
entity linking compares across scripts: every word romanised and reduced to
its sound (``entities/romanise.py``: مارك روتي and Mark Rutte are both
"mark ruti"; ``mentions.keep_mentions``, ``profile.py``). This table holds those
keys a word at a time, so a searched word is matched against the keys stored
(``matching``), not against every article:

* a stored key is one word's sound: "ruti", "kafanu";
* a typed word is romanised as its script says (``romanise.typed_keys``) and
  compared with the stored keys that begin with the same letter
  (``romanise.sounds_like``: linking's ``same_name``, a little looser, as a
  search may show a near miss);
* the text filter keeps an article when each word is in its text or among its
  names (``queries.py``).

It is kept by ``Store.add_article`` in the article's transaction (schema 7), and
filled from the stored analyses by the migration that made it.
"""
from __future__ import annotations

import json
import sqlite3
from typing import Any

TABLE = "article_names"
VOCABULARY = "name_keys"  # each key once: what a typed word is compared with (a few per cent of the rows above)
SCHEMA = [f"CREATE TABLE {TABLE} (key TEXT NOT NULL, article_id INTEGER NOT NULL,"
          f" PRIMARY KEY (key, article_id)) WITHOUT ROWID",
          f"CREATE TABLE {VOCABULARY} (key TEXT PRIMARY KEY) WITHOUT ROWID"]
PREFILTER = 55  # rapidfuzz ratio under which no stored key is tested (see matching)
SHORTEST = 3  # a typed key of fewer sounds ("uk", "a") would stand for too many names: spelling only
MAX_STORED = 200  # distinct name words kept per article: a long list article's names, not its every cue


def keys_of(meta: dict[str, Any]) -> list[str]:
    """The name words an article's analysis kept (its mentions and its profile's names), each once."""
    found: dict[str, None] = {}
    kept = meta.get("mentions")
    if isinstance(kept, dict):
        for item in kept.get("items", []):
            if isinstance(item, list) and len(item) > 5 and isinstance(item[5], str):
                found.update(dict.fromkeys(item[5].split()))
    profile = meta.get("profile")
    if isinstance(profile, dict) and isinstance(profile.get("names"), dict):
        for name in profile["names"]:
            found.update(dict.fromkeys(str(name).split()))
    return [k for k in found if k][:MAX_STORED]


def index(db: sqlite3.Connection, article_id: int, meta: dict[str, Any]) -> None:
    """Add an article's name keys (the caller holds the transaction)."""
    keys = keys_of(meta)
    db.executemany(f"INSERT OR IGNORE INTO {TABLE} (key, article_id) VALUES (?, ?)", ((key, article_id) for key in keys))
    db.executemany(f"INSERT OR IGNORE INTO {VOCABULARY} (key) VALUES (?)", ((key,) for key in keys))


def fill(db: sqlite3.Connection) -> None:
    """Migration 7, after SCHEMA: the keys of every stored article, read from its stored analysis."""
    last = 0
    while True:
        rows = db.execute("SELECT id, analysis FROM articles WHERE id > ? ORDER BY id LIMIT 2000", (last,)).fetchall()
        if not rows:
            return
        for row_id, analysis in rows:
            try:
                meta = json.loads(analysis).get("meta") or {}
            except (ValueError, AttributeError):
                meta = {}
            index(db, row_id, meta if isinstance(meta, dict) else {})
        last = rows[-1][0]


def matching(db: sqlite3.Connection, word: str) -> list[str]:
    """The stored name keys a typed word may stand for, in any script (none: no name sounds like it)."""
    from rapidfuzz import fuzz, process

    from crosswire.entities.romanise import sounds_like, typed_keys  # uroman loads on first use

    out: dict[str, None] = {}
    for typed in typed_keys(word):
        if len(typed) < SHORTEST:
            continue
        first = typed[:1]  # both ways of sounds_like keep the first sound
        stored = [key for (key,) in db.execute(f"SELECT key FROM {VOCABULARY} WHERE key >= ? AND key < ?",
                                               (first, first + "\U0010ffff"))]
        # One pass in C keeps the keys near enough to be worth the exact test (a few in thousands):
        # every pair sounds_like accepts has a ratio well above PREFILTER (the lowest: the same
        # consonants under other vowels, "trumb" and "tiuriumbiu", 67).
        near = process.extract(typed, stored, scorer=fuzz.ratio, score_cutoff=PREFILTER, limit=None)
        out.update(dict.fromkeys(key for key, _, _ in near if sounds_like(typed, key)))
    return list(out)
