"""Sentence alignment between two articles, allowing one-to-many links.

Raw multilingual-e5 cosine is a poor ruler here: every pair of sentences from
one story scores about the same (0.83-0.88) and pairs in the same language
score higher. Two corrections make the scores comparable:

1. Centring: each article's mean sentence vector (its language and topic) is
   subtracted, leaving what distinguishes one sentence from its neighbours.
2. CSLS (cross-domain similarity local scaling, Conneau et al. 2018): a pair is
   scored against how close each side is to its k nearest candidates, so a
   sentence that is close to everything ("hub") does not win everywhere.

3. A mild order prior: outlets rewrite and reorder, but a fact near the top of
   one article is more likely near the top of the other than at its end.

A link is made from each sentence to its best partner, in both directions.
Taking best partners from both sides is what allows one-to-many links (one
sentence that carries the facts of two). A pair that is each other's best
partner (mutual) is accepted on weaker evidence than a one-sided link: on
translations into low-resource languages (Hausa, Amharic) the right partner is
often mutual but with a small margin, while a one-sided link at that margin is
usually a sentence with no counterpart grabbing its nearest neighbour.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from crosswire.matching.comparison import Link


@dataclass(frozen=True)
class AlignOptions:
    # Fitted on the NTREX calibration half and the seeds (evals/ntrex_align_eval.py
    # reports the evaluation half).
    threshold: float = 0.12         # margin a one-sided best-partner link must clear
    mutual_threshold: float = -0.10  # margin a mutual best pair must clear
    position: float = 0.2       # penalty per unit of relative position difference
    knn: int = 3                # neighbours in the CSLS hub correction
    shrink: float = 2.0         # pseudo-count pulling a short article's mean to the pair's mean
    scale: float = 0.10         # width of the logistic that turns margins into [0, 1] scores


def _unit(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.where(norms == 0, 1.0, norms)


def centred(va: np.ndarray, vb: np.ndarray, shrink: float) -> tuple[np.ndarray, np.ndarray]:
    """Subtract each article's mean, shrunk towards the pair's mean for short articles
    (centring a two-sentence article on itself would just oppose its sentences)."""
    joint = np.concatenate([va, vb]).mean(axis=0)
    out = []
    for v in (va, vb):
        w = len(v) / (len(v) + shrink)
        out.append(_unit(v - (w * v.mean(axis=0) + (1 - w) * joint)))
    return out[0], out[1]


# Similarity cells worked on at once. Up to this many (1,000 x 1,000 sentences; a news article has
# a few dozen) the whole matrix is one block, its product computed as it always was. Beyond it,
# blocks of rows: the float64 margins are never held whole, and the time grows with the product of
# the two sentence counts at a small constant (a matrix product and two partial selections per cell,
# no sort), where sorting the whole matrix along both axes took ~50 s and gigabytes at 8,800 sentences.
BLOCK_CELLS = 1 << 20
# Up to this many cells (64 MB of float32) the blocks' similarities are kept for the second pass;
# beyond it they are computed again (a second matrix product), so memory stays bounded.
KEEP_CELLS = 1 << 24


def _row_blocks(n: int, m: int, cells: int) -> list[slice]:
    step = max(1, cells // max(m, 1))
    return [slice(start, min(start + step, n)) for start in range(0, n, step)]


def _top_mean(top: np.ndarray, axis: int) -> np.ndarray:
    """Mean of the selected largest values, summed in ascending order as a full sort would give them,
    so the result is the same to the last bit."""
    return np.sort(top, axis=axis).mean(axis=axis)


def best_partners(va: np.ndarray, vb: np.ndarray, opts: AlignOptions = AlignOptions(),
                  block_cells: int = BLOCK_CELLS, keep_cells: int = KEEP_CELLS
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each sentence's best partner by margin, from both sides: ``best_b[i]`` and its margin
    ``value_b[i]`` for each row of ``va``, ``best_a[j]`` and ``value_a[j]`` for each row of ``vb``.

    The margins are those of ``margin_matrix``, computed a block of rows at a time in two
    passes (the neighbourhoods first, then the margins), so the margin matrix is never held whole.
    """
    ca, cb = centred(va, vb, opts.shrink)
    n, m = len(ca), len(cb)
    ka, kb = min(opts.knn, m), min(opts.knn, n)
    blocks = _row_blocks(n, m, block_cells)
    kept: list[np.ndarray] | None = [] if n * m <= keep_cells else None
    # Pass 1: each row's mean similarity to its ka nearest columns, each column's to its kb nearest rows.
    ra = np.empty(n, dtype=np.result_type(ca, cb))
    top_b: np.ndarray | None = None
    for rows in blocks:
        sim = ca @ cb.T if len(blocks) == 1 else ca[rows] @ cb.T  # one block: the whole product, as always
        if kept is not None:
            kept.append(sim)
        ra[rows] = _top_mean(np.partition(sim, m - ka, axis=1)[:, m - ka:], axis=1)
        k = min(kb, len(sim))
        block_top = np.partition(sim, len(sim) - k, axis=0)[len(sim) - k:]
        top_b = block_top if top_b is None else np.concatenate([top_b, block_top])
        if len(top_b) > kb:
            top_b = np.partition(top_b, len(top_b) - kb, axis=0)[len(top_b) - kb:]
    assert top_b is not None
    rb = _top_mean(top_b, axis=0)
    # Pass 2: margins less the order prior, block by block; the best of each row and of each column.
    pos_a = np.linspace(0.0, 1.0, n)
    pos_b = np.linspace(0.0, 1.0, m)
    best_b = np.empty(n, dtype=np.intp)
    value_b = np.empty(n)
    best_a = np.zeros(m, dtype=np.intp)
    value_a = np.full(m, -np.inf)
    columns = np.arange(m)
    for b, rows in enumerate(blocks):
        sim = kept[b] if kept is not None else ca[rows] @ cb.T
        # margin_matrix's arithmetic, step for step (the same values), with fewer temporaries.
        close = 2 * sim
        close -= ra[rows, None]
        close -= rb[None, :]
        margins = np.subtract.outer(pos_a[rows], pos_b)
        np.abs(margins, out=margins)
        margins *= opts.position
        np.subtract(close, margins, out=margins)
        best = margins.argmax(axis=1)
        best_b[rows] = best
        value_b[rows] = margins[np.arange(len(margins)), best]
        best_here = margins.argmax(axis=0)
        value_here = margins[best_here, columns]
        better = value_here > value_a  # strictly: a tie keeps the earlier row, as argmax over all rows does
        best_a[better] = best_here[better] + rows.start
        value_a[better] = value_here[better]
    return best_b, value_b, best_a, value_a


