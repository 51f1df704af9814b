"""NTREX-128 as articles: each news document rebuilt in each language.

The corpus (CC BY-SA 4.0, Federmann, Kocmi and Xin 2022) has one file per
language with 1,997 line-aligned sentences and DOCUMENT_IDS.tsv naming the
document of each line. Rebuilding a document joins its lines in order, so line
N of the rebuilt article in one language is the translation of line N in any
other: a free gold standard for sentence alignment and same-story grouping.
"""
from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

from crosswire.article import Article
from crosswire.errors import InputError


def default_root() -> Path:
    """``../shared/data/ntrex128`` beside the checkout, where CI puts it."""
    return Path(__file__).resolve().parents[3] / "shared" / "data" / "ntrex128"


class Ntrex:
    def __init__(self, root: str | Path | None = None) -> None:
        self.root = Path(root) if root else default_root()
        ids_file = self.root / "DOCUMENT_IDS.tsv"
        if not ids_file.is_file():
            raise InputError(str(self.root), "not an NTREX-128 folder (no DOCUMENT_IDS.tsv)")
        self.doc_of_line = [line.strip() for line in ids_file.read_text(encoding="utf-8").splitlines()]
        self.documents: list[str] = list(OrderedDict.fromkeys(self.doc_of_line))

    def languages(self) -> list[str]:
        codes = []
        for path in sorted(self.root.glob("newstest2019-*.txt")):
            codes.append(path.name.split(".", 1)[1].rsplit(".", 1)[0])
        return codes

    def _file(self, lang: str) -> Path:
        name = "newstest2019-src.eng.txt" if lang == "eng" else f"newstest2019-ref.{lang}.txt"
        path = self.root / name
        if not path.is_file():
            raise InputError(str(path), f"no NTREX-128 file for language {lang!r}")
        return path

    def articles(self, lang: str, documents: list[str] | None = None) -> list[Article]:
        """One article per document in ``lang`` (the language is left to be detected)."""
        lines = self._file(lang).read_text(encoding="utf-8-sig").splitlines()
        grouped: OrderedDict[str, list[str]] = OrderedDict()
        for doc, text in zip(self.doc_of_line, lines):
            grouped.setdefault(doc, []).append(text.strip())
        wanted = documents if documents is not None else self.documents
        return [
            Article(id=f"{doc}.{lang}", text="\n".join(grouped[doc]), source=f"ntrex:{lang}:{doc}",
                    meta={"document": doc, "ntrex_lang": lang})
            for doc in wanted
        ]

    def split(self) -> tuple[list[str], list[str]]:
        """(calibration, evaluation) documents: alternate documents, so both halves mix outlets.

        Thresholds and score calibration are fitted on the first half only; every
        reported number comes from the second half.
        """
        return self.documents[1::2], self.documents[0::2]
