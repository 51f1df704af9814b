"""A plain-text, side-by-side view of a Comparison for the terminal."""
from __future__ import annotations

import shutil
from itertools import zip_longest

from crosswire.article import Article, Sentence
from crosswire.matching.comparison import Comparison, PairComparison
from crosswire.readers.labels import article_label, web_link
from crosswire.render.reportview import ReportView
from crosswire.render.rows import Row, rows
from crosswire.render.text import clean_for_terminal, display_width, pad_display, truncate_display, wrap_display

MIN_WIDTH = 80      # floor for a detected terminal width
MIN_GIVEN_WIDTH = 40  # below this the two columns cannot hold a word
GUTTER = " │ "
BOLD, RESET = "\x1b[1m", "\x1b[0m"


def _width(width: int | None) -> int:
    if width is None:
        return max(MIN_WIDTH, shutil.get_terminal_size(fallback=(100, 24)).columns)
    return max(MIN_GIVEN_WIDTH, width)


class _Out:
    def __init__(self, width: int) -> None:
        self.width = width
        self.lines: list[str] = []
        self.headers: set[int] = set()  # lines shown bold when colour is on

    def blank(self) -> None:
        if self.lines and self.lines[-1] != "":
            self.lines.append("")

    def para(self, text: str, indent: str = "", hanging: str | None = None) -> None:
        """Wrap ``text`` after ``indent``; continuation lines start with ``hanging``."""
        hang = indent if hanging is None else hanging
        avail = self.width - max(display_width(indent), display_width(hang))
        for i, line in enumerate(wrap_display(clean_for_terminal(text), avail)):
            self.lines.append((indent if i == 0 else hang) + line)

    def header(self, text: str) -> None:
        for line in wrap_display(clean_for_terminal(text), self.width):
            self.headers.add(len(self.lines))
            self.lines.append(line)

    def rule(self, label: str = "") -> None:
        head = f"── {truncate_display(clean_for_terminal(label), self.width - 4)} " if label else ""
        self.lines.append(head + "─" * max(0, self.width - display_width(head)))


def _label(s: Sentence) -> str:
    return f"L{s.line}"


def _cell(sentences: list[Sentence], width: int, label_w: int) -> list[str]:
    lines: list[str] = []
    for s in sentences:
        prefix = pad_display(_label(s), label_w) + " "
        text_w = width - display_width(prefix)
        for i, line in enumerate(wrap_display(clean_for_terminal(s.text), text_w)):
            lines.append((prefix if i == 0 else " " * len(prefix)) + line)
    return lines


def _describe(role: str, article: Article) -> str:
    story = len(article.story_sentences)
    furniture = len(article.furniture_sentences)
    title = f" “{article.title}”" if article.title else ""
    link = web_link(article.url)
    return (
        f"{role}: {article_label(article)}{title} — "
        f"{len(article.sentences)} sentences ({story} story, {furniture} furniture); id {article.id}"
        + (f"; {link}" if link else "")
    )


def _row_label(row: Row, pair: PairComparison) -> str:
    if row.kind == "linked":
        return f"linked {row.score:.2f}" if row.score is not None else "linked"
    return f"only {pair.a}" if row.kind == "only_a" else f"only {pair.b}"


