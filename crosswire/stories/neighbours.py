"""Approximate nearest-neighbour index over article vectors (usearch HNSW).

Keys are article row ids in the store. Vectors are stored language-centred
(see ``samestory.LanguageMeans``), so that the neighbours of an Arabic article
are the articles on its story, not merely other Arabic articles. Half precision
keeps it at about 1.3 KB per article in memory and 0.9 KB on disk
(bench/story_assign.py); the cost of a query grows with the log of the
collection, not with its size.

The file is only a cache of the store, and its keys are row ids, which another
store (or this one restored from a backup) gives to other articles. So each
save writes a stamp beside it (``<file>.json``): what the owner says identifies
the rows the index holds (``placement.open_index``: the store's random id and
the content hash of the highest row), with the number of keys and the highest,
which tie the stamp to the file saved with it. The owner compares it on load
and rebuilds on any difference.
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np

from crosswire.matching.samestory import LanguageMeans

INDEX_NAME = "usearch-hnsw-cos-f16.v1"
CONNECTIVITY = 16
# Search breadth (HNSW's ef, usearch's expansion_search) grows with the index. A fixed breadth
# finds fewer of a story's members as the graph grows (bench/story_assign.py: synthetic stories of
# 10 in 384 dimensions, the share of a query's story mates in its 24 neighbours): 128 found 99.7%
# at 200k articles but 81% at 1M, where 768 finds 95.5% (11.6 ms a search on 2 cores, against
# 2.3 ms). So: 128 up to 200k, then in proportion to the size to the power 1.11 (128 -> 768 over
# 200k -> 1M, the measured need), to at most 2,048.
EXPANSION_SEARCH = 128
EXPANSION_FROM = 200_000
EXPANSION_POWER = 1.11
EXPANSION_MAX = 2048


def expansion_for(size: int) -> int:
    """The search breadth for an index of ``size`` vectors (a multiple of 16)."""
    if size <= EXPANSION_FROM:
        return EXPANSION_SEARCH
    wanted = EXPANSION_SEARCH * (size / EXPANSION_FROM) ** EXPANSION_POWER
    return int(min(EXPANSION_MAX, 16 * round(wanted / 16)))


def centre(vectors: np.ndarray, languages: list[str | None], embedder: str) -> np.ndarray:
    """Subtract each vector's language mean and renormalise."""
    means = LanguageMeans.for_embedder(embedder)
    out = np.array(vectors, dtype=np.float32, copy=True)
    if means is not None:
        out -= np.stack([means.mean(lang) for lang in languages])
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.where(norms == 0, 1.0, norms)


class VectorIndex:
    def __init__(self, dim: int, path: str | Path | None = None, connectivity: int = CONNECTIVITY) -> None:
        from usearch.index import Index

        self.dim = dim
        self.path = Path(path) if path else None
        # When the index last matched its file (loaded or saved; time.monotonic) and what was added since:
        # the saving policy of a long-lived index (ingest, the server's writer) reads them.
        self.saved_at = time.monotonic()
        self.unsaved = 0
        # What save() writes in the stamp (set by the owner), and the stamp read with the file:
        # None when there is none, or it is not this file's (another process saved between the two).
        self.stamp: Callable[[], dict[str, Any]] | None = None
        self.saved_stamp: dict[str, Any] | None = None
        def empty() -> Index:
            return Index(ndim=dim, metric="cos", dtype="f16", connectivity=connectivity,
                         expansion_add=128, expansion_search=EXPANSION_SEARCH)

        self._index = empty()
        if self.path is not None and self.path.is_file():
            try:
                self._index.load(str(self.path))
            except Exception:
                # A damaged index file is only a cache of the store: start afresh and rebuild.
                self._index = empty()
            else:
                self.saved_stamp = self._read_stamp(self.path)

    def _read_stamp(self, path: Path) -> dict[str, Any] | None:
        try:
            saved = json.loads(stamp_path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(saved, dict) or saved.get("keys") != len(self) or saved.get("max_key") != self.max_key():
            return None
        stamp = saved.get("stamp")
        return stamp if isinstance(stamp, dict) else None

    def __len__(self) -> int:
        return len(self._index)

    def max_key(self) -> int:
        # Iterating usearch's keys fetches them one by one (hours at 1M); as an array it is ms.
        return int(np.asarray(self._index.keys).max()) if len(self._index) else 0

    def contains(self, keys: np.ndarray) -> np.ndarray:
        """For each key, whether it is in the index (one call for the whole array)."""
        if not len(keys):
            return np.zeros(0, dtype=bool)
        return np.asarray(self._index.contains(np.asarray(keys, dtype=np.uint64)), dtype=bool)

    def add(self, keys: np.ndarray, vectors: np.ndarray) -> None:
        if len(keys):
            self._index.add(np.asarray(keys, dtype=np.uint64), np.asarray(vectors, dtype=np.float32))
            self.unsaved += len(keys)

    def search(self, vector: np.ndarray, k: int, expansion: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(keys, cosine similarities) of up to k nearest stored vectors, searched ``expansion``
        wide (default: ``expansion_for`` the index's size)."""
        if not len(self._index):
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        breadth = expansion or expansion_for(len(self._index))
        if self._index.expansion_search != breadth:
            self._index.expansion_search = breadth  # type: ignore[misc]  # settable; the stub says read-only
        found = self._index.search(np.asarray(vector, dtype=np.float32), min(k, len(self._index)))
        return np.asarray(found.keys, dtype=np.int64), 1.0 - np.asarray(found.distances, dtype=np.float32)

    def memory_bytes(self) -> int:
        return int(self._index.memory_usage)

    def save(self) -> None:
        """Write atomically: a crash mid-save leaves the previous file, never half of one."""
        if self.path is None:
            return
        # One temporary file per process: the server and a `crosswire ingest` beside it both save
        # this index file, and must not write into the same temporary file at once.
        tmp = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        self._index.save(str(tmp))
        os.replace(tmp, self.path)
        stamp: dict[str, Any] = {"keys": len(self), "max_key": self.max_key(), "stamp": self.stamp() if self.stamp else None}
        tmp = self.path.with_name(f"{stamp_path(self.path).name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(stamp), encoding="utf-8")
        os.replace(tmp, stamp_path(self.path))
        self.saved_at = time.monotonic()
        self.unsaved = 0
        self.saved_stamp = stamp["stamp"]


def stamp_path(path: Path) -> Path:
    """Where the stamp of the index file at ``path`` is kept."""
    return path.with_name(path.name + ".json")
