"""A GitHub-flavoured Markdown report of a Comparison."""
from __future__ import annotations

from crosswire.article import Article, Sentence
from crosswire.matching.comparison import Comparison, PairComparison
from crosswire.readers.labels import article_label, web_link
from crosswire.render.reportview import ReportView
from crosswire.render.rows import rows
from crosswire.render.text import clean_for_terminal

# Backslash-escaped so article text cannot make links, emphasis, raw HTML or table cells.
_SPECIAL = set("\\`*_[]<>|~&")


def escape(text: str) -> str:
    """Inline Markdown text on one line, safe inside a table cell (and on a terminal)."""
    flat = " ".join(clean_for_terminal(text).split())
    return "".join("\\" + ch if ch in _SPECIAL else ch for ch in flat)


def _lang(article: Article) -> str:
    return escape(article.language or "?")


def _sentence(s: Sentence) -> str:
    return f"L{s.line} {escape(s.text)}"


def _cell(sentences: list[Sentence]) -> str:
    return "<br>".join(_sentence(s) for s in sentences) if sentences else "—"


def _article_line(role: str, article: Article) -> str:
    title = f" — *{escape(article.title)}*" if article.title else ""
    story, furniture = len(article.story_sentences), len(article.furniture_sentences)
    return (
        f"- **{role}**: {escape(article.id)} ({_lang(article)}){title}: "
        f"{len(article.sentences)} sentences ({story} story, {furniture} furniture)"
    )


def _column_line(number: int, article: Article) -> str:
    """A report's column: its number, outlet, language and date, title, original link, sizes and id."""
    title = f" — *{escape(article.title)}*" if article.title else ""
    link = web_link(article.url)
    story, furniture = len(article.story_sentences), len(article.furniture_sentences)
    return (f"- **{number}**: {escape(article_label(article))}{title}"
            + (f" — [original]({link.replace(')', '%29').replace(' ', '%20')})" if link else "")
            + f": {len(article.sentences)} sentences ({story} story, {furniture} furniture); id {escape(article.id)}")


def _list(title: str, sentences: list[Sentence], kind: bool) -> list[str]:
    out = [f"**{title}**", ""]
    if not sentences:
        return out + ["*(none)*", ""]
    for s in sentences:
        tag = f"*{escape(s.furniture or '')}* " if kind else ""
        out.append(f"- {tag}{_sentence(s)}")
    return out + [""]


def _pair(pair: PairComparison, a: Article, b: Article) -> list[str]:
    out = [
        f"## {escape(a.id)} ({_lang(a)}) ↔ {escape(b.id)} ({_lang(b)})",
        "",
        f"**Same story: {pair.same_story:.2f}** — {escape(pair.verdict)}",
        "",
        _article_line("A", a),
        _article_line("B", b),
        "",
        f"| A ({_lang(a)}) | B ({_lang(b)}) | score |",
        "| --- | --- | ---: |",
    ]
    aligned = rows(pair, a, b)
    for row in aligned:
        if row.kind == "linked" and row.score is not None:
            score = f"{row.score:.2f}"
        else:
            score = "only A" if row.kind == "only_a" else "only B"
        out.append(f"| {_cell(row.a_sentences)} | {_cell(row.b_sentences)} | {score} |")
    out.append("")
    only_a = [s for row in aligned if row.kind == "only_a" for s in row.a_sentences]
    only_b = [s for row in aligned if row.kind == "only_b" for s in row.b_sentences]
    out += _list(f"Reported only by {escape(a.id)}", only_a, kind=False)
    out += _list(f"Reported only by {escape(b.id)}", only_b, kind=False)
    out += ["### Page furniture", ""]
    for art in (a, b):
        out += _list(escape(art.id), art.furniture_sentences, kind=True)
    return out


def _report(comparison: Comparison) -> list[str]:
    view = ReportView(comparison, comparison.report)
    report = view.report
    out = [f"## Story report ({len(view.articles)} articles, reader language: {escape(report.reader_language)})", ""]
    if report.headline:
        out += [f"**{escape(report.headline.text)}** ({escape(report.headline.language or '?')})", ""]
    out += [_column_line(i, a) for i, a in enumerate(view.articles, 1)] + [""]
    out += [f"- {escape(line)}" for line in view.pair_texts()] + [""]

    out += [f"### Summary ({escape(view.summary_note())})", ""]
    for item in report.summary:
        mark = "" if item.in_reader_language else f"\\[{escape(item.language or '?')}\\] "
        out.append(f"- {mark}{escape(item.text)}")
    out.append("")

    shared = view.shared_facts()
    out += [f"### Facts ({len(report.facts)}: {shared} shared, {len(report.facts) - shared} from one source)", ""]
    out.append("| # | " + " | ".join(escape(view.heading(a)) for a in view.articles) + " | sources |")
    out.append("| ---: | " + " | ".join("---" for _ in view.articles) + " | ---: |")
    for row in view.rows():
        cells = " | ".join(_cell(cell) if cell else " " for cell in row.cells)
        out.append(f"| {row.fact.id + 1} | {cells} | {row.fact.sources} |")
    out.append("")

    out += ["### Reported by one source only", ""]
    for article, sentences in view.single_source():
        out += _list(escape(view.heading(article)), sentences, kind=False)

    out += ["### Quotes by speaker", ""]
    if not report.quotes:
        out += ["*(none found)*", ""]
    for speaker in view.quotes():
        out += [f"**{escape(speaker.speaker)}**", ""]
        for same_words in speaker.items:  # one quote, as each article that has it words it
            for k, quote in enumerate(same_words):
                article = comparison.article(quote.article_id)
                text = f"({escape(view.heading(article))}, L{quote.line}) “{escape(quote.text)}”"
                out.append(f"- {text}" if k == 0 else f"  - same words: {text}")
        out.append("")

    out += ["### Who and where each source names", ""]
    for article, chips in view.entities():
        names = ", ".join(f"{escape(c.name)} ({c.detail})" for c in chips)
        out.append(f"- **{escape(view.heading(article))}**: {names or '*(none)*'}")
    out += ["", "### Page furniture", ""]
    for article in view.articles:
        out += _list(escape(view.heading(article)), article.furniture_sentences, kind=True)
    return out


def render(comparison: Comparison, *, width: int | None = None, color: bool = False) -> str:
    out = ["# crosswire comparison", ""]
    if comparison.embedder:
        out += [f"Embedder: {escape(comparison.embedder)}", ""]
    if comparison.report is not None:
        out += _report(comparison)
    elif not comparison.pairs:
        out += [f"No pairs to compare ({len(comparison.articles)} article(s)).", ""]
    else:
        for pair in comparison.pairs:
            out += _pair(pair, comparison.article(pair.a), comparison.article(pair.b))
    if comparison.skipped:
        out += ["## Skipped inputs", ""] + [f"- {escape(line)}" for line in comparison.skipped]
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"
