"""The store's questions about stories: listing them (sorted, filtered, paged) and who is in which.

Part of ``Store`` (``sqlite.py``), kept apart as the one place the listing's SQL
is written. Listing reads the story index (``listing.py``) and, for the stories
of a page, their articles' light columns; the wide article rows are read only
where the text filter has to check words in Python.
"""
from __future__ import annotations

import sqlite3
from typing import Any, Sequence, TypeVar

from crosswire.store import names, words
from crosswire.store.base import Member, StoryFilter
from crosswire.times import from_micros, to_micros

T = TypeVar("T")

CONTAINS_ALL = "crosswire_contains_all"  # the SQL function a text filter registers to check its words in Python


def id_chunks(ids: Sequence[T], size: int = 500) -> list[list[T]]:
    """Ids (or any values) in chunks small enough for one ``IN (?, ...)``: SQLite caps the number of parameters."""
    return [list(ids[start:start + size]) for start in range(0, len(ids), size)]


def marks(ids: list[Any]) -> str:
    return ",".join("?" * len(ids))


class StoryQueries:
    db: sqlite3.Connection
    _names_table: bool | None = None

    def _has_names_table(self) -> bool:
        """Whether the store has the name index of the text filter (schema 7: ``names.py``; the upgrade
        tests and benches keep stores at older schemas on purpose)."""
        if self._names_table is None:
            self._names_table = self.db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                                                (names.TABLE,)).fetchone() is not None
        return self._names_table

    # -- who is in which story ---------------------------------------------------------------------

    def story_members(self, story_id: int) -> list[int]:
        """The story's article ids, in order."""
        return [r[0] for r in self.db.execute("SELECT id FROM articles WHERE story_id = ? ORDER BY id", (story_id,))]

    def stories_of(self, article_ids: list[int]) -> dict[int, int]:
        """The story of each of these articles that is in one."""
        found: dict[int, int] = {}
        for chunk in id_chunks(article_ids):
            found.update(self.db.execute(f"SELECT article_id, story_id FROM story_members WHERE article_id IN"
                                         f" ({marks(chunk)}) AND story_id IS NOT NULL", chunk).fetchall())
        return found

    def published_in(self, story_ids: list[int]) -> list[tuple[int, str | None]]:
        """(story id, published) of every article of these stories."""
        out: list[tuple[int, str | None]] = []
        for chunk in id_chunks(story_ids):
            out.extend(self.db.execute(f"SELECT story_id, published FROM articles WHERE story_id IN ({marks(chunk)})",
                                       chunk).fetchall())
        return out

    def story_count(self) -> int:
        """How many stories hold an article."""
        return int(self.db.execute("SELECT count(DISTINCT story_id) FROM articles").fetchone()[0])

    # -- listing ------------------------------------------------------------------------------------

    def story_languages(self) -> list[str]:
        """Every language code of an article in a story."""
        return [code for (code,) in self.db.execute("SELECT DISTINCT language FROM story_languages")]

    def story_page(self, where: StoryFilter, limit: int | None = None, offset: int = 0) -> list[int]:
        """The ids of the stories ``where`` keeps, most recently active first (then the biggest), paged."""
        found = self._where(where)
        return self._page(*found, limit, offset) if found else []

    def story_total(self, where: StoryFilter) -> int:
        """How many stories ``where`` keeps."""
        found = self._where(where)
        return self._total(*found) if found else 0

    def story_page_and_total(self, where: StoryFilter, limit: int | None = None,
                             offset: int = 0) -> tuple[list[int], int]:
        """``story_page`` and ``story_total`` with the filter made once: a search's names are looked
        up once (``names.matching``, milliseconds a word), not once for the page and again for its count."""
        found = self._where(where)
        return (self._page(*found, limit, offset), self._total(*found)) if found else ([], 0)

    def _page(self, clause: str, params: list[Any], limit: int | None, offset: int) -> list[int]:
        page = limit if limit is not None and limit > 0 else -1  # -1: no limit
        return [row[0] for row in self.db.execute(
            f"SELECT s.id FROM stories s WHERE {clause}"
            " ORDER BY s.last_seen_at DESC, s.size DESC, s.id DESC LIMIT ? OFFSET ?", [*params, page, max(offset, 0)])]

    def _total(self, clause: str, params: list[Any]) -> int:
        return int(self.db.execute(f"SELECT count(*) FROM stories s WHERE {clause}", params).fetchone()[0])

    def members_of(self, story_ids: list[int]) -> list[Member]:
        """The articles of these stories, each story's in id order."""
        out: list[Member] = []
        for chunk in id_chunks(story_ids):
            rows = self.db.execute(
                "SELECT a.id, a.ext_id, m.story_id, a.title, a.outlet, a.url, a.source, a.language, m.seen_at"
                " FROM story_members m JOIN articles a ON a.id = m.article_id"
                f" WHERE m.story_id IN ({marks(chunk)}) ORDER BY a.id", chunk)
            out.extend(Member(id=row[0], ext_id=row[1], story_id=row[2], title=row[3], outlet=row[4], url=row[5],
                              source=row[6], language=row[7], seen=from_micros(row[8])) for row in rows)
        return out

    def _where(self, where: StoryFilter) -> tuple[str, list[Any]] | None:
        """The filter as a condition on ``stories s``, or None when nothing can match."""
        clauses = ["s.last_seen_at IS NOT NULL"]  # NULL: no articles (any more)
        params: list[Any] = []
        if where.active_since:
            clauses.append("s.last_seen_at >= ?")
            params.append(to_micros(where.active_since))
        if where.begun_until:
            clauses.append("s.first_seen_at <= ?")
            params.append(to_micros(where.begun_until))
        if where.languages is not None:
            if not where.languages:
                return None
            clauses.append(f"EXISTS (SELECT 1 FROM story_languages l WHERE l.story_id = s.id"
                           f" AND l.language IN ({marks(list(where.languages))}))")
            params.extend(where.languages)
        if where.outlet:
            # As story lists name an article's source (readers/labels.source_label): its outlet, else its
            # URL's host; "lemonde.fr" is also www.lemonde.fr and any other of its hosts.
            clauses.append("EXISTS (SELECT 1 FROM story_members m JOIN articles a ON a.id = m.article_id"
                           " WHERE m.story_id = s.id AND (lower(trim(a.outlet)) = ? OR ((a.outlet IS NULL OR"
                           " trim(a.outlet) = '') AND (lower(a.url) LIKE ? OR lower(a.url) LIKE ?))))")
            host = where.outlet.removeprefix("www.")
            params.extend([where.outlet, f"%//{host}/%", f"%.{host}/%"])
        if where.words:
            clause = self._text_clause(list(where.words), params, where.names)
            if clause is None:
                return None
            clauses.append(clause)
        return " AND ".join(clauses), params

    def _text_clause(self, terms: list[str], params: list[Any], by_names: bool = True) -> str | None:
        """Stories with an article holding every word, in its text or among the names it mentions,
        in any script (``names.py``: "Kavanaugh" finds «Кавано»). The trigram index answers what it
        can, Python the rest."""
        named = {word: names.matching(self.db, word) for word in terms} if by_names and self._has_names_table() else {}
        if not any(named.values()):
            return self._substring_clause(terms, params)
        # Word by word: in the article's text, or one of its names. Params follow the text's order.
        parts, read_text = [], False
        for n, word in enumerate(terms):
            options = []
            try:
                query, rest = words.match(self.db, [word])
            except words.NoMatch:
                query, rest = None, []
            else:
                checks = []
                if query:
                    checks.append(f"m.article_id IN (SELECT rowid FROM {words.TABLE} WHERE {words.TABLE} MATCH ?)")
                    params.append(query)
                if rest:
                    self.db.create_function(f"{CONTAINS_ALL}_{n}", 2, words.contains_all(rest), deterministic=True)
                    checks.append(f"{CONTAINS_ALL}_{n}(a.title, a.text)")
                    read_text = True
                if checks:
                    options.append("(" + " AND ".join(checks) + ")")
            if named.get(word):
                keys = named[word]
                options.append(f"m.article_id IN (SELECT article_id FROM {names.TABLE} WHERE key IN ({marks(keys)}))")
                params.extend(keys)
            if not options:
                return None
            parts.append("(" + " OR ".join(options) + ")")
        join = " JOIN articles a ON a.id = m.article_id" if read_text else ""
        return f"s.id IN (SELECT m.story_id FROM story_members m{join} WHERE {' AND '.join(parts)})"

    def _substring_clause(self, terms: list[str], params: list[Any]) -> str | None:
        """Stories with an article whose text holds every word (no word is a name stored)."""
        try:
            query, rest = words.match(self.db, terms)
        except words.NoMatch:
            return None
        if rest:
            self.db.create_function(CONTAINS_ALL, 2, words.contains_all(rest), deterministic=True)
        if query and not rest:
            params.append(query)
            return (f"s.id IN (SELECT m.story_id FROM story_members m WHERE m.article_id IN"
                    f" (SELECT rowid FROM {words.TABLE} WHERE {words.TABLE} MATCH ?))")
        if query:
            params.append(query)
            return (f"s.id IN (SELECT m.story_id FROM story_members m JOIN articles a ON a.id = m.article_id"
                    f" WHERE m.article_id IN (SELECT rowid FROM {words.TABLE} WHERE {words.TABLE} MATCH ?)"
                    f" AND {CONTAINS_ALL}(a.title, a.text))")
        return (f"s.id IN (SELECT m.story_id FROM articles a JOIN story_members m ON m.article_id = a.id"
                f" WHERE {CONTAINS_ALL}(a.title, a.text))")
