"""The aligned rows of one pair, shared by the terminal, Markdown and HTML renderers."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Hashable, Literal

from crosswire.article import Article, Sentence
from crosswire.matching.comparison import Link, PairComparison
from crosswire.report.unionfind import UnionFind

RowKind = Literal["linked", "only_a", "only_b"]


@dataclass
class Row:
    a_sentences: list[Sentence]
    b_sentences: list[Sentence]
    score: float | None     # mean score of the row's links; None for one-sided rows
    kind: RowKind
    links: tuple[Link, ...] = ()


def _story_by_id(article: Article) -> dict[int, Sentence]:
    return {s.id: s for s in article.sentences if s.furniture is None}


def _components(links: list[Link]) -> list[list[Link]]:
    """Group links sharing a sentence, so one-to-many and many-to-many links form one row."""
    sets = UnionFind()
    for link in links:
        sets.union(("a", link.a), ("b", link.b))
    groups: dict[Hashable, list[Link]] = {}
    for link in links:
        groups.setdefault(sets.find(("a", link.a)), []).append(link)
    return list(groups.values())


def rows(pair: PairComparison, article_a: Article, article_b: Article) -> list[Row]:
    """Aligned rows in the order of A's story sentences, B-only sentences slotted in.

    Links touching furniture or unknown sentence ids are ignored: furniture is listed
    apart and never shown as story text. A story sentence without a link is one-sided,
    whatever ``pair.only_a``/``only_b`` say, so the view and the lists always agree.
    """
    story_a, story_b = _story_by_id(article_a), _story_by_id(article_b)
    links = [lk for lk in pair.links if lk.a in story_a and lk.b in story_b]
    group_of_a: dict[int, list[Link]] = {}
    for group in _components(links):
        for link in group:
            group_of_a[link.a] = group

    result: list[Row] = []
    emitted: set[int] = set()  # id() of groups already turned into a row
    for sid in sorted(story_a):
        if sid not in group_of_a:
            result.append(Row([story_a[sid]], [], None, "only_a"))
            continue
        group = group_of_a[sid]
        if id(group) not in emitted:
            emitted.add(id(group))
            a_ids = sorted({lk.a for lk in group})
            b_ids = sorted({lk.b for lk in group})
            score = sum(lk.score for lk in group) / len(group)
            result.append(
                Row([story_a[i] for i in a_ids], [story_b[i] for i in b_ids], score, "linked",
                    tuple(group))
            )

    linked_b = {lk.b for lk in links}
    row_of_b: dict[int, Row] = {s.id: row for row in result for s in row.b_sentences}
    previous: int | None = None
    for sid in sorted(story_b):
        if sid not in linked_b:
            row = Row([], [story_b[sid]], None, "only_b")
            # After the row holding the preceding B sentence, or first when there is none.
            at = 0 if previous is None else _index(result, row_of_b[previous]) + 1
            result.insert(at, row)
            row_of_b[sid] = row
        previous = sid
    return result


def _index(result: list[Row], row: Row) -> int:
    for i, candidate in enumerate(result):
        if candidate is row:
            return i
    raise ValueError("row not in list")
