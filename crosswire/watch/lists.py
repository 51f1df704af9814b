"""Making watch-lists: a new watch checked whole before it is stored, and a watch told in one line.

The checks live here, not in the CLI, so that any other way of adding watches (the server, a
script) refuses the same things with the same one-line errors: a watch with no condition (it
would fire on every story), a name that cannot be read, a webhook that is not an http(s)
address, a secret too short to sign with.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from crosswire.errors import CrosswireError
from crosswire.language_codes import NotALanguageCode, parse_language_code
from crosswire.store.base import StoreProtocol, Watch
from crosswire.watch.conditions import parse_name

MIN_SECRET = 16  # characters: as the server's --token


class WatchError(CrosswireError):
    """A watch that cannot be added as given."""

    code = "bad_watch"


def check_webhook(url: str) -> str:
    """A webhook address: http or https, with a host. (Where it points is checked at each delivery, by the
    fetch client, since a name can resolve elsewhere by then.)"""
    url = url.strip()
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError as err:
        raise WatchError(url, f"not a webhook address ({err})")
    if parts.scheme.lower() not in ("http", "https") or not host or any(c.isspace() for c in url):
        raise WatchError(url, "a webhook must be an http:// or https:// address with a host")
    return url


@dataclass(frozen=True)
class WatchSpec:
    """A watch checked whole, not stored yet (``watch_spec``)."""

    name: str
    entities: tuple[str, ...] = ()
    words: str | None = None
    languages: tuple[str, ...] = ()
    min_languages: int | None = None
    webhook: str | None = None
    secret: str | None = None
    made_secret: bool = False  # the secret was made here: the user has to be told it, once


def watch_spec(name: str, *, entities: tuple[str, ...] = (), words: str | None = None,
               languages: tuple[str, ...] = (), min_languages: int | None = None, webhook: str | None = None,
               secret: str | None = None) -> WatchSpec:
    """A watch as given, checked and tidied; a webhook without a secret gets one made.

    Raises ``WatchError`` (one line, naming what is wrong) for a watch that cannot be added.
    """
    name = " ".join(name.split())
    if not name or not name.isprintable():
        raise WatchError(name or "watch", "a watch needs a name of printable characters")
    if name.isdigit():
        raise WatchError(name, "a watch's name cannot be a number (watches are named by their ids too)")
    entities = tuple(dict.fromkeys(" ".join(e.split()) for e in entities))
    for entity in entities:
        if not parse_name(entity).words:
            raise WatchError(entity or "--entity", "not a name: no word in it can be read")
    words = " ".join((words or "").split()) or None
    try:
        languages = tuple(dict.fromkeys(parse_language_code(code) for code in languages))
    except NotALanguageCode as err:
        raise WatchError("--lang", str(err))
    if min_languages is not None and min_languages < 2:
        raise WatchError("--min-languages", f"must be 2 or more, got {min_languages}")
    if not (entities or words or languages or min_languages):
        raise WatchError(name, "a watch needs a condition: --entity, --text, --lang or --min-languages")
    if webhook is None:
        if secret:
            raise WatchError("--secret", "a secret signs webhook deliveries: give --webhook with it")
        return WatchSpec(name, entities, words, languages, min_languages)
    webhook = check_webhook(webhook)
    if secret is None:
        return WatchSpec(name, entities, words, languages, min_languages, webhook, secrets.token_urlsafe(32), True)
    if len(secret) < MIN_SECRET:
        raise WatchError("--secret", f"a webhook secret must be at least {MIN_SECRET} characters")
    return WatchSpec(name, entities, words, languages, min_languages, webhook, secret)


def new_watch(store: StoreProtocol, spec: WatchSpec) -> Watch:
    """Store a checked watch; ``WatchError`` when one of its name exists."""
    added = store.add_watch(spec.name, entities=spec.entities, words=spec.words, languages=spec.languages,
                            min_languages=spec.min_languages, webhook=spec.webhook, secret=spec.secret)
    if added is None:
        raise WatchError(spec.name, "a watch of that name exists (crosswire watch list)")
    return added


def conditions_text(watch: Watch) -> str:
    """What a watch asks, in one line: 'entity "Mark Rutte"; lang ar, nb; 2+ languages'."""
    parts = [f"entity {' or '.join(repr_name(e) for e in watch.entities)}"] if watch.entities else []
    if watch.words:
        parts.append(f"text {repr_name(watch.words)}")
    if watch.languages:
        parts.append(f"lang {', '.join(watch.languages)}")
    if watch.min_languages:
        parts.append(f"{watch.min_languages}+ languages")
    return "; ".join(parts)


def repr_name(text: str) -> str:
    return '"' + text.replace('"', '\\"') + '"'


def shown_webhook(url: str) -> str:
    """A webhook address as shown: without a password in it."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username}:***@{parts.netloc.rsplit('@', 1)[1]}"
    return parts._replace(netloc=netloc).geturl()
