"""Shared by the benchmark scripts (run as scripts, so bench/ is on sys.path).

``table`` prints the result tables. The rest builds big stores quickly (used by
stories_list.py and serve_load.py): NTREX-128 documents (../shared/data/ntrex128,
real text in 128 languages and many scripts; synthetic multi-script text without
it) written as analysed articles straight through ``Store``, in stories of 1-8
languages of one document, each story over up to 3 days, stories starting over
90 days in id order, 2% of the articles undated, a title on 3 articles out of 4,
one sentence per line. The caller says where each article's sentence vectors
come from (fake ones from a pool, or a real embedder's) and under which
embedder name they are stored.
"""
from __future__ import annotations

import random
import sys
import time
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

import numpy as np

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from crosswire.article import Article, Sentence  # noqa: E402
from crosswire.errors import CrosswireError  # noqa: E402
from crosswire.readers.ntrex import Ntrex  # noqa: E402
from crosswire.store.sqlite import Store  # noqa: E402
from crosswire.stories.placement import CLUSTERER_NAME  # noqa: E402

NOW = datetime(2025, 6, 1, tzinfo=timezone.utc)

Docs = dict[int, list[tuple[str, list[str]]]]  # document -> (language, lines) in each language
# (language, lines, rng) -> one vector per line; may draw from rng (the fake vectors do)
Vectors = Callable[[str, list[str], random.Random], np.ndarray]

# The NTREX languages the ingest benches read (scripts and families spread out).
NTREX_LANGS = "arb,nob,eng,zho-CN,jpn,hau,amh,deu,fra,spa,rus,hin,tur,kor,por,ita,pol,vie,ind,swe".split(",")


def ntrex_articles(corpus: Ntrex, count: int) -> list[Article]:
    """``count`` NTREX articles as the ingest benches take them: the first documents in the 20
    languages above (past what those hold, in the corpus's other languages too), shuffled (seed 0)."""
    langs = list(NTREX_LANGS)
    if count > len(langs) * len(corpus.documents):
        langs += [lang for lang in corpus.languages() if lang not in langs]
    docs = corpus.documents[: -(-count // len(langs))]
    articles = [a for lang in langs for a in corpus.articles(lang, docs)][:count]
    random.Random(0).shuffle(articles)
    return articles


def table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    fmt = lambda r: "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))  # noqa: E731
    return "\n".join([fmt(header), "  ".join("-" * w for w in widths), *map(fmt, rows)])


# -- big stores -----------------------------------------------------------------------------------

def documents() -> tuple[Docs, str]:
    """Every document in every language, and where they came from."""
    try:
        corpus = Ntrex()
    except CrosswireError:
        return synthetic(), "synthetic text (NTREX-128 not found)"
    docs: Docs = defaultdict(list)
    languages = sorted(set(corpus.languages()))
    for lang in languages:
        for k, item in enumerate(corpus.articles(lang)):
            docs[k].append((lang, item.text.split("\n")))
    return docs, f"NTREX-128 ({len(languages)} languages x {len(corpus.documents)} documents)"


def synthetic(n_docs: int = 120) -> Docs:
    rng = random.Random(1)
    alphabet = {"eng": "etaoinshrdlu", "nob": "etaoinsæøå", "arb": "اليمونتبرس", "zho-CN": "日本中国人大东京会政府",
                "rus": "оеаинтсвлк", "ell": "αοεινσςτρκ", "deu": "enisratdßü"}
    docs: Docs = defaultdict(list)
    for k in range(n_docs):
        for lang, letters in alphabet.items():
            word = lambda: "".join(rng.choice(letters) for _ in range(rng.randint(2, 9)))  # noqa: E731
            docs[k].append((lang, [" ".join(word() for _ in range(rng.randint(8, 25))) for _ in range(16)]))
    return docs


def vector_pool(seed: int, dim: int) -> np.ndarray:
    """Unit vectors fake sentence vectors are drawn from (SQLite does not dedupe them)."""
    pool = np.random.default_rng(seed).standard_normal((4096, dim)).astype(np.float32)
    return pool / np.linalg.norm(pool, axis=1, keepdims=True)


def pool_vectors(pool: np.ndarray) -> Vectors:
    """Fake sentence vectors: one drawn from the pool per line."""
    return lambda lang, lines, rng: pool[[rng.randrange(len(pool)) for _ in lines]]


def article(i: int, story: int, lang: str, lines: list[str], when: datetime, rng: random.Random,
            vectors: np.ndarray, embedder: str, vector: np.ndarray | None = None) -> Article:
    """Article ``{lang}.{i}`` of story number ``story``: the lines, one sentence each, with their vectors.

    ``vector``: the article vector (default: the mean of the sentence vectors, not normalised)."""
    sentences = [Sentence(id=k, line=k + 1, text=line, language=lang, vector=v)
                 for k, (line, v) in enumerate(zip(lines, vectors))]
    titled = i % 4 != 3
    return Article(
        id=f"{lang}.{i}", text="\n".join([*lines, f"Ref {story}."]), source=f"bench:{i}",
        title=f"{lines[0][:120]} ({story})" if titled else None, outlet=f"Outlet {rng.randrange(60)}",
        published=None if rng.random() < 0.02 else when.strftime("%Y-%m-%dT%H:%M:%SZ"), language=lang,
        sentences=sentences, vector=vectors.mean(axis=0) if vector is None else vector, embedder=embedder)


def write_articles(store: Store, n: int, docs: Docs, rng: random.Random, vectors: Vectors, embedder: str,
                   article_vector: Callable[[np.ndarray], np.ndarray] | None = None,
                   progress_over: int = 20_000) -> int:
    """Write n articles in stories (5,000 a transaction); returns the number of stories.

    ``article_vector``: the article vector from the sentence vectors (default their plain mean)."""
    start = time.perf_counter()
    store.db.execute("PRAGMA wal_autocheckpoint = 10000")
    written, story = 0, 0
    while written < n:
        with store.transaction():
            target = min(written + 5000, n)
            while written < target:
                size = min(rng.choice((1, 1, 2, 2, 3, 4, 5, 8)), target - written)
                begin = NOW - timedelta(days=90) + timedelta(days=90 * written / n)
                sid = store.new_story(CLUSTERER_NAME)
                for lang, lines in rng.sample(docs[story % len(docs)], size):
                    when = begin + timedelta(minutes=rng.randint(0, 3 * 24 * 60))
                    found = vectors(lang, lines, rng)
                    item = article(written, story, lang, lines, when, rng, found, embedder,
                                   None if article_vector is None else article_vector(found))
                    store.add_article(item, sid)
                    written += 1
                story += 1
        if n > progress_over:
            print(f"  {written:,}/{n:,} written, {time.perf_counter() - start:.0f} s", file=sys.stderr)
    return story
