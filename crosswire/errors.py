"""One error shape for the whole library: an input and what is wrong with it.

Every failure a user can cause (a missing file, an empty page, a language the
models do not cover) is a ``CrosswireError``. The CLI prints ``str(err)``, which
is always one line: ``<input>: <problem>``. Nothing else should reach the user
as a traceback.
"""
from __future__ import annotations


class CrosswireError(Exception):
    """A problem with one named input (a path, an article id, an option)."""

    def __init__(self, source: str, problem: str, *, stage: str | None = None) -> None:
        self.source = str(source)
        # Problems are shown on one line; newlines in them would break that promise.
        self.problem = " ".join(str(problem).split())
        self.stage = stage
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f" [{self.stage}]" if self.stage else ""
        return f"{self.source}: {self.problem}{where}"


class InputError(CrosswireError):
    """The input could not be read as an article (missing, empty, binary, unparseable)."""


class UnsupportedLanguageError(CrosswireError):
    """The article is in a language the models do not cover."""


class MissingDependencyError(CrosswireError):
    """An optional dependency is not installed; the message carries the install command."""

    def __init__(self, feature: str, package: str) -> None:
        super().__init__(
            feature,
            f"needs the optional package {package!r}: pip install {package}",
        )
