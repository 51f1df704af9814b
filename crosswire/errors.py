"""One error shape for the whole library: an input and what is wrong with it.

Every failure a user can cause (a missing file, an empty page, a language the
models do not cover) is a ``CrosswireError``. The CLI prints ``str(err)``, which
is always one line: ``<input>: <problem>``. Nothing else should reach the user
as a traceback.
"""
from __future__ import annotations


class CrosswireError(Exception):
    """A problem with one named input (a path, an article id, an option)."""

    # What went wrong, for programs (an ingest outcome, an API answer); the message is for people.
    code = "failed"

    def __init__(self, source: str, problem: str, *, stage: str | None = None) -> None:
        self.source = str(source)
        # Problems are shown on one line; newlines in them would break that promise.
        self.problem = " ".join(str(problem).split())
        self.stage = stage
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f" [{self.stage}]" if self.stage else ""
        return f"{self.source}: {self.problem}{where}"

    def __reduce__(self) -> tuple[object, ...]:
        # An exception pickles as ``type(*args)``, which does not fit this __init__ (nor a
        # subclass's): rebuilt field by field, an error raised in a worker process comes back whole.
        return _rebuild, (type(self), self.source, self.problem, self.stage)


def _rebuild(cls: type[CrosswireError], source: str, problem: str, stage: str | None) -> CrosswireError:
    err = cls.__new__(cls)
    CrosswireError.__init__(err, source, problem, stage=stage)
    return err


class InputError(CrosswireError):
    """The input could not be read as an article (missing, empty, binary, unparseable)."""

    code = "unreadable"


class NotAnalysedError(CrosswireError):
    """A vector asked of an article or sentence the pipeline has not embedded (a caller's bug)."""

    code = "not_analysed"


class UnsupportedLanguageError(CrosswireError):
    """The article is in a language the models do not cover."""

    code = "unsupported_language"


class MissingDependencyError(CrosswireError):
    """An optional dependency is not installed; the message carries the install command."""

    code = "missing_dependency"

    def __init__(self, feature: str, package: str) -> None:
        super().__init__(
            feature,
            f"needs the optional package {package!r}: pip install {package}",
        )