def _sentence_list(out: _Out, title: str, sentences: list[Sentence], kind: bool,
                   sub: bool = False) -> None:
    title += ":" if sentences else ": none"
    if sub:
        out.para(title, indent=" ", hanging="   ")
    else:
        out.header(title)
    for s in sentences:
        head = f"  {_label(s)} " + (f"[{clean_for_terminal(s.furniture or '')}] " if kind else "")
        out.para(s.text, indent=truncate_display(head, out.width // 2),
                 hanging=" " * (len(_label(s)) + 3))


def _pair(out: _Out, pair: PairComparison, index: int, total: int,
          a: Article, b: Article) -> None:
    out.rule(f"Pair {index} of {total}")
    out.header(f"{a.id}  ↔  {b.id}")
    out.para(_describe("A", a))
    out.para(_describe("B", b))
    out.header(f"Same story: {pair.same_story:.2f} — {pair.verdict}")
    out.blank()

    aligned = rows(pair, a, b)
    labels = [_label(s) for row in aligned for s in row.a_sentences + row.b_sentences]
    label_w = max((len(x) for x in labels), default=2)
    left_w = (out.width - len(GUTTER)) // 2
    right_w = out.width - len(GUTTER) - left_w
    out.lines.append(
        pad_display(truncate_display(f"A: {clean_for_terminal(a.id)}", left_w), left_w)
        + GUTTER + truncate_display(f"B: {clean_for_terminal(b.id)}", right_w)
    )
    for row in aligned:
        out.rule(_row_label(row, pair))
        left = _cell(row.a_sentences, left_w, label_w)
        right = _cell(row.b_sentences, right_w, label_w)
        for lcell, rcell in zip_longest(left, right, fillvalue=""):
            out.lines.append((pad_display(lcell, left_w) + GUTTER + rcell).rstrip())
    out.rule()
    out.blank()

    only_a = [s for row in aligned if row.kind == "only_a" for s in row.a_sentences]
    only_b = [s for row in aligned if row.kind == "only_b" for s in row.b_sentences]
    _sentence_list(out, f"Reported only by {a.id}", only_a, kind=False)
    out.blank()
    _sentence_list(out, f"Reported only by {b.id}", only_b, kind=False)
    out.blank()
    out.header("Page furniture")
    for art in (a, b):
        _sentence_list(out, art.id, art.furniture_sentences, kind=True, sub=True)
    out.blank()


MIN_COLUMN = 28  # narrower columns than this stack the facts instead of setting them side by side


def _lang_tag(article: Article) -> str:
    return f"[{article.language or '?'}]"


def _facts_side_by_side(out: _Out, view: ReportView) -> None:
    n = len(view.articles)
    col_w = (out.width - len(GUTTER) * (n - 1)) // n
    label_w = max((len(_label(s)) for row in view.rows() for cell in row.cells for s in cell), default=2)
    out.lines.append(GUTTER.join(pad_display(truncate_display(
        clean_for_terminal(view.heading(a)), col_w), col_w) for a in view.articles).rstrip())
    for row in view.rows():
        kind = f"shared by {row.fact.sources}" if row.shared else "one source"
        score = f" {row.fact.score:.2f}" if row.fact.score is not None else ""
        out.rule(f"fact {row.fact.id + 1} · {kind}{score}")
        cells = [_cell(cell, col_w, label_w) for cell in row.cells]
        for parts in zip_longest(*cells, fillvalue=""):
            out.lines.append(GUTTER.join(pad_display(p, col_w) for p in parts).rstrip())
    out.rule()


def _facts_stacked(out: _Out, view: ReportView) -> None:
    for row in view.rows():
        kind = f"shared by {row.fact.sources}" if row.shared else "one source"
        out.rule(f"fact {row.fact.id + 1} · {kind}")
        for article, cell in zip(view.articles, row.cells):
            for s in cell:
                head = f"  {view.heading(article)} {_label(s)}  "
                out.para(s.text, indent=truncate_display(head, out.width // 2), hanging="      ")
    out.rule()


def _report(out: _Out, comparison: Comparison) -> None:
    view = ReportView(comparison, comparison.report)
    report = view.report
    out.header(f"Story report · {len(view.articles)} articles · reader language: {report.reader_language}")
    if report.headline:
        out.para(f"{report.headline.text} [{report.headline.language or '?'}]")
    for i, article in enumerate(view.articles, 1):
        out.para(_describe(str(i), article), hanging="   ")
    for line in view.pair_texts():
        out.para(line, hanging="   ")
    out.blank()

    out.header(f"Summary ({view.summary_note()})")
    for item in report.summary:
        mark = "" if item.in_reader_language else f"[{item.language or '?'}] "
        out.para(mark + item.text, indent="  • ", hanging="    ")
    out.blank()

    shared = view.shared_facts()
    out.header(f"Facts: {len(report.facts)} ({shared} shared, {len(report.facts) - shared} from one source)")
    n = len(view.articles)
    if n and (out.width - len(GUTTER) * (n - 1)) // n >= MIN_COLUMN:
        _facts_side_by_side(out, view)
    else:
        _facts_stacked(out, view)
    out.blank()

    out.header("Reported by one source only")
    for article, sentences in view.single_source():
        _sentence_list(out, view.heading(article), sentences, kind=False, sub=True)
    out.blank()

    out.header("Quotes by speaker" + ("" if report.quotes else ": none found"))
    for speaker in view.quotes():
        out.para(speaker.speaker, indent="  ")
        for same_words in speaker.items:  # one quote, as each article that has it words it
            for k, quote in enumerate(same_words):
                article = comparison.article(quote.article_id)
                head = f"    {'•' if k == 0 else '='} {view.number(article)} {_lang_tag(article)} L{quote.line} "
                out.para(f"“{quote.text}”", indent=head, hanging=" " * 8)
    out.blank()

    out.header("Who and where each source names")
    for article, chips in view.entities():
        names = ", ".join(f"{c.name} ({c.detail})" for c in chips)
        out.para(f"{view.heading(article)}: {names or 'none'}", indent="  ", hanging="    ")
    out.blank()

    out.header("Page furniture")
    for article in view.articles:
        _sentence_list(out, view.heading(article), article.furniture_sentences, kind=True, sub=True)
    out.blank()


def render(comparison: Comparison, *, width: int | None = None, color: bool = False) -> str:
    out = _Out(_width(width))
    if comparison.embedder:
        out.para(f"Embedder: {comparison.embedder}")
    if comparison.report is not None:
        _report(out, comparison)
    elif not comparison.pairs:
        out.para(f"No pairs to compare ({len(comparison.articles)} article(s)).")
    else:
        for i, pair in enumerate(comparison.pairs, 1):
            _pair(out, pair, i, len(comparison.pairs),
                  comparison.article(pair.a), comparison.article(pair.b))
    if comparison.skipped:
        out.header("Skipped inputs")
        for line in comparison.skipped:
            out.para(f"  {line}", hanging="    ")
    while out.lines and out.lines[-1] == "":
        out.lines.pop()
    # Every line is cleaned once more as a whole, so that no piece of article text can carry a
    # control to the terminal even if a caller above forgot; only then is our own bold added.
    lines = [clean_for_terminal(line) for line in out.lines]
    if color:
        lines = [f"{BOLD}{line}{RESET}" if i in out.headers else line for i, line in enumerate(lines)]
    return "\n".join(lines) + "\n"
