"""Extrinsic clustering metrics: B-cubed and pairwise precision / recall / F1.

Both compare a predicted clustering with a gold one, each given as one label
per item (labels are any hashable values; only equality matters, so two
clusterings that differ only by renaming their labels score the same).

B-cubed (Bagga & Baldwin 1998; the definition and the argument for it as the
metric that satisfies all four formal constraints are Amigó, Gonzalo, Artiles
& Verdejo 2009, "A comparison of extrinsic clustering evaluation metrics based
on formal constraints", Information Retrieval 12(4)). For item ``i`` let
``C(i)`` be the items in its predicted cluster and ``L(i)`` the items with its
gold label (both include ``i``):

    precision(i) = |C(i) ∩ L(i)| / |C(i)|   share of its predicted cluster that shares its gold label
    recall(i)    = |C(i) ∩ L(i)| / |L(i)|   share of its gold class that is in its predicted cluster

B-cubed precision and recall are the averages of these over all items, and
B-cubed F1 is their harmonic mean (Amigó et al.'s F with alpha = 0.5, taken
over the averaged precision and recall, not averaged per item).

Pairwise (Rand-style, over all n(n-1)/2 unordered pairs of distinct items):
a pair is predicted positive when both items are in the same predicted
cluster, and truly positive when both have the same gold label.

    precision = |same predicted and same gold| / |same predicted|
    recall    = |same predicted and same gold| / |same gold|
    F1        = 2 P R / (P + R)

Pairwise scores weigh large clusters quadratically (one wrong merge of two big
clusters costs many pairs); B-cubed weighs every item equally. When there are
no predicted-positive pairs (all singletons) pairwise precision is 1.0
(vacuously: no pair was wrongly joined); when there are no gold-positive pairs,
pairwise recall is 1.0. F1 is 0.0 when precision + recall is 0.

>>> [round(x, 6) for x in bcubed([0, 0, 0, 1, 1], [0, 0, 1, 1, 1])]  # P = R = 11/15
[0.733333, 0.733333, 0.733333]
>>> pairwise_f1([0, 0, 0, 1, 1], [0, 0, 1, 1, 1])  # 2 of 4 predicted pairs right, 2 of 4 gold pairs found
(0.5, 0.5, 0.5)
>>> bcubed(["a", "a", "b"], [7, 7, 9])  # label names do not matter
(1.0, 1.0, 1.0)
"""
from __future__ import annotations

from collections import Counter
from typing import Hashable, Sequence


def _check(labels_true: Sequence[Hashable], labels_pred: Sequence[Hashable]) -> None:
    if len(labels_true) != len(labels_pred):
        raise ValueError(f"{len(labels_true)} gold labels but {len(labels_pred)} predicted labels")


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0


def bcubed(labels_true: Sequence[Hashable], labels_pred: Sequence[Hashable]) -> tuple[float, float, float]:
    """B-cubed (precision, recall, F1) of a predicted clustering against gold labels.

    Computed from the contingency table in O(n): every item in the cell
    (predicted cluster c, gold class g) has the same precision n_cg / n_c and
    recall n_cg / n_g.
    """
    _check(labels_true, labels_pred)
    n = len(labels_true)
    if n == 0:
        return 1.0, 1.0, 1.0
    pred_size = Counter(labels_pred)
    gold_size = Counter(labels_true)
    cells = Counter(zip(labels_pred, labels_true))
    precision = sum(n_cg * n_cg / pred_size[c] for (c, _), n_cg in cells.items()) / n
    recall = sum(n_cg * n_cg / gold_size[g] for (_, g), n_cg in cells.items()) / n
    return precision, recall, _f1(precision, recall)


