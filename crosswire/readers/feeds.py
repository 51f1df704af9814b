"""RSS and Atom feeds: one article per entry, read by feedparser from bytes already read.

A feed is told by its first bytes (an XML declaration and an rss, feed or rdf:RDF root), so a
file of any name can be one; an entry that cannot be read fails alone."""
from __future__ import annotations

import codecs
import html
import io
import re
from pathlib import Path
from typing import Any

from crosswire.article import Article
from crosswire.errors import InputError
from crosswire.readers.fields import FEED, Items, clean_text, date_or_warning, one_line, unique_id
from crosswire.readers.html import html_fragment_text

_FEED_ROOT = re.compile(rb"<(?:rss|feed|rdf:rdf)[\s>]", re.I)


def looks_like_feed(data: bytes) -> bool:
    """Whether the first 4 KiB of ``data`` are the start of an RSS or Atom document."""
    head = data[:4096].lstrip(codecs.BOM_UTF8).lstrip()
    return head[:5].lower() == b"<?xml" and _FEED_ROOT.search(head) is not None


def entry_text(entry: Any) -> str:
    """The text of a feedparser entry: its full content, else its summary, as plain lines."""
    detail = (entry.get("content") or [None])[0] or entry.get("summary_detail") or {}
    value = detail.get("value") or entry.get("summary") or ""
    # Plain-text bodies keep their lines; in HTML, newlines are only spaces.
    if detail.get("type") == "text/plain":
        return clean_text(value).strip("\n")
    if "<" not in value:  # an HTML-typed body without tags is plain text with entities
        return clean_text(html.unescape(value)).strip("\n")
    return html_fragment_text(value)


def read_feed(data: bytes, path: Path, shown: str, seen: set[str]) -> Items:
    """The articles of a feed's entries, in feed order; an entry is named ``shown#N``."""
    import feedparser  # imported late: only feeds need it

    try:
        # A stream, not bytes or str: feedparser treats a str as a URL or path to open.
        parsed = feedparser.parse(io.BytesIO(data))
    except Exception as err:  # a third-party parser on arbitrary input: report, never crash
        yield InputError(shown, f"not a valid RSS/Atom feed ({type(err).__name__}: {err})")
        return
    entries = parsed.get("entries") or []
    if not entries:
        bad = parsed.get("bozo") or not parsed.get("version")
        yield InputError(shown, "not a valid RSS/Atom feed" if bad else "feed has no entries")
        return
    feed = parsed.get("feed") or {}
    for n, entry in enumerate(entries, 1):
        where = f"{shown}#{n}"
        try:
            text = entry_text(entry)
        except Exception as err:  # one odd entry must not stop the others
            yield InputError(where, f"cannot read the feed entry ({type(err).__name__}: {err})")
            continue
        if not text.strip():
            yield InputError(where, "feed entry has no text")
            continue
        link = entry.get("link") or ""
        said: list[str] = []
        # feedparser's own reading (a UTC struct_time) only backs ours up: it takes a zone it
        # does not know (CET) as UTC.
        when = date_or_warning(entry.get("published") or entry.get("updated"), "of the entry", where, said,
                               entry.get("published_parsed") or entry.get("updated_parsed"))
        yield Article(
            id=unique_id(one_line(entry.get("id") or link) or f"{path.stem}-{n}", seen),
            text=text, source=where, title=one_line(entry.get("title")),
            url=link if link.startswith(("http://", "https://")) else None,
            outlet=one_line(feed.get("title")),
            author=one_line(entry.get("author") or feed.get("author")),
            published=when, meta={"format": FEED, "entry": n}, warnings=said,
        )
