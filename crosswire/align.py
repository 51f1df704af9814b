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

from .comparison import Link


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


def margin_matrix(va: np.ndarray, vb: np.ndarray, opts: AlignOptions = AlignOptions()) -> np.ndarray:
    """CSLS margins between centred sentence vectors, less the order prior: > 0 means
    closer than the neighbourhood."""
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
    m = margin_matrix(va, vb, opts)
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
        # 0.5 at the weakest acceptable (mutual) margin, ~0.9 at a one-sided link's.
        score = 1.0 / (1.0 + np.exp(-(m[i, j] - opts.mutual_threshold) / opts.scale))
        links.append(Link(a=ids_a[i], b=ids_b[j], score=float(score)))
    return links
