"""One self-contained HTML page for a Comparison: inline CSS, no script, nothing fetched."""
from __future__ import annotations

from html import escape as _escape

from crosswire.article import Article, Sentence
from crosswire.matching.comparison import Comparison, PairComparison
from crosswire.readers.labels import source_label, web_link
from crosswire.render.reportview import ReportView
from crosswire.render.rows import Row, rows
from crosswire.render.text import is_rtl

# The page loads nothing and runs nothing; the policy makes that hold even if some
# untrusted text ever slipped through escaping.
_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"

_CSS = """
:root { color-scheme: light dark; --muted: #6b6b6b; --line: #d0d0d0; --only: #fff6d6;
        --linked: transparent; --furniture: #f2f2f2; }
@media (prefers-color-scheme: dark) {
  :root { --muted: #a0a0a0; --line: #444; --only: #3a3320; --furniture: #2a2a2a; }
}
body { font-family: system-ui, sans-serif; line-height: 1.45; margin: 1.5rem auto;
       max-width: 80rem; padding: 0 1rem; }
h1 { font-size: 1.4rem; }
section.pair { border-top: 2px solid var(--line); margin-top: 2rem; padding-top: .5rem; }
.verdict { font-size: 1.1rem; }
.meta { color: var(--muted); margin: 0; }
table.rows { border-collapse: collapse; width: 100%; table-layout: fixed; }
table.rows th, table.rows td { border: 1px solid var(--line); padding: .35rem .5rem;
                               vertical-align: top; }
table.rows th.score, table.rows td.score { width: 4.5rem; text-align: center; }
table.rows td p { margin: 0 0 .35rem; }
table.rows td p:last-child { margin-bottom: 0; }
tr.only_a td, tr.only_b td { background: var(--only); font-style: italic; }
td.empty { color: var(--muted); }
.ln { color: var(--muted); font-size: .8em; font-family: ui-monospace, monospace;
      unicode-bidi: isolate; }
.furniture { color: var(--muted); background: var(--furniture); padding: .5rem 2rem; }
.kind { font-variant: small-caps; }
tr.fact.single td:not(.empty) { background: var(--only); }
tr.fact td.n { width: 2.5rem; text-align: right; color: var(--muted); }
.chips { display: flex; flex-wrap: wrap; gap: .3rem; padding: 0; list-style: none; }
.chip { border: 1px solid var(--line); border-radius: 1rem; padding: .05rem .6rem; font-size: .9em; }
.chip .kind { color: var(--muted); margin-left: .3rem; }
.chip.per { border-color: #7a9cc6; } .chip.loc { border-color: #7fb37f; } .chip.org { border-color: #c69a5a; }
blockquote { margin: .3rem 0 .3rem 1rem; }
blockquote.same { margin-left: 2.5rem; }
.lang { font-family: ui-monospace, monospace; font-size: .8em; color: var(--muted); }
"""


def esc(value: object) -> str:
    return _escape(str(value), quote=True)


def _dir_attrs(language: str | None, text: str) -> str:
    lang = f' lang="{esc(language)}"' if language else ""
    return f'{lang} dir="{"rtl" if is_rtl(language, text) else "ltr"}"'


def _sentence_attrs(s: Sentence, article: Article) -> str:
    return _dir_attrs(s.language or article.language, s.text)


def _article_attrs(article: Article) -> str:
    return _dir_attrs(article.language, article.text)


def _sentence(s: Sentence, article: Article, tag: str = "p") -> str:
    return (
        f'<{tag}{_sentence_attrs(s, article)}><span class="ln" dir="ltr">L{s.line}</span> '
        f"{esc(s.text)}</{tag}>"
    )


def _cell(sentences: list[Sentence], article: Article) -> str:
    if not sentences:
        return f'<td class="empty"{_article_attrs(article)}>—</td>'
    body = "".join(_sentence(s, article) for s in sentences)
    attrs = _sentence_attrs(sentences[0], article)
    return f"<td{attrs}>{body}</td>"


def _score(row: Row) -> str:
    if row.kind == "linked" and row.score is not None:
        return f"{row.score:.2f}"
    return "only A" if row.kind == "only_a" else "only B"


