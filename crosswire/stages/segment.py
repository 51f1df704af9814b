"""Split sentences: each non-empty line is split on its own, keeping its line number.

Lines are split first because blingfire merges an unpunctuated heading with the
paragraph after it; every sentence then keeps the 1-based input line it came from.
"""
from __future__ import annotations

import re

import blingfire

from ..model import Article, Sentence

# blingfire does not know these full stops (Ethiopic, Devanagari, Myanmar, Khmer).
_EXTRA_STOPS = re.compile(r"(?<=[\u1362\u1367\u1368\u0964\u0965\u104b\u17d4])\s*(?=\S)")
# Closing marks blingfire leaves at the start of the next sentence: "…赢。”然后…"
_LEADING_CLOSERS = re.compile(r"^[\"”’」』»)\]]+")


def split_line(text: str) -> list[str]:
    out: list[str] = []
    for piece in blingfire.text_to_sentences(text).split("\n"):
        for part in _EXTRA_STOPS.split(piece):
            part = part.strip()
            if not part:
                continue
            closer = _LEADING_CLOSERS.match(part)
            if closer and out:
                out[-1] += closer.group(0)
                part = part[closer.end():].strip()
                if not part:
                    continue
            out.append(part)
    return out


class Segment:
    name = "segment"
    requires = ("lines",)
    assigns = ("sentences",)

    def __call__(self, article: Article) -> Article:
        sentences: list[Sentence] = []
        for line in article.lines:
            if not line.text:
                continue
            for text in split_line(line.text):
                sentences.append(Sentence(id=len(sentences), line=line.number, text=text,
                                          furniture=line.furniture))
        article.sentences = sentences
        return article
