"""The story report: how each article of a story tells it.

Built from a ``Comparison`` (the pairwise alignments) plus entities and quotes:

- **facts**: rows of aligned sentences, one column per article. A row is a
  connected group of sentence links across every compared pair, so "A1–B1" and
  "B1–C2" put A1, B1 and C2 in one row; a sentence no link touches is a row of
  its own, reported by that source only.
- **quotes by speaker**: direct speech of every article, the same words quoted
  by several articles grouped (their sentences are aligned), grouped again by
  the entity speaking.
- **entities**: who and where each source names, linked across scripts.
- **summary**: the top facts (most sources first, then story order), each in
  the reader's language when an article in that language reports it, else the
  original sentence marked with its language. There is no offline translation;
  the reader sees which facts exist and where to read them.

The report is a plain data object; ``to_dict`` is the JSON under ``"report"``
in ``crosswire compare --format json`` and ``crosswire story``.
"""
from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

from crosswire.article import Article, Sentence
from crosswire.entities.linking import Entity, link_entities, reader_name
from crosswire.entities.romanise import romanise
from crosswire.language_codes import default_reader_language, language_key
from crosswire.matching.compare import pivot_order
from crosswire.matching.comparison import Comparison
from crosswire.report.quotes import Quote, find_quotes, link_quotes
from crosswire.report.unionfind import UnionFind

SUMMARY_FACTS = 5
@dataclass
class Fact:
    id: int
    cells: dict[str, list[int]]      # article id -> sentence ids, in that article's order
    score: float | None              # mean confidence of the links holding the row together

    @property
    def sources(self) -> int:
        return len(self.cells)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "cells": self.cells, "sources": self.sources,
                "score": None if self.score is None else round(self.score, 4),
                "kind": "shared" if self.sources > 1 else "single"}


@dataclass
class SummaryItem:
    fact: int
    article: str
    sentences: list[int]
    text: str
    language: str | None
    in_reader_language: bool

    def to_dict(self) -> dict[str, Any]:
        return {"fact": self.fact, "article": self.article, "sentences": self.sentences, "text": self.text,
                "language": self.language, "in_reader_language": self.in_reader_language}


@dataclass
class QuoteGroup:
    """One speaker's quotes; quotes sharing a ``group`` number are the same words in several articles."""

    speaker: str | None
    entity: str | None
    quotes: list[tuple[Quote, int | None]] = field(default_factory=list)   # (quote, group)

    def to_dict(self, languages: dict[str, str | None]) -> dict[str, Any]:
        return {"speaker": self.speaker, "entity": self.entity, "quotes": [
            {"article": q.article_id, "sentence_ids": q.sentence_ids, "line": q.line, "text": q.text,
             "language": languages.get(q.article_id), "speaker_as_written": q.speaker, "group": group}
            for q, group in self.quotes]}


