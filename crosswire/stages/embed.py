"""Embed: one vector per sentence, and the article vector from those.

The article vector is the normalised mean of its story sentences' vectors, so it
costs no second pass over the text, and it leaves page furniture out. Short
inputs are also cheaper per token than whole articles (attention grows with the
square of the length): bench/throughput.py measures the pipeline at ~1.5x the
articles/s of embedding each whole article once.
"""
from __future__ import annotations

from typing import Iterable

import numpy as np

from ..embedders import Embedder
from ..model import Article


def article_vector(vectors: np.ndarray) -> np.ndarray:
    mean = vectors.mean(axis=0)
    norm = float(np.linalg.norm(mean))
    return (mean / norm if norm else mean).astype(np.float32)


class Embed:
    name = "embed"
    requires = ("sentences",)
    assigns = ("vector", "sentences.vector", "embedder")

    def __init__(self, embedder: Embedder, batch_size: int = 64) -> None:
        self.embedder = embedder
        self.batch_size = batch_size

    def __call__(self, article: Article) -> Article:
        return self.pipe([article])[0]

    def pipe(self, articles: Iterable[Article]) -> list[Article]:
        """Embed the sentences of many articles in shared batches (the engine is faster so)."""
        articles = list(articles)
        sentences = [s for a in articles for s in a.sentences]
        # Sorting by length keeps padded batches tight; vectors go back by index.
        order = sorted(range(len(sentences)), key=lambda i: len(sentences[i].text))
        for start in range(0, len(order), self.batch_size):
            chunk = order[start : start + self.batch_size]
            vectors = self.embedder.embed([sentences[i].text for i in chunk])
            for i, vec in zip(chunk, vectors):
                sentences[i].vector = vec
        for article in articles:
            story = article.story_sentences or article.sentences
            if story:
                article.vector = article_vector(np.stack([s.vector for s in story]))
            article.embedder = self.embedder.name
        return articles
