"""robots.txt, read once per origin (scheme, host and port) and kept for an hour.

What an answer means (RFC 9309, with one deliberate difference):

- 2xx: the rules it holds, kept ``RULES_TTL``.
- 4xx (no robots.txt, or not for us): everything allowed, kept ``RULES_TTL``.
- anything else (a 5xx, no answer, a timeout, too many redirects, too large): everything allowed,
  but only for ``UNAVAILABLE_TTL``, then asked again. RFC 9309 says to assume everything
  disallowed here; crosswire reads a few feeds a site offers for reading, at a poll's pace, and
  a server failing its robots.txt will most likely fail the feed too: the fetch goes ahead and
  reports that failure, rather than a "disallowed" the site never said.

A Crawl-delay is honoured (the ``Fetcher`` spaces the host's requests by it), up to
``MAX_CRAWL_DELAY``: a poll's thread waits that long at most, whatever a robots.txt asks.
"""
from __future__ import annotations

import threading
import time
import urllib.robotparser
from collections.abc import Callable
from dataclasses import dataclass

RULES_TTL = 3600.0          # seconds a robots.txt (or its absence, a 4xx) is kept
UNAVAILABLE_TTL = 300.0     # seconds "allowed, robots.txt unavailable" is kept
MAX_CRAWL_DELAY = 60.0      # seconds
MAX_BYTES = 512 * 1024      # RFC 9309 asks parsers to read at least 500 KiB
_PRUNE_AT = 4096            # origins kept before expired ones are dropped


@dataclass(frozen=True)
class Rules:
    """What one robots.txt says; ``parser`` None allows everything."""

    parser: urllib.robotparser.RobotFileParser | None
    expires: float

    def allows(self, user_agent: str, url: str) -> bool:
        return self.parser is None or self.parser.can_fetch(user_agent, url)

    def crawl_delay(self, user_agent: str) -> float | None:
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(user_agent)
        return None if delay is None else min(float(delay), MAX_CRAWL_DELAY)


def parse(body: bytes) -> urllib.robotparser.RobotFileParser:
    parser = urllib.robotparser.RobotFileParser()
    # parse() also marks the rules as read: can_fetch answers False for rules never read.
    parser.parse(body.decode("utf-8", errors="replace").splitlines())
    return parser


class RobotsCache:
    """The rules of each origin, fetched by ``fetch(robots_url)`` -> (status, body), or None when
    there was no answer. Thread-safe: an origin's robots.txt is fetched by one thread at a time,
    and the others wait for its answer rather than fetch it again."""

    def __init__(self, fetch: Callable[[str], tuple[int, bytes] | None], *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._fetch = fetch
        self._clock = clock
        self._rules: dict[str, Rules] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def rules(self, robots_url: str) -> Rules:
        with self._lock:
            lock = self._locks.setdefault(robots_url, threading.Lock())
        with lock:
            with self._lock:
                known = self._rules.get(robots_url)
            if known is not None and known.expires > self._clock():
                return known
            rules = self._read(robots_url)
            with self._lock:
                if len(self._rules) >= _PRUNE_AT:
                    now = self._clock()
                    for url in [url for url, old in self._rules.items() if old.expires <= now]:
                        del self._rules[url]
                        self._locks.pop(url, None)
                self._rules[robots_url] = rules
            return rules

    def _read(self, robots_url: str) -> Rules:
        answer = self._fetch(robots_url)
        now = self._clock()
        if answer is None:
            return Rules(None, now + UNAVAILABLE_TTL)
        status, body = answer
        if 200 <= status < 300:
            return Rules(parse(body), now + RULES_TTL)
        if 400 <= status < 500:
            return Rules(None, now + RULES_TTL)
        return Rules(None, now + UNAVAILABLE_TTL)
