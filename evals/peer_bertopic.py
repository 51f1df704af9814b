"""BERTopic as the peer for story clustering, on precomputed embeddings only.

``bertopic_labels(docs, embeddings)`` clusters articles the way a BERTopic
user would (UMAP to 5 dimensions, then BERTopic's default HDBSCAN), but on
vectors we give it, so that the comparison with crosswire's own clustering is
about the clustering and not about the embedder. Nothing here loads or
downloads a model: BERTopic is built with ``embedding_model=None`` and always
handed ``embeddings=``, which is the one path on which it never calls
``select_backend`` (the call that would fetch ``all-MiniLM-L6-v2``). Its topic
representation (c-TF-IDF) is kept cheap and script-neutral: character 2-3-grams
within word boundaries, so Chinese or Japanese text, which has no spaces for
the default word tokenizer, does not break it, and ``language="multilingual"``,
because with the default ``"english"`` BERTopic deletes every non-ASCII
character before c-TF-IDF (an all-CJK corpus then fails with "empty
vocabulary"). The representation does not affect the labels.

BERTopic is an optional, heavy dependency (PyTorch comes with
sentence-transformers): see evals/PEER.md for how to install it.

Run the synthetic self-test (40 clusters x 20 noisy vectors, dim 384):

    .venv/bin/python evals/peer_bertopic.py [--clusters 40] [--size 20] [--noise 1.0 1.5 2.0]
"""
from __future__ import annotations

import time
from typing import Sequence

import numpy as np

INSTALL_HINT = "BERTopic is not installed: pip install torch==2.13.0 bertopic==0.17.4"

# BERTopic's own UMAP defaults (bertopic/_bertopic.py), plus a fixed random_state.
UMAP_PARAMS = dict(n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine")


def _import_bertopic():
    try:
        import hdbscan  # noqa: F401  (BERTopic falls back to sklearn's HDBSCAN without it)
        from bertopic import BERTopic
        from sklearn.feature_extraction.text import CountVectorizer
        from umap import UMAP
    except ImportError as err:
        raise RuntimeError(INSTALL_HINT) from err
    return BERTopic, UMAP, CountVectorizer


def singletons_for_noise(topics: Sequence[int]) -> list[int]:
    """HDBSCAN's noise label -1 becomes a fresh singleton cluster per article."""
    labels = [int(t) for t in topics]
    next_label = max(labels, default=-1) + 1
    out = []
    for t in labels:
        if t == -1:
            out.append(next_label)
            next_label += 1
        else:
            out.append(t)
    return out


def bertopic_labels(docs: list[str], embeddings: np.ndarray, min_cluster_size: int = 5,
                    seed: int = 0) -> tuple[list[int], float]:
    """Cluster ``docs`` by their precomputed ``embeddings`` with BERTopic.

    Returns one label per document (HDBSCAN outliers each get a singleton
    label of their own, so every article has a cluster) and the wall seconds
    BERTopic took (building the model and ``fit_transform``; not the import).
    Raises RuntimeError if BERTopic, hdbscan or umap-learn is not installed.
    """
    BERTopic, UMAP, CountVectorizer = _import_bertopic()
    embeddings = np.asarray(embeddings, dtype=np.float32)
    if embeddings.ndim != 2 or embeddings.shape[0] != len(docs):
        raise ValueError(f"need one embedding row per document: {len(docs)} documents, "
                         f"embeddings of shape {embeddings.shape}")
    started = time.perf_counter()
    n = len(docs)
    if n <= UMAP_PARAMS["n_components"] + 1:
        # Too few points for UMAP's spectral layout (and for any cluster of min_cluster_size).
        return list(range(n)), time.perf_counter() - started
    umap_model = UMAP(**{**UMAP_PARAMS, "n_neighbors": min(UMAP_PARAMS["n_neighbors"], n - 1)},
                      random_state=seed, low_memory=False)
    model = BERTopic(
        embedding_model=None,          # never select_backend(): no model is loaded or downloaded
        # Not "english" (the default): BERTopic would then strip every non-ASCII character
        # before c-TF-IDF, leaving Chinese, Arabic or Russian documents empty.
        language="multilingual",
        umap_model=umap_model,
        hdbscan_model=None,            # BERTopic's default HDBSCAN, min_cluster_size = min_topic_size
        min_topic_size=min_cluster_size,
        vectorizer_model=CountVectorizer(analyzer="char_wb", ngram_range=(2, 3)),
        calculate_probabilities=False,
        verbose=False,
    )
    # Documents only feed the topic representation; an empty one must not empty the vocabulary.
    texts = [d if d and d.strip() else "<empty>" for d in docs]
    topics, _ = model.fit_transform(texts, embeddings=embeddings)
    return singletons_for_noise(topics), time.perf_counter() - started


def synthetic(clusters: int, size: int, dim: int, noise: float, seed: int) -> tuple[np.ndarray, list[int]]:
    """Unit vectors around random unit centres: member = unit(centre + noise * random unit vector).

    A member's cosine to its centre is 1/sqrt(1+noise^2), to another member of
    its cluster about 1/(1+noise^2), and to anything else about 0 +- 1/sqrt(dim).
    """
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((clusters, dim)).astype(np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    gold = np.repeat(np.arange(clusters), size)
    jitter = rng.standard_normal((clusters * size, dim)).astype(np.float32)
    jitter /= np.linalg.norm(jitter, axis=1, keepdims=True)
    vectors = centres[gold] + noise * jitter
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    order = rng.permutation(len(gold))  # no help from input order
    return vectors[order], gold[order].tolist()


# Mixed scripts, so the synthetic run also shows CJK and Arabic text do not break the vectorizer.
_WORDS = ["NATO summit", "北約首脳会議", "Саммит НАТО", "قمة الناتو", "Gipfeltreffen", "选举结果",
          "élection présidentielle", "भूकंप", "Erdbeben", "地震", "flood warning", "inondations"]


def main(argv: list[str] | None = None) -> int:
    import argparse
    import os
    import sys

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from clustering_metrics import bcubed, pairwise_f1

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clusters", type=int, default=40)
    parser.add_argument("--size", type=int, default=20)
    parser.add_argument("--dim", type=int, default=384)
    parser.add_argument("--noise", type=float, nargs="+", default=[1.0, 1.5, 2.0])
    parser.add_argument("--min-cluster-size", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    try:
        _import_bertopic()
    except RuntimeError as err:
        print(err)
        return 1
    print(f"{args.clusters} clusters x {args.size} points, dim {args.dim}, "
          f"min_cluster_size {args.min_cluster_size}, seed {args.seed}")
    print(f"{'noise':>5} {'cos_in':>6} {'B3 P':>6} {'B3 R':>6} {'B3 F1':>6} {'pw F1':>6} "
          f"{'clusters':>8} {'outliers':>8} {'seconds':>7}")
    for noise in args.noise:
        vectors, gold = synthetic(args.clusters, args.size, args.dim, noise, args.seed)
        docs = [f"{_WORDS[g % len(_WORDS)]} {i}" for i, g in enumerate(gold)]
        labels, seconds = bertopic_labels(docs, vectors, args.min_cluster_size, args.seed)
        p, r, f = bcubed(gold, labels)
        counts = np.bincount(labels)
        clusters = int((counts > 1).sum())
        outliers = int((counts == 1).sum())
        print(f"{noise:5.2f} {1 / (1 + noise ** 2):6.2f} {p:6.3f} {r:6.3f} {f:6.3f} "
              f"{pairwise_f1(gold, labels)[2]:6.3f} {clusters:8d} {outliers:8d} {seconds:7.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
