"""What to follow, given an address or a file: a feed, the feeds a page names, or an OPML's feeds.

A site's page names its feeds in ``<link rel="alternate" type="application/rss+xml"
href="...">`` (or Atom's type) in its head; readers have found feeds that way since 2003.
"""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urljoin, urlsplit

from crosswire.errors import InputError
from crosswire.fetch import Fetcher
from crosswire.follow.opml import FeedRef, looks_like_opml, read_opml
from crosswire.readers.feeds import looks_like_feed

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml", "text/xml")
ACCEPT = ("application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, "
          "text/html;q=0.5, */*;q=0.1")


def feeds_in_page(data: bytes, base: str) -> list[FeedRef]:
    """The feeds an HTML page names in its ``<link rel="alternate">`` elements, as absolute addresses."""
    from lxml import etree
    from lxml import html as lxml_html

    try:
        root = lxml_html.document_fromstring(data)
    except (etree.ParserError, ValueError):
        return []
    found: dict[str, FeedRef] = {}
    for link in root.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").lower().split(";")[0].strip()
        href = (link.get("href") or "").strip()
        if "alternate" in rel and kind in FEED_TYPES and href:
            url = urljoin(base, href)
            if url.startswith(("http://", "https://")) and url not in found:
                title = link.get("title")
                found[url] = FeedRef(url, " ".join(title.split()) or None if title else None)
    return list(found.values())


def feed_title(data: bytes) -> tuple[str | None, str | None]:
    """A feed's own title and declared language."""
    import feedparser

    parsed = feedparser.parse(data)
    feed = parsed.get("feed") or {}
    title = feed.get("title")
    return (" ".join(title.split()) or None) if title else None, feed.get("language") or None


def is_address(given: str) -> bool:
    """Whether ``given`` is an http(s) address with a host (anything else is taken as a file)."""
    parts = urlsplit(given)
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def discover(given: str, fetcher: Fetcher) -> list[FeedRef]:
    """The feeds to follow for ``given``: an OPML file on this machine, or an address of a feed,
    of an OPML file, or of a page that names its feeds. Raises ``InputError`` or ``FetchError``
    with one line saying why none was found."""
    if not is_address(given):
        path = Path(given).expanduser()
        if "://" in given:
            raise InputError(given, "only http:// and https:// addresses can be followed")
        if not path.is_file():
            raise InputError(given, "no such file (give a feed's http(s) address or an OPML file)")
        data = path.read_bytes()
        if not looks_like_opml(data):
            raise InputError(given, "not an OPML file (a local file to follow must be an OPML list of feeds)")
        return read_opml(data, given)
    fetched = fetcher.get(given, accept=ACCEPT)
    data = fetched.body
    if looks_like_opml(data):
        return read_opml(data, given)
    if looks_like_feed(data):
        title, language = feed_title(data)
        return [FeedRef(fetched.url if fetched.url != given else given, title, language)]
    feeds = feeds_in_page(data, fetched.url)
    if not feeds:
        raise InputError(given, "no feed found: not an RSS/Atom feed or OPML, and the page names no feed "
                                "(<link rel=\"alternate\" type=\"application/rss+xml\">)")
    return feeds
