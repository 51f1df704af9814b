"""Listing stories at 10k and 100k stored articles: over the story index, against reading every article.

``storyview.list_stories`` used to read every article row (id, ext_id, story_id,
title, outlet, url, source, language, published, ingested_at) and group them in
Python on each call, whatever the page size, and ran its text filter as a
Python function over the title and text of every article. It now sorts,
filters and pages the stories in SQL over the story index
(``crosswire/store/listing.py``: per-story size and span, languages, a trigram
full-text index of the casefolded texts, ``store/words.py``; kept by the
store's writes since schema 4, by triggers before) and reads the articles of
the stories shown only. ``old_list_stories`` (tests/story_support.py) is the function
as it was, the baseline, run on the same store in the same run; every new
answer is checked equal to the old one.

The store: NTREX-128 documents (../shared/data/ntrex128, real text in 128
languages and many scripts; synthetic multi-script text without it) as
articles in stories of 1-8 languages of one document, each story over up to 3
days, stories starting over 90 days in id order, 2% of the articles undated; a
title on 3 articles out of 4 (else the headline is read from the analysis);
one sentence per line with fake 384-d sentence vectors, as an ingest stores
them (~27 kB of vectors per article); the builder is shared (bench/common.py). It is written as a schema-1 store (before
the story index) through ``Store`` and then opened, first up to schema 3
(migration 2, the story index kept by triggers), then to the current schema
(migration 4, the index kept by the store's writes, the trigram index made by
crosswire): both upgrades are timed ("migrate 1-3 s", "migrate 3-now s"), and
so is the write of one assigned article (add_article + new_story + set_story, a
transaction each) before the story index and at the current schema (its cost).

Rows: ``list_stories(..., limit=20)`` with no filter, a language filter, text
filters (a word in ~1% of the articles, a word in many, a two-character CJK
word, which the trigram index answers through its vocabulary), and a since
filter (the last 3 days); and the server's page (``GET /api/stories``: 20
stories and the total), which used to build every story's summary and slice.
Median ms over --repeats calls after one warm-up call (the OS page cache warm).

"stories" is how many stories the filter gives in all (``count_stories``).
"MB" counts the store's files (with the -wal of the 200 timed writes).
Measured here on 2 cores, with another job on the machine at times (load
average 0.0 at the start, 1.0 at the end), NTREX-128 text:

    OMP_NUM_THREADS=1 .venv/bin/python bench/stories_list.py --sizes 10000,100000

    articles                                call  stories  old ms  new ms  speed-up
    --------  ----------------------------------  -------  ------  ------  --------
    10,000                list_stories no filter     3457   118.1    0.47      249x
    10,000              list_stories language=nb       74   117.7    1.17      101x
    10,000             list_stories text='about'      142   203.1    1.13      180x
    10,000             list_stories text='trump'      503   200.0    1.93      104x
    10,000                list_stories text='日本'        4   195.9    0.29      679x
    10,000         list_stories since=2025-05-29      762   111.7    0.48      232x
    10,000    GET /api/stories page (20 + total)     3457   249.8    0.99      252x
    100,000               list_stories no filter    31023  1840.3    0.45     4111x
    100,000             list_stories language=nb      768  1718.1    4.33      397x
    100,000            list_stories text='about'     1517  2417.8    6.71      360x
    100,000            list_stories text='trump'     4692  2652.3   14.43      184x
    100,000               list_stories text='日本'       31  1810.0    0.74     2432x
    100,000        list_stories since=2025-05-29     3967  1291.2    0.52     2495x
    100,000   GET /api/stories page (20 + total)    31023  3062.4    1.58     1938x

    articles  stories  MB schema 1  MB schema 2  migrate s  write ms old  write ms new
    --------  -------  -----------  -----------  ---------  ------------  ------------
    10,000      3,457          351          429        9.5          0.38          1.02
    100,000    31,023         3436         4090      101.0          0.37          2.31

At 100k the old listing costs 1.3-3.1 s whatever the page, as it reads every
article row (their story_id and ingested_at sit past the vectors, so every
overflow page is read); the new one 0.45-14 ms, the most for a text filter
matching many articles (10.5k for 'trump': their 4,692 stories are sorted in full).
The index costs ~19% of the store (mostly the trigram index, ~2x the text) and
0.6-1.9 ms more per article written (1.4-3.6 ms in an earlier run under more
load), next to ~560 ms to analyse an article with the default model on one core
here. Upgrading a 100k store takes under two minutes, once (the trigram index
of every text).

Run from the repository root; 10k + 100k take about 8 minutes on 2 cores and
~4 GB of temporary disk (--tmpdir).
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from common import NOW, Docs, article, documents, pool_vectors, table, vector_pool, write_articles  # noqa: E402

from crosswire.report.build import build_report  # noqa: E402
from crosswire.server.routes import comparison_dict, json_bytes  # noqa: E402
from crosswire.store import sqlite as store_module  # noqa: E402
from crosswire.store import words  # noqa: E402
from crosswire.store.sqlite import MIGRATIONS, Store  # noqa: E402
from crosswire.stories.placement import CLUSTERER_NAME  # noqa: E402
from crosswire.stories.view import StorySummary, count_stories, list_stories, story_comparison  # noqa: E402

DIM = 384
EMBEDDER = "bench.fake.v1"
PAGE = 20


# The baseline: list_stories before the story index, as it was; the tests hold the new one to it.
from tests.story_support import old_list_stories  # noqa: E402

# -- the store (written by bench/common.py) -------------------------------------------------------

def build(path: Path, n: int, docs: Docs, seed: int = 0) -> tuple[float, float]:
    """A schema-1 store of n articles; returns (seconds, median ms to write one more assigned article)."""
    rng, pool = random.Random(seed), vector_pool(seed, DIM)
    saved = store_module.MIGRATIONS
    store_module.MIGRATIONS = MIGRATIONS[:1]  # the store as it was before the story index
    try:
        start = time.perf_counter()
        with Store(path) as store:
            write_articles(store, n, docs, rng, pool_vectors(pool), EMBEDDER)
            seconds = time.perf_counter() - start
            store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            write_ms = time_writes(store, docs, rng, pool)
        return seconds, write_ms
    finally:
        store_module.MIGRATIONS = saved


def time_writes(store: Store, docs: Docs, rng: random.Random, pool: np.ndarray, count: int = 200) -> float:
    """Median ms of add_article + new_story + set_story, one transaction each (as an ingest assigns)."""
    times = []
    for k in range(count):
        lang, lines = rng.choice(docs[rng.randrange(len(docs))])
        item = article(10**9 + k, -1, lang, lines, NOW, rng, pool_vectors(pool)(lang, lines, rng), EMBEDDER)
        item.title = f"write {k} {time.time_ns()}"  # a new content hash on each call
        start = time.perf_counter()
        with store.transaction():
            row = store.add_article(item)
            store.set_story(row, store.new_story(CLUSTERER_NAME))
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


# -- measuring --------------------------------------------------------------------------------------

def median_ms(call: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    result = call()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000, result


def pick_words(store: Store) -> tuple[str, str]:
    """A word of 5+ letters in ~1% of the articles, and the one in most articles (from a sample of 2,000)."""
    counts: dict[str, int] = defaultdict(int)
    rows = store.db.execute("SELECT title, text FROM articles ORDER BY id LIMIT 2000").fetchall()
    for title, text in rows:
        for word in set(f"{title or ''} {text}".casefold().split()):
            if word.isalpha() and len(word) >= 5:
                counts[word] += 1
    ranked = sorted(counts, key=lambda w: (-counts[w], w))
    rare = min(ranked, key=lambda w: (abs(counts[w] - len(rows) // 100), w))
    return rare, ranked[0]


def measure(path: Path, n: int, repeats: int) -> tuple[list[list[str]], dict[str, float]]:
    with Store(path) as store:
        rare, common = pick_words(store)
        matches = lambda word: store.db.execute(  # noqa: E731
            f"SELECT count(*) FROM {words.TABLE} WHERE {words.TABLE} MATCH ?", (words.match(store.db, [word])[0],)
        ).fetchone()[0]
        print(f"[{n:,}] text filters: {rare!r} in {matches(rare):,} articles, {common!r} in {matches(common):,}",
              file=sys.stderr)
        since = (NOW - timedelta(days=3)).strftime("%Y-%m-%d")
        cases: list[tuple[str, dict[str, Any]]] = [
            ("no filter", {}),
            ("language=nb", {"language": "nb"}),
            (f"text={rare!r}", {"text": rare}),
            (f"text={common!r}", {"text": common}),
            ("text='日本'", {"text": "日本"}),
            (f"since={since}", {"since": since}),
        ]
        rows = []
        old_repeats = max(3, repeats // 3) if n > 50_000 else repeats
        for name, filters in cases:
            old_ms, old = median_ms(lambda: old_list_stories(store, limit=PAGE, **filters), old_repeats)
            new_ms, new = median_ms(lambda: list_stories(store, limit=PAGE, **filters), repeats)
            assert [s.to_dict() for s in new] == [s.to_dict() for s in old], name
            total = count_stories(store, **filters)
            rows.append([f"{n:,}", f"list_stories {name}", str(total), f"{old_ms:.1f}", f"{new_ms:.2f}",
                         f"{old_ms / new_ms:.0f}x"])

        def old_page() -> tuple[list[StorySummary], int]:
            found = old_list_stories(store)
            return found[:PAGE], len(found)

        def new_page() -> tuple[list[StorySummary], int]:
            return list_stories(store, limit=PAGE), count_stories(store)

        old_ms, old = median_ms(old_page, old_repeats)
        new_ms, new = median_ms(new_page, repeats)
        assert ([s.to_dict() for s in new[0]], new[1]) == ([s.to_dict() for s in old[0]], old[1])
        rows.append([f"{n:,}", "GET /api/stories page (20 + total)", str(new[1]), f"{old_ms:.1f}", f"{new_ms:.2f}",
                     f"{old_ms / new_ms:.0f}x"])
        # A story page (GET /api/stories/ID) built afresh, as the server does on a miss of its cache:
        # the story's articles loaded from this store, compared, the report built and sent as JSON.
        # No old way to set it against: "stories" is the story's number of articles.
        largest, size = store.db.execute("SELECT id, size FROM stories ORDER BY size DESC, id LIMIT 1").fetchone()
        for story_id, label in ((largest, "largest"), (_median_story(store), "median")):
            page_ms, page = median_ms(lambda: story_page(store, story_id), max(3, repeats // 3))
            members = store.db.execute("SELECT size FROM stories WHERE id = ?", (story_id,)).fetchone()[0]
            rows.append([f"{n:,}", f"GET /api/stories/ID ({label} story)", str(members), "-", f"{page_ms:.1f}", "-"])
        stats = {"stories": store.db.execute("SELECT count(*) FROM stories WHERE size > 0").fetchone()[0]}
    return rows, stats


def _median_story(store: Store) -> int:
    """The story of median size among those of two articles or more (a page with something to compare)."""
    total = store.db.execute("SELECT count(*) FROM stories WHERE size > 1").fetchone()[0]
    return store.db.execute("SELECT id FROM stories WHERE size > 1 ORDER BY size, id LIMIT 1 OFFSET ?",
                            (total // 2,)).fetchone()[0]


def story_page(store: Store, story_id: int) -> bytes:
    """The body of GET /api/stories/ID, built as the server builds it (server/routes.py), uncached."""
    comparison = story_comparison(store, story_id)
    report = build_report(comparison, None)
    return json_bytes({"id": story_id, **comparison_dict(comparison, report.for_reader(comparison, None))})


def size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 1e6


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,100000", help="comma-separated store sizes (default 10000,100000)")
    ap.add_argument("--repeats", type=int, default=15, help="timed calls per case (a third for the old one above 50k)")
    ap.add_argument("--tmpdir", default=None, help="folder for the temporary stores")
    args = ap.parse_args()
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    docs, origin = documents()
    tmp = Path(tempfile.mkdtemp(prefix="stories_list.", dir=args.tmpdir))
    print(f"stories_list: {origin}; load average {os.getloadavg()[0]:.1f}; {os.cpu_count()} cores; "
          f"stores in {tmp}", file=sys.stderr)
    rows, builds = [], []
    try:
        for n in sizes:
            path = tmp / f"store-{n}.db"
            print(f"[{n:,}] writing a schema-1 store ...", file=sys.stderr)
            build_s, write_old = build(path, n, docs)
            before = size_mb(path)
            store_module.MIGRATIONS = MIGRATIONS[:3]
            try:
                start = time.perf_counter()
                with Store(path) as store:  # migrations 2 and 3: the story index kept by triggers
                    to_3 = time.perf_counter() - start
                    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                store_module.MIGRATIONS = MIGRATIONS
            start = time.perf_counter()
            with Store(path) as store:  # and on to today's schema
                to_now = time.perf_counter() - start
                store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                write_new = time_writes(store, docs, random.Random(1), vector_pool(1, DIM))
            print(f"[{n:,}] built in {build_s:.0f} s, migrated to 3 in {to_3:.1f} s, then to {len(MIGRATIONS)} in "
                  f"{to_now:.1f} s; measuring ...", file=sys.stderr)
            found, stats = measure(path, n, args.repeats)
            rows.extend(found)
            builds.append([f"{n:,}", f"{stats['stories']:,}", f"{before:.0f}", f"{size_mb(path):.0f}",
                           f"{to_3:.1f}", f"{to_now:.1f}", f"{write_old:.2f}", f"{write_new:.2f}"])
            for p in tmp.glob(path.name + "*"):
                p.unlink()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"Listing stories, limit {PAGE}: before the story index (old) and with it (new), median ms; "
          f"{origin}; load average {os.getloadavg()[0]:.1f}\n")
    print(table(rows, ["articles", "call", "stories", "old ms", "new ms", "speed-up"]))
    print()
    print(table(builds, ["articles", "stories", "MB schema 1", "MB now", "migrate 1-3 s", "migrate 3-now s",
                         "write ms old", "write ms new"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
