"""What an embedder is, what a plug-in that makes embedders is, and how settings are written.

An embedder is chosen as ``NAME[:SETTINGS]`` (``--embedder openai:http://127.0.0.1:8080/v1``).
SETTINGS are comma-separated ``key=value`` items; a plug-in may take its main
setting bare as the first item (the ``openai`` plug-in's URL). Secrets never go
in settings: they would be seen in shell history and process lists. A plug-in
that needs one takes the name of an environment variable (``key_env=VAR``).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import AbstractSet, Callable, Mapping, Protocol, Sequence, runtime_checkable

import numpy as np

from crosswire.errors import CrosswireError
from crosswire.registry import SettingsError


@runtime_checkable
class Embedder(Protocol):
    name: str   # registered, versioned name stored with every vector: it must identify the model
    dim: int
    # The language codes its vectors carry meaning for, or None for any: DetectLanguage refuses the others.
    languages: AbstractSet[str] | None
    # The same-story model and language means it is scored with (crosswire/data/*.<calibration>.*),
    # or None: uncalibrated, scored on the sentence alignment alone and named so.
    calibration: str | None

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length float32 vectors, one row per text."""
        ...


class EmbedderError(CrosswireError):
    """The embedder could not embed this input (a model server answered badly): this article fails."""

    code = "embedder_failed"


class EmbedderUnavailable(EmbedderError):
    """The embedder cannot embed anything now (its server is down): no article can go on."""

    code = "embedder_unavailable"


class EmbedderMismatch(CrosswireError):
    """Vectors of one embedder asked to join another's (a store's): a usage error."""

    code = "embedder_mismatch"


def _no_calibration(name: str) -> str | None:
    return None


@dataclass(frozen=True)
class EmbedderPlugin:
    """A factory of embedders from a settings string, and what is known of them without making one.

    What an entry point in ``crosswire.embedders`` names: this, or a bare ``factory(settings)``.
    """

    create: Callable[[str], Embedder]
    usage: str = ""                 # the SETTINGS it takes, one line, for --help and errors
    name: str | None = None         # the versioned name of every embedder it makes, if known beforehand
    # The calibration of a versioned name it made (read back from a store, without making an
    # embedder): stories are scored later, in processes that never make one.
    calibration_for: Callable[[str], str | None] = _no_calibration

    def __call__(self, settings: str) -> Embedder:
        return self.create(settings)


def as_plugin(loaded: object) -> EmbedderPlugin:
    """What an entry point names, as a plug-in: a plug-in stays one, a bare factory is wrapped."""
    if isinstance(loaded, EmbedderPlugin):
        return loaded
    if callable(loaded):
        return EmbedderPlugin(create=loaded)
    raise TypeError(f"an embedder entry point must name a factory, not {type(loaded).__name__}")


def split_spec(spec: str) -> tuple[str, str]:
    """``NAME[:SETTINGS]`` as (name, settings); only the first colon splits (URLs have more)."""
    name, _, settings = spec.partition(":")
    return name.strip(), settings.strip()


def parse_settings(owner: str, settings: str, known: Mapping[str, str], bare: str | None = None) -> dict[str, str]:
    """``settings`` as a dict, checked against ``known`` (key -> what it takes, for help texts).

    ``bare`` names the key a first item without ``=`` stands for (e.g. ``url``).
    """
    out: dict[str, str] = {}
    items = [item.strip() for item in settings.split(",")] if settings else []
    if items and not known:
        raise SettingsError(owner, f"takes no settings, got {settings!r}")
    for n, item in enumerate(items):
        key, eq, value = item.partition("=")
        if not eq:
            if n == 0 and bare is not None:
                key, value = bare, item
            else:
                raise SettingsError(owner, f"setting {item!r} is not key=value ({describe(known, bare)})")
        key, value = key.strip(), value.strip()
        if key not in known:
            raise SettingsError(owner, f"unknown setting {key!r} ({describe(known, bare)})")
        if key in out:
            raise SettingsError(owner, f"setting {key!r} is given twice")
        out[key] = value
    return out


def describe(known: Mapping[str, str], bare: str | None = None) -> str:
    """The settings ``known`` holds, short: ``settings: [url=]URL, model=, ...``."""
    shown = [f"[{k}=]{known[k].split(' ')[0]}" if k == bare else f"{k}=" for k in known]
    return "settings: " + ", ".join(shown) if shown else "it takes no settings"


def number(owner: str, key: str, value: str, *, low: float, high: float, integer: bool = False) -> float:
    """A numeric setting within [low, high]; a usage error otherwise."""
    try:
        got = int(value) if integer else float(value)
    except ValueError:
        got = None
    if got is None or not low <= got <= high:
        kind = "a whole number" if integer else "a number"
        raise SettingsError(owner, f"setting {key}={value!r}: must be {kind} from {low:g} to {high:g}")
    return got


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length, as float32; a row already of unit length is kept bit for bit.

    Kept so that a server of the same model gives the very vectors the engine gives in-process.
    """
    out = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(out.astype(np.float64), axis=1)
    off = np.abs(norms - 1.0) > 1e-4
    if off.any():
        out = out.copy()
        out[off] /= norms[off, None].astype(np.float32)
    return out
