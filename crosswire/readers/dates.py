"""Publication dates as feeds and news sites write them, read into ISO 8601 in UTC.

Read: ISO 8601 (Atom, JSON APIs, ``article:published_time``), RFC 822/2822 (every RSS
feed: ``Wed, 05 Mar 2025 10:00:00 GMT``) and the common forms of news pages
(``March 5, 2025 10:00 AM``, ``5 March 2025``, ``05.03.2025 14:30``). A date alone
becomes ``2025-03-05``; a date and time ``2025-03-05T09:00:00+00:00`` (a time without
a zone is taken as UTC, as the store reads it). Nothing is guessed: a date that
could be the 5th of March or the 3rd of May, a zone whose offset is not known, a
date without its day or year, a relative date ("yesterday") are unreadable.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any

# Zone names news sites and feeds write, with their offsets in hours. US names as RFC 822
# defines them (CST is US Central, not China); names that stand for several zones (IST:
# India, Ireland or Israel) are left out on purpose, so they are refused, not guessed.
ZONES = {
    "UT": 0, "UTC": 0, "GMT": 0, "Z": 0, "WET": 0, "WEST": 1, "BST": 1, "CET": 1, "CEST": 2, "MEZ": 1,
    "MESZ": 2, "EET": 2, "EEST": 3, "MSK": 3, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7,
    "MDT": -6, "PST": -8, "PDT": -7, "AKST": -9, "AKDT": -8, "HST": -10, "JST": 9, "KST": 9, "HKT": 8,
    "SGT": 8, "AWST": 8, "ACST": 9.5, "ACDT": 10.5, "AEST": 10, "AEDT": 11, "NZST": 12, "NZDT": 13,
}
HOW = "write ISO 8601 (2025-03-05T10:00:00Z) or RFC 2822 (Wed, 05 Mar 2025 10:00:00 GMT)"
_UNKNOWN_FORM = "not written in a form crosswire reads"
_LONGEST = 100  # no date is written longer; a longer value is something else
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_RFC2822 = re.compile(r"(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{2,4}\s+\d{1,2}:\d{2}(?::\d{2})?"
                      r"(?:\s*(?P<zone>[+-]\d{4}|[A-Za-z]{1,5}))?")
_DOTTED = re.compile(r"\d{1,2}\.\s?\d{1,2}\.\s?\d{2,4}\b")      # 05.03.2025: day first, everywhere
_SLASHED = re.compile(r"(\d{1,2})/(\d{1,2})/\d{2,4}\b")          # 05/03/2025: US month first, else day
# Two defaults that differ in every part a date needs: a part the text lacks shows as a difference.
_DEFAULTS = (datetime(2000, 1, 1, 0), datetime(2001, 2, 2, 1))


class UnreadableDate(ValueError):
    """Why a date cannot be read; ``form_known`` when its form was recognised (a zone or order problem)."""

    def __init__(self, reason: str, *, form_known: bool = True) -> None:
        super().__init__(reason)
        self.form_known = form_known


def read_date(value: str) -> str:
    """The date in ISO 8601 (UTC when it has a time), or ``UnreadableDate`` saying why not."""
    text = " ".join(value.split())
    if not text or len(text) > _LONGEST:
        raise UnreadableDate(_UNKNOWN_FORM, form_known=False)
    stamp = _iso(text) or _rfc2822(text) or _common(text)
    if isinstance(stamp, datetime):
        try:
            stamp = stamp.astimezone(timezone.utc) if stamp.tzinfo else stamp.replace(tzinfo=timezone.utc)
        except OverflowError:  # 0001-01-01T00:00+01:00 has no UTC time
            raise UnreadableDate("out of range") from None
    return stamp.isoformat()


def date_problem(what: str, value: str, err: UnreadableDate) -> str:
    """The words that say a date cannot be read: "cannot read the date in 'published': 'soon' (...)"."""
    shown = value if len(value) <= 60 else value[:60] + "…"
    return f"cannot read the date {what}: {shown!r} ({err})"


def _iso(text: str) -> date | datetime | None:
    try:
        if _ISO_DATE.fullmatch(text):
            return date.fromisoformat(text)
        # Python 3.10 reads only isoformat()'s own output: no "Z", which every API writes.
        return datetime.fromisoformat(re.sub(r"[Zz]$", "+00:00", text))
    except ValueError:
        return None


def _rfc2822(text: str) -> datetime | None:
    found = _RFC2822.fullmatch(text)
    if not found:
        return None
    zone = found.group("zone")
    if zone and zone[0] not in "+-":  # a name: email.utils knows only the US ones, so offsets are ours
        if zone.upper() not in ZONES:
            raise UnreadableDate(f"unknown time zone {zone!r}")
        text = text[:found.start("zone")] + _offset(ZONES[zone.upper()])
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None


def _offset(hours: float) -> str:
    minutes = round(hours * 60)
    return f"{'-' if minutes < 0 else '+'}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"


def _zone(name: str | None, offset: int | None) -> Any:
    """dateutil's zone for a parsed name or offset: known names only, never the machine's own zone."""
    from dateutil.tz import tzoffset

    if name and name.upper() in ZONES:
        return tzoffset(None, int(ZONES[name.upper()] * 3600))
    if offset is not None:
        return tzoffset(None, offset)
    if name:
        raise UnreadableDate(f"unknown time zone {name!r}")
    return None


def _common(text: str) -> date | datetime:
    from dateutil import parser as dateutil_parser  # imported late: ISO and RFC 2822 dates do without it

    slashed = _SLASHED.match(text)
    if slashed and len({slashed.group(1), slashed.group(2)}) == 2 and max(map(int, slashed.groups())) <= 12:
        raise UnreadableDate("day and month could be either way round")
    read = []
    for default in _DEFAULTS:
        try:
            # tzinfos is a function: dateutil asks it for every zone (and never warns), so an unknown
            # name is refused, never taken as the machine's own zone or left without one.
            read.append(dateutil_parser.parse(text, default=default, dayfirst=bool(_DOTTED.match(text)),
                                              tzinfos=_zone))
        except UnreadableDate:
            raise
        except (ValueError, OverflowError):  # dateutil's ParserError is a ValueError
            raise UnreadableDate(_UNKNOWN_FORM, form_known=False) from None
    first, second = read
    if first.date() != second.date():
        raise UnreadableDate("not a whole date: it needs a day, a month and a year")
    if first.hour != second.hour:  # no time given
        return first.date()
    return first
