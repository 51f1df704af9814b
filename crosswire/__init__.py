"""crosswire: read the news across languages, offline.

The Python API, in the order a program uses it::

    from crosswire import CompareOptions, build_report, compare_paths
    comparison = compare_paths(["a.txt", "b.html"], CompareOptions(embedder="hash"))
    report = build_report(comparison, reader_language="en")

Read (``iter_articles``, ``read_inputs``), analyse (``default_pipeline``), compare
(``compare_paths``, ``compare_articles``), report (``build_report``; ``crosswire.render.render``
turns a comparison into terminal text, JSON, Markdown or HTML), and keep stories in a store
(``Store``, ``ingest_articles``, ``list_stories``, ``story_comparison``). Every error crosswire
raises is a ``CrosswireError``.

The names are imported on first use: ``import crosswire`` stays fast (milliseconds), while
comparing loads numpy, the embedder and the alignment code (about two seconds).
"""
from __future__ import annotations

import importlib

# Not typing.TYPE_CHECKING: importing typing would double the time of ``import crosswire``;
# type checkers take a module constant of this name as true all the same.
TYPE_CHECKING = False
__version__ = "0.1.0"

# Each public name -> the module that defines it, imported when the name is first used.
# ``render`` is not among them: ``crosswire.render`` is the subpackage of renderers, and Python
# sets that attribute to the subpackage whenever it is imported, so a function of that name here
# would be replaced by a module depending on what ran before. Use ``crosswire.render.render``.
_HOMES = {
    "Article": "crosswire.article",
    "CrosswireError": "crosswire.errors",
    "InputError": "crosswire.errors",
    "ReadResult": "crosswire.readers.files",
    "iter_articles": "crosswire.readers.files",
    "read_inputs": "crosswire.readers.files",
    "Pipeline": "crosswire.analysis.pipeline",
    "default_pipeline": "crosswire.analysis.pipeline",
    "CompareOptions": "crosswire.matching.compare",
    "compare_articles": "crosswire.matching.compare",
    "compare_paths": "crosswire.matching.compare",
    "Comparison": "crosswire.matching.comparison",
    "Report": "crosswire.report.build",
    "build_report": "crosswire.report.build",
    "Store": "crosswire.store.sqlite",
    "ingest_articles": "crosswire.ingest",
    "ingest_paths": "crosswire.ingest",
    "list_stories": "crosswire.stories.view",
    "story_comparison": "crosswire.stories.view",
}

__all__ = [
    "Article", "CompareOptions", "Comparison", "CrosswireError", "InputError", "Pipeline", "ReadResult", "Report",
    "Store", "__version__", "build_report", "compare_articles", "compare_paths", "default_pipeline",
    "ingest_articles", "ingest_paths", "iter_articles", "list_stories", "read_inputs", "story_comparison",
]

if TYPE_CHECKING:  # the same names, for type checkers and editors; at run time __getattr__ loads them
    from typing import Any

    from crosswire.analysis.pipeline import Pipeline, default_pipeline
    from crosswire.article import Article
    from crosswire.errors import CrosswireError, InputError
    from crosswire.ingest import ingest_articles, ingest_paths
    from crosswire.matching.compare import CompareOptions, compare_articles, compare_paths
    from crosswire.matching.comparison import Comparison
    from crosswire.readers.files import ReadResult, iter_articles, read_inputs
    from crosswire.report.build import Report, build_report
    from crosswire.store.sqlite import Store
    from crosswire.stories.view import list_stories, story_comparison


def __getattr__(name: str) -> Any:
    """Import a public name's module on first use (PEP 562), then keep the name here."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'crosswire' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value  # later uses are plain attribute look-ups
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOMES})
