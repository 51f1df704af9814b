"""Sentence-link precision and recall on NTREX-128 (gold: the same line number).

Each document is rebuilt in each language; the two versions of one document are
compared and every predicted sentence link counts as a link between the input
lines of its two sentences. Only lines that are story text on both sides count
in the gold (a line flagged as furniture is listed apart, not aligned).
Documents come from the evaluation half (even positions): the alignment
threshold was fitted on the other half.

    .venv/bin/python evals/ntrex_align_eval.py [--docs 20] [--pairs arb-nob,eng-zho-CN,...] [--check]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crosswire.analysis.pipeline import default_pipeline  # noqa: E402
from crosswire.article import Article  # noqa: E402
from crosswire.matching.compare import CompareOptions, compare_pair  # noqa: E402
from crosswire.store.vectors import DEFAULT as DEFAULT_FORMAT  # noqa: E402
from crosswire.store.vectors import NAMES as VECTOR_FORMATS  # noqa: E402
from evals import ntrex_cache  # noqa: E402
from evals.common import check_floors, ntrex_or_none, table  # noqa: E402

PAIRS = "arb-nob,eng-zho-CN,jpn-hau,deu-fra,rus-amh,hin-spa,kor-tur"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=20)
    ap.add_argument("--pairs", default=PAIRS)
    ap.add_argument("--check", action="store_true", help="fail if a metric is below evals/floors.json")
    ap.add_argument("--vector-format", choices=list(VECTOR_FORMATS), default=DEFAULT_FORMAT,
                    help="the stores' sentence-vector format (crosswire/store/vectors.py)")
    args = ap.parse_args()
    corpus = ntrex_or_none()
    if corpus is None:
        return 0
    _, evaluation = corpus.split()
    docs = evaluation[: args.docs]
    pairs = [tuple(p.split("-", 1)) for p in args.pairs.split(",")]
    pipeline = default_pipeline()
    started = time.perf_counter()
    analysed: dict[str, list[Article]] = {}
    langs = sorted({lang for pair in pairs for lang in pair})
    for lang, results in ntrex_cache.analyse(corpus, [(lang, docs) for lang in langs], pipeline,
                                                 vector_format=args.vector_format).items():
        analysed[lang] = [r for r in results if isinstance(r, Article)]
        if len(analysed[lang]) != len(docs):
            print(f"{lang}: {len(docs) - len(analysed[lang])} document(s) failed analysis")
    rows, measured = [], {}
    total_tp = total_pred = total_gold = 0
    for la, lb in pairs:
        tp = n_pred = n_gold = 0
        for a, b in zip(analysed[la], analysed[lb]):
            pair = compare_pair(a, b, CompareOptions())
            line_a = {s.id: s.line for s in a.sentences}
            line_b = {s.id: s.line for s in b.sentences}
            predicted = {(line_a[link.a], line_b[link.b]) for link in pair.links}
            story = {s.line for s in a.story_sentences} & {s.line for s in b.story_sentences}
            gold = {(n, n) for n in story}
            tp += len(predicted & gold)
            n_pred += len(predicted)
            n_gold += len(gold)
        p, r = tp / max(n_pred, 1), tp / max(n_gold, 1)
        rows.append([f"{la}-{lb}", len(analysed[la]), n_gold, n_pred, p, r])
        measured[f"{la}-{lb}.precision"] = p
        measured[f"{la}-{lb}.recall"] = r
        total_tp, total_pred, total_gold = total_tp + tp, total_pred + n_pred, total_gold + n_gold
    rows.append(["all", len(docs), total_gold, total_pred, total_tp / max(total_pred, 1), total_tp / max(total_gold, 1)])
    measured["min_precision"] = min(v for k, v in measured.items() if k.endswith("precision"))
    measured["min_recall"] = min(v for k, v in measured.items() if k.endswith("recall"))
    print(table(["pair", "docs", "gold links", "predicted", "precision", "recall"], rows))
    print(f"({time.perf_counter() - started:.0f} s, embedder {pipeline.embedder.name})")
    return check_floors("ntrex_align", measured) if args.check else 0


if __name__ == "__main__":
    sys.exit(main())
