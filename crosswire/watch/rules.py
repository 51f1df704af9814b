"""What makes a watch-list valid: one function, for every way a watch is made.

``POST /api/watches`` checks a request body with ``validate_watch``, and ``crosswire watch add``
its options with the same function (``lists.watch_spec``), so the two never accept different
watches nor word the same mistake differently; each names the fields its own way (``API_NAMES``,
``CLI_NAMES``). Nothing here knows HTTP or the command line: the fields
come in as a mapping (the JSON body's names), the answer is a ``WatchSpec`` ready for
``store.add_watch``, or ``InvalidWatch`` listing every bad field at once.

A watch with a webhook and no secret gets one made here (``secrets.token_urlsafe(24)``): its
deliveries are always signed, and the caller shows the made secret once (``secret_made``).
"""
from __future__ import annotations

import secrets
import unicodedata
from dataclasses import dataclass
from typing import Any, Mapping
from urllib.parse import urlsplit

from crosswire.errors import CrosswireError
from crosswire.language_codes import NotALanguageCode, parse_language_code
from crosswire.watch.conditions import parse_name

FIELDS = ("name", "entities", "text", "languages", "min_languages", "webhook", "secret")
MAX_NAME = 100
MAX_ENTITY = 200
MAX_ENTITIES = 50
MAX_TEXT = 500
MAX_LANGUAGES = 50
MIN_LANGUAGES, MAX_MIN_LANGUAGES = 2, 50
MAX_URL = 2000
MIN_SECRET, MAX_SECRET = 16, 200  # a webhook's HMAC key: as long as a server token at least


class WatchError(CrosswireError):
    """A watch that cannot be added as given."""

    code = "bad_watch"


class InvalidWatch(WatchError):
    """A watch that cannot be made; ``problems`` names each bad field: ``[(field, message)]``."""

    code = "invalid_watch"
    problems: tuple[tuple[str, str], ...] = ()

    def __init__(self, problems: list[tuple[str, str]], where: str = "watch") -> None:
        super().__init__(where, "; ".join(f"{field}: {message}" for field, message in problems))
        self.problems = tuple(problems)


# How each field is named in messages: the API's JSON names, or the command line's options.
API_NAMES = {field: field for field in FIELDS}
CLI_NAMES = {"name": "NAME", "entities": "--entity", "text": "--text", "languages": "--with-lang",
             "min_languages": "--min-languages", "webhook": "--webhook", "secret": "--secret"}


@dataclass(frozen=True)
class WatchSpec:
    """A checked watch, its values tidied (stripped, duplicates dropped, language codes normalised)."""

    name: str
    entities: tuple[str, ...]
    words: str | None            # the body's ``text``; the store calls it ``words``
    languages: tuple[str, ...]
    min_languages: int | None
    webhook: str | None
    secret: str | None
    secret_made: bool = False    # the secret was made here: show it to the user once


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__


class _Problems(list[tuple[str, str]]):
    """The problems found, each field named as ``names`` says (``entities[2]`` stays indexed in the API's)."""

    def __init__(self, names: Mapping[str, str]) -> None:
        super().__init__()
        self.names = names

    def append(self, problem: tuple[str, str]) -> None:
        field, message = problem
        if self.names is not API_NAMES:  # "entities[2]" -> "--entity"; "a, b" (unknown fields) as they are
            field = ", ".join(self.names.get(f.strip(), f.strip()) for f in field.partition("[")[0].split(","))
        super().append((field, message))


def _control(text: str) -> bool:
    """Control characters (C0, C1, DEL) and line or paragraph separators: a name is one line."""
    return any(unicodedata.category(c) == "Cc" or c in "\u2028\u2029" for c in text)


def _text(value: Any, field: str, most: int, problems: list[tuple[str, str]]) -> str | None:
    """A one-line string of 1 to ``most`` characters (stripped); None, and a problem, when it is not."""
    if not isinstance(value, str):
        problems.append((field, f"must be a string, got {_kind(value)}"))
        return None
    text = value.strip()
    if not text:
        problems.append((field, "must not be empty"))
    elif len(text) > most:
        problems.append((field, f"at most {most} characters, got {len(text)}"))
    elif _control(text):
        problems.append((field, "must not hold control characters or line breaks"))
    else:
        return text
    return None


def _list(value: Any, field: str, most: int, problems: list[tuple[str, str]]) -> list[Any]:
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        problems.append((field, f"must be a list of strings, got {_kind(value)}"))
        return []
    if len(value) > most:
        problems.append((field, f"at most {most} items, got {len(value)}"))
        return []
    return list(value)


def webhook_address(value: Any, problems: list[tuple[str, str]]) -> str | None:
    """``value`` as a webhook address (http or https, with a host), else None and a problem."""
    url = _text(value, "webhook", MAX_URL, problems)
    if url is None:
        return None
    try:
        parts = urlsplit(url)
        _ = parts.port  # a port that is not a number raises ValueError
    except ValueError:
        problems.append(("webhook", f"not a URL: {url[:80]!r}"))
        return None
    if parts.scheme.lower() not in ("http", "https"):
        problems.append(("webhook", f"must be an http or https URL, got {(parts.scheme or 'no scheme')[:20]!r}"))
    elif not parts.hostname or any(c.isspace() for c in url):
        problems.append(("webhook", f"not a URL with a host: {url[:80]!r}"))
    else:
        return url
    return None


