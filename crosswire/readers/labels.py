"""How a reader is told where an article comes from: its outlet, else its URL's host, else its
file's name, else its id; with its language and date, the label of a report's column."""
from __future__ import annotations

import re

from crosswire.article import Article
from crosswire.readers.jsonl import REQUEST_BODY
from crosswire.times import parse_time

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


def article_label(article: Article) -> str:
    """"outlet · language · date" ("bbc.co.uk · ar · 2025-03-10"): how reports name a column, where an
    id ("deu-dailymail-co-uk-298692") told a reader nothing. Parts unknown are left out."""
    parts = [source_label(article.outlet, article.url, article.source, article.id), article.language or "?"]
    when = parse_time(article.published) if article.published else None
    if when is not None:
        parts.append(when.date().isoformat())
    return " · ".join(parts)


def web_link(url: str | None) -> str | None:
    """The article's original address when it is one a reader may follow (http or https only)."""
    if url and re.match(r"^https?://[^\s/?#]+", url.strip(), re.IGNORECASE):
        return url.strip()
    return None
