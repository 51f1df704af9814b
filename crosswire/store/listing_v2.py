"""Migration 2 as it was: the story index kept by triggers that call Python functions.

Stores at schema 2 and 3 keep their story index this way: triggers on
``articles`` update ``stories.size``/``first_seen_at``/``last_seen_at``,
``story_members`` and ``story_languages`` within each write, and, where the
host's SQLite had FTS5's trigram tokenizer (3.34 and later), ``article_words``,
a full-text index of each article's casefolded title and text. So one schema
number stood for two schemas, and the triggers needed two Python functions that
each connection registered (``register``): another program writing to
``articles`` got an error.

Migration 4 (``listing.py``) drops the triggers and ``article_words``: since then
the store's own write methods keep the index, and the text index is the same on
every SQLite (``words.py``). This module stays only to upgrade older stores: a
store at schema 1 is migrated through 2 as it was, then 4; and the tests build
stores at schema 3, in both variants, to upgrade them. Never change it.
"""
from __future__ import annotations

import sqlite3
from functools import lru_cache

from crosswire.store.words import searchable
from crosswire.times import seen, to_micros

SEEN_AT = "crosswire_seen_at"          # (published, ingested_at) -> microseconds
SEARCHABLE = "crosswire_searchable"    # (title, text) -> the text the words index and the text filter read
TRIGRAM = "tokenize='trigram case_sensitive 1'"  # the text is casefolded by Python first, in every script


def seen_at(published: object, ingested_at: object) -> int:
    return to_micros(seen(_text(published), _text(ingested_at)))


def _text(value: object) -> str | None:
    return value if value is None or isinstance(value, str) else str(value)


def register(db: sqlite3.Connection) -> None:
    """The functions the index's triggers call: needed on every connection that writes articles."""
    db.create_function(SEEN_AT, 2, seen_at, deterministic=True)
    db.create_function(SEARCHABLE, 2, searchable, deterministic=True)


@lru_cache(maxsize=1)
def trigram_available() -> bool:
    db = sqlite3.connect(":memory:")
    try:
        db.execute(f"CREATE VIRTUAL TABLE probe USING fts5(body, {TRIGRAM})")
        return True
    except sqlite3.Error:
        return False
    finally:
        db.close()


# -- schema ------------------------------------------------------------------------------------

def _span(story: str) -> str:
    return f"""UPDATE stories SET first_seen_at = (SELECT min(seen_at) FROM story_members WHERE story_id = {story}),
                                  last_seen_at = (SELECT max(seen_at) FROM story_members WHERE story_id = {story})
               WHERE id = {story};"""


def _language_in(story: str, language: str) -> str:
    return f"""INSERT INTO story_languages (story_id, language, articles)
                   SELECT {story}, {language}, 1 WHERE {story} IS NOT NULL AND {language} IS NOT NULL
                   ON CONFLICT (story_id, language) DO UPDATE SET articles = articles + 1;"""


def _language_out(story: str, language: str) -> str:
    return f"""UPDATE story_languages SET articles = articles - 1 WHERE story_id = {story} AND language = {language};
               DELETE FROM story_languages WHERE story_id = {story} AND language = {language} AND articles <= 0;"""


# Each trigger leaves the tables right whichever order SQLite fires them in when
# one UPDATE changes several columns: spans are recomputed (two index lookups),
# never adjusted.
_TRIGGERS = [
    f"""CREATE TRIGGER story_index_insert AFTER INSERT ON articles BEGIN
        INSERT INTO story_members (article_id, story_id, seen_at)
            VALUES (NEW.id, NEW.story_id, {SEEN_AT}(NEW.published, NEW.ingested_at));
        UPDATE stories SET size = size + 1 WHERE id = NEW.story_id;
        {_language_in("NEW.story_id", "NEW.language")}
        {_span("NEW.story_id")}
    END""",
    f"""CREATE TRIGGER story_index_delete AFTER DELETE ON articles BEGIN
        DELETE FROM story_members WHERE article_id = OLD.id;
        UPDATE stories SET size = size - 1 WHERE id = OLD.story_id;
        {_language_out("OLD.story_id", "OLD.language")}
        {_span("OLD.story_id")}
    END""",
    f"""CREATE TRIGGER story_index_story AFTER UPDATE OF story_id ON articles
        WHEN OLD.story_id IS NOT NEW.story_id BEGIN
        UPDATE story_members SET story_id = NEW.story_id WHERE article_id = NEW.id;
        UPDATE stories SET size = size - 1 WHERE id = OLD.story_id;
        UPDATE stories SET size = size + 1 WHERE id = NEW.story_id;
        {_language_out("OLD.story_id", "OLD.language")}
        {_language_in("NEW.story_id", "NEW.language")}
        {_span("OLD.story_id")}
        {_span("NEW.story_id")}
    END""",
    f"""CREATE TRIGGER story_index_language AFTER UPDATE OF language ON articles
        WHEN OLD.language IS NOT NEW.language AND OLD.story_id IS NEW.story_id BEGIN
        {_language_out("NEW.story_id", "OLD.language")}
        {_language_in("NEW.story_id", "NEW.language")}
    END""",
    f"""CREATE TRIGGER story_index_seen AFTER UPDATE OF published, ingested_at ON articles BEGIN
        UPDATE story_members SET seen_at = {SEEN_AT}(NEW.published, NEW.ingested_at) WHERE article_id = NEW.id;
        {_span("NEW.story_id")}
    END""",
]

