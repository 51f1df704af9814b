"""How the store keeps sentence vectors: float32, float16, or int8 with a scale per vector.

Sentence vectors are most of a stored article (a 384-dim float32 vector is 1,536 bytes, and an
article has ~16 sentences: ~25 of its ~28 KB), so at a million articles the store is mostly them.
They are unit vectors compared by cosine, which needs far fewer than 32 bits a component:
float16 keeps each component within 2.5e-4 of its value (half the size), int8 with a symmetric
per-row scale keeps the cosine to the original above 0.9999 (a quarter of the size, plus 4
bytes a row). ``bench/store_bytes.py`` measures both against float32 on NTREX articles.

Each row says its format in its own column (``articles.vector_format``, migration 6; 0 =
float32, what every row stored before it is), so a store mixes formats freely: old rows are
read as they are, and new rows are written in the store's setting (``meta`` key
``vector_format``). Only the sentence vectors are kept compact; the article and opening
vectors (two a row) stay float32, since they feed the nearest-neighbour index directly.
"""
from __future__ import annotations

from typing import Final

import numpy as np

FLOAT32: Final = 0
FLOAT16: Final = 1
INT8: Final = 2

NAMES: Final = {"float32": FLOAT32, "float16": FLOAT16, "int8": INT8}
DEFAULT: Final = "float16"  # why float16, not int8: bench/store_bytes.py and the README's "Stories"

_SCALE = np.dtype("<f4")


def code_of(name: str) -> int:
    """The format code of a format's name; an unknown name is a ValueError that lists the known ones."""
    if name not in NAMES:
        raise ValueError(f"unknown vector format {name!r} (known: {', '.join(NAMES)})")
    return NAMES[name]


def encode(vectors: np.ndarray, code: int) -> bytes:
    """A (rows, dim) matrix as the bytes of one BLOB in this format (little-endian)."""
    matrix = np.asarray(vectors, dtype=np.float32)
    if matrix.ndim != 2:
        raise ValueError(f"expected a (rows, dim) matrix, got shape {matrix.shape}")
    if code == FLOAT32:
        return matrix.astype("<f4").tobytes()
    if code == FLOAT16:
        return matrix.astype("<f2").tobytes()
    if code == INT8:
        # Symmetric per row: the largest |component| of a row maps to 127, so a row's error is
        # relative to its own size; an all-zero row keeps scale 0 and decodes to zeros.
        peak = np.abs(matrix).max(axis=1) if matrix.size else np.zeros(len(matrix), dtype=np.float32)
        scales = (peak / 127.0).astype(_SCALE)
        safe = np.where(scales > 0, scales, 1.0).astype(np.float32)
        codes = np.clip(np.rint(matrix / safe[:, None]), -127, 127).astype(np.int8)
        return scales.tobytes() + codes.tobytes()  # the rows' scales first, then the codes
    raise ValueError(f"unknown vector format code {code}")


def decode(blob: bytes, dim: int, code: int) -> np.ndarray:
    """The float32 (rows, dim) matrix of a BLOB written by ``encode`` in this format."""
    if code == FLOAT32:
        return np.frombuffer(blob, dtype="<f4").reshape(-1, dim)
    if code == FLOAT16:
        return np.frombuffer(blob, dtype="<f2").astype(np.float32).reshape(-1, dim)
    if code == INT8:
        rows, rest = divmod(len(blob), _SCALE.itemsize + dim)
        if rest:
            raise ValueError(f"an int8 vector BLOB of {len(blob)} bytes is not whole rows of dim {dim}")
        scales = np.frombuffer(blob, dtype=_SCALE, count=rows)
        codes = np.frombuffer(blob, dtype=np.int8, offset=rows * _SCALE.itemsize).reshape(rows, dim)
        return (codes.astype(np.float32) * scales[:, None]).astype(np.float32)
    raise ValueError(f"unknown vector format code {code}")
