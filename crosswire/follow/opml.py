"""OPML, the file feed readers export their subscriptions in: the feeds of its outlines.

Parsed with lxml with external entities, DTDs and the network off, and a file declaring
entities refused (an OPML from elsewhere is untrusted XML: no billion laughs, no external
entity reaches a file or an address).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from crosswire.errors import InputError

_ENTITY = re.compile(rb"<!ENTITY", re.I)
_OPML_ROOT = re.compile(rb"^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<opml[\s>]", re.S | re.I)


@dataclass(frozen=True)
class FeedRef:
    """A feed to follow, as a page, an OPML file or a feed itself names it."""

    url: str
    title: str | None = None
    language: str | None = None


def looks_like_opml(data: bytes) -> bool:
    return _OPML_ROOT.match(data[:4096].lstrip(b"\xef\xbb\xbf")) is not None


def read_opml(data: bytes, shown: str) -> list[FeedRef]:
    """Every outline with an ``xmlUrl``, in document order, once each; ``shown`` names the input
    in the error when it is no OPML or names no feed."""
    from lxml import etree

    if _ENTITY.search(data):  # as defusedxml does: an OPML never needs them; a "billion laughs" does
        raise InputError(shown, "OPML file declares XML entities (<!ENTITY>); refused, as no OPML needs them")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as err:
        raise InputError(shown, f"not a valid OPML file ({err})") from err
    if not isinstance(root.tag, str) or root.tag.lower() != "opml":
        raise InputError(shown, f"not an OPML file (its root element is <{root.tag}>, not <opml>)")
    found: dict[str, FeedRef] = {}
    for outline in root.iter("outline"):
        url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        if url and url not in found:
            title = outline.get("title") or outline.get("text")
            found[url] = FeedRef(url, " ".join(title.split()) or None if title else None, outline.get("language"))
    if not found:
        raise InputError(shown, "OPML file names no feed (no <outline> with an xmlUrl)")
    return list(found.values())
