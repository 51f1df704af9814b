"""What a watch asks of an article, and whether a stored article answers it.

A watch's conditions are read at the level of one article: an article answers when it names
one of the watch's entities (if any are given), holds every one of its words (if given) and is
in one of its languages (if given). A story answers when one of its articles does; how many
languages the story spans (``min_languages``) is the story's, not an article's (``events.py``).

Names are matched across scripts on the romanised phonetic keys the entity layer already makes
(``romanise.name_key``, ``same_name``: "Mark Rutte" = "مارك روتي" = "Mark Rutte"), first on the
mentions kept with each stored article at analysis (``meta.mentions``), which costs no
romanisation at check time. The rule, for a name of several words:

- the article must name it whole at least once: every word of the name, adjacent, in the order
  given or reversed (family name first, as Japanese, Chinese, Korean and Hungarian write it),
  inside one mention. Its later surname-only mentions ("روتي", "Rutte") are then him, and need
  nothing more. A surname alone, or the given name and the surname in two places, is not enough:
  "Boris Becker beat Magic Johnson" does not name Boris Johnson, and a surname alone is shared
  by many people.
- the mention finder works from capitals in scripts that have them, and from cues alone in
  scripts that do not (Arabic: a name after a title or a speech verb), so it can cut a name short
  or miss it ("الناتو" is no mention). So the article's text is read too (the name's words
  adjacent, each word's keys with genitive and Arabic clitics cut: ``romanise.word_keys``,
  "وروتي", "Ruttes") when a kept mention holds one word of the name, when the article is in a
  script without capitals, or when it kept no mentions (stored by a crosswire older than them, or
  by another finder version). Reading the text romanises every word of the article, about a
  quarter of a millisecond a word outside Latin script the first time, which is why it is not
  the rule where capitals find the names.
- a name the place gazetteer knows whole ("Japan", "Tokyo") also matches a mention with the same
  place code, whatever its language calls it ("اليابان", "Japans").

A one-word name matches a mention holding that word (a genitive -s cut where the language has
one: "Beijings"). Words (``--text``) are matched as
``crosswire stories --text`` matches them: each casefolded word somewhere in the title or text,
so that a watch can be tried out with that command first. Page furniture that is not the
article's own text ("Les også:" links, share and byline lines) is left out of both; sub-headings
count.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

from crosswire.entities.cues import GENITIVE_S
from crosswire.entities.gazetteer import place_spans
from crosswire.entities.mentions import FINDER_VERSION, KEPT_KEY
from crosswire.entities.romanise import name_key, name_language, same_name, word_keys
from crosswire.entities.words import tokens
from crosswire.language_codes import language_key
from crosswire.store.base import Member, Watch

_KEPT_FURNITURE = {None, "subheading"}  # the sentences read: story text and its sub-headings


@dataclass(frozen=True)
class Name:
    """An entity of a watch, ready to compare."""

    text: str                    # as the watch gives it
    words: tuple[str, ...]       # the phonetic key of each word
    code: str | None = None      # its place code, when the gazetteer knows the whole name as a place


def parse_name(text: str) -> Name:
    """A watch's entity as a ``Name``; one with no word that can be read gives no ``words``."""
    text = " ".join(text.split())
    lang = name_language(text)
    spans = place_spans(text, lang)
    code = spans[0][2] if len(spans) == 1 and spans[0][0] == 0 and spans[0][1] == len(text) else None
    return Name(text, tuple(name_key(text, lang).split()), code)


@dataclass
class StoredArticle:
    """What matching reads of one stored article: its member row and its stored analysis."""

    id: int
    language: str | None
    title: str | None
    sentences: list[str]                          # the story text and sub-headings, one sentence each
    # Each kept mention: the keys each of its words may stand for, and its place code; None: none kept.
    mentions: list[tuple[list[list[str]], str | None]] | None
    _folded: str | None = field(default=None, repr=False)
    _text_keys: list[list[list[str]]] | None = field(default=None, repr=False)

    @property
    def folded(self) -> str:
        """Title and text casefolded, for words."""
        if self._folded is None:
            self._folded = "\n".join([self.title or "", *self.sentences]).casefold()
        return self._folded

    @property
    def caseless(self) -> bool:
        """Written in a script without capitals (Arabic, Hebrew, CJK, ...), where capitals find no names."""
        letters = [c for c in "".join(self.sentences[:20]) if c.isalpha()]
        return bool(letters) and sum(c.isupper() or c.islower() for c in letters) < len(letters) / 2

    def text_keys(self) -> list[list[list[str]]]:
        """Each sentence's words (the title's too), each as the phonetic keys it may stand for; made once."""
        if self._text_keys is None:
            lang = language_key(self.language) or "en"
            self._text_keys = [[word_keys(t.text, lang) for t in tokens(line)]
                               for line in [self.title or "", *self.sentences] if line]
        return self._text_keys


