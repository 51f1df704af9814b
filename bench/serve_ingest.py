"""POST /api/articles at a big store: the story index reopened per request vs kept open by the server.

Fills a store with M articles (the hash embedder; copies of the NTREX sample and
the seed articles, each with its own title and a jittered article vector, in
stories of 5), leaves the story index file beside it as an earlier ingest
would, copies both, then stores N single articles one at a time through the
server's write path (``intake.store_articles``, what POST /api/articles runs
after parsing the body), one way on each copy, taking turns (so both see the
same load on the machine):

* reopen: ``ingest_articles`` without ``index=``, as before: each request opens
  the index file, catches it up with the store and saves it.
* kept: the server's ``ServerState.story_index()``: opened on the first write,
  then kept, and caught up only when another connection committed.

Then prints the median ms per POST (and the first and slowest), and, for
context, what else a POST costs that grows with the store.

    OMP_NUM_THREADS=1 .venv/bin/python bench/serve_ingest.py [--stored 20000] [--posts 30] [--tmpdir DIR]

Measured here (2 cores, load average 1.5-2.9 from other jobs), ``--stored 50000 --posts 20``
and ``--stored 200000 --posts 20``:

    write path                    stored  posts  first ms  median ms  max ms
    ---------------------------  -------  -----  --------  ---------  ------
    reopen per request (before)   50,000     20       160      141.1     175
    kept open (now)               50,000     20        63       21.7      63
    reopen per request (before)  200,000     20      1948      374.5    1948
    kept open (now)              200,000     20       243       18.3     243

    step (at 200,000)                                      ms
    ----------------------------------------------------  ---
    open_index (load the file, catch up)                  160
    VectorIndex.save                                      277
    StoryAssigner start-up                                0.0
    Store.embedders (whole table; ingest's check before)  540
    Store.embedder (first row; ingest's check now)        0.0
    Store.count (catch_up's check)                        0.7

The kept index's first POST opens it; the later ones cost what analysing one
article costs, whatever the size of the store. Before the StoryAssigner read
stories lazily and ingest checked the embedder on one row, both ways also paid
those two scans per POST (at 50,000: start-up 320 ms, embedder check 102 ms;
median POST 829 ms reopening the index, 653 ms keeping it).
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from common import table  # noqa: E402  (bench/common.py)

from crosswire.analysis.pipeline import Pipeline, default_pipeline  # noqa: E402
from crosswire.article import Article  # noqa: E402
from crosswire.readers.files import iter_articles  # noqa: E402
from crosswire.server.app import store_embedder  # noqa: E402
from crosswire.server.intake import store_articles  # noqa: E402
from crosswire.server.state import ServeOptions, ServerState  # noqa: E402
from crosswire.store.sqlite import Store  # noqa: E402
from crosswire.stories.neighbours import VectorIndex  # noqa: E402
from crosswire.stories.placement import CLUSTERER_NAME, StoryAssigner, open_index  # noqa: E402

INPUTS = [REPO / "samples" / "ntrex" / "ntrex_sample.jsonl", REPO / "samples" / "seeds"]
STORY_SIZE = 5


class ReopenPerRequest(ServerState):
    """The write path as it was: no index kept, so ingest_articles opens, catches up and saves it each time."""

    def story_index(self) -> VectorIndex | None:  # type: ignore[override]
        return None


def templates(pipeline: Pipeline) -> list[Article]:
    read = [a for a in iter_articles(INPUTS) if isinstance(a, Article)]
    return [a for a in pipeline.pipe(read) if isinstance(a, Article)]


def fill(db: Path, pipeline: Pipeline, stored: int, rng: np.random.Generator) -> None:
    """M analysed articles in stories of STORY_SIZE, and the index file an ingest would leave."""
    base = templates(pipeline)
    with Store(db) as store:
        for start in range(0, stored, 5000):
            with store.transaction():
                story = 0
                for n in range(start, min(stored, start + 5000)):
                    if n % STORY_SIZE == 0:
                        story = store.new_story(CLUSTERER_NAME)
                    model = base[n % len(base)]
                    vector = model.vector + rng.normal(0, 0.05, model.vector.shape).astype(np.float32)
                    copy = dataclasses.replace(model, id=f"{model.id}-{n}", title=f"{model.title or model.id} #{n}",
                                               vector=vector / np.linalg.norm(vector))
                    store.add_article(copy, story_id=story)
        embedder = pipeline.embedder
        open_index(store, embedder.dim, embedder.name).save()


def fresh(count: int, tag: str) -> list[Article]:
    """Articles not in the store yet: a sample article with a line of its own."""
    read = [a for a in iter_articles(INPUTS) if isinstance(a, Article)]
    out = []
    for n in range(count):
        model = read[n % len(read)]
        out.append(dataclasses.replace(model, id=f"{tag}{n}", source="body",
                                       text=f"{model.text}\nUpdate {tag}{n}: officials gave no further details."))
    return out


def post_one(state: ServerState, article: Article) -> float:
    started = time.perf_counter()
    [outcome] = store_articles(state, [article])
    spent = time.perf_counter() - started
    assert outcome.status == "added", outcome
    return spent


def timed(fn: Callable[[], object], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stored", type=int, default=20_000, help="articles in the store before the POSTs (M)")
    ap.add_argument("--posts", type=int, default=30, help="single-article POSTs per way (N)")
    ap.add_argument("--tmpdir", default=None)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="serve_ingest-", dir=args.tmpdir))
    try:
        db = tmp / "store.db"
        pipeline = default_pipeline("hash")
        started = time.perf_counter()
        fill(db, pipeline, args.stored, np.random.default_rng(args.seed))
        print(f"filled {args.stored:,} articles in {time.perf_counter() - started:.0f} s", file=sys.stderr)

        ways = [("reopen per request (before)", ReopenPerRequest, db), ("kept open (now)", ServerState, tmp / "copy.db")]
        for suffix in ("", ".usearch"):
            shutil.copyfile(f"{db}{suffix}", f"{tmp / 'copy.db'}{suffix}")
        states = []
        for _, kind, path in ways:
            options = ServeOptions(db=str(path), embedder="hash")
            states.append(kind(options, store_embedder(options)))
            states[-1]._pipeline = pipeline  # one pipeline, loaded once, for both
        times: list[list[float]] = [[], []]
        try:
            # The same articles for both ways (each its own objects: the pipeline fills them in).
            for n, same in enumerate(zip(fresh(args.posts, "p"), fresh(args.posts, "p"))):
                for way in (0, 1) if n % 2 == 0 else (1, 0):  # turn about, so neither always goes first
                    times[way].append(post_one(states[way], same[way]))
        finally:
            for state in states:
                state.close()
        rows = [[name, f"{args.stored:,}", str(args.posts), f"{spent[0] * 1000:.0f}",
                 f"{statistics.median(spent) * 1000:.1f}", f"{max(spent) * 1000:.0f}"]
                for (name, _, _), spent in zip(ways, times)]

        embedder = pipeline.embedder
        with Store(db) as store:
            index = open_index(store, embedder.dim, embedder.name)
            parts = [
                ["open_index (load the file, catch up)", f"{timed(lambda: open_index(store, embedder.dim, embedder.name)) * 1000:.0f}"],
                ["VectorIndex.save", f"{timed(index.save) * 1000:.0f}"],
                ["StoryAssigner start-up", f"{timed(lambda: StoryAssigner(store, index, embedder.name)) * 1000:.1f}"],
                ["Store.embedders (whole table; ingest's check before)", f"{timed(store.embedders) * 1000:.0f}"],
                ["Store.embedder (first row; ingest's check now)", f"{timed(store.embedder) * 1000:.1f}"],
                ["Store.count (catch_up's check)", f"{timed(store.count) * 1000:.1f}"],
            ]
        size_mb = db.stat().st_size / 2**20
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print(f"POST /api/articles, one article each, hash embedder, store of {args.stored:,} articles "
          f"({size_mb:.0f} MB; load average {os.getloadavg()[0]:.1f}, {os.cpu_count()} cores)\n")
    print(table(rows, ["write path", "stored", "posts", "first ms", "median ms", "max ms"]))
    print(f"\nSteps of a POST that could grow with the store, each alone, best of 3, at {args.stored:,}:\n")
    print(table(parts, ["step", "ms"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
