"""The story index: what listing stories needs, kept by the store's writes in the same transaction.

``crosswire stories`` and ``GET /api/stories`` sort, filter and page the stories
in SQL over these tables, then read the articles of the stories shown, and no
others (``queries.py``):

* ``stories.size``, ``first_seen_at``, ``last_seen_at``: a story's number of
  articles and the span of the times they were seen (``times.seen``: published,
  else ingested), in microseconds since 1970 UTC; ``stories_recent`` is the
  listing order.
* ``story_members``: each article's story and time. It is narrow, so a story's
  span, and the stories of a set of articles, are found without reading the wide
  article rows (whose ``story_id`` sits past the vectors).
* ``story_languages``: the language codes of each story's articles, with counts.
* ``article_trigrams``: the text filter's index (``words.py``).

Until schema 4 triggers calling Python functions kept them (``listing_v2.py``).
Now the store's write methods call the functions here, in Python, inside their
own transaction: ``add`` (an article stored), ``move`` (an article put in
another story), ``clear`` (every story forgotten, before a regrouping). Stored
articles never change otherwise (their text, date and language are read once),
so these three are every change the index has to follow; a write made by hand,
outside the store, is not followed.
"""
from __future__ import annotations

import sqlite3

from crosswire.store import words


def add(db: sqlite3.Connection, article_id: int, story_id: int | None, language: str | None, seen_at: int,
        title: str | None, text: str | None) -> None:
    """An article was stored (``seen_at``: ``times.seen`` in microseconds)."""
    db.execute("INSERT INTO story_members (article_id, story_id, seen_at) VALUES (?, ?, ?)",
               (article_id, story_id, seen_at))
    if story_id is not None:
        _join(db, story_id, language, seen_at)
    words.index(db, article_id, title, text)


def move(db: sqlite3.Connection, article_id: int, story_id: int | None) -> None:
    """An article was put in another story (or in none)."""
    row = db.execute("SELECT m.story_id, m.seen_at, a.language FROM story_members m JOIN articles a ON a.id = m.article_id"
                     " WHERE m.article_id = ?", (article_id,)).fetchone()
    if row is None or row[0] == story_id:
        return
    old, seen_at, language = row
    db.execute("UPDATE story_members SET story_id = ? WHERE article_id = ?", (story_id, article_id))
    if old is not None:
        _leave(db, old, language)
    if story_id is not None:
        _join(db, story_id, language, seen_at)


def clear(db: sqlite3.Connection) -> None:
    """Every article was taken out of its story (the stories themselves are deleted by the caller)."""
    db.execute("UPDATE story_members SET story_id = NULL WHERE story_id IS NOT NULL")
    db.execute("DELETE FROM story_languages")


def _join(db: sqlite3.Connection, story_id: int, language: str | None, seen_at: int) -> None:
    # A span only widens when an article joins: min/max with the old span, no lookup.
    db.execute("UPDATE stories SET size = size + 1, first_seen_at = min(coalesce(first_seen_at, ?1), ?1),"
               " last_seen_at = max(coalesce(last_seen_at, ?1), ?1) WHERE id = ?2", (seen_at, story_id))
    if language is not None:
        db.execute("INSERT INTO story_languages (story_id, language, articles) VALUES (?, ?, 1)"
                   " ON CONFLICT (story_id, language) DO UPDATE SET articles = articles + 1", (story_id, language))


def _leave(db: sqlite3.Connection, story_id: int, language: str | None) -> None:
    # A span may shrink when an article leaves: recomputed from the members left (two index lookups).
    db.execute("""UPDATE stories SET size = size - 1,
                      first_seen_at = (SELECT min(seen_at) FROM story_members WHERE story_id = ?1),
                      last_seen_at = (SELECT max(seen_at) FROM story_members WHERE story_id = ?1)
                  WHERE id = ?1""", (story_id,))
    if language is not None:
        db.execute("UPDATE story_languages SET articles = articles - 1 WHERE story_id = ? AND language = ?",
                   (story_id, language))
        db.execute("DELETE FROM story_languages WHERE story_id = ? AND language = ? AND articles <= 0",
                   (story_id, language))
