"""Making watch-lists from the command line, and a watch told in one line.

The checks are ``rules.validate_watch``'s, the API's own, so ``crosswire watch add`` and
``POST /api/watches`` refuse the same things (a watch with no condition, which would fire on
every story; a name that cannot be read; a webhook that is not an http(s) address; a secret
too short to sign with), here naming the options.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from crosswire.store.base import StoreProtocol, Watch
from crosswire.watch.rules import CLI_NAMES, InvalidWatch, WatchError, WatchSpec, validate_watch, webhook_address


def check_webhook(url: str) -> str:
    """A webhook address: http or https, with a host (``rules.validate_watch``'s check). Where it
    points is checked at each delivery, by the fetch client, since a name can resolve elsewhere by then."""
    problems: list[tuple[str, str]] = []
    checked = webhook_address(url, problems)
    if checked is None:
        raise InvalidWatch(problems, url)
    return checked


def watch_spec(name: str, *, entities: tuple[str, ...] = (), words: str | None = None,
               languages: tuple[str, ...] = (), min_languages: int | None = None, webhook: str | None = None,
               secret: str | None = None) -> WatchSpec:
    """A watch as the command line gives it, checked and tidied by ``rules.validate_watch`` (the
    API's rules, its messages naming the options); a webhook without a secret gets one made.

    Raises ``WatchError`` (one line, naming every option that is wrong).
    """
    fields = {"name": " ".join(name.split()), "entities": [" ".join(e.split()) for e in entities], "text": words,
              "languages": list(languages), "min_languages": min_languages, "webhook": webhook, "secret": secret}
    return validate_watch(fields, CLI_NAMES)


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
