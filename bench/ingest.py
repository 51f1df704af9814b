"""Ingest throughput and peak memory on NTREX-128 articles.

Ingests N NTREX articles (default 2,000: the first documents in 20 languages,
shuffled, no dates) into a fresh store with the real pipeline and streaming
story assignment, then prints articles/s, the share of time spent outside
analysis (storing + story assignment), peak RSS and the store's size on disk.

    .venv/bin/python bench/ingest.py [--articles 2000] [--ntrex DIR]
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import ntrex_articles, table  # noqa: E402  (bench/common.py)

from crosswire.analysis.pipeline import default_pipeline  # noqa: E402
from crosswire.ingest import ingest_articles  # noqa: E402
from crosswire.readers.ntrex import Ntrex  # noqa: E402
from crosswire.store.sqlite import Store  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=2000)
    ap.add_argument("--ntrex", default=None)
    args = ap.parse_args()
    try:
        corpus = Ntrex(args.ntrex)
    except Exception as err:
        print(f"ingest bench skipped: {err}")
        return 0
    articles = ntrex_articles(corpus, args.articles)
    pipeline = default_pipeline()
    list(pipeline.pipe(corpus.articles("eng", corpus.documents[:2])))  # warm-up: load the models
    folder = Path(tempfile.mkdtemp(prefix="crosswire-bench-"))
    store = Store(folder / "bench.db")

    embed_seconds = 0.0
    embed_stage = pipeline.stages[-1]
    real_pipe = embed_stage.pipe

    def timed_pipe(batch):  # how much of the time is analysis (the model)
        nonlocal embed_seconds
        started = time.perf_counter()
        try:
            return real_pipe(batch)
        finally:
            embed_seconds += time.perf_counter() - started

    embed_stage.pipe = timed_pipe  # type: ignore[method-assign]
    started = time.perf_counter()
    report = ingest_articles(articles, store, pipeline)
    seconds = time.perf_counter() - started
    store.close()
    size = sum(p.stat().st_size for p in folder.iterdir())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows = [[
        str(report.added), str(report.new_stories), f"{seconds:.0f}", f"{report.added / seconds:.2f}",
        f"{embed_seconds / seconds:.0%}", f"{(seconds - embed_seconds) / max(report.added, 1) * 1000:.1f}",
        f"{peak:.0f}", f"{size / 1e6:.1f}",
    ]]
    languages = len({a.meta["ntrex_lang"] for a in articles})
    print(f"crosswire ingest: {len(articles)} NTREX-128 articles in {languages} languages, shuffled, no dates")
    print(f"embedder {embed_stage.embedder.name}  |  {os.cpu_count()} CPUs  |  load average after: "
          f"{', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(table(rows, ["articles", "stories", "seconds", "articles/s", "in embedder",
                       "ms/article outside embedder", "peak RSS MB", "store+index MB"]))
    print(report.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
