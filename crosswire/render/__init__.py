"""Renderers of a Comparison: terminal text, JSON, Markdown, a self-contained HTML page, and the facts
table as CSV or JSON Lines."""
from __future__ import annotations

from typing import Protocol

from crosswire.errors import CrosswireError
from crosswire.matching.comparison import Comparison
from crosswire.render import html, json, markdown, tables, terminal


class Renderer(Protocol):
    def __call__(
        self, comparison: Comparison, *, width: int | None = None, color: bool = False
    ) -> str: ...


RENDERERS: dict[str, Renderer] = {
    "terminal": terminal.render,
    "json": json.render,
    "markdown": markdown.render,
    "html": html.render,
    "csv": tables.render_csv,
    "jsonl": tables.render_jsonl,
}


class UnknownFormatError(CrosswireError, ValueError):
    """An output format no renderer handles; a ValueError so plain callers can catch it."""


def render(comparison: Comparison, fmt: str, *, width: int | None = None,
           color: bool = False) -> str:
    try:
        renderer = RENDERERS[fmt]
    except KeyError:
        raise UnknownFormatError(
            "format", f"unknown format {fmt!r}; choose one of {', '.join(RENDERERS)}"
        ) from None
    return renderer(comparison, width=width, color=color)


__all__ = ["RENDERERS", "Renderer", "UnknownFormatError", "render"]
