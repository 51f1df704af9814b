"""The objects the pipeline passes along: one ``Article`` made of ``Sentence``s.

An Article is created by a reader with its raw text and metadata, then each
pipeline stage fills the fields it is declared to assign (see ``pipeline.py``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from crosswire.errors import NotAnalysedError


@dataclass
class Sentence:
    id: int                     # 0-based position in the article, stable across runs
    line: int                   # 1-based line of the input text the sentence came from
    text: str
    language: str | None = None
    furniture: str | None = None  # None for story text, else why: "subheading", "read-also", ...
    vector: np.ndarray | None = field(default=None, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "line": self.line,
            "text": self.text,
            "language": self.language,
            "furniture": self.furniture is not None,
            "furniture_kind": self.furniture,
        }


@dataclass
class Line:
    """One line of the article text, with the cleaner's verdict on it."""

    number: int                 # 1-based
    text: str
    furniture: str | None = None


@dataclass
class Article:
    id: str
    text: str                   # the body, one paragraph or heading a line
    source: str                 # where it was read from: a path, path:line, or a URL
    title: str | None = None
    url: str | None = None
    outlet: str | None = None   # the publisher ("source" in JSONL), when known
    author: str | None = None
    published: str | None = None  # ISO 8601 when known
    language: str | None = None   # given by the input, or detected
    language_given: bool = False  # True when the input stated the language
    lines: list[Line] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    vector: np.ndarray | None = field(default=None, repr=False)
    # The opening of the story text (headline and lead) embedded as one input: the embedder reads
    # it in context, as no mean of sentence vectors can (stages/embed.py). None in stores older
    # than it.
    text_vector: np.ndarray | None = field(default=None, repr=False)
    embedder: str | None = None   # registered name of the embedder that made the vectors
    meta: dict[str, Any] = field(default_factory=dict)
    # What the reader left out and the user should hear of (an unreadable date); never stored.
    warnings: list[str] = field(default_factory=list)

    @property
    def story_sentences(self) -> list[Sentence]:
        """Sentences that carry the story, i.e. not page furniture."""
        return [s for s in self.sentences if s.furniture is None]

    @property
    def furniture_sentences(self) -> list[Sentence]:
        return [s for s in self.sentences if s.furniture is not None]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "source": self.source,
            "title": self.title,
            "url": self.url,
            "outlet": self.outlet,
            "author": self.author,
            "published": self.published,
            "language": self.language,
            "embedder": self.embedder,
            "sentences": [s.to_dict() for s in self.sentences],
        }

    def analysed_vector(self) -> np.ndarray:
        """The article vector; asking it of an article not yet embedded is a caller's bug, said so."""
        if self.vector is None:
            raise NotAnalysedError(self.source, "article has not been embedded (no vector)")
        return self.vector


def stacked_vectors(sentences: list[Sentence], source: str = "article") -> np.ndarray:
    """The sentences' vectors as one matrix (rows in order)."""
    vectors = [s.vector for s in sentences]
    if any(v is None for v in vectors):
        raise NotAnalysedError(source, "a sentence has not been embedded (no vector)")
    return np.stack([v for v in vectors if v is not None])