@dataclass
class Report:
    reader_language: str
    columns: list[str]                        # article ids, the pivot first
    facts: list[Fact]
    quotes: list[QuoteGroup]
    entities: list[Entity]
    summary: list[SummaryItem]
    headline: SummaryItem | None
    languages: dict[str, str | None]          # article id -> language
    names: dict[str, str] = field(default_factory=dict)  # entity id -> its name for this reader

    def name(self, entity: Entity) -> str:
        return self.names.get(entity.id, entity.name)

    @property
    def pivot(self) -> str | None:
        return self.columns[0] if self.columns else None

    def single_source(self) -> dict[str, list[int]]:
        out: dict[str, list[int]] = {aid: [] for aid in self.columns}
        for fact in self.facts:
            if fact.sources == 1:
                out[next(iter(fact.cells))].append(fact.id)
        return out

    def entities_by_source(self) -> dict[str, list[str]]:
        """Article id -> ids of the entities it names, most mentioned first."""
        out: dict[str, list[str]] = {}
        for aid in self.columns:
            named = [(len(e.mentions[aid]), n, e.id) for n, e in enumerate(self.entities) if e.mentions.get(aid)]
            out[aid] = [eid for _, _, eid in sorted(named, key=lambda t: (-t[0], t[1]))]
        return out

    def for_reader(self, comparison: Comparison, reader_language: str | None,
                   summary_facts: int = SUMMARY_FACTS) -> "Report":
        """The same report for another reader: only the summary, the headline and the names of
        entities depend on the reader, so a server builds facts, entities and quotes once per story
        and this per language."""
        reader = language_key(reader_language) or default_reader_language()
        names = {e.id: reader_name(e, reader, self.languages) for e in self.entities}
        quotes = [replace(g, speaker=names[g.entity]) if g.entity in names else g for g in self.quotes]
        return replace(self, reader_language=reader, summary=_summary(self.facts, comparison, reader, summary_facts),
                       headline=_headline(comparison, self.columns, reader), names=names, quotes=quotes)

    def to_dict(self) -> dict[str, Any]:
        return {
            "reader_language": self.reader_language,
            "pivot": self.pivot,
            "columns": self.columns,
            "headline": self.headline.to_dict() if self.headline else None,
            "facts": [f.to_dict() for f in self.facts],
            "single_source": self.single_source(),
            "quotes": [g.to_dict(self.languages) for g in self.quotes],
            "entities": [{"id": e.id, "name": self.name(e), "kind": e.kind,
                          "mentions": {aid: list(dict.fromkeys(m.text for m in ms))
                                       for aid, ms in e.mentions.items() if ms}}
                         for e in self.entities],
            "entities_by_source": self.entities_by_source(),
            "summary": [s.to_dict() for s in self.summary],
        }


def _story_ids(article: Article) -> list[int]:
    return [s.id for s in article.sentences if s.furniture is None]


def _facts(comparison: Comparison, columns: list[str]) -> list[Fact]:
    """Rows of linked sentences across all pairs, in story order (see ``_order``)."""
    story = {aid: set(_story_ids(comparison.article(aid))) for aid in columns}
    groups = UnionFind()
    scores: dict[Any, list[float]] = {}
    for pair in comparison.pairs:
        if pair.verdict == "different stories":
            continue  # links kept between unrelated articles are background, not one fact
        for link in pair.links:
            if link.a in story[pair.a] and link.b in story[pair.b]:
                groups.union((pair.a, link.a), (pair.b, link.b))
                scores.setdefault((pair.a, link.a), []).append(link.score)
    for extra in comparison.leftover_links:  # facts the pivot lacks, shared by others
        groups.union((extra.a_article, extra.link.a), (extra.b_article, extra.link.b))
        scores.setdefault((extra.a_article, extra.link.a), []).append(extra.link.score)
    members: dict[Any, dict[str, list[int]]] = {}
    for aid in columns:
        for sid in _story_ids(comparison.article(aid)):
            members.setdefault(groups.find((aid, sid)), {}).setdefault(aid, []).append(sid)
    link_scores: dict[Any, list[float]] = {}
    for node, values in scores.items():
        link_scores.setdefault(groups.find(node), []).extend(values)
    rows = []
    for root, cells in members.items():
        linked = link_scores.get(root)
        rows.append(Fact(0, {aid: cells[aid] for aid in columns if aid in cells},
                         sum(linked) / len(linked) if linked else None))
    ordered = _order(rows, columns, comparison)
    for n, fact in enumerate(ordered):
        fact.id = n
    return ordered


def _order(rows: list[Fact], columns: list[str], comparison: Comparison) -> list[Fact]:
    """Story order: the pivot's rows by its sentence order; each other article's rows not yet
    placed go right after the row holding that article's previous sentence."""
    placed: list[Fact] = []
    placed_ids: set[int] = set()
    row_of: dict[tuple[str, int], Fact] = {(aid, sid): r for r in rows for aid, ids in r.cells.items() for sid in ids}
    for aid in columns:
        previous: Fact | None = None
        for sid in _story_ids(comparison.article(aid)):
            row = row_of[(aid, sid)]
            if id(row) not in placed_ids:
                at = 0 if previous is None else next(i for i, r in enumerate(placed) if r is previous) + 1
                placed.insert(at, row)
                placed_ids.add(id(row))
            previous = row
    return placed


