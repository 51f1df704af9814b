"""The fields of an article as every reader fills them: the text kept line for line, metadata
on one line, dates read or warned about, ids unique within one read, the name of the format.

Shared by the readers of files, HTML pages, feeds and JSON Lines so that an article reads the
same whichever format it came in."""
from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from crosswire.article import Article
from crosswire.errors import InputError
from crosswire.readers.dates import UnreadableDate, date_problem, read_date

# The formats, as named in ``Article.meta["format"]``.
TEXT, HTML, JSONL, FEED = "text", "html", "jsonl", "feed"

Items = Iterator[Article | InputError]  # what each reader yields, in input order

# Characters that str.splitlines() treats as line breaks but files do not: turned
# into spaces so that "line N of the text" means the same whichever way it is split.
_ODD_BREAKS = str.maketrans({c: " " for c in "\v\f\x1c\x1d\x1e\x85\u2028\u2029"})


def clean_text(text: str) -> str:
    """One line per input line: unify line ends, drop a BOM and trailing spaces. Blank lines
    stay (line numbers must match the file) except at the very end, where no sentence sits."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    text = text.translate(_ODD_BREAKS)
    return "\n".join(line.rstrip() for line in text.split("\n")).rstrip("\n")


def one_line(value: Any) -> str | None:
    """Metadata (titles, authors) shown on one line, or None when there is none."""
    return (" ".join(str(value).split()) or None) if value is not None else None


def unique_id(wanted: str, seen: set[str]) -> str:
    """``wanted``, or ``wanted-2``, ``wanted-3``... the first not in ``seen`` (which it joins)."""
    wanted = wanted or "article"
    candidate, n = wanted, 1
    while candidate in seen:
        n += 1
        candidate = f"{wanted}-{n}"
    seen.add(candidate)
    return candidate


def date_or_warning(value: Any, what: str, where: str, said: list[str],
                    parsed: time.struct_time | None = None) -> str | None:
    """A date in ISO 8601, else None and a warning in ``said``: the article is kept without it.

    ``parsed``: the date as feedparser read it, for forms it knows and ``read_date`` does not."""
    raw = one_line(value)
    if raw is None:
        return None
    try:
        return read_date(raw)
    except UnreadableDate as err:
        if parsed and not err.form_known:  # never where ours refused a zone or an order: it took them as UTC
            return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", parsed)
        said.append(f"{where}: {date_problem(what, raw, err)}: the article is kept without a date")
        return None