def _describe(role: str, article: Article) -> str:
    language = esc(article.language or "?")
    parts = [f"<strong>{role}</strong>: <bdi>{esc(source_label(article.outlet, article.url, article.source, article.id))}"
             f"</bdi> ({language})"]
    if article.title:
        title_attrs = _dir_attrs(article.language, article.title)
        parts.append(f"<cite{title_attrs}>{esc(article.title)}</cite>")
    if article.published:
        parts.append(esc(article.published))
    link = web_link(article.url)
    if link:  # http(s) only; the page it opens learns nothing of this one, nor may script it
        parts.append(f'<a href="{esc(link)}" rel="noopener noreferrer" target="_blank">original</a>')
    story, furniture = len(article.story_sentences), len(article.furniture_sentences)
    parts.append(f"{len(article.sentences)} sentences ({story} story, {furniture} furniture)")
    parts.append(f"id <bdi>{esc(article.id)}</bdi>")
    return '<p class="meta">' + " · ".join(parts) + "</p>"


def _sentence_list(title: str, sentences: list[Sentence], article: Article,
                   kind: bool) -> list[str]:
    out = [f"<h4>{title}</h4>"]
    if not sentences:
        return out + ['<p class="meta">none</p>']
    out.append("<ul>")
    for s in sentences:
        tag = f'<span class="kind">{esc(s.furniture)}</span> ' if kind and s.furniture else ""
        out.append(
            f'<li{_sentence_attrs(s, article)}>{tag}<span class="ln" dir="ltr">L{s.line}</span> '
            f"{esc(s.text)}</li>"
        )
    return out + ["</ul>"]


def _pair(pair: PairComparison, index: int, a: Article, b: Article) -> list[str]:
    aligned = rows(pair, a, b)
    out = [
        f'<section class="pair" id="pair-{index}">',
        f"<h2>Pair {index}: <bdi>{esc(a.id)}</bdi> ↔ <bdi>{esc(b.id)}</bdi></h2>",
        f'<p class="verdict">Same story: <strong>{pair.same_story:.2f}</strong> — '
        f"{esc(pair.verdict)}</p>",
        _describe("A", a),
        _describe("B", b),
        '<table class="rows">',
        "<thead><tr>"
        f"<th{_article_attrs(a)}><bdi>{esc(a.id)}</bdi> ({esc(a.language or '?')})</th>"
        f"<th{_article_attrs(b)}><bdi>{esc(b.id)}</bdi> ({esc(b.language or '?')})</th>"
        '<th class="score">score</th></tr></thead>',
        "<tbody>",
    ]
    for row in aligned:
        out.append(
            f'<tr class="{row.kind}">{_cell(row.a_sentences, a)}{_cell(row.b_sentences, b)}'
            f'<td class="score">{_score(row)}</td></tr>'
        )
    out += ["</tbody>", "</table>"]
    only_a = [s for row in aligned if row.kind == "only_a" for s in row.a_sentences]
    only_b = [s for row in aligned if row.kind == "only_b" for s in row.b_sentences]
    out += _sentence_list(f"Reported only by <bdi>{esc(a.id)}</bdi>", only_a, a, kind=False)
    out += _sentence_list(f"Reported only by <bdi>{esc(b.id)}</bdi>", only_b, b, kind=False)
    out.append('<div class="furniture">')
    out.append("<h3>Page furniture</h3>")
    for art in (a, b):
        out += _sentence_list(f"<bdi>{esc(art.id)}</bdi>", art.furniture_sentences, art,
                              kind=True)
    out += ["</div>", "</section>"]
    return out


