"""A fetched feed's entries, as the poller needs them: the article each one is, or the page to
fetch for it when the feed carries only a summary.

Many feeds give a teaser, not the story: an entry without full content (``content:encoded``,
Atom ``content``) whose summary is shorter than ``FULL_TEXT_CHARS`` has its page fetched and
its article extracted (trafilatura, as for HTML files). Every entry is keyed by the canonical
address of its article (``urls.py``), or, without a link, by the feed and the entry's id.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from crosswire.article import Article
from crosswire.errors import InputError
from crosswire.follow.urls import canonical_url
from crosswire.readers.feeds import entry_text, looks_like_feed
from crosswire.readers.fields import FEED, date_or_warning, one_line

# A summary shorter than this (characters), with no full content beside it, is a teaser: the
# entry's page is read instead. Wire-story ledes run 150-400 characters; the shortest news
# articles in NTREX-128 run over 600.
FULL_TEXT_CHARS = 600


@dataclass
class Entry:
    n: int                       # its place in the feed, from 1
    key: str                     # what marks it taken: the canonical address of its article
    link: str | None             # the address of its page (canonical), if any
    article: Article | None      # the article, when the feed carries its text; else its page is fetched
    title: str | None = None
    published: str | None = None
    author: str | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass
class ParsedFeed:
    title: str | None
    language: str | None
    entries: list[Entry]
    problems: list[InputError]   # entries that cannot be taken (no link and no text), one line each


def parse_feed(data: bytes, feed_url: str, outlet: str | None) -> ParsedFeed:
    """The entries of a feed's bytes. Raises ``InputError`` when the bytes are no feed (an HTML
    page where the feed was, malformed XML with no entry readable)."""
    import feedparser

    if not looks_like_feed(data):
        head = data[:512].lstrip().lower()
        what = "an HTML page" if head.startswith((b"<!doctype html", b"<html")) else "not RSS or Atom"
        raise InputError(feed_url, f"is no longer a feed: the answer is {what} (has the feed moved?)")
    try:
        parsed = feedparser.parse(io.BytesIO(data))
    except Exception as err:  # a third-party parser on untrusted bytes: one line, never a traceback
        raise InputError(feed_url, f"not a valid RSS/Atom feed ({type(err).__name__}: {err})") from err
    raw_entries = parsed.get("entries") or []
    if not raw_entries and (parsed.get("bozo") or not parsed.get("version")):
        problem = parsed.get("bozo_exception")
        raise InputError(feed_url, f"not a valid RSS/Atom feed ({one_line(problem) or 'unreadable XML'})")
    feed: Any = parsed.get("feed") or {}
    title = one_line(feed.get("title"))
    out = ParsedFeed(title, one_line(feed.get("language")), [], [])
    for n, raw in enumerate(raw_entries, 1):
        entry = _entry(raw, n, feed_url, outlet or title)
        if isinstance(entry, InputError):
            out.problems.append(entry)
        else:
            out.entries.append(entry)
    return out


def _entry(raw: Any, n: int, feed_url: str, outlet: str | None) -> Entry | InputError:
    where = f"{feed_url}#{n}"
    link = (raw.get("link") or "").strip()
    link = canonical_url(link) if link.startswith(("http://", "https://")) else ""
    try:
        text = entry_text(raw)
    except Exception as err:  # one odd entry must not stop the others
        return InputError(where, f"cannot read the feed entry ({type(err).__name__}: {err})")
    if not link and not text.strip():
        return InputError(where, "feed entry has neither a link nor any text")
    guid = one_line(raw.get("id"))
    key = link or f"{canonical_url(feed_url)}#{guid or one_line(raw.get('title')) or n}"
    said: list[str] = []
    when = date_or_warning(raw.get("published") or raw.get("updated"), "of the entry", where, said,
                           raw.get("published_parsed") or raw.get("updated_parsed"))
    title = one_line(raw.get("title"))
    author = one_line(raw.get("author"))
    full = bool(raw.get("content")) or len(text) >= FULL_TEXT_CHARS
    article = None
    if text.strip() and (full or not link):
        article = Article(id=guid or link or where, text=text, source=link or where, title=title,
                          url=link or None, outlet=outlet, author=author, published=when,
                          meta={"format": FEED, "feed": feed_url, "entry": n}, warnings=said)
    return Entry(n, key, link or None, article, title, when, author, said)
