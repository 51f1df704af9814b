"""Read the stories of a store: list them (with filters) and open one as a comparison.

This is the library side of ``crosswire stories`` and ``crosswire story``; the
CLI only parses options and prints what these functions return.

A story's time span comes from its articles' ``published`` dates, or from when
they were ingested when an article has no (readable) date. Its headline is
chosen for the reader: the title, else the first story sentence, of one of its
articles in the reader's language when it has one, else of its earliest article,
and the headline's language is given with it.

Listing has the store sort, filter and page the stories over its story index
(``store/listing.py``, ``store/queries.py``) and reads the articles of the
stories it returns, no others.
"""
from __future__ import annotations

import hashlib
import json
import textwrap
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from typing import Any

from crosswire.errors import CrosswireError
from crosswire.language_codes import language_key
from crosswire.matching.compare import CompareOptions, compare_articles
from crosswire.matching.comparison import Comparison
from crosswire.readers.labels import source_label
from crosswire.render.tables import csv_text, jsonl_text
from crosswire.render.text import clean_for_terminal
from crosswire.store.base import StoreProtocol, StoryFilter
from crosswire.times import parse_time


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




def list_stories(store: StoreProtocol, *, language: str | None = None, since: str | date | datetime | None = None,
                 until: str | date | datetime | None = None, text: str | None = None,
                 reader_lang: str | None = None, limit: int | None = None, offset: int = 0,
                 across_scripts: bool = True, outlet: str | None = None) -> list[StorySummary]:
    """The stories of the store, most recently active first (then the biggest).

    ``language``: only stories with an article in that language. ``text``: only
    stories with an article whose title or text contains every word of it, in
    any case, or (``across_scripts``) names it in any script: "Kavanaugh" finds
    an article that names «Кавано» (``store/names.py``). ``outlet``: only stories
    with an article from that outlet (its name, or its site: "lemonde.fr"). ``since``/``until``: only stories active on or after ``since``
    (last seen) and begun on or before ``until`` (first seen). ``limit`` and
    ``offset`` page the list; only the articles of the stories on the page are read.
    """
    chosen = store.story_page(_filter(store, language, since, until, text, across_scripts, outlet), limit, offset)
    return _summaries(store, chosen, reader_lang)


def list_stories_and_total(store: StoreProtocol, *, language: str | None = None,
                           since: str | date | datetime | None = None, until: str | date | datetime | None = None,
                           text: str | None = None, reader_lang: str | None = None, limit: int | None = None,
                           offset: int = 0, across_scripts: bool = True,
                           outlet: str | None = None) -> tuple[list[StorySummary], int]:
    """``list_stories`` and ``count_stories`` at once (a page of the API), the filter made once."""
    chosen, total = store.story_page_and_total(_filter(store, language, since, until, text, across_scripts, outlet),
                                               limit, offset)
    return _summaries(store, chosen, reader_lang), total


def _summaries(store: StoreProtocol, chosen: list[int], reader_lang: str | None) -> list[StorySummary]:
    members = _members(store, chosen)
    heads = _headlines(store, [(sid, _headline_member(members[sid], reader_lang)) for sid in chosen])
    return [_summary(sid, members[sid], *heads[sid]) for sid in chosen]


def count_stories(store: StoreProtocol, *, language: str | None = None, since: str | date | datetime | None = None,
                  until: str | date | datetime | None = None, text: str | None = None,
                  across_scripts: bool = True, outlet: str | None = None) -> int:
    """How many stories ``list_stories`` gives with these filters and no limit."""
    return store.story_total(_filter(store, language, since, until, text, across_scripts, outlet))


def _filter(store: StoreProtocol, language: str | None, since: str | date | datetime | None,
            until: str | date | datetime | None, text: str | None, across_scripts: bool = True,
            outlet: str | None = None) -> StoryFilter:
    """The listing's options as the store's filter: a language names every stored code that means it."""
    wanted = language_key(language) if language else None
    codes = tuple(code for code in store.story_languages() if language_key(code) == wanted) if wanted else None
    return StoryFilter(languages=codes, active_since=parse_when(since), begun_until=parse_when(until, end=True),
                       words=tuple((text or "").casefold().split()), names=across_scripts,
                       outlet=" ".join(outlet.split()).casefold() if outlet and outlet.strip() else None)


def _members(store: StoreProtocol, story_ids: list[int]) -> dict[int, list[_Member]]:
    """The articles of these stories, in id order."""
    members: dict[int, list[_Member]] = defaultdict(list)
    for m in store.members_of(story_ids):
        members[m.story_id].append(_Member(m.id, m.ext_id, m.title, m.language,
                                           source_label(m.outlet, m.url, m.source, m.ext_id), m.seen))
    return members


def _headline_member(group: list[_Member], reader_lang: str | None) -> _Member:
    by_time = sorted(group, key=lambda m: (m.when, m.id))
    if reader_lang:
        key = language_key(reader_lang)
        readable = [m for m in by_time if language_key(m.language) == key]
        if readable:
            return readable[0]
    return by_time[0]


def _headlines(store: StoreProtocol, picks: list[tuple[int, _Member]]) -> dict[int, tuple[str, str | None]]:
    """Story id -> (headline, its language): the member's title, else its first story sentence."""
    need = [m.id for _, m in picks if not m.title]
    first_sentence: dict[int, str] = {}
    for row, analysis in store.analyses(need).items():
        sentences = analysis.get("sentences", [])
        story = [s for s in sentences if s[3] is None] or sentences
        first_sentence[row] = story[0][1] if story else ""
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


def story_members_key(store: StoreProtocol, story_id: int) -> str:
    """Which articles a story holds, as one short string: what a cached report of it depends on.

    Stored articles never change, so a story's report changes only when an article joins or
    leaves it. Keying a cache on this, not on the store's version, keeps every other story's
    report while writes go on (a store version moves with every commit, anyone's).
    """
    ids = store.story_members(story_id)
    return f"{len(ids)}:{hashlib.blake2b(','.join(map(str, ids)).encode(), digest_size=12).hexdigest()}"


def story_comparison(store: StoreProtocol, story_id: int, options: CompareOptions = CompareOptions()) -> Comparison:
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


STORY_COLUMNS = ["id", "headline", "headline_language", "languages", "sources", "first_seen", "last_seen", "size",
                 "articles"]


def render_stories(stories: list[StorySummary], fmt: str = "terminal", *, width: int = 100) -> str:
    """The listing as JSON (a list of objects), JSON Lines (one story a line), CSV (one story a row;
    lists joined with "; ") or as short blocks for a terminal."""
    if fmt == "json":
        return json.dumps([s.to_dict() for s in stories], ensure_ascii=False, indent=2) + "\n"
    if fmt == "jsonl":
        return jsonl_text([s.to_dict() for s in stories])
    if fmt == "csv":
        return csv_text([{**s.to_dict(), "languages": "; ".join(s.languages), "sources": "; ".join(s.sources),
                          "articles": "; ".join(a["ext_id"] for a in s.article_ids)} for s in stories], STORY_COLUMNS)
    if fmt != "terminal":
        raise CrosswireError("format", f"unknown format {fmt!r}; choose terminal, json, jsonl or csv")
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
