"""Embed: one vector per sentence, and the article vector from those.

The article vector is the normalised mean of its story sentences' vectors, so it
costs no second pass over the text, and it leaves page furniture out. Short
inputs are also cheaper per token than whole articles (attention grows with the
square of the length): bench/throughput.py measures the pipeline at ~1.5x the
articles/s of embedding each whole article once.

The article's opening (its story text's first ``OPENING_CHARS`` characters: the
headline and lead, where news states its story) is also embedded as one input,
the ``text_vector``. Read in context, it tells two outlets' tellings
of one story from two stories on one topic better than any mean of sentence
vectors: on real news pairs rated by annotators (evals/semeval_eval.py) its
language-centred cosine is the strongest single piece of evidence, and the first
400 characters did as well as the first 800 or the whole text (0.803, 0.805 and
0.799 Pearson out of fold), at a fraction of the cost: about 0.17 s per article on
2 cores against 0.45 s for the rest of the analysis (bench/throughput.py).
"""
from __future__ import annotations

from typing import Iterable

import numpy as np

from crosswire.analysis.embedders import Embedder
from crosswire.article import Article, stacked_vectors

OPENING_CHARS = 400


def article_vector(vectors: np.ndarray) -> np.ndarray:
    mean = vectors.mean(axis=0)
    norm = float(np.linalg.norm(mean))
    return (mean / norm if norm else mean).astype(np.float32)


def opening(article: Article, limit: int = OPENING_CHARS) -> str:
    """The story text's first ``limit`` characters (headline and lead), cut back to a word's end."""
    story = article.story_sentences or article.sentences
    text = " ".join(s.text for s in story)
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    # Scripts written without spaces (Chinese, Japanese, Thai) are cut where the limit falls.
    return cut[:space] if space > limit // 2 else cut


class Embed:
    name = "embed"
    requires = ("sentences",)
    assigns = ("vector", "text_vector", "sentences.vector", "embedder")

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
        with_text = [a for a in articles if a.sentences]
        for start in range(0, len(with_text), self.batch_size):
            batch = with_text[start : start + self.batch_size]
            for article, vec in zip(batch, self.embedder.embed([opening(a) for a in batch])):
                article.text_vector = np.asarray(vec, dtype=np.float32)
        for article in articles:
            story = article.story_sentences or article.sentences
            if story:
                article.vector = article_vector(stacked_vectors(story, article.source))
            article.embedder = self.embedder.name
        return articles
