"""Words in any script: the normalised form names are compared in, tokens with offsets, and case tests.

Mentions, quotes and name keys all read text through ``tokens``, so a word means the same to
each: combining and invisible marks inside it, Japanese and Chinese runs cut where the script
changes, elisions and apostrophe suffixes ("d'Ankara", "Meksika'nın") left outside.
"""
from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

# Combining marks are not \w in Python's re: without them Devanagari "पीटर" would be the
# two words "प" and "टर". Vowel signs and viramas of Indic and South-East Asian scripts,
# Hebrew points, Arabic harakat and Latin combining accents belong inside a word.
MARKS = ("\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u05bf\u05c1\u05c2\u05c4\u05c5\u05c7\u0610-\u061a"
         "\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e4\u06e7\u06e8\u06ea-\u06ed\u0900-\u0963"
         "\u0966-\u0dff\u0e31\u0e34-\u0e3a\u0e47-\u0e4e\u0eb1\u0eb4-\u0ebc\u0ec8-\u0ecd\u0f18-\u0f19"
         "\u0f35\u0f37\u0f39\u0f71-\u0f84\u102b-\u103e\u1056-\u1059\u17b4-\u17d3\u3099\u309a")
_ARABIC_FOLD = str.maketrans("أإآىة", "ااايه")


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    # Tatweel, bidi and zero-width marks never change a name; hyphens join its parts.
    text = re.sub(r"[\u0640\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]", "", text)
    text = text.replace("-", " ").replace("‐", " ")
    # Arabic hamza forms and alef maqsura vary between writers.
    return text.translate(_ARABIC_FOLD)


INVISIBLE = re.compile(r"[\u0640\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
# A word: letters/digits plus the invisible marks that may sit inside one, and
# hyphen/apostrophe joins ("Nord-Korea", "Rutte's").
# Hebrew writes foreign sounds with a geresh after ג ז צ ת (ג׳ = j: ג׳ונסון, often typed ‘ or ')
# and acronyms with gershayim before the last letter (ארה״ב, typed “ or "): both inside the word.
_HEBREW_MARKS = (f"(?<=[גזצץת])[\u05f3'‘’`][\\w{MARKS}]*"
                 f"|(?<=[\u05d0-\u05ea])[\u05f4\"“”](?=[\u05d0-\u05ea](?![\\w{MARKS}]))[\\w{MARKS}]")
_TOKEN = re.compile(f"[\\w{MARKS}\u0640\u200b-\u200f\u2066-\u2069\ufeff]+"
                    f"(?:[-'’][\\w{MARKS}\u200b-\u200f\ufeff]+|{_HEBREW_MARKS})*")


class Tok(NamedTuple):
    start: int                  # offsets in the text tokenised, invisible marks included
    end: int
    text: str                   # without invisible marks
    norm: str                   # normalise(text)


def _script_class(ch: str) -> str:
    o = ord(ch)
    if 0x30A0 <= o <= 0x30FF or o == 0xFF70:
        return "kana"
    if 0x3040 <= o <= 0x309F:
        return "hira"
    if 0x3400 <= o <= 0x4DBF or 0x4E00 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF:
        return "han"
    if not ch.isalpha():
        return ""
    if o < 0x250 or 0x1E00 <= o <= 0x1EFF:
        return "latin"
    if 0x0600 <= o <= 0x06FF or 0x0750 <= o <= 0x077F or 0xFB50 <= o <= 0xFDFF or 0xFE70 <= o <= 0xFEFF:
        return "arabic"
    if 0x0590 <= o <= 0x05FF:
        return "hebrew"
    if 0x0400 <= o <= 0x052F:
        return "cyrillic"
    if 0x0370 <= o <= 0x03FF:
        return "greek"
    return "other"


_CJK = ("kana", "hira", "han")


# French and Italian elisions before a name ("d'Ankara", "l'Inde", "dell'Italia"), and the suffix a
# Turkish or English writer puts after an apostrophe ("Meksika'nın", "Zaev'in", "Rutte's").
_ELISION = re.compile(r"(?:[ldjmnstc]|qu|dell|all|nell|sull|dall|quell|un)['’](?=\w)")


def _apostrophe_suffix(word: str) -> int:
    """Where a lowercase suffix after an apostrophe starts behind a capitalised name, else len(word)."""
    i = max(word.rfind("'"), word.rfind("’"))
    head, tail = word[:i], word[i + 1 :]
    if i > 0 and head[:1].isupper() and head[-1].isalpha() and 1 <= len(tail) <= 7 and tail.isalpha() \
            and tail.islower():
        return i
    return len(word)


def tokens(text: str) -> list[Tok]:
    """Words with offsets. Unspaced Japanese/Chinese runs are cut where the script changes:
    "ジョンソンは" -> "ジョンソン" + "は", "EUを離脱" -> "EU" + "を" + "離脱"; so are words glued across
    alphabets: "Rutteروتي" -> "Rutte" + "روتي"."""
    out = []
    for m in _TOKEN.finditer(text):
        word, cuts = m.group(), [0]
        elided, b = _ELISION.match(word), _apostrophe_suffix(word)
        if elided or b < len(word):  # "d'Ankara" -> "Ankara", "Meksika'nın" -> "Meksika"
            a = elided.end() if elided else 0
            if b - a >= 1:
                out += [Tok(t.start + m.start() + a, t.end + m.start() + a, t.text, t.norm)
                        for t in tokens(word[a:b])]
                continue
        for k in range(1, len(word)):
            before, here = _script_class(word[k - 1]), _script_class(word[k])
            # Cut where the script changes: always around Japanese and Chinese ("NATOの"), between two
            # alphabets when both sides are letters ("Rutteروتي"), never at a digit ("G7") or a mark.
            if before != here and (before in _CJK or here in _CJK or (before and here and "other" not in (before, here))) \
                    and not INVISIBLE.match(word[k]):
                cuts.append(k)
        for a, b in zip(cuts, cuts[1:] + [len(word)]):
            clean = INVISIBLE.sub("", word[a:b])
            if clean:
                out.append(Tok(m.start() + a, m.start() + b, clean, normalise(clean)))
    return out


def cased(word: str) -> bool:
    return any(c.lower() != c.upper() for c in word)


def capitalised(word: str) -> bool:
    return bool(word) and word[0].isupper() and cased(word)


def acronym(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return 2 <= len(letters) <= 8 and all(c.isupper() for c in letters)


def strip_genitive(word: str) -> str:
    """"Rutte's" -> "Rutte", "NATOs" -> "NATO" (acronym + s); "Japans" stays: it may be a name in -s."""
    for tail in ("'s", "’s", "'", "’"):
        if word.endswith(tail) and len(word) > len(tail) + 1:
            return word[: -len(tail)]
    return word[:-1] if word.endswith("s") and acronym(word[:-1]) else word
