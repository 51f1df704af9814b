"""A comparison as rows for a spreadsheet or a pipeline: CSV and JSON Lines.

The story report's facts table, one row per sentence of each fact: the fact's
number, how many sources report it, the article (column number, outlet ·
language · date label, id, language), the sentence's line and text. Without a
report (``--view pairs``), one row per pair: the two articles, the score, the
verdict. JSON Lines carries the same rows as objects, one a line.

CSV cells are text a reader did not write: a cell beginning with ``=``, ``+``,
``-``, ``@`` or a tab would be run as a formula by a spreadsheet, so it is
written after an apostrophe, as spreadsheets themselves mark text (OWASP's
"CSV injection"). JSON Lines keeps every value exact.
"""
from __future__ import annotations

import csv
import io
import json
from typing import Any

from crosswire.matching.comparison import Comparison
from crosswire.readers.labels import article_label
from crosswire.render.reportview import ReportView

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A CSV cell a spreadsheet shows as text, never runs (see the module)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_text(rows: list[dict[str, Any]], columns: list[str]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: safe_cell(row.get(key)) for key in columns})
    return out.getvalue()


def jsonl_text(rows: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)


FACT_COLUMNS = ["fact", "sources", "column", "article", "article_id", "language", "line", "text"]
PAIR_COLUMNS = ["a", "b", "same_story", "verdict"]


def comparison_rows(comparison: Comparison) -> tuple[list[dict[str, Any]], list[str]]:
    """The facts table's rows (or the pairs', without a report) and their columns."""
    if comparison.report is None:
        return [{"a": p.a, "b": p.b, "same_story": round(p.same_story, 4), "verdict": p.verdict}
                for p in comparison.pairs], PAIR_COLUMNS
    view = ReportView(comparison, comparison.report)
    rows = []
    for row in view.rows():
        for article, cell in zip(view.articles, row.cells):
            for s in cell:
                rows.append({"fact": row.fact.id + 1, "sources": row.fact.sources, "column": view.number(article),
                             "article": article_label(article), "article_id": article.id,
                             "language": s.language or article.language, "line": s.line, "text": s.text})
    return rows, FACT_COLUMNS


def render_csv(comparison: Comparison, *, width: int | None = None, color: bool = False) -> str:
    return csv_text(*comparison_rows(comparison))


def render_jsonl(comparison: Comparison, *, width: int | None = None, color: bool = False) -> str:
    return jsonl_text(comparison_rows(comparison)[0])
