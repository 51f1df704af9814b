"""Sentence alignment as it was before it was computed in blocks (the whole margin matrix, sorted
along both axes), kept as the reference the blocked alignment must equal, and by bench/align_long.py
as the "old" column."""
from __future__ import annotations

import numpy as np

from crosswire.matching.align import AlignOptions  # the whole matrix, as before blocks
from crosswire.matching.align import margin_matrix as old_margin_matrix
from crosswire.matching.comparison import Link


def old_align(va: np.ndarray, vb: np.ndarray, ids_a: list[int], ids_b: list[int],
              opts: AlignOptions = AlignOptions()) -> list[Link]:
    if len(va) == 0 or len(vb) == 0:
        return []
    m = old_margin_matrix(va, vb, opts)
    chosen: set[tuple[int, int]] = set()
    best_b = m.argmax(axis=1)
    best_a = m.argmax(axis=0)
    for i, j in enumerate(best_b):
        if m[i, j] >= (opts.mutual_threshold if best_a[j] == i else opts.threshold):
            chosen.add((i, int(j)))
    for j, i in enumerate(best_a):
        if m[i, j] >= (opts.mutual_threshold if best_b[i] == j else opts.threshold):
            chosen.add((int(i), j))
    links = []
    for i, j in sorted(chosen):
        score = 1.0 / (1.0 + np.exp(-(m[i, j] - opts.mutual_threshold) / opts.scale))
        links.append(Link(a=ids_a[i], b=ids_b[j], score=float(score)))
    return links


def story_vectors(n: int, dim: int = 384, *, seed: int = 0, noise: float = 0.8,
                  shuffle: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Two articles of ``n`` sentence vectors telling one story: the second a noisy, partly reordered
    copy of the first (as a rewrite is), unit length, float32 as the embedders give."""
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(n, dim)).astype(np.float32)
    order = np.arange(n)
    moved = rng.choice(n, size=int(n * shuffle), replace=False)
    order[moved] = rng.permutation(order[moved])
    b = a[order] + noise * rng.normal(size=(n, dim)).astype(np.float32)
    unit = lambda x: (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)  # noqa: E731
    return unit(a), unit(b)
