"""Read articles from files and folders: plain text, HTML pages, JSON Lines, RSS/Atom feeds.

Every problem with one input becomes an ``InputError`` that is collected (or
yielded), never raised, so one bad file never stops the others. The article text
keeps the input's lines: later stages record the 1-based input line of every
sentence, so nothing here reflows, joins or drops lines of a text file.
"""
from __future__ import annotations

import codecs
import html
import io
import json
import re
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crosswire.article import Article
from crosswire.errors import InputError
from crosswire.language_codes import NotALanguageCode, parse_language_code
from crosswire.limits import Limits
from crosswire.readers.dates import HOW, UnreadableDate, date_problem, read_date
from crosswire.readers.decoding import decode, looks_binary, utf8_lines

TEXT, HTML, JSONL, FEED = "text", "html", "jsonl", "feed"
FORMATS: dict[str, str] = {
    ".txt": TEXT, ".text": TEXT, ".html": HTML, ".htm": HTML, ".xhtml": HTML, ".jsonl": JSONL,
    ".ndjson": JSONL, ".xml": FEED, ".rss": FEED, ".atom": FEED, ".feed": FEED,
}
EXPECTED = "expected .txt, .html, .jsonl, or an RSS/Atom feed file, or a folder"
STDIN = "stdin"  # how standard input (an INPUT of "-") is named in messages and sources
# How big a file read whole may be is ``Limits.max_file_bytes``, checked by its size
# before it is read; JSON Lines are streamed, each line held to the article limits.

# Characters that str.splitlines() treats as line breaks but files do not: turned
# into spaces so that "line N of the text" means the same whichever way it is split.
_ODD_BREAKS = str.maketrans({c: " " for c in "\v\f\x1c\x1d\x1e\x85\u2028\u2029"})
_META_CHARSET = re.compile(rb"<meta[^>]{0,200}?charset\s*=\s*[\"']?\s*([A-Za-z0-9_:.-]+)", re.I)
_FEED_ROOT = re.compile(rb"<(?:rss|feed|rdf:rdf)[\s>]", re.I)
_BLOCK_TAGS = frozenset("article aside blockquote br dd div dl dt figcaption figure footer h1 h2 h3 h4 h5 h6"
                        " header hr li main nav ol p pre section table tr ul".split())
_Items = Iterator[Article | InputError]  # what each reader yields, in input order


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


def _read_folder(root: Path, shown: str, seen: set[str], limits: Limits) -> _Items:
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


def _read_file(path: Path, shown: str, seen: set[str], limits: Limits) -> _Items:
    suffix = path.suffix.lower()
    fmt = FORMATS.get(suffix)
    if fmt == JSONL:
        yield from _read_jsonl_file(path, shown, seen)
        return
    if suffix and fmt is None:  # only given directly: folder walks skip unknown extensions
        # Read anyway when it is a feed (feed.php, a saved download); the first bytes
        # tell, so a big PDF or video is never loaded whole.
        if not _looks_like_feed(_read_bytes(path, 4096)):
            yield InputError(shown, f"unknown format {suffix!r} ({EXPECTED})")
            return
        fmt = FEED
    too_big = limits.file_problem(path.stat().st_size, plain_text=fmt == TEXT)
    if too_big:
        yield InputError(shown, too_big)
        return
    yield from _read_data(_read_bytes(path, limits.max_file_bytes + 1), fmt, path, shown, seen, limits)


def _read_stdin(seen: set[str], limits: Limits) -> _Items:
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


