"""What one same-story pair score costs, with the evidence of model v2 against v1's, in one run.

Streaming placement scores a newcomer against up to 18 stored articles (6 candidate
stories x 3 members), so the pair score is the part of placement that grows with
the evidence. On real analysed articles from a store (default: the SemEval dev
cache of evals/semeval_eval.py, else any crosswire store), the same random pairs are
timed three ways:

- v1's evidence: the sentence alignment and the centred cosine of article vectors
  (what the model fitted on translations used);
- v2's evidence and score: ``compare_pair`` as shipped (opening cosines, headline
  match, shared names, alignment confidence);
- v2's with the profiles computed per pair, as for articles stored before the
  profile existed (the first time each is scored; kept afterwards).

Prints a table of the medians over ``--repeats`` runs and the ratio to v1.

    .venv/bin/python bench/pair_score.py [--db STORE] [--pairs 300] [--repeats 5]
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import table  # noqa: E402  (bench/common.py)

from crosswire.analysis import profile  # noqa: E402
from crosswire.matching.align import align  # noqa: E402
from crosswire.matching.compare import compare_pair  # noqa: E402
from crosswire.matching.samestory import centred_cosine  # noqa: E402
from crosswire.store.sqlite import Store  # noqa: E402

DEFAULT_DB = Path(__file__).resolve().parents[1] / "evals" / "out"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", default=None, help="a crosswire store of analysed articles")
    ap.add_argument("--pairs", type=int, default=300)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    path = Path(args.db) if args.db else next(iter(sorted(DEFAULT_DB.glob("semeval8-dev.analysis.*.db"))), None)
    if path is None or not path.is_file():
        print("no store: pass --db (any crosswire store), or run evals/semeval_eval.py once")
        return 0
    store = Store(path, create=False)
    ids = [r[0] for r in store.db.execute("SELECT id FROM articles ORDER BY id LIMIT 400")]
    articles = store.articles(ids)
    store.close()
    rng = random.Random(0)
    pairs = [tuple(rng.sample(articles, 2)) for _ in range(args.pairs)]

    def v1(a, b) -> None:
        sa, sb = a.story_sentences, b.story_sentences
        align(np.stack([s.vector for s in sa]), np.stack([s.vector for s in sb]),
              [s.id for s in sa], [s.id for s in sb])
        centred_cosine(a, b)

    def v2(a, b) -> None:
        compare_pair(a, b)

    def v2_unprofiled(a, b) -> None:
        for article in (a, b):
            article.meta.pop(profile.META_KEY, None)
        compare_pair(a, b)

    for a, b in pairs[:20]:
        v2(a, b)  # loads the model, the language means and the romaniser once
    rows, base = [], None
    for name, fn in (("v1 evidence (alignment + centred cosine)", v1), ("v2 compare_pair (as shipped)", v2),
                     ("v2, profiles computed on first use", v2_unprofiled)):
        runs = []
        for _ in range(args.repeats):
            started = time.perf_counter()
            for a, b in pairs:
                fn(a, b)
            runs.append((time.perf_counter() - started) / len(pairs) * 1000)
        median = statistics.median(runs)
        base = base or median
        rows.append([name, f"{median:.2f}", f"{18 * median:.0f}", f"{median / base:.2f}x"])
    print(f"{len(pairs)} random pairs of {len(articles)} articles from {path.name}, median of {args.repeats} runs")
    print(table(rows, ["pair score", "ms per pair", "ms per placement (18 pairs)", "vs v1"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
