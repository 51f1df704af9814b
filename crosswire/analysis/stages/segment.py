"""Split sentences: each non-empty line is split on its own, keeping its line number.

Lines are split first because blingfire merges an unpunctuated heading with the
paragraph after it; every sentence then keeps the 1-based input line it came from.
"""
from __future__ import annotations

import re

import blingfire

from crosswire.article import Article, Sentence
from crosswire.errors import InputError

# blingfire does not know these full stops (Ethiopic, Devanagari, Myanmar, Khmer).
# "፡፡" (two wordspaces) is how many Amharic texts write the full stop "።".
_EXTRA_STOPS = re.compile(r"(?:(?<=[\u1362\u1367\u1368\u0964\u0965\u104b\u17d4])|(?<=\u1361\u1361))\s*(?=\S)")
# Closing marks blingfire leaves at the start of the next sentence: "…赢。”然后…".
# Each is moved back only if the previous sentence left its quote open, since
# " » ’ also open quotes in some languages.
_OPENER_OF = {"”": "“", "」": "「", "』": "『", ")": "(", "]": "[", "»": "«", "’": "‘", '"': '"'}


def split_line(text: str) -> list[str]:
    out: list[str] = []
    for piece in blingfire.text_to_sentences(text).split("\n"):
        for part in _EXTRA_STOPS.split(piece):
            part = part.strip()
            if not part:
                continue
            while part and out and part[0] in _OPENER_OF and _left_open(out[-1], part[0]):
                out[-1] += part[0]
                part = part[1:].strip()
            if part:
                out.append(part)
    return out


def _left_open(sentence: str, closer: str) -> bool:
    opener = _OPENER_OF[closer]
    if opener == closer:
        return sentence.count(closer) % 2 == 1
    return sentence.count(opener) > sentence.count(closer)


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
        if not sentences:
            raise InputError(article.source, "no text to read: only blank or invisible characters")
        if not any(ch.isalpha() for sentence in sentences for ch in sentence.text):
            # Emoji, digits and punctuation carry no story: two such texts would embed alike and be
            # called the same story (two unrelated emoji lines scored 0.99).
            raise InputError(article.source, "no text to read: no letters in any script, only emoji, digits, "
                                             "symbols or punctuation")
        article.sentences = sentences
        return article