def _quote_groups(comparison: Comparison, columns: list[str], entities: list[Entity]) -> list[QuoteGroup]:
    quotes = {aid: find_quotes(comparison.article(aid), entities) for aid in columns}
    same = UnionFind()
    for pair in comparison.pairs:
        if pair.verdict == "different stories":
            continue
        for qa, qb in link_quotes(quotes[pair.a], quotes[pair.b], [(lk.a, lk.b) for lk in pair.links]):
            same.union(id(qa), id(qb))
    all_quotes = [q for aid in columns for q in quotes[aid]]
    roots = [same.find(id(q)) for q in all_quotes]
    size = Counter(roots)
    numbers = {r: n for n, r in enumerate(dict.fromkeys(r for r in roots if size[r] > 1))}
    # A group's speaker: any member's resolved entity (a pronoun in one article, a name in another).
    speaker_of_root: dict[Any, str | None] = {}
    for q, r in zip(all_quotes, roots):
        if q.speaker_entity and not speaker_of_root.get(r):
            speaker_of_root[r] = q.speaker_entity
    names = {e.id: e.name for e in entities}
    by_speaker: dict[str | None, QuoteGroup] = {}
    for q, r in zip(all_quotes, roots):
        entity = q.speaker_entity or speaker_of_root.get(r)
        key = entity or (q.speaker if q.speaker else None)
        group = by_speaker.setdefault(key, QuoteGroup(names.get(entity) if entity else q.speaker, entity))
        group.quotes.append((q, numbers.get(r)))
    # Named speakers first, most quoted first; unattributed quotes last.
    return sorted(by_speaker.values(), key=lambda g: (g.speaker is None, -len(g.quotes)))


def _cell_text(article: Article, ids: list[int]) -> str:
    by_id: dict[int, Sentence] = {s.id: s for s in article.sentences}
    return " ".join(by_id[i].text for i in ids)


def _pick(fact: Fact, comparison: Comparison, reader: str) -> SummaryItem:
    """The cell of an article in the reader's language, else the first column's original."""
    mine = [aid for aid in fact.cells if language_key(comparison.article(aid).language) == reader]
    aid = mine[0] if mine else next(iter(fact.cells))
    article = comparison.article(aid)
    return SummaryItem(fact.id, aid, fact.cells[aid], _cell_text(article, fact.cells[aid]),
                       article.language, bool(mine))


def _summary(facts: list[Fact], comparison: Comparison, reader: str, size: int) -> list[SummaryItem]:
    shared = [f for f in facts if f.sources > 1] or facts
    top = sorted(shared, key=lambda f: (-f.sources, f.id))[:size]
    return [_pick(f, comparison, reader) for f in sorted(top, key=lambda f: f.id)]


def _headline(comparison: Comparison, columns: list[str], reader: str) -> SummaryItem | None:
    titled = [aid for aid in columns if comparison.article(aid).title]
    mine = [aid for aid in titled if language_key(comparison.article(aid).language) == reader]
    if not titled:
        return None
    aid = (mine or titled)[0]
    article = comparison.article(aid)
    return SummaryItem(-1, aid, [], article.title or "", article.language, bool(mine))


def warm_up() -> threading.Thread:
    """Load the transliteration tables (uroman: ~3 s) in a thread while the caller analyses.

    Join the thread before ``build_report``. Embedding runs in C with the GIL released,
    so the two overlap on a cold start.
    """
    thread = threading.Thread(target=romanise, args=("روتي",), name="crosswire-warm-up", daemon=True)
    thread.start()
    return thread


def build_report(comparison: Comparison, reader_language: str | None = None,
                 summary_facts: int = SUMMARY_FACTS) -> Report:
    """The story report of a comparison, for a reader of ``reader_language`` (default: the environment's)."""
    articles = pivot_order(comparison.articles)
    columns = [a.id for a in articles]
    entities = link_entities(articles) if articles else []
    base = Report(reader_language="", columns=columns, facts=_facts(comparison, columns),
                  quotes=_quote_groups(comparison, columns, entities), entities=entities, summary=[], headline=None,
                  languages={a.id: a.language for a in articles})
    return base.for_reader(comparison, reader_language, summary_facts)
