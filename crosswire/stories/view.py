"""Read the stories of a store: list them (with filters) and open one as a comparison.

This is the library side of ``crosswire stories`` and ``crosswire story``; the
CLI only parses options and prints what these functions return.

A story's time span comes from its articles' ``published`` dates, or from when
they were ingested when an article has no (readable) date. Its headline is
chosen for the reader: the title, else the first story sentence, of one of its
articles in the reader's language when it has one, else of its earliest article,
and the headline's language is given with it.

Listing sorts, filters and pages the stories in SQL over the store's story index
(``storyindex.py``) and reads the articles of the stories it returns, no others.
"""
from __future__ import annotations

import hashlib
import json
import re
import textwrap
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from typing import Any

from crosswire.errors import CrosswireError
from crosswire.language_codes import language_key
from crosswire.matching.compare import CompareOptions, compare_articles
from crosswire.matching.comparison import Comparison
from crosswire.readers.jsonl import REQUEST_BODY
from crosswire.render.text import clean_for_terminal
from crosswire.store.listing import NoMatch, has_words, searchable, words_match
from crosswire.store.sqlite import Store, id_chunks
from crosswire.times import from_micros, parse_time, to_micros


@dataclass
class StorySummary:
    id: int
    headline: str
    headline_language: str | None
    languages: list[str]                 # sorted, distinct
    sources: list[str]                   # who published each article: see source_label
    first_seen: str                      # ISO 8601, UTC
    last_seen: str
    size: int                            # number of articles
    article_ids: list[dict[str, Any]] = field(default_factory=list)  # {"id": store row id, "ext_id", "language"}

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "headline": self.headline, "headline_language": self.headline_language,
            "languages": self.languages, "sources": self.sources, "first_seen": self.first_seen,
            "last_seen": self.last_seen, "size": self.size, "article_ids": self.article_ids,
        }


@dataclass
class _Member:
    id: int
    ext_id: str
    title: str | None
    language: str | None
    source: str
    when: datetime


