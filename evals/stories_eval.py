"""Story grouping on NTREX-128: every document in 20+ languages, ingested in random order
without dates, scored against the gold story (the document id).

With ``--langs all --docs 10`` every NTREX language instead, on the first 10
documents of the evaluation half: articles the pipeline refuses (a language the
embedder cannot read) are counted per language and left out, and the number of
languages grouped is printed.

Prints B-cubed precision, recall and F1 and pairwise F1 for streaming assignment
(as articles arrive, during ingest) and for batch re-clustering, with wall time,
and, in the same run, BERTopic (its HDBSCAN over the same article vectors) as
the peer when it is installed (see evals/PEER.md).

    .venv/bin/python evals/stories_eval.py [--langs ...|all] [--docs N] [--db FILE] [--check [--floors NAME]]

Articles are analysed once and shared with the other NTREX evaluations
(``evals/ntrex_cache.py``); streaming assignment is then replayed over them in the
shuffled arrival order, as ``crosswire ingest`` assigns them (``restream``).

With --db FILE a copy of an existing store (from an earlier run) is used: no
analysis; streaming assignment is replayed over it in arrival order.
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crosswire.article import Article  # noqa: E402
from crosswire.store.sqlite import Store, content_hash  # noqa: E402
from crosswire.store.vectors import DEFAULT as DEFAULT_FORMAT  # noqa: E402
from crosswire.store.vectors import NAMES as VECTOR_FORMATS  # noqa: E402
from crosswire.stories.neighbours import centre  # noqa: E402
from crosswire.stories.placement import StoryOptions, recluster, restream  # noqa: E402
from evals import ntrex_cache  # noqa: E402
from evals.clustering_metrics import bcubed, pairwise_f1  # noqa: E402
from evals.common import check_floors, ntrex_or_none, table  # noqa: E402

LANGS = "arb,nob,eng,zho-CN,jpn,hau,amh,deu,fra,spa,rus,hin,tur,kor,por,ita,pol,vie,ind,swe"


def labels_of(store: Store) -> tuple[list[str], list[int], list[int]]:
    rows = store.db.execute("SELECT id, source, story_id FROM articles ORDER BY id").fetchall()
    # source is "ntrex:<lang>:<document>": the document is the gold story.
    gold = [r["source"].split(":", 2)[2] for r in rows]
    return gold, [r["story_id"] for r in rows], [r["id"] for r in rows]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--langs", default=LANGS, help="NTREX languages, comma-separated, or 'all'")
    ap.add_argument("--docs", type=int, default=0,
                    help="use only the first N documents of the evaluation half (0: all 123 documents)")
    ap.add_argument("--floors", default="stories", help="the floors.json entry --check holds")
    ap.add_argument("--db", default=None, help="reuse this store instead of ingesting")
    ap.add_argument("--no-peer", action="store_true", help="skip BERTopic")
    ap.add_argument("--check", action="store_true", help="fail if a metric is below evals/floors.json")
    ap.add_argument("--vector-format", choices=list(VECTOR_FORMATS), default=DEFAULT_FORMAT,
                    help="the stores' sentence-vector format (crosswire/store/vectors.py)")
    args = ap.parse_args()
    corpus = ntrex_or_none()
    if corpus is None:
        return 0
    rows, measured = [], {}
    if args.db:
        copy = Path(tempfile.mkdtemp(prefix="crosswire-eval-")) / "stories.db"
        source = Store(args.db, create=False)
        source.db.execute(f"VACUUM INTO '{copy}'")  # a consistent copy, WAL included
        source.close()
        store = Store(copy)
        started = time.perf_counter()
        restream(store, store.embedders()[0], StoryOptions())
        stream_seconds = time.perf_counter() - started
    else:
        docs = corpus.split()[1][: args.docs] if args.docs else corpus.documents
        langs = corpus.languages() if args.langs == "all" else args.langs.split(",")
        started = time.perf_counter()
        analysed = ntrex_cache.analyse(corpus, [(lang, docs) for lang in langs], vector_format=args.vector_format)
        analysis_seconds = time.perf_counter() - started
        articles = [a for lang in langs for a in analysed[lang] if isinstance(a, Article)]
        refused = {lang: sum(not isinstance(a, Article) for a in analysed[lang]) for lang in langs}
        grouped = [lang for lang in langs if refused[lang] < len(docs)]
        print(f"{len(grouped)} of {len(langs)} NTREX languages grouped ({len(docs)} documents each); "
              f"refused by the pipeline: " + (", ".join(f"{lang} {n}/{len(docs)}" for lang, n in refused.items() if n)
                                              or "none"))
        random.Random(0).shuffle(articles)
        tmp = tempfile.mkdtemp(prefix="crosswire-eval-")
        store = Store(Path(tmp) / "stories.db")
        store.set_vector_format(args.vector_format)
        duplicates = 0
        with store.transaction():
            for article in articles:
                # Two NTREX files can hold one text (a variety copied from its standard language):
                # stored once, as ingest stores a repeated article once.
                if store.find_hash(content_hash(article)) is None:
                    store.add_article(article)
                else:
                    duplicates += 1
        if duplicates:
            print(f"{duplicates} article(s) with the text of another NTREX file stored once")
        started = time.perf_counter()
        restream(store, store.embedders()[0], StoryOptions())
        stream_seconds = time.perf_counter() - started
        measured["languages_grouped"] = float(len(grouped))
    gold, streamed, _ = labels_of(store)
    print(f"{len(gold)} articles, {len(set(gold))} gold stories")
    p, r, f = bcubed(gold, streamed)
    rows.append(["streaming (in arrival order)", len(set(streamed)), p, r, f,
                 pairwise_f1(gold, streamed)[2], f"{stream_seconds:.0f} s"
                 + ("" if args.db else f" (+ analysis {analysis_seconds:.0f} s)")])
    measured.update({"stream_bcubed_f1": f, "stream_pairwise_f1": pairwise_f1(gold, streamed)[2]})

    started = time.perf_counter()
    embedder = store.embedders()[0]
    recluster(store, embedder, StoryOptions())
    batch_seconds = time.perf_counter() - started
    gold, batched, ids = labels_of(store)
    p, r, f = bcubed(gold, batched)
    rows.append(["batch recluster", len(set(batched)), p, r, f, pairwise_f1(gold, batched)[2], f"{batch_seconds:.0f} s"])
    measured.update({"batch_bcubed_f1": f, "batch_pairwise_f1": pairwise_f1(gold, batched)[2]})

    if not args.no_peer:
        try:
            from evals.peer_bertopic import bertopic_labels

            vectors = np.stack([np.frombuffer(v[0], dtype=np.float32) for v in
                                store.db.execute("SELECT vector FROM articles ORDER BY id")])
            texts = [t[0] for t in store.db.execute("SELECT text FROM articles ORDER BY id")]
            languages = [row[0] for row in store.db.execute("SELECT language FROM articles ORDER BY id")]
            # Raw vectors are what crosswire stores; centred ones are what it clusters
            # on. BERTopic gets both, so its score is not just the language bias.
            for name, matrix in (("same raw vectors", vectors),
                                 ("same language-centred vectors", centre(vectors, languages, embedder))):
                peer, seconds = bertopic_labels(texts, matrix)
                p, r, f = bcubed(gold, peer)
                rows.append([f"BERTopic (HDBSCAN), {name}", len(set(peer)), p, r, f,
                             pairwise_f1(gold, peer)[2], f"{seconds:.0f} s"])
        except (ImportError, RuntimeError) as err:
            rows.append(["BERTopic", "-", "-", "-", "-", "-", f"not run: {err}"])
    print(table(["method", "stories", "B3 precision", "B3 recall", "B3 F1", "pairwise F1", "wall time"], rows))
    return check_floors(args.floors, measured) if args.check else 0


if __name__ == "__main__":
    sys.exit(main())