def stored_article(member: Member, analysis: dict[str, Any]) -> StoredArticle:
    """A stored article as matching reads it (``store.members_of`` and ``store.analyses``)."""
    sentences = analysis.get("sentences") or []
    kept_ids = {n for n, s in enumerate(sentences) if len(s) < 4 or s[3] in _KEPT_FURNITURE}
    kept = (analysis.get("meta") or {}).get(KEPT_KEY)
    mentions: list[tuple[list[list[str]], str | None]] | None = None
    if isinstance(kept, dict) and kept.get("version") == FINDER_VERSION:
        genitive = language_key(member.language) in GENITIVE_S
        # items: [sentence_id, start, end, text, kind, key, code, how] (mentions.keep_mentions)
        mentions = [([[k, k[:-1]] if genitive and k.endswith("s") and len(k) > 3 else [k] for k in str(item[5]).split()],
                     item[6]) for item in kept.get("items", []) if item[0] in kept_ids and item[5]]
    return StoredArticle(member.id, member.language, member.title,
                         [str(s[1]) for n, s in enumerate(sentences) if n in kept_ids], mentions)


def _holds(words: Sequence[Sequence[str]], name: tuple[str, ...]) -> bool:
    """Do adjacent words (each given as the keys it may stand for) read the name, in order or reversed?"""
    n = len(name)
    for order in (name, name[::-1]) if n > 1 else (name,):
        for i in range(len(words) - n + 1):
            if all(any(same_name(key, want) for key in words[i + p]) for p, want in enumerate(order)):
                return True
    return False


def names(article: StoredArticle, name: Name) -> bool:
    """Does the article name ``name`` (see the module's rule)?"""
    if not name.words:
        return False
    if article.mentions is not None:
        if name.code and any(code == name.code for _, code in article.mentions):
            return True
        if any(_holds(words, name.words) for words, _ in article.mentions):
            return True
        partly = len(name.words) > 1 and any(same_name(key, want) for words, _ in article.mentions
                                             for keys in words for key in keys for want in name.words)
        if not partly and not article.caseless:
            return False
    return any(_holds(line, name.words) for line in article.text_keys())


@dataclass(frozen=True)
class Conditions:
    """A watch's conditions, parsed once for every article they are tried on."""

    names: tuple[Name, ...] = ()
    words: tuple[str, ...] = ()       # casefolded
    languages: frozenset[str] = frozenset()  # language keys (nb = no = nob)
    min_languages: int | None = None
    shown_words: str = ""             # the words as the watch gives them, for alerts

    @classmethod
    def of(cls, watch: Watch) -> "Conditions":
        return cls(tuple(parse_name(n) for n in watch.entities), tuple((watch.words or "").casefold().split()),
                   frozenset(language_key(code) for code in watch.languages), watch.min_languages,
                   " ".join((watch.words or "").split()))

    @property
    def reads_text(self) -> bool:
        """Whether matching needs the articles' analyses (names or words), not their rows alone."""
        return bool(self.names or self.words)

    def match(self, article: StoredArticle) -> list[str] | None:
        """What of the watch the article answers (the names it names, then the words), or None."""
        if self.languages and language_key(article.language) not in self.languages:
            return None
        if self.words and not all(word in article.folded for word in self.words):
            return None
        named = [n.text for n in self.names if names(article, n)]
        if self.names and not named:
            return None
        return named + ([self.shown_words] if self.words else [])

    def match_story(self, articles: Sequence[StoredArticle]) -> list[str] | None:
        """What the story's articles answer, together (names in the watch's order), or None when none does."""
        found: list[str] | None = None
        for article in articles:
            matched = self.match(article)
            if matched is None:
                continue
            found = list(dict.fromkeys([*(found or []), *matched]))
            if len(found) == len(self.names) + bool(self.words):
                break  # everything the watch asks has been answered
        order = [n.text for n in self.names] + ([self.shown_words] if self.words else [])
        return None if found is None else [m for m in order if m in found]