def validate_watch(fields: Mapping[str, Any], names: Mapping[str, str] = API_NAMES) -> WatchSpec:
    """The watch ``fields`` describe, checked; ``InvalidWatch`` names every bad field.

    ``fields`` (a JSON body's names; a missing field and null are the same): ``name`` (1-100
    characters, one line, not a bare number, which would read as an id), and at least one
    condition: ``entities`` (names, each 1-200 characters), ``text`` (words, at most 500
    characters), ``languages`` (codes like ar, nb, zh-CN), ``min_languages`` (a whole number
    from 2 to 50). ``webhook``: an http(s) URL; ``secret`` (16-200 characters) signs its
    deliveries, and is made when a webhook comes without one. ``names``: how messages name the
    fields (a list's item as ``entities[2]`` in the API's names, as ``--entity`` in the CLI's).
    """
    problems = _Problems(names)
    unknown = sorted(str(k) for k in fields if k not in FIELDS)
    if unknown:
        problems.append((", ".join(unknown), f"unknown field{'s' if len(unknown) > 1 else ''} "
                                             f"(a watch has {', '.join(FIELDS)})"))
    given = {k: v for k, v in fields.items() if k in FIELDS and v is not None}

    name = None
    if "name" not in given:
        problems.append(("name", "missing: a watch needs a name"))
    else:
        name = _text(given["name"], "name", MAX_NAME, problems)
        if name is not None and name.isdigit():
            problems.append(("name", f"must not be a bare number ({name!r} would read as a watch's id)"))

    entities: list[str] = []
    for n, item in enumerate(_list(given.get("entities", []), "entities", MAX_ENTITIES, problems)):
        entity = _text(item, f"entities[{n}]", MAX_ENTITY, problems)
        if entity is not None and not parse_name(entity).words:
            problems.append((f"entities[{n}]", f"not a name: no word of {entity[:80]!r} can be read"))
        elif entity is not None and entity not in entities:
            entities.append(entity)

    words = None
    if "text" in given:
        if isinstance(given["text"], str) and not given["text"].strip():
            pass  # blank words: no condition, as if absent
        else:
            words = _text(given["text"], "text", MAX_TEXT, problems)

    languages: list[str] = []
    for n, item in enumerate(_list(given.get("languages", []), "languages", MAX_LANGUAGES, problems)):
        if not isinstance(item, str):
            problems.append((f"languages[{n}]", f"must be a language code (a string), got {_kind(item)}"))
            continue
        try:
            code = parse_language_code(item[:40])
        except NotALanguageCode as err:
            problems.append((f"languages[{n}]", str(err)))
            continue
        if code not in languages:
            languages.append(code)

    min_languages = given.get("min_languages")
    if min_languages is not None and (isinstance(min_languages, bool) or not isinstance(min_languages, int)
                                      or not MIN_LANGUAGES <= min_languages <= MAX_MIN_LANGUAGES):
        shown = min_languages if isinstance(min_languages, int) and not isinstance(min_languages, bool) else _kind(min_languages)
        problems.append(("min_languages", f"must be a whole number from {MIN_LANGUAGES} to {MAX_MIN_LANGUAGES}, "
                                          f"got {shown}"))
        min_languages = None

    webhook = webhook_address(given["webhook"], problems) if "webhook" in given else None
    secret = None
    if "secret" in given:
        secret = _text(given["secret"], "secret", MAX_SECRET, problems)
        if secret is not None and len(secret) < MIN_SECRET:
            problems.append(("secret", f"too short ({len(secret)} characters): use at least {MIN_SECRET} characters"))
        elif secret is not None and "webhook" not in given:
            hook = "a webhook" if names is API_NAMES else names["webhook"]
            problems.append(("secret", f"only with {hook} (it signs the webhook's deliveries)"))

    conditions = ("entities", "text", "languages", "min_languages")
    # A bad condition is reported as itself, not as no condition at all.
    bad_condition = any(field.split("[")[0] in {names[c] for c in conditions} for field, _ in problems)
    if not (entities or words or languages or min_languages is not None or bad_condition):
        problems.append(("conditions", "a watch needs at least one of "
                         + ", ".join(names[c] for c in conditions[:-1]) + f" or {names[conditions[-1]]}"))
    if problems:
        raise InvalidWatch(list(problems), name or "watch")
    assert name is not None
    made = webhook is not None and secret is None
    return WatchSpec(name=name, entities=tuple(entities), words=words, languages=tuple(languages),
                     min_languages=min_languages, webhook=webhook,
                     secret=secrets.token_urlsafe(24) if made else secret, secret_made=made)