def parse_when(value: str | date | datetime | None, *, end: bool = False) -> datetime | None:
    """A date or date-time as an aware UTC datetime; a bare date means its start (or its end)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if isinstance(value, date):
        return datetime.combine(value, time.max if end else time.min, tzinfo=timezone.utc)
    text = str(value).strip()
    if len(text) == 10:  # YYYY-MM-DD
        try:
            return parse_when(date.fromisoformat(text), end=end)
        except ValueError:
            pass
    stamp = parse_time(text)
    if stamp is None:
        raise CrosswireError(text, "not an ISO date or date-time (e.g. 2025-03-10 or 2025-03-10T14:00Z)")
    return stamp


def _iso(stamp: datetime) -> str:
    return stamp.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _contains_all(words: list[str]):
    def match(title: str | None, text: str | None) -> int:
        haystack = searchable(title, text)
        return int(all(word in haystack for word in words))
    return match


_URL_HOST = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//(?:[^/?#@\s]*@)?([^/?#:@\s\[\]]+)", re.IGNORECASE)
_LINE_OR_ENTRY = re.compile(r"(?::\d+|#\d+)$")  # "a.jsonl:3" (a JSON Lines line), "feed.xml#2" (a feed entry)


def source_label(outlet: str | None, url: str | None, source: str | None, ext_id: str) -> str:
    """How a story names where one of its articles comes from.

    The outlet when known; else the host of the article's URL ("www.lemonde.fr"
    -> "lemonde.fr"); else the name of the file it was read from (not the whole
    path, nor the line of a JSON Lines file); else the article's own id. An
    article sent to the server has no file: its source is how the request body
    was named in messages ("body", "body:3"), which tells a reader nothing.
    The page's ``outletOf`` (static/app.js) names an article the same way.
    """
    if outlet and outlet.strip():
        return outlet.strip()
    host = _URL_HOST.match(url.strip()) if url else None
    if host:
        name = host.group(1).lower().rstrip(".")
        return name[4:] if name.startswith("www.") and len(name) > 4 else name
    if source and _LINE_OR_ENTRY.sub("", source) != REQUEST_BODY:
        name = _LINE_OR_ENTRY.sub("", re.split(r"[\\/]", source.rstrip("\\/"))[-1])
        if name:
            return name
    return ext_id


def list_stories(store: Store, *, language: str | None = None, since: str | date | datetime | None = None,
                 until: str | date | datetime | None = None, text: str | None = None,
                 reader_lang: str | None = None, limit: int | None = None, offset: int = 0) -> list[StorySummary]:
    """The stories of the store, most recently active first (then the biggest).

    ``language``: only stories with an article in that language. ``text``: only
    stories with an article whose title or text contains every word of it, in
    any case. ``since``/``until``: only stories active on or after ``since``
    (last seen) and begun on or before ``until`` (first seen). ``limit`` and
    ``offset`` page the list; only the articles of the stories on the page are read.
    """
    where = _where(store, language, since, until, text)
    if where is None:
        return []
    clause, params = where
    page = limit if limit is not None and limit > 0 else -1  # -1: no limit
    chosen = [row[0] for row in store.db.execute(
        f"SELECT s.id FROM stories s WHERE {clause}"
        " ORDER BY s.last_seen_at DESC, s.size DESC, s.id DESC LIMIT ? OFFSET ?", [*params, page, max(offset, 0)])]
    members = _members(store, chosen)
    heads = _headlines(store, [(sid, _headline_member(members[sid], reader_lang)) for sid in chosen])
    return [_summary(sid, members[sid], *heads[sid]) for sid in chosen]


def count_stories(store: Store, *, language: str | None = None, since: str | date | datetime | None = None,
                  until: str | date | datetime | None = None, text: str | None = None) -> int:
    """How many stories ``list_stories`` gives with these filters and no limit."""
    where = _where(store, language, since, until, text)
    if where is None:
        return 0
    clause, params = where
    return int(store.db.execute(f"SELECT count(*) FROM stories s WHERE {clause}", params).fetchone()[0])


def _where(store: Store, language: str | None, since: str | date | datetime | None,
           until: str | date | datetime | None, text: str | None) -> tuple[str, list[Any]] | None:
    """The filters as a condition on ``stories s`` (over the story index), or None when nothing can match."""
    start, stop = parse_when(since), parse_when(until, end=True)
    clauses, params = ["s.last_seen_at IS NOT NULL"], []  # NULL: no articles (any more)
    if start:
        clauses.append("s.last_seen_at >= ?")
        params.append(to_micros(start))
    if stop:
        clauses.append("s.first_seen_at <= ?")
        params.append(to_micros(stop))
    wanted = language_key(language) if language else None
    if wanted:
        codes = [code for (code,) in store.db.execute("SELECT DISTINCT language FROM story_languages")
                 if language_key(code) == wanted]
        if not codes:
            return None
        clauses.append("EXISTS (SELECT 1 FROM story_languages l WHERE l.story_id = s.id"
                       f" AND l.language IN ({','.join('?' * len(codes))}))")
        params.extend(codes)
    words = (text or "").casefold().split()
    if words:
        clause = _text_clause(store, words, params)
        if clause is None:
            return None
        clauses.append(clause)
    return " AND ".join(clauses), params


def _text_clause(store: Store, words: list[str], params: list[Any]) -> str | None:
    """Stories with an article holding every word: the words index answers what it can, Python the rest."""
    query, rest = None, words
    if has_words(store.db):
        try:
            query, rest = words_match(store.db, words)
        except NoMatch:
            return None
    if rest:
        # Case-insensitive in every script: SQL LIKE only folds ASCII.
        store.db.create_function("crosswire_contains_all", 2, _contains_all(rest), deterministic=True)
    if query and not rest:
        params.append(query)
        return ("s.id IN (SELECT m.story_id FROM story_members m WHERE m.article_id IN"
                " (SELECT rowid FROM article_words WHERE article_words MATCH ?))")
    if query:
        params.append(query)
        return ("s.id IN (SELECT m.story_id FROM story_members m JOIN articles a ON a.id = m.article_id"
                " WHERE m.article_id IN (SELECT rowid FROM article_words WHERE article_words MATCH ?)"
                " AND crosswire_contains_all(a.title, a.text))")
    return ("s.id IN (SELECT m.story_id FROM articles a JOIN story_members m ON m.article_id = a.id"
            " WHERE crosswire_contains_all(a.title, a.text))")


def _members(store: Store, story_ids: list[int]) -> dict[int, list[_Member]]:
    """The articles of these stories, in id order."""
    members: dict[int, list[_Member]] = defaultdict(list)
    for chunk in id_chunks(story_ids):
        rows = store.db.execute(
            "SELECT a.id, a.ext_id, m.story_id, a.title, a.outlet, a.url, a.source, a.language, m.seen_at"
            " FROM story_members m JOIN articles a ON a.id = m.article_id"
            f" WHERE m.story_id IN ({','.join('?' * len(chunk))}) ORDER BY a.id", chunk)
        for row in rows:
            members[row["story_id"]].append(_Member(row["id"], row["ext_id"], row["title"], row["language"],
                                                    source_label(row["outlet"], row["url"], row["source"],
                                                                 row["ext_id"]),
                                                    from_micros(row["seen_at"])))
    return members


def _headline_member(group: list[_Member], reader_lang: str | None) -> _Member:
    by_time = sorted(group, key=lambda m: (m.when, m.id))
    if reader_lang:
        key = language_key(reader_lang)
        readable = [m for m in by_time if language_key(m.language) == key]
        if readable:
            return readable[0]
    return by_time[0]


def _headlines(store: Store, picks: list[tuple[int, _Member]]) -> dict[int, tuple[str, str | None]]:
    """Story id -> (headline, its language): the member's title, else its first story sentence."""
    need = [m.id for _, m in picks if not m.title]
    first_sentence: dict[int, str] = {}
    for chunk in id_chunks(need):
        marks = ",".join("?" * len(chunk))
        for row in store.db.execute(f"SELECT id, analysis FROM articles WHERE id IN ({marks})", chunk):
            sentences = json.loads(row["analysis"]).get("sentences", [])
            story = [s for s in sentences if s[3] is None] or sentences
            first_sentence[row["id"]] = story[0][1] if story else ""
    return {sid: (m.title or first_sentence.get(m.id, ""), m.language) for sid, m in picks}


