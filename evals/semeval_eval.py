"""The same-story score against annotators, on real news pairs in many languages.

The 673 SemEval-2022 Task 8 development pairs (two outlets' articles, rated 1 =
very similar ... 4 = very dissimilar; ``../shared/data/semeval8-dev/``) are
analysed once with the real pipeline (cached under evals/out/). For each pair the
candidate evidence is computed as ``crosswire compare`` computes it, and each
piece is printed with its Pearson correlation with -overall.

The model is then scored out of fold: each language pair's pairs are scored by a
model fitted (by the recipe tools/calibrate_same_story.py ships with,
``evals/samestory_fit.py``) on the other eight language pairs and the NTREX-128
calibration pairs, never on its own language pair. Beside it, in the same run:
the bare cosine of the two articles' vectors, and today's score (model v1,
fitted on NTREX translations only). Printed: Pearson with -overall overall and
per language pair; the AUC of same story (overall <= 2) against different (>= 3);
the share of pairs rated <= 1.5 scored below 0.5 (missed) and of pairs rated
>= 3.5 scored 0.5 or more (false "same story").

    .venv/bin/python evals/semeval_eval.py [--whole-text] [--recipes] [--check]

--whole-text adds the cosine of each article's whole text embedded as one input
(the bare embedder; embeds every text again the first time, then cached).
--recipes prints the grouped cross-validation of the recipes the shipped one
was chosen from. The texts are evaluation data only: nothing of them is written
outside evals/out/.
"""
from __future__ import annotations

import argparse
import copy
import math
import re
import sys
import time
import unicodedata
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Iterator

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crosswire.article import Article  # noqa: E402
from crosswire.stories.placement import StoryOptions  # noqa: E402
from evals import samestory_fit as fitting  # noqa: E402
from evals import semeval_data  # noqa: E402
from evals.common import check_floors, table  # noqa: E402

# Today's model (crosswire.same-story v1, fitted on NTREX translations only), kept here as
# the baseline: its weights as shipped before v2.
TODAY = {"centred_cosine": 19.491915313046118, "coverage": 18.119706770597183,
         "strong_coverage": -2.250475590493624, "link_score": 25.455038473092948}
TODAY_BIAS = -45.25326478348038

RECIPES = [
    fitting.Recipe(),
    fitting.Recipe(features=fitting.FEATURES),  # every piece of evidence
    fitting.Recipe(features=tuple(f for f in fitting.Recipe().features if f != "same_language_cosine")),
    fitting.Recipe(target="binary"),
    fitting.Recipe(ntrex_weight=0.0),
    fitting.Recipe(ntrex_weight=1.0),
    fitting.Recipe(l2=10.0),
    fitting.Recipe(features=("text_cosine", "same_language_cosine", "title_match", "shared_names", "link_score")),
    fitting.Recipe(features=("centred_cosine", "title_match", "shared_names", "strong_coverage", "link_score")),
]

_NUMBER = re.compile(r"\d(?:[\d.,\u00a0\u202f\u2009' ]?\d)*")


def numbers_in(article: Article) -> set[str]:
    """Numbers of two or more digits (any script's digits) in the story text, without separators."""
    out = set()
    for s in article.story_sentences:
        for match in _NUMBER.finditer(s.text):
            digits = "".join(str(unicodedata.decimal(c)) for c in match.group() if unicodedata.decimal(c, None) is not None)
            if len(digits.lstrip("0")) >= 2:
                out.add(digits.lstrip("0"))
    return out


def pearson(x: np.ndarray, y: np.ndarray) -> float:
    if len(x) < 3 or np.std(x) == 0 or np.std(y) == 0:
        return float("nan")
    return float(np.corrcoef(x, y)[0, 1])


def auc(score: np.ndarray, positive: np.ndarray) -> float:
    """Probability that a positive outscores a negative (ties count half)."""
    pos, neg = score[positive], score[~positive]
    if not len(pos) or not len(neg):
        return float("nan")
    greater = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(greater / (len(pos) * len(neg)))


def out_of_fold(recipe: fitting.Recipe, rated: fitting.Rows, ntrex: fitting.Rows | None,
                groups: np.ndarray) -> np.ndarray:
    """Each pair scored by a model fitted without its language pair."""
    out = np.zeros(len(groups))
    for group in sorted(set(groups)):
        train = groups != group
        part = fitting.Rows(rated.x[train], rated.target[train], rated.weight[train])
        weights, bias = fitting.fit(recipe, part, ntrex)
        out[~train] = fitting.predict(weights, bias, fitting.Rows(rated.x[~train], rated.target[~train],
                                                                   rated.weight[~train]))
    return out


