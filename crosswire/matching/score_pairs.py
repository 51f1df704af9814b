"""Score text pairs for research: is each pair the same story? (``crosswire score``)

Input is JSON Lines, one pair a line: ``{"id": ..., "text1": ..., "text2": ...}``
with optional ``lang1``/``lang2`` (the language is then taken as given, not
detected). Each pair gets the calibrated same-story score of ``compare_pair``.
Lines that cannot be used are reported by line number and skipped; the texts
of many pairs are analysed together, in batches, for speed.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

from crosswire.analysis.pipeline import Pipeline
from crosswire.article import Article
from crosswire.errors import CrosswireError, InputError
from crosswire.matching.compare import CompareOptions, compare_pair
from crosswire.readers.jsonl import json_problem

_LANG_CODE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")


@dataclass
class PairInput:
    id: Any           # as given: a string or a number, written back unchanged
    line: int
    a: Article
    b: Article


@dataclass
class PairScore:
    id: Any
    line: int
    same_story: float

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "same_story": round(self.same_story, 6)}


def _article(obj: dict[str, Any], side: str, where: str) -> Article | str:
    text, lang = obj.get(f"text{side}"), obj.get(f"lang{side}")
    if not isinstance(text, str) or not text.strip():
        return f"'text{side}' must be a non-empty string"
    if lang is not None and (not isinstance(lang, str) or not _LANG_CODE.fullmatch(lang.strip())):
        return f"'lang{side}' must be a language code like 'ar' or 'nb', got {lang!r}"
    language = lang.strip() if lang else None
    return Article(id=f"{obj['id']}/{side}", text=text.replace("\r\n", "\n"), source=f"{where}#text{side}",
                   language=language, language_given=language is not None)


def read_pairs(path: str | Path) -> Iterator[PairInput | InputError]:
    """Each usable pair, or the error naming ``path:LINE``, in file order."""
    try:
        fh = open(path, "rb")
    except OSError as err:
        yield InputError(str(path), (err.strerror or str(err)).lower())
        return
    with fh:
        for n, raw in enumerate(fh, 1):
            where = f"{path}:{n}"
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw.decode("utf-8-sig" if n == 1 else "utf-8").rstrip("\r\n"))
            except UnicodeDecodeError:
                yield InputError(where, "not valid UTF-8 (JSON Lines must be UTF-8)")
                continue
            except json.JSONDecodeError as err:
                yield InputError(where, json_problem(err))
                continue
            except RecursionError:
                yield InputError(where, "not valid JSON (nested too deeply)")
                continue
            if not isinstance(obj, dict):
                yield InputError(where, "expected a JSON object")
                continue
            if not isinstance(obj.get("id"), (str, int)) or isinstance(obj.get("id"), bool):
                yield InputError(where, "missing 'id' (a string or an integer)")
                continue
            a, b = _article(obj, "1", where), _article(obj, "2", where)
            problem = next((x for x in (a, b) if isinstance(x, str)), None)
            if problem:
                yield InputError(where, problem)
                continue
            yield PairInput(obj["id"], n, a, b)  # type: ignore[arg-type]


def score_pairs(items: Iterable[PairInput | CrosswireError], pipeline: Pipeline,
                options: CompareOptions = CompareOptions(), batch_pairs: int = 128
                ) -> Iterator[PairScore | CrosswireError]:
    """Scores in input order; a pair whose text cannot be analysed yields the error instead."""
    pending: list[PairInput | CrosswireError] = []  # errors wait too, so the output keeps input order

    def flush() -> Iterator[PairScore | CrosswireError]:
        pairs = [p for p in pending if isinstance(p, PairInput)]
        analysed = iter(pipeline.pipe([x for p in pairs for x in (p.a, p.b)], batch_size=64))
        for item in pending:
            if isinstance(item, CrosswireError):
                yield item
                continue
            a, b = next(analysed), next(analysed)
            failed = next((x for x in (a, b) if isinstance(x, CrosswireError)), None)
            yield failed or PairScore(item.id, item.line, compare_pair(a, b, options).same_story)  # type: ignore[arg-type]
        pending.clear()

    count = 0
    for item in items:
        pending.append(item)
        count += isinstance(item, PairInput)
        if count >= batch_pairs:
            yield from flush()
            count = 0
    if pending:
        yield from flush()
