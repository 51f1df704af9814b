"""The canonical form of an article's address: what tells that two entries are the same article.

Feeds and pages name one article by several addresses: with tracking parameters
(``utm_source``, ``fbclid``...), a fragment, a host in capitals, a default port. The
canonical form drops all of those and nothing else (the path and the other parameters
can name different articles), so an article followed through two feeds, or listed again
by a feed with new tracking, is fetched and analysed once.
"""
from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Parameters that say how a reader came, never which article: dropped.
TRACKING_PREFIXES = ("utm_", "mc_", "pk_", "piwik_", "at_")
TRACKING = frozenset({"fbclid", "gclid", "dclid", "msclkid", "yclid", "igshid", "ocid", "cmpid", "smid",
                      "ref", "ref_src", "rss", "xtor", "_ga", "icid", "ito", "at_medium", "at_campaign"})
DEFAULT_PORTS = {"http": 80, "https": 443}


def canonical_url(url: str) -> str:
    """``url`` with the scheme and host in lower case, no default port, no fragment, no tracking
    parameters; the rest as given. Not http(s): returned as given, stripped."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # a malformed port or IPv6 literal: kept as it is, it will fail when fetched
        return url
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return url
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not k.lower().startswith(TRACKING_PREFIXES) and k.lower() not in TRACKING]
    return urlunsplit((scheme, netloc, parts.path or "/", urlencode(query, doseq=True), ""))
