"""One article as a pair score sees it, prepared once however many pairs it is in.

Placing an article scores it against up to 18 stored ones, and ``recluster`` scores
each article against its 24 neighbours. What a pair score needs of one article
alone (its story sentences stacked into one matrix, the same less its language
mean for the headline match, its profile) took about a third of ``compare_pair``
when it was recomputed for every pair (bench/story_assign.py). A ``PairSide``
holds it; what depends on both articles (the alignment, the features) stays per
pair. The arithmetic is the one it was, so scores are the same to the bit.
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from crosswire.analysis.profile import Profile, profile
from crosswire.article import Article, stacked_vectors


@dataclass(frozen=True, eq=False)
class PairSide:
    article: Article
    ids: list[int]              # its story sentences' ids (else all its sentences': one all furniture), in order
    vectors: np.ndarray         # their vectors, one row each (0 x 1 when there are none)
    centred: np.ndarray | None  # the same less the language mean, unit rows (title_match); None without sentences
    profile: Profile
    story_count: int            # story sentences, at least 1 (the coverage features' denominator)

    @classmethod
    def of(cls, article: Article | PairSide) -> PairSide:
        if isinstance(article, PairSide):
            return article
        from crosswire.matching.samestory import centre_on_language  # samestory imports this module

        story = article.story_sentences or article.sentences
        vectors = stacked_vectors(story, article.source) if story else np.zeros((0, 1))
        return cls(article=article, ids=[s.id for s in story], vectors=vectors,
                   centred=centre_on_language(vectors, article) if article.sentences else None,
                   profile=profile(article), story_count=len(article.story_sentences) or 1)


class SideCache:
    """The last ``size`` sides prepared, by article object: an article met again in another
    pair is not prepared again. Keyed by identity (an article's id may be reused by
    another object), and kept with the article, so an id is never mistaken."""

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self._sides: OrderedDict[int, PairSide] = OrderedDict()

    def __call__(self, article: Article) -> PairSide:
        key = id(article)
        side = self._sides.get(key)
        if side is None or side.article is not article:
            side = self._sides[key] = PairSide.of(article)
            while len(self._sides) > self.size:
                self._sides.popitem(last=False)
        else:
            self._sides.move_to_end(key)
        return side
