"""The result of comparing articles: one ``PairComparison`` per pair of articles.

This is the one structure every renderer (terminal, JSON, Markdown, HTML) reads;
its ``to_dict`` is the documented JSON output of ``crosswire compare``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from crosswire.article import Article

FORMAT_VERSION = 1


@dataclass
class Link:
    a: int          # sentence id in the pair's first article
    b: int          # sentence id in the pair's second article
    score: float    # alignment confidence in [0, 1]

    def to_dict(self) -> dict[str, Any]:
        return {"a": self.a, "b": self.b, "score": round(self.score, 4)}


@dataclass
class ArticleLink:
    """A sentence link between two named articles, outside the compared pairs."""

    a_article: str
    b_article: str
    link: Link

    def to_dict(self) -> dict[str, Any]:
        return {"a_article": self.a_article, "b_article": self.b_article, **self.link.to_dict()}


@dataclass
class PairComparison:
    a: str                      # article id
    b: str                      # article id
    same_story: float           # calibrated probability-like score in [0, 1]
    verdict: str                # "same story", "possibly the same story" or "different stories"
    links: list[Link] = field(default_factory=list)
    only_a: list[int] = field(default_factory=list)  # story sentences of a with no counterpart in b
    only_b: list[int] = field(default_factory=list)
    evidence: dict[str, float] = field(default_factory=dict)  # the features the score was made from

    def to_dict(self) -> dict[str, Any]:
        return {
            "a": self.a,
            "b": self.b,
            "same_story": round(self.same_story, 4),
            "verdict": self.verdict,
            "links": [link.to_dict() for link in self.links],
            "only_a": self.only_a,
            "only_b": self.only_b,
            "evidence": {k: round(v, 4) for k, v in self.evidence.items()},
        }


@dataclass
class Comparison:
    articles: list[Article]
    pairs: list[PairComparison]
    skipped: list[str] = field(default_factory=list)  # one line per input that could not be used
    embedder: str | None = None
    report: Any = None  # a ``report.Report`` once built (typed loosely: report.py imports this module)
    # With a pivot (more articles than CompareOptions.all_pairs_up_to), links among the
    # other articles between sentences the pivot does not report (compare.leftover_links).
    leftover_links: list[ArticleLink] = field(default_factory=list)

    def article(self, article_id: str) -> Article:
        for art in self.articles:
            if art.id == article_id:
                return art
        raise KeyError(article_id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format_version": FORMAT_VERSION,
            "embedder": self.embedder,
            "articles": [a.to_dict() for a in self.articles],
            "pairs": [p.to_dict() for p in self.pairs],
            "skipped": self.skipped,
            **({"leftover_links": [x.to_dict() for x in self.leftover_links]} if self.leftover_links else {}),
            **({"report": self.report.to_dict()} if self.report is not None else {}),
        }
