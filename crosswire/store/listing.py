"""The story index: what listing stories needs, kept by the store in the same transaction as each write.

``crosswire stories`` and ``GET /api/stories`` sort, filter and page the stories
in SQL over these tables, then read the articles of the stories shown, and no
others (``storyview.list_stories``):

* ``stories.size``, ``first_seen_at``, ``last_seen_at``: a story's number of
  articles and the span of the times they were seen (``times.seen``: published,
  else ingested), in microseconds since 1970 UTC; ``stories_recent`` is the
  listing order.
* ``story_members``: each article's story and time. It is narrow, so a story's
  span, and the stories of a set of articles, are found without reading the wide
  article rows (whose ``story_id`` sits past the vectors).
* ``story_languages``: the language codes of each story's articles, with counts.
* ``article_words``: a full-text index (FTS5, trigram tokenizer, no copy of the
  text) of each article's casefolded title and text, for the text filter, where
  this SQLite has the trigram tokenizer (3.34 and later).

Triggers on ``articles`` keep them, so every write, whichever path makes it
(``add_article``, ``set_story``, ``recluster``'s bulk UPDATE, an UPDATE by hand),
updates them in its own transaction. The triggers call two Python functions
that every ``Store`` connection registers (``register``): another program that
writes to ``articles`` without them gets an error instead of a stale index.
Changing what either function returns needs a migration that recomputes them.
"""
from __future__ import annotations

import sqlite3
from functools import lru_cache

from crosswire.times import seen, to_micros

SEEN_AT = "crosswire_seen_at"          # (published, ingested_at) -> microseconds
SEARCHABLE = "crosswire_searchable"    # (title, text) -> the text the words index and the text filter read
TRIGRAM = "tokenize='trigram case_sensitive 1'"  # the text is casefolded by Python first, in every script
SHORT_TERMS = 400  # indexed trigrams a word of 1 or 2 characters may stand for; past that it is checked in Python


def seen_at(published: object, ingested_at: object) -> int:
    return to_micros(seen(_text(published), _text(ingested_at)))


def searchable(title: str | None, text: str | None) -> str:
    """Title and text casefolded, as the text filter compares them.

    Two newlines close it, so every word of one or two characters (words never
    hold whitespace) begins some trigram of the index: the words index answers
    short words too.
    """
    return f"{title or ''}\n{text or ''}".casefold() + "\n\n"


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


def has_words(db: sqlite3.Connection) -> bool:
    return db.execute("SELECT 1 FROM sqlite_master WHERE name = 'article_words'").fetchone() is not None


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


def migration() -> list[str]:
    """Create the index and fill it from the stored articles (migration 2)."""
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
        *(_WORDS if trigram_available() else []),
    ]


# -- the text filter ---------------------------------------------------------------------------

class NoMatch(Exception):
    """A word no stored article holds: the text filter matches nothing."""


def words_match(db: sqlite3.Connection, words: list[str]) -> tuple[str | None, list[str]]:
    """An FTS5 query for ``article_words`` and the words left to check in Python.

    The query matches exactly the articles whose ``searchable`` text holds every
    word it covers (the text is casefolded and so are the words): a word of 3
    characters or more is a phrase of its trigrams, which is a substring test;
    a word of 1 or 2 characters is any indexed trigram that begins with it (the
    index's vocabulary names them), unless there are more than SHORT_TERMS of
    them. Raises NoMatch when a short word begins no trigram at all.
    """
    parts, rest = [], []
    for word in dict.fromkeys(words):
        if len(word) >= 3:
            parts.append(_quote(word))
            continue
        db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.article_terms USING fts5vocab(main, article_words, row)")
        top = word + "\U0010ffff" * (3 - len(word))  # the highest code point: above every trigram that begins with word
        terms = [row[0] for row in db.execute("SELECT term FROM temp.article_terms WHERE term >= ? AND term <= ? "
                                              "LIMIT ?", (word, top, SHORT_TERMS + 1))]
        if not terms:
            raise NoMatch(word)
        if len(terms) > SHORT_TERMS:
            rest.append(word)
        else:
            parts.append("(" + " OR ".join(map(_quote, terms)) + ")")
    return (" AND ".join(parts) or None), rest


def _quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'
