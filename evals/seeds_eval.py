"""Evaluate compare on the seed pair (Arabic / Norwegian, Rutte meets Ishiba).

Prints: precision and recall of line links against gold_alignment.tsv, the lines
reported as one-sided, the furniture flags, and the same-story score of the
pair and of each seed against an unrelated NTREX article.

    .venv/bin/python evals/seeds_eval.py [--check]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crosswire.analysis.pipeline import default_pipeline  # noqa: E402
from crosswire.matching.compare import CompareOptions, compare_articles, compare_paths  # noqa: E402
from crosswire.readers.ntrex import Ntrex  # noqa: E402
from evals.common import check_floors, seeds_dir, table  # noqa: E402


def read_gold(path: Path) -> tuple[set[tuple[int, int]], set[int], set[int], set[int]]:
    """(line links, Arabic-only lines, Norwegian-only lines, Norwegian furniture lines)."""
    links, only_ar, only_nb, furniture = set(), set(), set(), set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or line.startswith("ar_line") or not line.strip():
            continue
        ar, nb, kind = line.split("\t")[:3]
        if kind == "furniture":
            furniture.update(int(x) for x in nb.split(","))
        elif kind == "only" and ar != "-":
            only_ar.add(int(ar))
        elif kind == "only":
            only_nb.update(int(x) for x in nb.split(","))
        else:
            links.update((int(ar), int(x)) for x in nb.split(","))
    return links, only_ar, only_nb, furniture


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="fail if a metric is below evals/floors.json")
    args = ap.parse_args()
    seeds = seeds_dir()
    gold_links, only_ar, _, gold_furniture = read_gold(seeds / "gold_alignment.tsv")
    comparison = compare_paths([seeds / "ar_rutte_ishiba.txt", seeds / "nb_rutte_ishiba.txt"])
    ar, nb = comparison.articles
    pair = comparison.pairs[0]
    line_a = {s.id: s.line for s in ar.sentences}
    line_b = {s.id: s.line for s in nb.sentences}
    predicted = {(line_a[link.a], line_b[link.b]) for link in pair.links}
    tp = len(predicted & gold_links)
    precision = tp / len(predicted) if predicted else 0.0
    recall = tp / len(gold_links)
    linked_ar_lines = {line_a[link.a] for link in pair.links}
    only_ar_lines = {s.line for s in ar.story_sentences} - linked_ar_lines
    flagged = {s.line for s in nb.sentences if s.furniture}
    flagged_ar = {s.line for s in ar.sentences if s.furniture}

    measured = {
        "link_precision": precision,
        "link_recall": recall,
        "arabic_only_found": len(only_ar & only_ar_lines) / len(only_ar),
        "furniture_recall": len(flagged & gold_furniture) / len(gold_furniture),
        "story_lines_flagged": float(len((flagged - gold_furniture) | flagged_ar)),
        "same_story_pair": pair.same_story,
    }
    # Unrelated: an NTREX document on something else, in English (a third language).
    unrelated_scores = []
    try:
        corpus = Ntrex()
        _, evaluation = corpus.split()
        pipeline = default_pipeline()
        others = [a for a in pipeline.pipe(corpus.articles("eng", evaluation[:3]))]
        for other in others:
            for seed in (ar, nb):
                unrelated_scores.append(compare_articles([seed, other], CompareOptions()).pairs[0].same_story)
        measured["same_story_unrelated_max"] = max(unrelated_scores)
    except Exception as err:  # NTREX absent: the seed metrics still stand
        print(f"(no unrelated-article check: {err})")

    print(table(["metric", "value"], [[k, v] for k, v in measured.items()]))
    print(f"predicted links not in gold: {sorted(predicted - gold_links)}")
    print(f"gold links missed:           {sorted(gold_links - predicted)}")
    print(f"Arabic lines reported only-Arabic: {sorted(only_ar_lines)} (gold {sorted(only_ar)})")
    print(f"Norwegian furniture: {sorted(flagged)} (gold {sorted(gold_furniture)})")
    return check_floors("seeds", measured) if args.check else 0


if __name__ == "__main__":
    sys.exit(main())
