"""Read articles from files and folders: find the files, tell their format, hand each to its reader.

Plain text is read here; HTML pages (``readers.html``), RSS/Atom feeds (``readers.feeds``) and
JSON Lines (``readers.jsonl``) have readers of their own. Every problem with one input becomes
an ``InputError`` that is collected (or yielded), never raised, so one bad file never stops the
others. The article text keeps the input's lines: later stages record the 1-based input line of
every sentence, so nothing here reflows, joins or drops lines of a text file.
"""
from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from crosswire.article import Article
from crosswire.errors import InputError
from crosswire.limits import Limits
from crosswire.readers.decoding import decode, looks_binary, utf8_lines
from crosswire.readers.feeds import looks_like_feed, read_feed
from crosswire.readers.fields import FEED, HTML, JSONL, TEXT, Items, clean_text, unique_id
from crosswire.readers.html import declared_charset, read_html
from crosswire.readers.jsonl import read_jsonl_file, read_jsonl_lines

FORMATS: dict[str, str] = {
    ".txt": TEXT, ".text": TEXT, ".html": HTML, ".htm": HTML, ".xhtml": HTML, ".jsonl": JSONL,
    ".ndjson": JSONL, ".xml": FEED, ".rss": FEED, ".atom": FEED, ".feed": FEED,
}
EXPECTED = "expected .txt, .html, .jsonl, or an RSS/Atom feed file, or a folder"
STDIN = "stdin"  # how standard input (an INPUT of "-") is named in messages and sources
# How big a file read whole may be is ``Limits.max_file_bytes``, checked by its size
# before it is read; JSON Lines are streamed, each line held to the article limits.


@dataclass
class ReadResult:
    """What reading some inputs gave: the articles, and one error per input that failed."""

    articles: list[Article] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)


def read_path(path: str | Path) -> ReadResult:
    """Read one file or folder."""
    return read_inputs([path])


def read_inputs(paths: Iterable[str | Path]) -> ReadResult:
    """Read files and folders, collecting the articles and the errors in input order."""
    items = list(iter_articles(paths))
    return ReadResult(articles=[i for i in items if isinstance(i, Article)],
                      errors=[i for i in items if isinstance(i, InputError)])


def iter_articles(paths: Iterable[str | Path], limits: Limits = Limits()) -> Iterator[Article | InputError]:
    """Yield each article, or the error that stopped it, in input order; ids unique per call.

    A file over ``limits`` by its size alone is refused before it is read."""
    if isinstance(paths, (str, Path)):  # a lone path would otherwise iterate its characters
        paths = [paths]
    seen: set[str] = set()
    stdin_read = False
    for given in paths:
        path = Path(given).expanduser()
        shown = str(given)
        if shown == "-":  # standard input, as for cat; a file named "-" is ./-
            yield from [InputError(STDIN, "given more than once")] if stdin_read else _read_stdin(seen, limits)
            stdin_read = True
            continue
        try:
            if path.is_dir():
                yield from _read_folder(path, shown, seen, limits)
            elif path.is_file():
                yield from _read_file(path, shown, seen, limits)
            elif path.exists():
                yield InputError(shown, "not a regular file or folder")
            else:
                yield InputError(shown, "no such file or folder")
        except OSError as err:  # e.g. a folder we may not enter, or a file vanishing mid-read
            yield InputError(shown, _os_problem(err))


# --- files and folders ------------------------------------------------------------------------

def _os_problem(err: OSError) -> str:
    known = {PermissionError: "permission denied", FileNotFoundError: "no such file or folder"}
    return known.get(type(err)) or (err.strerror or str(err)).lower()


def _read_folder(root: Path, shown: str, seen: set[str], limits: Limits) -> Items:
    found = False
    for item in _walk(root, Path(shown), set()):
        if isinstance(item, InputError):
            yield item
            continue
        found = True
        path, file_shown = item
        try:
            yield from _read_file(path, file_shown, seen, limits)
        except OSError as err:
            yield InputError(file_shown, _os_problem(err))
    if not found:
        yield InputError(shown, "folder has no articles (no .txt, .html, .jsonl or feed files in it)")


