"""``hash``: a deterministic fake for fast unit tests.

It shares no knowledge across languages, so tests that use it test plumbing, not
quality. It is uncalibrated: its same-story scores rest on the sentence alignment
alone. It declares multilingual-e5's languages so that the refusals of the default
embedder are tested at its speed.
"""
from __future__ import annotations

import hashlib
import re
from typing import AbstractSet, Sequence

import numpy as np

from crosswire.analysis.embedders.base import EmbedderPlugin, parse_settings
from crosswire.analysis.embedders.e5 import E5_LANGUAGES

NAME = "hash.v1"


class HashEmbedder:
    """Bag of hashed word and character n-grams: deterministic, instant, monolingual."""

    name = NAME
    dim = 256
    languages: AbstractSet[str] | None = E5_LANGUAGES
    calibration: str | None = None

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


def create(settings: str = "") -> HashEmbedder:
    parse_settings("hash", settings, {})
    return HashEmbedder()


PLUGIN = EmbedderPlugin(create=create, usage="hash", name=NAME)
