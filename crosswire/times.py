"""Times as the store reads them: ISO 8601 text in, aware UTC datetimes or whole microseconds out.

An article is *seen* at its ``published`` date, else at when it was ingested
(when it has no readable date), else at the start of time; stories are ordered
and filtered by the times their articles were seen.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MICROSECOND = timedelta(microseconds=1)
NEVER = datetime.min.replace(tzinfo=timezone.utc)


def parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        stamp = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=timezone.utc)


def seen(published: str | None, ingested_at: str | None) -> datetime:
    """When an article counts as seen: published, else ingested, else never."""
    return parse_time(published) or parse_time(ingested_at) or NEVER


def to_micros(stamp: datetime) -> int:
    """Microseconds since 1970 UTC: orders as the datetimes do, and fits SQLite's 64-bit integers."""
    return (stamp - EPOCH) // _MICROSECOND  # a difference never overflows, unlike astimezone()


def from_micros(micros: int) -> datetime:
    return EPOCH + micros * _MICROSECOND