def out_of_language(recipe: fitting.Recipe, rated: fitting.Rows, ntrex: fitting.Rows | None,
                    pairs: list) -> tuple[np.ndarray, np.ndarray]:
    """Stricter than by language pair: each language's pairs scored by a model fitted on pairs
    where that language appears on neither side (zh-en by a model that saw no Chinese and no
    English). Returns (scores, scored mask): a pair is scored once per language it holds; its
    score is the mean, and pairs with a language held by every other pair are left out."""
    langs = sorted({lang for p in pairs for lang in p.lang})
    sums, counts = np.zeros(len(pairs)), np.zeros(len(pairs))
    for lang in langs:
        has = np.array([lang in p.lang for p in pairs])
        train = ~has
        if train.sum() < 50:
            continue
        part = fitting.Rows(rated.x[train], rated.target[train], rated.weight[train])
        weights, bias = fitting.fit(recipe, part, ntrex)
        sums[has] += fitting.predict(weights, bias, fitting.Rows(rated.x[has], rated.target[has], rated.weight[has]))
        counts[has] += 1
    scored = counts > 0
    return np.where(scored, sums / np.maximum(counts, 1), 0.0), scored


def summary(score: np.ndarray, overall: np.ndarray, groups: np.ndarray, probability: bool) -> dict[str, float]:
    same, different = overall <= 2.0, overall >= 3.0
    judged = same | different
    out = {"pearson": pearson(score, -overall), "auc": auc(score[judged], same[judged])}
    for group in sorted(set(groups)):
        out[group] = pearson(score[groups == group], -overall[groups == group])
    if probability:
        out["missed"] = float(np.mean(score[overall <= 1.5] < 0.5))
        out["false_same"] = float(np.mean(score[overall >= 3.5] >= 0.5))
    return out


@contextmanager
def scoring_with(weights: dict[str, float], bias: float) -> Iterator[None]:
    """Every same-story score in this process made by this model (an evaluation's fold), not the shipped one."""
    from crosswire.matching.samestory import SameStoryModel

    model = SameStoryModel(tuple(weights.items()), bias, name="fold")
    shipped = SameStoryModel.__dict__["for_embedder"]
    SameStoryModel.for_embedder = classmethod(lambda cls, embedder: model)  # type: ignore[method-assign]
    try:
        yield
    finally:
        SameStoryModel.for_embedder = shipped  # type: ignore[method-assign]