def _report(comparison: Comparison) -> list[str]:
    view = ReportView(comparison, comparison.report)
    report = view.report
    out = ['<section class="report">',
           f"<h2>Story report: {len(view.articles)} articles · reader language "
           f'<span class="lang">{esc(report.reader_language)}</span></h2>']
    if report.headline:
        h = report.headline
        out.append(f'<p class="headline"{_dir_attrs(h.language, h.text)}><strong>{esc(h.text)}</strong></p>')
    out += [_describe(str(i), a) for i, a in enumerate(view.articles, 1)]
    out += [f'<p class="meta">{esc(line)}</p>' for line in view.pair_texts()]

    out += [f'<h3>Summary <span class="meta">({esc(view.summary_note())})</span></h3>', '<ul class="summary">']
    for item in report.summary:
        mark = "" if item.in_reader_language else f'<span class="lang" dir="ltr">[{esc(item.language or "?")}]</span> '
        out.append(f"<li{_dir_attrs(item.language, item.text)}>{mark}{esc(item.text)}</li>")
    out.append("</ul>")

    shared = view.shared_facts()
    out += [f"<h3>Facts: {len(report.facts)} ({shared} shared, {len(report.facts) - shared} from one source)</h3>",
            '<table class="rows facts">', '<thead><tr><th class="n">#</th>']
    out += [f"<th{_article_attrs(a)}>{i}: <bdi>{esc(view.label(a))}</bdi></th>" for i, a in enumerate(view.articles, 1)]
    out += ["</tr></thead>", "<tbody>"]
    for row in view.rows():
        kind = "shared" if row.shared else "single"
        cells = "".join(_cell(cell, a) for cell, a in zip(row.cells, view.articles))
        out.append(f'<tr class="fact {kind}" data-sources="{row.fact.sources}"><td class="n">{row.fact.id + 1}</td>'
                   f"{cells}</tr>")
    out += ["</tbody>", "</table>", "<h3>Reported by one source only</h3>"]
    for article, sentences in view.single_source():
        out += _sentence_list(f"{view.number(article)}: <bdi>{esc(view.label(article))}</bdi>", sentences, article,
                              kind=False)

    out.append("<h3>Quotes by speaker</h3>")
    if not report.quotes:
        out.append('<p class="meta">none found</p>')
    for speaker in view.quotes():
        out.append(f'<h4 class="speaker">{esc(speaker.speaker)}</h4>')
        for same_words in speaker.items:  # one quote, as each article that has it words it
            for k, quote in enumerate(same_words):
                article = comparison.article(quote.article_id)
                out.append(f'<blockquote class="{"same" if k else "first"}"{_dir_attrs(article.language, quote.text)}>'
                           f'<span class="lang" dir="ltr">{view.number(article)} [{esc(article.language or "?")}] '
                           f'L{quote.line}</span> '
                           f"“{esc(quote.text)}”</blockquote>")

    out.append("<h3>Who and where each source names</h3>")
    for article, chips in view.entities():
        out.append(f"<h4>{view.number(article)}: <bdi>{esc(view.label(article))}</bdi></h4>")
        out.append('<ul class="chips">')
        for c in chips:
            forms = esc(" / ".join(c.forms))
            out.append(f'<li class="chip {esc(c.entity.kind.lower())}" title="{forms}"><bdi>{esc(c.name)}</bdi>'
                       f'<span class="kind">{esc(c.detail)}</span></li>')
        out.append("</ul>")
    out += ['<div class="furniture">', "<h3>Page furniture</h3>"]
    for article in view.articles:
        out += _sentence_list(f"{view.number(article)}: <bdi>{esc(view.label(article))}</bdi>", article.furniture_sentences,
                              article, kind=True)
    out += ["</div>", "</section>"]
    return out


def render(comparison: Comparison, *, width: int | None = None, color: bool = False) -> str:
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{esc(_CSP)}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>crosswire comparison</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<h1>crosswire comparison</h1>",
    ]
    if comparison.embedder:
        out.append(f'<p class="meta">Embedder: {esc(comparison.embedder)}</p>')
    if comparison.report is not None:
        out += _report(comparison)
    elif not comparison.pairs:
        out.append(f"<p>No pairs to compare ({len(comparison.articles)} article(s)).</p>")
    else:
        for i, pair in enumerate(comparison.pairs, 1):
            out += _pair(pair, i, comparison.article(pair.a), comparison.article(pair.b))
    if comparison.skipped:
        out += ["<h2>Skipped inputs</h2>", "<ul>"]
        out += [f"<li>{esc(line)}</li>" for line in comparison.skipped]
        out.append("</ul>")
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"
