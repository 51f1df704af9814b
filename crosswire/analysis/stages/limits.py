"""Limits: refuse an article over the size limits before the costly stages see it.

Two checks, each placed where its count is known and nothing costly has run:
the characters before cleaning, the sentences right after splitting (before
language detection and embedding, the stages whose time grows with the
sentences). See ``crosswire/limits.py``.
"""
from __future__ import annotations

from crosswire.article import Article
from crosswire.limits import Limits


class CheckLength:
    name = "limits"
    requires = ("text",)
    assigns: tuple[str, ...] = ()

    def __init__(self, limits: Limits) -> None:
        self.limits = limits

    def __call__(self, article: Article) -> Article:
        self.limits.check_chars(article.source, article.text)
        return article


class CheckSentences:
    name = "limits"
    requires = ("sentences",)
    assigns: tuple[str, ...] = ()

    def __init__(self, limits: Limits) -> None:
        self.limits = limits

    def __call__(self, article: Article) -> Article:
        self.limits.check_sentences(article.source, len(article.sentences))
        return article