def _walk(folder: Path, shown: Path, visited: set[Path]) -> Iterator[tuple[Path, str] | InputError]:
    """Files with known extensions under ``folder``, sorted by path, hidden ones skipped."""
    real = folder.resolve()
    if real in visited:  # a symlink loop would otherwise recurse forever
        return
    visited.add(real)
    try:
        entries = sorted(folder.iterdir(), key=lambda p: p.name)
    except OSError as err:
        yield InputError(str(shown), _os_problem(err))
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            yield from _walk(entry, shown / entry.name, visited)
        elif entry.is_file() and entry.suffix.lower() in FORMATS:
            yield entry, str(shown / entry.name)


def _read_bytes(path: Path, limit: int) -> bytes:
    with path.open("rb") as fh:
        return fh.read(limit)


def _read_file(path: Path, shown: str, seen: set[str], limits: Limits) -> Items:
    suffix = path.suffix.lower()
    fmt = FORMATS.get(suffix)
    if fmt == JSONL:
        yield from read_jsonl_file(path, shown, seen)
        return
    if suffix and fmt is None:  # only given directly: folder walks skip unknown extensions
        # Read anyway when it is a feed (feed.php, a saved download); the first bytes
        # tell, so a big PDF or video is never loaded whole.
        if not looks_like_feed(_read_bytes(path, 4096)):
            yield InputError(shown, f"unknown format {suffix!r} ({EXPECTED})")
            return
        fmt = FEED
    too_big = limits.file_problem(path.stat().st_size, plain_text=fmt == TEXT)
    if too_big:
        yield InputError(shown, too_big)
        return
    yield from _read_data(_read_bytes(path, limits.max_file_bytes + 1), fmt, path, shown, seen, limits)


def _read_stdin(seen: set[str], limits: Limits) -> Items:
    """Standard input (an INPUT of ``-``), read whole and sniffed as a file without an extension is."""
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:
        yield InputError(STDIN, "standard input is closed")
        return
    data = stream.read(limits.max_file_bytes + 1)
    if not data.strip():
        yield InputError(STDIN, "standard input is empty")
        return
    yield from _read_data(data, None, Path(STDIN), STDIN, seen, limits)


def _read_data(data: bytes, fmt: str | None, path: Path, shown: str, seen: set[str], limits: Limits) -> Items:
    """The articles in a file's bytes; ``fmt`` None: sniffed. ``path`` names the article (its stem)."""
    problem = _bytes_problem(data, limits.max_file_bytes)
    if problem:
        yield InputError(shown, problem)
        return
    if fmt in (None, TEXT) and looks_like_feed(data):
        fmt = FEED
    if fmt == FEED:
        yield from read_feed(data, path, shown, seen)
        return
    if fmt is None and _sniff(data.decode("utf-8", errors="replace")) == JSONL:
        # JSON is UTF-8: read line by line as a .jsonl file is, so one damaged line fails alone.
        yield from read_jsonl_lines(utf8_lines(data.split(b"\n")), shown, seen)
        return
    decoded = decode(data, declared_charset(data) if fmt in (None, HTML) else None)
    if isinstance(decoded, str) or not decoded[0].strip():  # whitespace-only, e.g. in UTF-16
        yield InputError(shown, decoded if isinstance(decoded, str) else "file is empty")
        return
    text, encoding = decoded
    if fmt is None:
        fmt = _sniff(text)
    if fmt == JSONL:  # JSON in UTF-16 or UTF-32
        yield InputError(shown, f"JSON Lines must be UTF-8, not {encoding}")
    elif fmt == HTML:
        yield from read_html(text, path, shown, seen)
    else:
        yield Article(id=unique_id(path.stem, seen), text=clean_text(text), source=shown,
                      meta={"format": TEXT, "encoding": encoding})


def _sniff(text: str) -> str:
    """Guess the format of a file without an extension (a feed was ruled out already)."""
    head = text.lstrip("\ufeff \t\r\n")[:2048].lower()
    if head.startswith("<") or "<body" in head or "<html" in head:
        return HTML
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return JSONL if lines and all(line.startswith("{") for line in lines) else TEXT


def _bytes_problem(data: bytes, max_bytes: int) -> str | None:
    """Why bytes read whole cannot be an article's (too many, none, binary), or None."""
    if len(data) > max_bytes:  # standard input, or a file that grew since its size was checked
        return f"too large: over the limit of {max_bytes:,} bytes (raise it with --max-file-bytes)"
    if not data.strip():
        return "file is empty"
    return "binary file, not text" if looks_binary(data) else None
