"""A GitHub-flavoured Markdown report of a Comparison."""
from __future__ import annotations

from ..comparison import Comparison, PairComparison
from ..model import Article, Sentence
from .rows import rows

# Backslash-escaped so article text cannot make links, emphasis, raw HTML or table cells.
_SPECIAL = set("\\`*_[]<>|~&")


def escape(text: str) -> str:
    """Inline Markdown text on one line, safe inside a table cell."""
    flat = " ".join(text.split())
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


def render(comparison: Comparison, *, width: int | None = None, color: bool = False) -> str:
    out = ["# crosswire comparison", ""]
    if comparison.embedder:
        out += [f"Embedder: {escape(comparison.embedder)}", ""]
    if not comparison.pairs:
        out += [f"No pairs to compare ({len(comparison.articles)} article(s)).", ""]
    for pair in comparison.pairs:
        out += _pair(pair, comparison.article(pair.a), comparison.article(pair.b))
    if comparison.skipped:
        out += ["## Skipped inputs", ""] + [f"- {escape(line)}" for line in comparison.skipped]
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"
