"""Common nouns of a language that capitalises them (German): capitalised, yet not names.

German writes "Polizei", "Uhr" and "Bundesregierung" with a capital like "Merkel", so the
entity finder's main cue, a capitalised word away from a sentence start, fires on every noun.
``crosswire/data/common_nouns.de.txt.gz`` (built by ``tools/build_common_words.py`` from German
Wiktionary) lists every form of the common nouns, apart those that are people's names too
("Mann", "Fischer", "Mark"). A long compound absent from the list is common when it ends in a listed
noun ("Nationalversammlungsmitgliedern"). It also lists the common nouns of several words ("Haute
Couture", "Rote Armee", "Hot Dog"), capitalised like a person's two names and never one.
"""
from __future__ import annotations

import gzip
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data"
_COMPOUND = 12   # a word this long may be a compound of common nouns
_HEAD = 5        # the shortest noun a compound is taken to end in ("kunden", "rates")


@lru_cache(maxsize=8)
def _lists(language: str) -> tuple[frozenset[str], frozenset[str], frozenset[str], frozenset[str]]:
    """(common nouns, common nouns that are names too, nouns declined like adjectives, common nouns of
    several words), lower-cased; empty where the language has no list."""
    path = DATA / f"common_nouns.{language}.txt.gz"
    sections: dict[str, set[str]] = {"": set(), "## name too": set(), "## adjectival": set(), "## phrases": set()}
    if path.exists():
        target = sections[""]
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for line in fh:
                word = line.strip()
                if word in sections:
                    target = sections[word]
                elif word and not word.startswith("#"):
                    target.add(word)
    return tuple(frozenset(v) for v in sections.values())  # type: ignore[return-value]


def has_list(language: str) -> bool:
    return bool(_lists(language)[0])


def is_common(word: str, language: str) -> bool:
    """Is this capitalised word a common noun of ``language``, never a name?"""
    common = _lists(language)[0]
    if not common or not word[:1].isupper() or word.isupper():
        return False   # acronyms ("NATO", "BBC") are names
    if "-" in word:    # "Luxus-Hautpflegemarken" is common; "Argos-Verkaufsstellen" is not
        return all(is_common(part, language) for part in word.split("-") if part)
    low = word.casefold()
    nouns = _lists(language)[1]
    return low in common or len(low) >= _COMPOUND and any(
        low[i:] in common or low[i:] in nouns for i in range(4, len(low) - _HEAD + 1))


def is_noun(word: str, language: str) -> bool:
    """A common noun, or one that is a person's name too ("Mann", "Fischer"): alone, no name."""
    return is_common(word, language) or word.casefold() in _lists(language)[1]


# Endings of German adjectives as they head names: Europäische, Vereinte, Rotes, Deutsche, Nationale.
_ADJECTIVE = tuple(stem + end for stem in ("isch", "lich", "ig", "al", "t", "sch", "en")
                   for end in ("e", "en", "er", "es"))


def is_adjectival(word: str, language: str) -> bool:
    """A capitalised adjective, or a noun declined like one ("Europäische", "Deutsche"): at the head of
    a run of capitals away from a sentence start, it makes the run a name ("Deutsche Bank")."""
    common, both, adjectival, _ = _lists(language)
    low = word.casefold()
    return bool(common) and (low in adjectival or low not in common and low not in both and low.endswith(_ADJECTIVE))


def is_phrase(words: list[str], language: str) -> bool:
    """Are these words, all of them, a common noun of several words ("Haute Couture", "Rote Karte")?"""
    return len(words) >= 2 and " ".join(w.casefold() for w in words) in _lists(language)[3]


def ends_in_phrase(words: list[str], language: str) -> bool:
    """Do these words end in a common noun of several words ("Haute Couture", "Pariser Haute
    Couture")? German puts a noun phrase's head last, so a run that ends in one names a thing."""
    return any(is_phrase(words[i:], language) for i in range(len(words) - 1))


def is_noun_declined_as_adjective(word: str, language: str) -> bool:
    """A noun declined like an adjective, as the list knows it ("Angeklagten", "Vorsitzende"): before a
    person's name it says who they are."""
    return word.casefold() in _lists(language)[2]


def name_part(word: str, language: str) -> str:
    """The name at the head of a hyphenated compound: "NATO-Gipfel" -> "NATO", "Argos-Verkaufsstellen" -> "Argos"."""
    parts = word.split("-")
    while len(parts) > 1 and parts[-1] and is_common(parts[-1], language):
        parts.pop()
    return "-".join(parts)