def _read_data(data: bytes, fmt: str | None, path: Path, shown: str, seen: set[str], limits: Limits) -> _Items:
    """The articles in a file's bytes; ``fmt`` None: sniffed. ``path`` names the article (its stem)."""
    problem = _bytes_problem(data, limits.max_file_bytes)
    if problem:
        yield InputError(shown, problem)
        return
    if fmt in (None, TEXT) and _looks_like_feed(data):
        fmt = FEED
    if fmt == FEED:
        yield from _read_feed(data, path, shown, seen)
        return
    if fmt is None and _sniff(data.decode("utf-8", errors="replace")) == JSONL:
        # JSON is UTF-8: read line by line as a .jsonl file is, so one damaged line fails alone.
        yield from _read_jsonl_lines(utf8_lines(data.split(b"\n")), shown, seen)
        return
    declared = _META_CHARSET.search(data[:4096]) if fmt in (None, HTML) else None  # <meta charset>
    decoded = decode(data, declared.group(1).decode("ascii") if declared else None)
    if isinstance(decoded, str) or not decoded[0].strip():  # whitespace-only, e.g. in UTF-16
        yield InputError(shown, decoded if isinstance(decoded, str) else "file is empty")
        return
    text, encoding = decoded
    if fmt is None:
        fmt = _sniff(text)
    if fmt == JSONL:  # JSON in UTF-16 or UTF-32
        yield InputError(shown, f"JSON Lines must be UTF-8, not {encoding}")
    elif fmt == HTML:
        yield from _read_html(text, path, shown, seen)
    else:
        yield Article(id=_unique(path.stem, seen), text=_clean_text(text), source=shown,
                      meta={"format": TEXT, "encoding": encoding})


def _sniff(text: str) -> str:
    """Guess the format of a file without an extension (a feed was ruled out already)."""
    head = text.lstrip("\ufeff \t\r\n")[:2048].lower()
    if head.startswith("<") or "<body" in head or "<html" in head:
        return HTML
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return JSONL if lines and all(line.startswith("{") for line in lines) else TEXT


def _unique(wanted: str, seen: set[str]) -> str:
    wanted = wanted or "article"
    candidate, n = wanted, 1
    while candidate in seen:
        n += 1
        candidate = f"{wanted}-{n}"
    seen.add(candidate)
    return candidate


# --- bytes to text ----------------------------------------------------------------------------

def _bytes_problem(data: bytes, max_bytes: int) -> str | None:
    if len(data) > max_bytes:  # standard input, or a file that grew since its size was checked
        return f"too large: over the limit of {max_bytes:,} bytes (raise it with --max-file-bytes)"
    if not data.strip():
        return "file is empty"
    return "binary file, not text" if looks_binary(data) else None


