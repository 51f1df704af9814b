"""uroman, loaded in a quarter of a second instead of two to four.

``uroman.Uroman()`` parses its rule files on every start (2-4 s, most of a cold
``crosswire compare``). The parsed tables are plain dicts, so the first start
saves them to the user's cache folder and later starts load that file. Nothing
is fetched: the file is made from the installed package, named by its version,
and rebuilt whenever it is missing, stale or unreadable.

The file is a pickle, which runs code when loaded: it lives in the user's own
cache folder (``$CROSSWIRE_CACHE``, else ``$XDG_CACHE_HOME/crosswire``, else
``~/.cache/crosswire``), where anyone able to write it could already run code
as that user.
"""
from __future__ import annotations

import os
import pickle
import sys
import tempfile
import threading
from collections import defaultdict
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

_lock = threading.Lock()
_loaded: Any = None
# Attributes uroman fills while parsing; a cached state must hold all of them.
_REQUIRED = ("rom_rules", "scripts", "dict_bool", "dict_str", "num_props")


def cache_dir() -> Path:
    if os.environ.get("CROSSWIRE_CACHE"):
        return Path(os.environ["CROSSWIRE_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "crosswire"


def _cache_file() -> Path:
    try:
        uroman_version = version("uroman")
    except PackageNotFoundError:
        uroman_version = "unknown"
    python = f"py{sys.version_info[0]}{sys.version_info[1]}"
    return cache_dir() / f"uroman-{uroman_version}-{python}-{pickle.HIGHEST_PROTOCOL}.pickle"


def _from_cache(path: Path) -> Any:
    from uroman import Uroman

    try:
        state, numbers = pickle.loads(path.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, ImportError):
        return None
    if not isinstance(state, dict) or not all(key in state for key in _REQUIRED):
        return None
    engine = Uroman.__new__(Uroman)
    engine.__dict__.update(state)
    # The one table uroman builds with a lambda default, which pickle cannot hold.
    engine.dict_num = defaultdict(lambda: None, numbers)
    return engine


def _save(engine: Any, path: Path) -> None:
    state = dict(vars(engine))
    numbers = dict(state.pop("dict_num", {}))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written beside and renamed: a reader never sees half a file.
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=".tmp") as out:
            pickle.dump((state, numbers), out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(out.name, path)
    except OSError:  # a read-only home: every start parses the rules, nothing else changes
        try:
            os.unlink(out.name)
        except (OSError, UnboundLocalError):
            pass


def load_uroman() -> Any:
    """The process's one ``Uroman``, from the cache when it can be; safe to call from any thread."""
    global _loaded
    with _lock:
        if _loaded is None:
            path = _cache_file()
            engine = _from_cache(path) if path.is_file() else None
            if engine is None:
                from uroman import Uroman

                engine = Uroman()
                _save(engine, path)
            _loaded = engine
        return _loaded
