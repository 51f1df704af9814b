"""The story report resolved to sentences, shared by the terminal, Markdown and HTML renderers.

``Report`` holds ids (that is what its JSON carries); renderers need the sentences,
the quotes grouped by the words they share, and entity names per source. Doing
that once here keeps the three formats showing the same thing.
"""
from __future__ import annotations

from dataclasses import dataclass

from crosswire.article import Article, Sentence
from crosswire.entities.linking import Entity
from crosswire.matching.comparison import Comparison
from crosswire.readers.labels import article_label
from crosswire.report.build import Fact, QuoteGroup, Report
from crosswire.report.quotes import Quote

PAIRS_EACH_UP_TO = 3  # pairs of one verdict listed one by one; more are told as one line


@dataclass
class FactRow:
    fact: Fact
    cells: list[list[Sentence]]     # one list per column, empty when the article does not report it

    @property
    def shared(self) -> bool:
        return self.fact.sources > 1


@dataclass
class SpeakerQuotes:
    speaker: str                    # display name, or "unattributed"
    items: list[list[Quote]]        # each item: the same words as quoted by one or more articles


@dataclass
class EntityChip:
    entity: Entity
    name: str                       # in the reader's language where known
    count: int                      # mentions in this source
    forms: list[str]                # surface forms in this source

    @property
    def detail(self) -> str:
        """Its kind, and how often this source names it when more than once: "per ×8"."""
        return self.entity.kind.lower() + (f" ×{self.count}" if self.count > 1 else "")


class ReportView:
    def __init__(self, comparison: Comparison, report: Report) -> None:
        self.comparison = comparison
        self.report = report
        self.articles: list[Article] = [comparison.article(aid) for aid in report.columns]
        self._by_id = {a.id: {s.id: s for s in a.sentences} for a in self.articles}

    def sentences(self, article_id: str, ids: list[int]) -> list[Sentence]:
        return [self._by_id[article_id][i] for i in ids]

    def rows(self) -> list[FactRow]:
        return [FactRow(f, [self.sentences(aid, f.cells.get(aid, [])) for aid in self.report.columns])
                for f in self.report.facts]

    def shared_facts(self) -> int:
        """How many facts more than one source reports (the rest each come from one)."""
        return sum(f.sources > 1 for f in self.report.facts)

    def single_source(self) -> list[tuple[Article, list[Sentence]]]:
        singles = self.report.single_source()
        facts = {f.id: f for f in self.report.facts}
        return [(a, [s for fid in singles[a.id] for s in self.sentences(a.id, facts[fid].cells[a.id])])
                for a in self.articles]

    def quotes(self) -> list[SpeakerQuotes]:
        return [SpeakerQuotes(g.speaker or "unattributed", _items(g)) for g in self.report.quotes]

    def entities(self) -> list[tuple[Article, list[EntityChip]]]:
        by_id = {e.id: e for e in self.report.entities}
        out = []
        for aid, ids in self.report.entities_by_source().items():
            chips = [EntityChip(by_id[eid], self.report.name(by_id[eid]), len(by_id[eid].mentions[aid]),
                                list(dict.fromkeys(m.text for m in by_id[eid].mentions[aid]))) for eid in ids]
            out.append((self.comparison.article(aid), chips))
        return out

    def pair_lines(self) -> list[tuple[Article, Article, float, str]]:
        c = self.comparison
        return [(c.article(p.a), c.article(p.b), p.same_story, p.verdict) for p in c.pairs]

    def label(self, article: Article) -> str:
        """The column's name: outlet, language, date (``readers.labels.article_label``)."""
        return article_label(article)

    def number(self, article: Article) -> int:
        """The article's column number, from 1."""
        return self.articles.index(article) + 1

    def heading(self, article: Article) -> str:
        """How a report names an article in its sections: "2: bbc.co.uk · ar · 2025-03-10"."""
        return f"{self.number(article)}: {self.label(article)}"

    def pair_texts(self, each_up_to: int = PAIRS_EACH_UP_TO) -> list[str]:
        """The same-story verdicts as lines, articles named by their column numbers.

        Up to ``each_up_to`` pairs, one line each ("Same story 1 ↔ 2: 0.97 — same story"). More
        are told per verdict: an 8-article story has 28 pairs, nearly all "same story 1.00", and
        listing each put 28 lines between the articles and the summary. A verdict of many pairs is
        one line with the range of its scores; one of few (a pair judged apart stands out) names them.
        """
        pairs: list[tuple[Article, Article, float, str]] = []
        for a, b, score, verdict in self.pair_lines():
            first, second = sorted((a, b), key=self.number)
            pairs.append((first, second, score, verdict))
        if len(pairs) <= each_up_to:
            return [f"Same story {self.number(a)} ↔ {self.number(b)}: {score:.2f} — {verdict}"
                    for a, b, score, verdict in pairs]
        groups: dict[str, list[tuple[Article, Article, float]]] = {}
        for a, b, score, verdict in pairs:
            groups.setdefault(verdict, []).append((a, b, score))
        out = []
        for verdict, members in groups.items():
            if len(members) <= each_up_to:
                named = ", ".join(f"{self.number(a)} ↔ {self.number(b)} {score:.2f}" for a, b, score in members)
                out.append(f"{verdict.capitalize()}: {named}")
            else:
                low, high = min(m[2] for m in members), max(m[2] for m in members)
                scores = f"{low:.2f}" if f"{low:.2f}" == f"{high:.2f}" else f"{low:.2f}–{high:.2f}"
                out.append(f"{verdict.capitalize()}: {len(members)} of {len(pairs)} pairs, scores {scores}")
        return out

    def summary_note(self) -> str:
        report = self.report
        mine = sum(item.in_reader_language for item in report.summary)
        if not report.summary:
            return "no facts to summarise"
        if mine == len(report.summary):
            return f"in {report.reader_language}"
        if mine == 0:
            return f"no article in {report.reader_language}: each fact in its original language"
        return f"in {report.reader_language} where an article in it reports the fact, else in the original"


def _items(group: QuoteGroup) -> list[list[Quote]]:
    items: list[list[Quote]] = []
    by_group: dict[int, list[Quote]] = {}
    for quote, number in group.quotes:
        if number is None:
            items.append([quote])
        elif number in by_group:
            by_group[number].append(quote)
        else:
            by_group[number] = [quote]
            items.append(by_group[number])
    return items
