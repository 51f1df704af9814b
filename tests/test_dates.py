"""Publication dates as feeds and news sites write them (crosswire/readers/dates.py)."""
from __future__ import annotations

import pytest

from crosswire.readers.dates import UnreadableDate, read_date

READ = [
    ("Wed, 05 Mar 2025 10:00:00 GMT", "2025-03-05T10:00:00+00:00"),     # RSS (RFC 822/2822)
    ("Wed, 05 Mar 2025 10:00:00 +0100", "2025-03-05T09:00:00+00:00"),
    ("5 Mar 2025 10:00 CET", "2025-03-05T09:00:00+00:00"),
    ("Wed, 05 Mar 2025 10:00:00 EST", "2025-03-05T15:00:00+00:00"),
    ("2025-03-05T10:00:00Z", "2025-03-05T10:00:00+00:00"),               # ISO 8601
    ("2025-03-05T12:30:00+02:00", "2025-03-05T10:30:00+00:00"),
    ("2025-03-05 10:00", "2025-03-05T10:00:00+00:00"),                   # no zone: UTC, as the store reads it
    ("2025-03-05", "2025-03-05"),                                        # a day stays a day
    ("March 5, 2025 10:00 AM", "2025-03-05T10:00:00+00:00"),             # news pages
    ("Wednesday 5 March 2025 14:02 BST", "2025-03-05T13:02:00+00:00"),
    ("5 March 2025", "2025-03-05"),
    ("05.03.2025 14:30", "2025-03-05T14:30:00+00:00"),                   # dotted: day first
    ("2025/03/05", "2025-03-05"),
    ("13/03/2025", "2025-03-13"),                                        # only one way round
    ("  Wed, 05 Mar 2025\n 10:00:00 GMT ", "2025-03-05T10:00:00+00:00"),
]
UNREADABLE = [
    ("05/03/2025", "day and month could be either way round"),
    ("Wed, 05 Mar 2025 10:00:00 IST", "unknown time zone 'IST'"),        # India, Ireland or Israel?
    ("Mar 5, 2025, 10:00 a.m. XYZ", "unknown time zone 'XYZ'"),
    ("March 2025", "not a whole date"),
    ("10:00", "not a whole date"),
    ("yesterday", "not written in a form crosswire reads"),
    ("sometime", "not written in a form crosswire reads"),
    ("2025-02-30", "not written in a form crosswire reads"),
    ("0001-01-01T00:00:00+01:00", "out of range"),
    ("2025-03-05 " + "x" * 200, "not written in a form crosswire reads"),
]


@pytest.mark.parametrize("written,iso", READ)
def test_a_date_is_read_into_iso_8601_utc(written: str, iso: str) -> None:
    assert read_date(written) == iso


@pytest.mark.parametrize("written,reason", UNREADABLE)
def test_a_date_that_cannot_be_read_says_why(written: str, reason: str) -> None:
    with pytest.raises(UnreadableDate) as caught:
        read_date(written)
    assert str(caught.value).startswith(reason)
