"""Sentence alignment computed in blocks (issue #10, case 4): the same links as the whole margin
matrix gave, at any size and any block size, with memory bounded by the block.

How the time grows is measured by bench/align_long.py, not here.
"""
from __future__ import annotations

import numpy as np
import pytest
from align_support import old_align, old_margin_matrix, story_vectors

from crosswire.matching import align as align_module
from crosswire.matching.align import AlignOptions, align, best_partners


def _random(n: int, m: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(n, 24)).astype(np.float32)
    b = rng.normal(size=(m, 24)).astype(np.float32)
    b[: min(n, m)] += 1.5 * a[: min(n, m)]  # some true partners
    return (a / np.linalg.norm(a, axis=1, keepdims=True), b / np.linalg.norm(b, axis=1, keepdims=True))


@pytest.mark.parametrize("seed", range(40))
def test_links_are_identical_to_the_whole_matrix_for_articles_of_news_size(seed: int) -> None:
    rng = np.random.default_rng(1000 + seed)
    n, m = (int(x) for x in rng.integers(1, 80, size=2))
    va, vb = _random(n, m, seed)
    ids_a, ids_b = list(range(100, 100 + n)), list(range(m))
    assert align(va, vb, ids_a, ids_b) == old_align(va, vb, ids_a, ids_b)  # scores too, to the last bit


@pytest.mark.parametrize("keep_cells", [0, align_module.KEEP_CELLS])  # similarities computed again, or kept
@pytest.mark.parametrize("block_cells", [1, 7, 50, 333])
@pytest.mark.parametrize("shape", [(1, 1), (1, 9), (9, 1), (2, 3), (40, 25), (25, 40), (61, 61)])
def test_any_block_size_finds_the_same_best_partners(shape: tuple[int, int], block_cells: int,
                                                     keep_cells: int) -> None:
    va, vb = _random(*shape, seed=shape[0] * 100 + shape[1])
    margins = old_margin_matrix(va, vb)
    best_b, value_b, best_a, value_a = best_partners(va, vb, block_cells=block_cells, keep_cells=keep_cells)
    assert best_b.tolist() == margins.argmax(axis=1).tolist()
    assert best_a.tolist() == margins.argmax(axis=0).tolist()
    np.testing.assert_allclose(value_b, margins.max(axis=1), rtol=0, atol=1e-6)
    np.testing.assert_allclose(value_a, margins.max(axis=0), rtol=0, atol=1e-6)


def test_a_long_pair_is_aligned_in_blocks_with_the_same_links(monkeypatch: pytest.MonkeyPatch) -> None:
    """Above the block size the matrix is never held whole; the links are the old ones."""
    va, vb = story_vectors(1500, seed=3)
    biggest: list[int] = []
    real_partition = np.partition

    def watched(a: np.ndarray, *args, **kwargs):  # every block passes through np.partition
        biggest.append(a.size)
        return real_partition(a, *args, **kwargs)

    monkeypatch.setattr(align_module.np, "partition", watched)
    ids = list(range(1500))
    links = align(va, vb, ids, ids)
    monkeypatch.undo()
    assert max(biggest) <= align_module.BLOCK_CELLS
    old = old_align(va, vb, ids, ids)
    assert [(x.a, x.b) for x in links] == [(x.a, x.b) for x in old]
    np.testing.assert_allclose([x.score for x in links], [x.score for x in old], rtol=0, atol=1e-6)
    assert sum(x.a == x.b for x in links) > 1200  # it still finds the story's pairs


def test_neighbourhood_size_and_prior_are_honoured_in_blocks() -> None:
    va, vb = _random(70, 50, seed=9)
    for opts in (AlignOptions(knn=1), AlignOptions(knn=10, position=0.0), AlignOptions(threshold=-1.0)):
        ids_a, ids_b = list(range(70)), list(range(50))
        assert align(va, vb, ids_a, ids_b, opts) == old_align(va, vb, ids_a, ids_b, opts)
        margins = old_margin_matrix(va, vb, opts)
        assert best_partners(va, vb, opts, block_cells=64)[0].tolist() == margins.argmax(axis=1).tolist()