def margin_matrix(va: np.ndarray, vb: np.ndarray, opts: AlignOptions = AlignOptions()) -> np.ndarray:
    """CSLS margins between centred sentence vectors, less the order prior: > 0 means
    closer than the neighbourhood. The whole matrix: for inspection; ``align`` uses
    ``best_partners``, which gives the same best pairs without holding it."""
    ca, cb = centred(va, vb, opts.shrink)
    sim = ca @ cb.T
    ka = min(opts.knn, sim.shape[1])
    kb = min(opts.knn, sim.shape[0])
    ra = np.sort(sim, axis=1)[:, -ka:].mean(axis=1)
    rb = np.sort(sim, axis=0)[-kb:, :].mean(axis=0)
    margins = 2 * sim - ra[:, None] - rb[None, :]
    pos_a = np.linspace(0.0, 1.0, len(va))
    pos_b = np.linspace(0.0, 1.0, len(vb))
    return margins - opts.position * np.abs(pos_a[:, None] - pos_b[None, :])


def align(va: np.ndarray, vb: np.ndarray, ids_a: list[int], ids_b: list[int],
          opts: AlignOptions = AlignOptions()) -> list[Link]:
    """Links between sentences ``ids_a`` (rows of ``va``) and ``ids_b`` (rows of ``vb``)."""
    if len(va) == 0 or len(vb) == 0:
        return []
    best_b, value_b, best_a, value_a = best_partners(va, vb, opts)
    chosen: dict[tuple[int, int], float] = {}
    for i, j in enumerate(best_b):
        if value_b[i] >= (opts.mutual_threshold if best_a[j] == i else opts.threshold):
            chosen[(i, int(j))] = value_b[i]
    for j, i in enumerate(best_a):
        if value_a[j] >= (opts.mutual_threshold if best_b[i] == j else opts.threshold):
            chosen[(int(i), j)] = value_a[j]
    links = []
    for (i, j), margin in sorted(chosen.items()):
        # 0.5 at the weakest acceptable (mutual) margin, ~0.9 at a one-sided link's.
        score = 1.0 / (1.0 + np.exp(-(margin - opts.mutual_threshold) / opts.scale))
        links.append(Link(a=ids_a[i], b=ids_b[j], score=float(score)))
    return links