def stream(done: dict[str, Article], pairs: list, folds: dict[str, tuple[dict[str, float], float]] | None,
           seed: int = 0, options: "StoryOptions | None" = None,
           modes: tuple[str, ...] = ("stream", "batch")) -> dict[str, float]:
    """Every analysed article ingested once, in random order, by streaming placement (as
    ``crosswire ingest`` places them; nothing analysed again), then ``recluster``: the share of
    pairs rated <= 1.5 that end in one story and of pairs rated >= 3.5 that end apart.

    With ``folds`` (language pair -> a model fitted without it) the whole stream is replayed once
    per language pair, scored by that pair's model, and only that pair's pairs are counted: each
    pair is judged by a model that never saw its language pair. Without, the shipped model
    judges every pair (it was fitted on them: an in-sample figure)."""
    import random
    import tempfile

    from crosswire.store.sqlite import Store, content_hash
    from crosswire.stories.placement import recluster, restream

    order = sorted(done)
    random.Random(seed).shuffle(order)
    overall = np.array([p.overall for p in pairs])
    groups = np.array([p.language_pair for p in pairs])
    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="crosswire-semeval-") as tmp:
        store = Store(Path(tmp) / "stream.db")
        row_of = {}
        with store.transaction():
            for aid in order:
                article = copy.copy(done[aid])
                article.meta = {k: v for k, v in article.meta.items() if k not in ("store_id", "story_id")}
                # Some articles appear under two ids with one text: stored once, as ingest would.
                row_of[aid] = store.find_hash(content_hash(article)) or store.add_article(article)
        embedder = store.embedders()[0]
        together = {"stream": np.zeros(len(pairs), dtype=bool), "batch": np.zeros(len(pairs), dtype=bool)}
        seconds = {"stream": 0.0, "batch": 0.0}
        stories = {"stream": [], "batch": []}
        for group in (sorted(folds) if folds else [None]):
            counted = groups == group if group else np.ones(len(pairs), dtype=bool)
            with scoring_with(*folds[group]) if folds else nullcontext():
                for mode in modes:
                    started = time.perf_counter()
                    if mode == "stream":
                        restream(store, embedder, options or StoryOptions())
                    else:
                        recluster(store, embedder, options or StoryOptions())
                    seconds[mode] += time.perf_counter() - started
                    story = dict(store.db.execute("SELECT id, story_id FROM articles"))
                    stories[mode].append(len(set(story.values())))
                    same = np.array([story[row_of[p.article[0]]] == story[row_of[p.article[1]]] for p in pairs])
                    together[mode][counted] = same[counted]
        store.close()
    for mode in modes:
        out[f"{mode}_same_together"] = float(together[mode][overall <= 1.5].mean())
        out[f"{mode}_different_apart"] = float((~together[mode][overall >= 3.5]).mean())
        out[f"{mode}_stories"] = float(np.median(stories[mode]))
        out[f"{mode}_seconds"] = seconds[mode]
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--whole-text", action="store_true", help="also the cosine of whole texts embedded as one input")
    ap.add_argument("--recipes", action="store_true", help="cross-validate the recipes the shipped one was chosen from")
    ap.add_argument("--stream", choices=("folds", "shipped", "none"), default="folds",
                    help="the stream test: replayed once per language pair with its out-of-fold model (held out, "
                         "~15 minutes), once with the shipped model (fitted on these pairs: a regression check, "
                         "~2 minutes), or not at all")
    ap.add_argument("--ntrex-docs", type=int, default=0,
                    help="fit on the NTREX pairs of only the first N calibration documents (CI: less to analyse)")
    ap.add_argument("--check", action="store_true", help="fail if a metric is below evals/floors.json")
    args = ap.parse_args()
    if not semeval_data.available():
        return 0
    started = time.perf_counter()
    pairs, articles = semeval_data.read_pairs()
    done = semeval_data.analysed(articles)
    analysed_at = time.perf_counter()
    pairs = [p for p in pairs if p.article[0] in done and p.article[1] in done]
    overall = np.array([p.overall for p in pairs])
    groups = np.array([p.language_pair for p in pairs])
    lps = sorted(set(groups), key=lambda g: (-int((groups == g).sum()), g))

    feats, extra = [], {"cosine": [], "opening_cosine": [], "shared_numbers": []}
    numbers = {aid: numbers_in(a) for aid, a in done.items()}
    for p in pairs:
        a, b = done[p.article[0]], done[p.article[1]]
        feats.append(fitting.evidence(a, b))
        extra["cosine"].append(float(a.vector @ b.vector))
        extra["opening_cosine"].append(float(a.text_vector @ b.text_vector))
        na, nb = numbers[a.id], numbers[b.id]
        extra["shared_numbers"].append(len(na & nb) / len(na | nb) if na | nb else 0.0)
    if args.whole_text:
        whole = semeval_data.whole_text_vectors(articles)
        extra["whole_text_cosine"] = [float(whole[p.article[0]] @ whole[p.article[1]]) for p in pairs]
    scored_at = time.perf_counter()

    candidates = {**{k: np.array(v) for k, v in extra.items()},
                  **{name: np.array([f[name] for f in feats]) for name in fitting.FEATURES}}
    print(f"{len(pairs)} pairs, {len(done)} articles, language pairs: "
          + ", ".join(f"{g} {int((groups == g).sum())}" for g in lps))
    print("\nEvidence: Pearson with -overall")
    print(table(["evidence", "all"] + lps, [[name, pearson(v, -overall)] + [pearson(v[groups == g], -overall[groups == g])
                                            for g in lps] for name, v in candidates.items()]))

    rated = fitting.rated_rows(feats, overall)
    ntrex = None
    try:
        store = fitting.ntrex_store(docs=args.ntrex_docs)
        ntrex = fitting.cached_ntrex_rows(store, draws=8000 if not args.ntrex_docs else 2000, docs=args.ntrex_docs)
        store.close()
    except Exception as err:  # NTREX absent: the model is fitted on the rated pairs alone
        print(f"(no NTREX calibration pairs: {err})")
    fitted_at = time.perf_counter()

    today = 1 / (1 + np.exp(-(TODAY_BIAS + sum(w * candidates[f] for f, w in TODAY.items()))))
    recipe = fitting.Recipe()
    new = out_of_fold(recipe, rated, ntrex, groups)
    rows = {"bare cosine (article vectors)": summary(candidates["cosine"], overall, groups, False),
            "bare cosine (openings, one input)": summary(candidates["opening_cosine"], overall, groups, False)}
    if args.whole_text:
        rows["bare cosine (whole texts)"] = summary(candidates["whole_text_cosine"], overall, groups, False)
    rows["same_story today (v1)"] = summary(today, overall, groups, True)
    rows["same_story v2 (out of fold)"] = summary(new, overall, groups, True)
    print(f"\nScores (v2 recipe: {recipe.describe()})")
    cols = ["pearson"] + lps + ["auc", "missed", "false_same"]
    print(table(["score"] + ["all" if c == "pearson" else c for c in cols],
                [[name] + [r.get(c, "-") for c in cols] for name, r in rows.items()]))
    strict, scored = out_of_language(recipe, rated, ntrex, pairs)
    strict_r = pearson(strict[scored], -overall[scored])
    bare_r = pearson(candidates['opening_cosine'][scored], -overall[scored])
    print(f"stricter, each language held out (no pair with it on either side in the fit): Pearson {strict_r:.3f} "
          f"over {int(scored.sum())} pairs; bare cosine of the openings on them {bare_r:.3f}")
    v2, bare = rows["same_story v2 (out of fold)"], rows["bare cosine (article vectors)"]
    above = sum(v2[g] > bare[g] for g in lps)
    print(f"v2 above the bare cosine of article vectors in {above} of {len(lps)} language pairs")
    opening = rows["bare cosine (openings, one input)"]
    above_opening = sum(v2[g] > opening[g] for g in lps)
    print(f"v2 above the bare cosine of the openings embedded as one input in {above_opening} of {len(lps)} language pairs")
    if args.whole_text:
        above_whole = sum(v2[g] > rows["bare cosine (whole texts)"][g] for g in lps)
        print(f"v2 above the bare cosine of whole texts in {above_whole} of {len(lps)} language pairs")

    if args.recipes:
        print("\nRecipes, by the same grouped cross-validation")
        out = []
        for r in RECIPES:
            s = summary(out_of_fold(r, rated, ntrex, groups), overall, groups, True)
            out.append([r.describe(), s["pearson"], s["auc"], min(s[g] for g in lps), s["missed"], s["false_same"]])
        print(table(["recipe", "pearson", "auc", "worst language pair", "missed", "false_same"], out))
    streamed: dict[str, float] = {}
    if args.stream != "none":
        folds = {}
        for group in lps:
            train = groups != group
            folds[group] = fitting.fit(recipe, fitting.Rows(rated.x[train], rated.target[train], rated.weight[train]),
                                       ntrex)
        streamed = stream(done, pairs, folds if args.stream == "folds" else None)
        print(f"\nStream: all {len(done)} articles ingested once in random order (streaming placement), then "
              f"recluster; " + ("replayed once per language pair with the model fitted without it, counting its pairs"
                                if args.stream == "folds" else
                                "scored by the shipped model, which was fitted on these pairs (not held out)"))
    if streamed:
        print(table(["grouping", "stories", "pairs rated <= 1.5 in one story", "pairs rated >= 3.5 apart", "wall time"],
                    [[mode, int(streamed[f"{mode}_stories"]), streamed[f"{mode}_same_together"],
                      streamed[f"{mode}_different_apart"], f"{streamed[f'{mode}_seconds']:.0f} s"]
                     for mode in ("stream", "batch")]))
    print(f"\n(analysis {analysed_at - started:.0f} s, evidence {scored_at - analysed_at:.0f} s, "
          f"NTREX pairs {fitted_at - scored_at:.0f} s, total {time.perf_counter() - started:.0f} s)")
    measured = {"pearson": v2["pearson"], "auc": v2["auc"], "missed": v2["missed"], "false_same": v2["false_same"],
                "language_pairs_above_cosine": float(above),
                "pearson_language_held_out": strict_r,
                "language_pairs_above_opening_cosine": float(above_opening),
                "worst_language_pair": min(v2[g] for g in lps if not math.isnan(v2[g])),
                **{k: v for k, v in streamed.items() if k.endswith(("together", "apart"))}}
    return check_floors("semeval", measured) if args.check else 0


if __name__ == "__main__":
    sys.exit(main())
