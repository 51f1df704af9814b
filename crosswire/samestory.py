"""The same-story score of two analysed articles: a calibrated probability in [0, 1].

It never rests on raw cosine, which favours same-language pairs (an Arabic
article on another NATO event scores higher against the Arabic seed than the
Norwegian article on the same meeting). It combines evidence that does not
depend on the language pair:

- ``centred_cosine``: article vectors compared after subtracting their
  language's mean vector (shipped per embedder, built from NTREX calibration
  documents by tools/build_language_means.py);
- ``coverage``: the share of each article's story sentences the alignment could
  link to the other article (mean of the two sides);
- ``strong_coverage``: the same share counting only confident links: two
  articles on one topic (two reports on the same hearing) link many sentences
  loosely, two tellings of one story link them firmly;
- ``link_score``: how confident those links are, on average.

A logistic model over these is fitted on the NTREX calibration half by
tools/calibrate_same_story.py; the evaluation half is never used for fitting.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from .comparison import Link
from .model import Article

DATA = Path(__file__).resolve().parent / "data"
FEATURES = ("centred_cosine", "coverage", "strong_coverage", "link_score")
STRONG_LINK = 0.8  # a link this sure is a shared fact, not a loose paraphrase of the topic


@dataclass(frozen=True)
class Verdicts:
    same: float = 0.5       # at or above: "same story"
    possible: float = 0.25  # at or above: "possibly the same story"

    def __call__(self, score: float) -> str:
        if score >= self.same:
            return "same story"
        if score >= self.possible:
            return "possibly the same story"
        return "different stories"


class LanguageMeans:
    """Mean sentence vector per language label, for one embedder."""

    def __init__(self, labels: list[str], means: np.ndarray, overall: np.ndarray) -> None:
        self.index = {label: i for i, label in enumerate(labels)}
        self.means = means
        self.overall = overall

    def mean(self, language: str | None) -> np.ndarray:
        i = self.index.get(language or "und")
        return self.means[i] if i is not None else self.overall

    @classmethod
    @lru_cache(maxsize=8)
    def for_embedder(cls, embedder: str) -> "LanguageMeans | None":
        path = DATA / f"language_means.{embedder}.npz"
        if not path.is_file():
            return None
        data = np.load(path)
        return cls([str(x) for x in data["labels"]], data["means"], data["overall"])


def centred_cosine(a: Article, b: Article) -> float:
    assert a.vector is not None and b.vector is not None
    means = LanguageMeans.for_embedder(a.embedder or "")
    if means is None:
        return float(a.vector @ b.vector)
    va = a.vector - means.mean(a.language)
    vb = b.vector - means.mean(b.language)
    denom = float(np.linalg.norm(va) * np.linalg.norm(vb))
    return float(va @ vb) / denom if denom else 0.0


def features(a: Article, b: Article, links: list[Link]) -> dict[str, float]:
    na = len(a.story_sentences) or 1
    nb = len(b.story_sentences) or 1
    strong = [link for link in links if link.score >= STRONG_LINK]
    return {
        "centred_cosine": centred_cosine(a, b),
        "coverage": _coverage(links, na, nb),
        "strong_coverage": _coverage(strong, na, nb),
        "link_score": float(np.mean([link.score for link in links])) if links else 0.0,
    }


def _coverage(links: list[Link], na: int, nb: int) -> float:
    return (len({link.a for link in links}) / na + len({link.b for link in links}) / nb) / 2


@dataclass(frozen=True)
class SameStoryModel:
    weights: tuple[float, ...]
    bias: float
    embedder: str = ""

    def __call__(self, feats: dict[str, float]) -> float:
        z = self.bias + sum(w * feats[name] for w, name in zip(self.weights, FEATURES))
        return 1.0 / (1.0 + math.exp(-z))

    @classmethod
    @lru_cache(maxsize=8)
    def for_embedder(cls, embedder: str) -> "SameStoryModel":
        path = DATA / f"same_story.{embedder}.json"
        if path.is_file():
            spec = json.loads(path.read_text(encoding="utf-8"))
            return cls(tuple(spec["weights"][f] for f in FEATURES), float(spec["bias"]), embedder)
        # Uncalibrated embedders (the test fake): lean on coverage alone.
        return cls((0.0, 10.0, 0.0, 0.0), -5.0, embedder)
