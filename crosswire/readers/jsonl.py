"""JSON Lines: one article a line, from a .jsonl file (streamed) or an HTTP request body.

Each line is checked alone, so one damaged line fails alone with its line number; the fields
are ``id`` and ``text`` (required), ``title``, ``url``, ``source``, ``published``, ``language``,
and any others, kept in ``meta["extra"]``."""
from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from crosswire.article import Article
from crosswire.errors import InputError
from crosswire.language_codes import NotALanguageCode, parse_language_code
from crosswire.readers.dates import HOW, UnreadableDate, date_problem, read_date
from crosswire.readers.decoding import looks_binary, utf8_lines
from crosswire.readers.fields import JSONL, Items, clean_text, one_line, unique_id

# How the server names a request body in messages ("body:3: missing 'text'"), and so in the
# source of the articles it stores: where they were read from, which is no file.
REQUEST_BODY = "body"

_JSONL_FIELDS = ("id", "text", "title", "url", "source", "published", "language")
_SURROGATE = re.compile("[\ud800-\udfff]")


def read_jsonl_file(path: Path, shown: str, seen: set[str]) -> Items:
    """The articles of a .jsonl file, streamed line by line."""
    with path.open("rb") as fh:  # streamed line by line: corpora can be large
        if looks_binary(fh.read(65536)):
            yield InputError(shown, "binary file, not text")
            return
        fh.seek(0)
        yield from read_jsonl_lines(utf8_lines(fh), shown, seen)


def read_jsonl_lines(lines: Iterable[tuple[int, str | int]], shown: str, seen: set[str],
                     strict_dates: bool = False) -> Items:
    """The articles of numbered lines, each a line's text or the byte offset where it is not UTF-8."""
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
        article.id = unique_id(raw_id, seen)
        yield article
    if not any_content:
        yield InputError(shown, "file is empty")


def json_problem(err: json.JSONDecodeError, *, with_line: bool = False) -> str:
    """What is wrong with some JSON, placed by column (and line): 'not valid JSON (Expecting value at column 9)'."""
    # Some of json's messages end in "at" already ("Unterminated string starting at").
    where = f"line {err.lineno} column {err.colno}" if with_line else f"column {err.colno}"
    return f"not valid JSON ({err.msg.removesuffix(' at')} at {where})"


def read_jsonl_body(body: bytes, shown: str) -> Iterator[Article | InputError]:
    """The articles of JSON Lines held in memory (an HTTP request body), read as a .jsonl file is,
    but strict: a line whose date cannot be read fails (a client can send it again, right)."""
    return read_jsonl_lines(utf8_lines(body.split(b"\n")), shown, set(), strict_dates=True)


def read_json_article(obj: Any, shown: str) -> Article | InputError:
    """One article from a decoded JSON object with the JSON Lines fields, checked as a JSONL line is
    (strict about dates, as ``read_jsonl_body``)."""
    made = _jsonl_article(obj, 1, shown, strict_dates=True)
    if isinstance(made, str):
        return InputError(shown, made)
    made[1].meta.pop("line", None)
    return made[1]


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
    raw_date = one_line(obj.get("published"))
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
        id=raw_id, text=clean_text(text), source=where,
        title=one_line(obj.get("title")), url=one_line(obj.get("url")),
        outlet=one_line(obj.get("source")), published=published,
        language=language, language_given=language is not None,
        meta={"format": JSONL, "line": n, **({"extra": extra} if extra else {})}, warnings=said,
    )


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