def pairwise_f1(labels_true: Sequence[Hashable], labels_pred: Sequence[Hashable]) -> tuple[float, float, float]:
    """Pairwise (precision, recall, F1) over all unordered pairs of distinct items."""
    _check(labels_true, labels_pred)

    def pairs(count: int) -> int:
        return count * (count - 1) // 2

    both = sum(pairs(k) for k in Counter(zip(labels_pred, labels_true)).values())
    predicted = sum(pairs(k) for k in Counter(labels_pred).values())
    gold = sum(pairs(k) for k in Counter(labels_true).values())
    precision = both / predicted if predicted else 1.0
    recall = both / gold if gold else 1.0
    return precision, recall, _f1(precision, recall)


def _self_check() -> None:
    import doctest
    import itertools
    import math
    import random
    import sys

    failures, _ = doctest.testmod(sys.modules[__name__])
    assert failures == 0, f"{failures} doctest(s) failed"

    def close(got: tuple[float, ...], want: tuple[float, ...]) -> bool:
        return all(math.isclose(g, w, abs_tol=1e-12) for g, w in zip(got, want))

    gold = [0, 0, 0, 1, 1]
    # Worked by hand (see the module docstring):
    assert close(bcubed(gold, [0, 0, 1, 1, 1]), (11 / 15, 11 / 15, 11 / 15))
    assert close(pairwise_f1(gold, [0, 0, 1, 1, 1]), (0.5, 0.5, 0.5))
    # Perfect clustering, up to renaming.
    assert close(bcubed(gold, [5, 5, 5, 2, 2]), (1.0, 1.0, 1.0))
    assert close(pairwise_f1(gold, [5, 5, 5, 2, 2]), (1.0, 1.0, 1.0))
    # All singletons: B-cubed precision 1, recall = mean(1/|L(i)|) = (3*1/3 + 2*1/2)/5 = 2/5.
    assert close(bcubed(gold, [0, 1, 2, 3, 4]), (1.0, 0.4, 2 * 0.4 / 1.4))
    assert close(pairwise_f1(gold, [0, 1, 2, 3, 4]), (1.0, 0.0, 0.0))
    # One big cluster: B-cubed precision = mean(|L(i)|/5) = (3*3/5 + 2*2/5)/5 = 13/25, recall 1.
    assert close(bcubed(gold, [9] * 5), (13 / 25, 1.0, 2 * 0.52 / 1.52))
    # Pairwise: 10 predicted pairs, 4 of them gold.
    assert close(pairwise_f1(gold, [9] * 5), (0.4, 1.0, 2 * 0.4 / 1.4))
    # Symmetry: swapping gold and prediction swaps precision and recall.
    p, r, _ = bcubed([0, 0, 1, 1, 1], gold)
    assert close((r, p), bcubed(gold, [0, 0, 1, 1, 1])[:2])

    # The O(n) formulas against the literal per-item / per-pair definitions on random labelings.
    rng = random.Random(0)
    for _ in range(200):
        n = rng.randint(1, 30)
        t = [rng.randint(0, 4) for _ in range(n)]
        q = [rng.randint(0, 6) for _ in range(n)]
        prec = sum(sum(q[j] == q[i] and t[j] == t[i] for j in range(n)) / sum(q[j] == q[i] for j in range(n))
                   for i in range(n)) / n
        rec = sum(sum(q[j] == q[i] and t[j] == t[i] for j in range(n)) / sum(t[j] == t[i] for j in range(n))
                  for i in range(n)) / n
        assert close(bcubed(t, q)[:2], (prec, rec))
        same_q = [(i, j) for i, j in itertools.combinations(range(n), 2) if q[i] == q[j]]
        same_t = [(i, j) for i, j in itertools.combinations(range(n), 2) if t[i] == t[j]]
        tp = len(set(same_q) & set(same_t))
        want_p = tp / len(same_q) if same_q else 1.0
        want_r = tp / len(same_t) if same_t else 1.0
        assert close(pairwise_f1(t, q)[:2], (want_p, want_r))
    try:
        bcubed([0, 1], [0])
    except ValueError:
        pass
    else:
        raise AssertionError("length mismatch not refused")
    print("clustering_metrics self-check: all passed")


if __name__ == "__main__":
    _self_check()