def _clean_text(text: str) -> str:
    """One line per input line: unify line ends, drop a BOM and trailing spaces. Blank lines
    stay (line numbers must match the file) except at the very end, where no sentence sits."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    text = text.translate(_ODD_BREAKS)
    return "\n".join(line.rstrip() for line in text.split("\n")).rstrip("\n")


def _one_line(value: Any) -> str | None:
    """Metadata (titles, authors) shown on one line, or None when there is none."""
    return (" ".join(str(value).split()) or None) if value is not None else None


def _date(value: Any, what: str, where: str, said: list[str], parsed: time.struct_time | None = None) -> str | None:
    """A date in ISO 8601, else None and a warning in ``said``: the article is kept without it.

    ``parsed``: the date as feedparser read it, for forms it knows and ``read_date`` does not."""
    raw = _one_line(value)
    if raw is None:
        return None
    try:
        return read_date(raw)
    except UnreadableDate as err:
        if parsed and not err.form_known:  # never where ours refused a zone or an order: it took them as UTC
            return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", parsed)
        said.append(f"{where}: {date_problem(what, raw, err)}: the article is kept without a date")
        return None


# --- HTML -------------------------------------------------------------------------------------

def _read_html(text: str, path: Path, shown: str, seen: set[str]) -> _Items:
    import trafilatura  # imported late: it is slow to import and only HTML needs it

    try:
        # bare_extraction parses the string it is given; it never fetches (no URL is passed).
        doc = trafilatura.bare_extraction(text, with_metadata=True, include_comments=False)
    except Exception as err:  # a third-party parser on arbitrary input: report, never crash
        yield InputError(shown, f"cannot parse the HTML page ({type(err).__name__}: {err})")
        return
    info: dict[str, Any] = doc.as_dict() if doc is not None and not isinstance(doc, dict) else doc or {}
    body = _clean_text(info.get("text") or "")
    if not body.strip():
        yield InputError(shown, "HTML page has no article text")
        return
    if _only_navigation(text, body):
        yield InputError(shown, "no text to read: the page has only navigation (links, menus, header, footer), "
                                "no article")
        return
    said: list[str] = []
    yield Article(
        id=_unique(path.stem, seen), text=body, source=shown,
        title=_one_line(info.get("title")), url=_one_line(info.get("url")),
        outlet=_one_line(info.get("sitename")), author=_one_line(info.get("author")),
        published=_date(info.get("date"), "of the page", shown, said), meta={"format": HTML}, warnings=said,
    )


# Where a page keeps its navigation rather than its story.
_NAVIGATION = ("//a|//nav|//menu|//header|//footer|//button|//select|//label"
               "|//*[@role='navigation' or @role='menu' or @role='menubar' or @role='banner' or @role='contentinfo']")


def _only_navigation(page: str, body: str) -> bool:
    """Whether every line taken from the page is the text of a link, a menu or its header or footer:
    trafilatura falls back to those on a page without an article (a home page, a section index)."""
    from lxml import etree
    from lxml import html as lxml_html

    try:
        root = lxml_html.document_fromstring(page)
    except (etree.ParserError, ValueError):
        return False
    found: set[str] = set()
    for el in root.xpath(_NAVIGATION):
        found.add(_folded(el.text_content()))
        found.update(map(_folded, el.itertext()))
    return all(_folded(line) in found for line in body.split("\n") if line.strip())


def _folded(text: str) -> str:
    return " ".join(text.split()).casefold()


def _html_fragment_text(fragment: str) -> str:
    """Text of an HTML fragment (a feed entry), one block element a line."""
    from lxml import etree
    from lxml import html as lxml_html

    try:
        root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return ""
    for code in root.xpath("//script|//style|//template|//noscript"):
        code.drop_tree()  # their text is code, not prose; drop_tree keeps the text after them
    for el in root.iter():
        if el.tag in _BLOCK_TAGS:  # a line break before and after every block
            el.text, el.tail = "\n" + (el.text or ""), "\n" + (el.tail or "")
    # text_content() leaves out comments; whitespace inside a line is HTML layout, not content.
    lines = (" ".join(line.split()) for line in root.text_content().split("\n"))
    return "\n".join(line for line in lines if line)


# --- RSS / Atom -------------------------------------------------------------------------------

def _looks_like_feed(data: bytes) -> bool:
    head = data[:4096].lstrip(codecs.BOM_UTF8).lstrip()
    return head[:5].lower() == b"<?xml" and _FEED_ROOT.search(head) is not None


def _entry_text(entry: Any) -> str:
    detail = (entry.get("content") or [None])[0] or entry.get("summary_detail") or {}
    value = detail.get("value") or entry.get("summary") or ""
    # Plain-text bodies keep their lines; in HTML, newlines are only spaces.
    if detail.get("type") == "text/plain":
        return _clean_text(value).strip("\n")
    if "<" not in value:  # an HTML-typed body without tags is plain text with entities
        return _clean_text(html.unescape(value)).strip("\n")
    return _html_fragment_text(value)


def _read_feed(data: bytes, path: Path, shown: str, seen: set[str]) -> _Items:
    import feedparser  # imported late: only feeds need it

    try:
        # A stream, not bytes or str: feedparser treats a str as a URL or path to open.
        parsed = feedparser.parse(io.BytesIO(data))
    except Exception as err:  # a third-party parser on arbitrary input: report, never crash
        yield InputError(shown, f"not a valid RSS/Atom feed ({type(err).__name__}: {err})")
        return
    entries = parsed.get("entries") or []
    if not entries:
        bad = parsed.get("bozo") or not parsed.get("version")
        yield InputError(shown, "not a valid RSS/Atom feed" if bad else "feed has no entries")
        return
    feed = parsed.get("feed") or {}
    for n, entry in enumerate(entries, 1):
        where = f"{shown}#{n}"
        try:
            text = _entry_text(entry)
        except Exception as err:  # one odd entry must not stop the others
            yield InputError(where, f"cannot read the feed entry ({type(err).__name__}: {err})")
            continue
        if not text.strip():
            yield InputError(where, "feed entry has no text")
            continue
        link = entry.get("link") or ""
        said: list[str] = []
        # feedparser's own reading (a UTC struct_time) only backs ours up: it takes a zone it
        # does not know (CET) as UTC.
        when = _date(entry.get("published") or entry.get("updated"), "of the entry", where, said,
                     entry.get("published_parsed") or entry.get("updated_parsed"))
        yield Article(
            id=_unique(_one_line(entry.get("id") or link) or f"{path.stem}-{n}", seen),
            text=text, source=where, title=_one_line(entry.get("title")),
            url=link if link.startswith(("http://", "https://")) else None,
            outlet=_one_line(feed.get("title")),
            author=_one_line(entry.get("author") or feed.get("author")),
            published=when, meta={"format": FEED, "entry": n}, warnings=said,
        )


# --- JSON Lines -------------------------------------------------------------------------------

def _read_jsonl_file(path: Path, shown: str, seen: set[str]) -> _Items:
    with path.open("rb") as fh:  # streamed line by line: corpora can be large
        if looks_binary(fh.read(65536)):
            yield InputError(shown, "binary file, not text")
            return
        fh.seek(0)
        yield from _read_jsonl_lines(utf8_lines(fh), shown, seen)


def _read_jsonl_lines(lines: Iterable[tuple[int, str | int]], shown: str, seen: set[str],
                      strict_dates: bool = False) -> _Items:
    first_line: dict[str, int] = {}  # id -> line it was first used on, within this file
    any_content = False
    for n, line in lines:
        where = f"{shown}:{n}"
        if isinstance(line, str) and not line.strip():
            continue  # blank lines are allowed anywhere
        any_content = True
        if isinstance(line, int):
            yield InputError(where, f"not valid UTF-8 at byte offset {line} of the line (JSON Lines must be UTF-8)")
            continue
        try:
            obj = json.loads(line.rstrip("\r\n"))  # the line end is no part of the JSON
        except json.JSONDecodeError as err:
            yield InputError(where, json_problem(err))
            continue
        except RecursionError:  # e.g. [[[[...]]]] thousands deep
            yield InputError(where, "not valid JSON (nested too deeply)")
            continue
        made = _jsonl_article(obj, n, where, strict_dates)
        if isinstance(made, str):
            yield InputError(where, made)
            continue
        raw_id, article = made
        if raw_id in first_line:
            yield InputError(where, f"duplicate id {raw_id!r} (first used on line {first_line[raw_id]})")
            continue
        first_line[raw_id] = n
        article.id = _unique(raw_id, seen)
        yield article
    if not any_content:
        yield InputError(shown, "file is empty")


def json_problem(err: json.JSONDecodeError, *, with_line: bool = False) -> str:
    """What is wrong with some JSON, placed by column (and line): 'not valid JSON (Expecting value at column 9)'."""
    # Some of json's messages end in "at" already ("Unterminated string starting at").
    where = f"line {err.lineno} column {err.colno}" if with_line else f"column {err.colno}"
    return f"not valid JSON ({err.msg.removesuffix(' at')} at {where})"


# How the server names a request body in messages ("body:3: missing 'text'"), and so in the
# source of the articles it stores: where they were read from, which is no file.
REQUEST_BODY = "body"


def read_jsonl_body(body: bytes, shown: str) -> Iterator[Article | InputError]:
    """The articles of JSON Lines held in memory (an HTTP request body), read as a .jsonl file is,
    but strict: a line whose date cannot be read fails (a client can send it again, right)."""
    return _read_jsonl_lines(utf8_lines(body.split(b"\n")), shown, set(), strict_dates=True)


def read_json_article(obj: Any, shown: str) -> Article | InputError:
    """One article from a decoded JSON object with the JSON Lines fields, checked as a JSONL line is
    (strict about dates, as ``read_jsonl_text``)."""
    made = _jsonl_article(obj, 1, shown, strict_dates=True)
    if isinstance(made, str):
        return InputError(shown, made)
    made[1].meta.pop("line", None)
    return made[1]


_JSONL_FIELDS = ("id", "text", "title", "url", "source", "published", "language")


def _jsonl_article(obj: Any, n: int, where: str, strict_dates: bool) -> tuple[str, Article] | str:
    """The article on one JSON line and its raw id, or the problem with the line.

    A date that cannot be read is a problem with ``strict_dates``; else the article is kept
    without it, with a warning."""
    if not isinstance(obj, dict):
        return f"expected a JSON object, got {_kind(obj)}"
    for key, value in obj.items():
        # JSON may escape half of a UTF-16 pair alone ("\\ud800"): that is no character,
        # and text holding one can be neither hashed, stored nor shown.
        half = _lone_surrogate(key) or _lone_surrogate(value)
        if half:
            return f"'{_shown_key(key)}' holds {half}, a lone surrogate (half of a UTF-16 pair): not a character"
    for key in ("id", "text"):
        if obj.get(key) is None:
            return f"missing {key!r}"
    raw_id, text = obj["id"], obj["text"]
    if isinstance(raw_id, bool) or not isinstance(raw_id, (str, int)):
        return f"'id' must be a string or an integer, got {_kind(raw_id)}"
    for key in ("text", "title", "url", "source", "published", "language"):
        value = obj.get(key)
        if value is not None and not isinstance(value, str):
            return f"{key!r} must be a string, got {_kind(value)}"
    raw_id = str(raw_id).strip()
    if not raw_id or not text.strip():
        return "empty 'id'" if not raw_id else "empty 'text'"
    language = (obj.get("language") or "").strip() or None
    if language is not None:
        try:
            language = parse_language_code(language)  # zh_cn -> zh-CN
        except NotALanguageCode:
            return f"'language' must be a language code like 'ar', 'nb' or 'zh-CN', got {language!r}"
    published, said = None, []
    raw_date = _one_line(obj.get("published"))
    if raw_date:
        try:
            published = read_date(raw_date)
        except UnreadableDate as err:
            problem = date_problem("in 'published'", raw_date, err)
            if strict_dates:
                return f"{problem}; {HOW}"
            said.append(f"{where}: {problem}: the article is kept without a date; {HOW}")
    extra = {k: v for k, v in obj.items() if k not in _JSONL_FIELDS}
    return raw_id, Article(
        id=raw_id, text=_clean_text(text), source=where,
        title=_one_line(obj.get("title")), url=_one_line(obj.get("url")),
        outlet=_one_line(obj.get("source")), published=published,
        language=language, language_given=language is not None,
        meta={"format": JSONL, "line": n, **({"extra": extra} if extra else {})}, warnings=said,
    )


_SURROGATE = re.compile("[\ud800-\udfff]")


def _lone_surrogate(value: Any) -> str | None:
    """A lone surrogate in a decoded JSON value (keys included), as its escape (\\ud800), or None."""
    stack = [value]  # a loop, not recursion: the value may be nested as deep as JSON allows
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            found = _SURROGATE.search(item)
            if found:
                return f"\\u{ord(found.group()):04x}"
        elif isinstance(item, dict):
            stack.extend(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


def _shown_key(key: str) -> str:
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", key)


def _kind(value: Any) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "true/false", int: "a number",
            float: "a number", type(None): "null"}.get(type(value), type(value).__name__)