_WORDS = [
    f"CREATE VIRTUAL TABLE article_words USING fts5(body, content='', columnsize=0, {TRIGRAM})",
    f"INSERT INTO article_words (rowid, body) SELECT id, {SEARCHABLE}(title, text) FROM articles",
    f"""CREATE TRIGGER article_words_insert AFTER INSERT ON articles BEGIN
        INSERT INTO article_words (rowid, body) VALUES (NEW.id, {SEARCHABLE}(NEW.title, NEW.text));
    END""",
    f"""CREATE TRIGGER article_words_delete AFTER DELETE ON articles BEGIN
        INSERT INTO article_words (article_words, rowid, body)
            VALUES ('delete', OLD.id, {SEARCHABLE}(OLD.title, OLD.text));
    END""",
    f"""CREATE TRIGGER article_words_update AFTER UPDATE OF title, text ON articles BEGIN
        INSERT INTO article_words (article_words, rowid, body)
            VALUES ('delete', OLD.id, {SEARCHABLE}(OLD.title, OLD.text));
        INSERT INTO article_words (rowid, body) VALUES (NEW.id, {SEARCHABLE}(NEW.title, NEW.text));
    END""",
]


TRIGGER_NAMES = ("story_index_insert", "story_index_delete", "story_index_story", "story_index_language",
                 "story_index_seen", "article_words_insert", "article_words_delete", "article_words_update")


def migration(trigrams: bool | None = None) -> list[str]:
    """Create the index and fill it from the stored articles (migration 2, as it was).

    ``trigrams``: whether to build the words index; by default, where this SQLite
    can (the tests build both variants).
    """
    if trigrams is None:
        trigrams = trigram_available()
    return [
        "ALTER TABLE stories ADD COLUMN size INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE stories ADD COLUMN first_seen_at INTEGER",
        "ALTER TABLE stories ADD COLUMN last_seen_at INTEGER",
        """CREATE TABLE story_members (
            article_id INTEGER PRIMARY KEY,
            story_id INTEGER,
            seen_at INTEGER NOT NULL
        )""",
        """CREATE TABLE story_languages (
            story_id INTEGER NOT NULL,
            language TEXT NOT NULL,
            articles INTEGER NOT NULL,
            PRIMARY KEY (story_id, language)
        ) WITHOUT ROWID""",
        # The one pass over the wide article rows; the rest reads story_members.
        f"""INSERT INTO story_members (article_id, story_id, seen_at)
            SELECT id, story_id, {SEEN_AT}(published, ingested_at) FROM articles""",
        "CREATE INDEX story_members_story ON story_members(story_id, seen_at)",
        """INSERT INTO story_languages (story_id, language, articles)
            SELECT m.story_id, a.language, count(*) FROM story_members m JOIN articles a ON a.id = m.article_id
            WHERE m.story_id IS NOT NULL AND a.language IS NOT NULL GROUP BY m.story_id, a.language""",
        """UPDATE stories SET (size, first_seen_at, last_seen_at) =
            (SELECT count(*), min(seen_at), max(seen_at) FROM story_members WHERE story_id = stories.id)""",
        "CREATE INDEX story_languages_language ON story_languages(language, story_id)",
        "CREATE INDEX stories_recent ON stories(last_seen_at, size)",
        *_TRIGGERS,
        *(_WORDS if trigrams else []),
    ]