def _summary(story_id: int, group: list[_Member], headline: str, headline_language: str | None) -> StorySummary:
    by_time = sorted(group, key=lambda m: (m.when, m.id))
    sources = list(dict.fromkeys(m.source for m in by_time if m.source))
    return StorySummary(
        id=story_id, headline=headline, headline_language=headline_language,
        languages=sorted({m.language for m in group if m.language}), sources=sources,
        first_seen=_iso(by_time[0].when), last_seen=_iso(max(m.when for m in group)), size=len(group),
        article_ids=[{"id": m.id, "ext_id": m.ext_id, "language": m.language} for m in sorted(group, key=lambda m: m.id)],
    )


def story_members_key(store: Store, story_id: int) -> str:
    """Which articles a story holds, as one short string: what a cached report of it depends on.

    Stored articles never change, so a story's report changes only when an article joins or
    leaves it. Keying a cache on this, not on the store's version, keeps every other story's
    report while writes go on (a store version moves with every commit, anyone's).
    """
    row = store.db.execute("SELECT count(*), group_concat(article_id) FROM (SELECT article_id FROM story_members"
                           " WHERE story_id = ? ORDER BY article_id)", (story_id,)).fetchone()
    return f"{row[0]}:{hashlib.blake2b((row[1] or '').encode(), digest_size=12).hexdigest()}"


def story_comparison(store: Store, story_id: int, options: CompareOptions = CompareOptions()) -> Comparison:
    """Every pair of the story's articles compared, as ``crosswire compare`` would show them."""
    articles = store.articles(store.story_members(story_id))
    if not articles:
        raise CrosswireError(f"story {story_id}", f"no such story in {store.path}")
    # Ids name articles within a comparison; two stored files can share a name (two "index.html").
    taken: dict[str, int] = defaultdict(int)
    for article in articles:
        taken[article.id] += 1
    for article in articles:
        if taken[article.id] > 1:
            article.id = f"{article.id}#{article.meta['store_id']}"
    return compare_articles(articles, options)


def render_stories(stories: list[StorySummary], fmt: str = "terminal", *, width: int = 100) -> str:
    """The listing as JSON (a list of objects) or as short blocks for a terminal."""
    if fmt == "json":
        return json.dumps([s.to_dict() for s in stories], ensure_ascii=False, indent=2) + "\n"
    if fmt != "terminal":
        raise CrosswireError("format", f"unknown format {fmt!r}; choose terminal or json")
    if not stories:
        return "No stories.\n"
    out = []
    for s in stories:
        span = s.first_seen[:10] if s.first_seen[:10] == s.last_seen[:10] else f"{s.first_seen[:10]} – {s.last_seen[:10]}"
        noun = "article" if s.size == 1 else "articles"
        top = f"story {s.id} · {s.size} {noun} · {span} · {', '.join(s.languages) or '?'}"
        out.append(textwrap.shorten(clean_for_terminal(top), width=max(20, width), placeholder=" …"))
        head = f"{s.headline} ({s.headline_language})" if s.headline_language else s.headline
        for line in (head, "from " + ", ".join(s.sources)):
            # Headlines and sources are article text: cleaned before shortening, so no control
            # sequence reaches the terminal, cut in half or whole.
            out.append("    " + textwrap.shorten(clean_for_terminal(line), width=max(20, width - 4), placeholder=" …"))
        out.append("")
    return "\n".join(out)
