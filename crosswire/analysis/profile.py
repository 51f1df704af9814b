"""What one article brings to a same-story judgement, computed once per article.

The same-story score (``samestory.py``) compares two articles on evidence that
two outlets telling one story share even when they tell it with other words,
lengths and quotes: the headline, the lead and the names. What is
costly (finding the names takes tens of milliseconds) is done once, when the
article is analysed, and kept in ``Article.meta`` (stored with the article);
comparing two profiles is then cheap, so scoring many pairs while placing an
article in a story costs little more than before.

- ``title``: the first story sentence's vector (the headline when the text starts
  with one; every sentence is embedded anyway, so it costs nothing);
- ``lead``: the mean vector of the first few story sentences;
- ``names``: the romanised keys of the people, organisations and other names the
  article mentions (``mentions.find_mentions``), with how often; in Chinese, which
  spells foreign names with a small set of characters and no capitals, also the
  runs of those characters (``pinyin.transliterated_runs``), as one word each;
- ``places``: the language-free codes of the places it names ("JP",
  "tz:Asia/Tokyo"), with how often.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from crosswire.analysis.stages.embed import article_vector
from crosswire.article import Article

if TYPE_CHECKING:
    from crosswire.entities.mentions import Mention

META_KEY = "profile"
VERSION = 2             # bump when what is kept changes: older profiles are recomputed
LEAD_SENTENCES = 3
MAX_NAMES = 24          # the most mentioned names and places kept: bounds the work per pair


@dataclass
class Profile:
    title: np.ndarray | None
    lead: np.ndarray | None
    names: dict[str, int]
    places: dict[str, int]


def from_mentions(mentions: "list[Mention]", heard: list[str] = ()) -> dict[str, Any]:  # type: ignore[assignment]
    """The stored part of a profile (names and places with counts), JSON-ready, from an article's
    mentions and the keys of names heard in Chinese text."""
    names: Counter[str] = Counter(heard)
    places: Counter[str] = Counter()
    for m in mentions:
        if m.code:
            places[m.code] += 1
        elif m.key:
            names[m.key] += 1
    return {"version": VERSION, "names": dict(names.most_common(MAX_NAMES)),
            "places": dict(places.most_common(MAX_NAMES))}


def compute(article: Article, mentions: "list[Mention] | None" = None) -> dict[str, Any]:
    """The stored part of the profile; ``mentions``: the article's, when already found."""
    from crosswire.entities.mentions import (  # the gazetteer and romaniser load on first use
        base_language,
        find_mentions,
    )

    found = find_mentions(article) if mentions is None else mentions
    return from_mentions(found, heard_names(article) if base_language(article) == "zh" else [])


def heard_names(article: Article) -> list[str]:
    """Phonetic keys of the transliterated runs of a Chinese article, one per occurrence
    (three consonants at least: shorter keys are everyday syllables as often as names)."""
    from crosswire.entities.pinyin import transliterated_runs
    from crosswire.entities.romanise import phonetic, romanise, skeleton

    keys = [phonetic(romanise(run, "zh")) for s in article.sentences for run in transliterated_runs(s.text)]
    return [k for k in keys if len(skeleton(k)) >= 3]


def profile(article: Article) -> Profile:
    """The article's profile: from its meta when analysis stored one, else computed now and kept there."""
    stored = article.meta.get(META_KEY)
    if not isinstance(stored, dict) or stored.get("version") != VERSION:
        stored = article.meta[META_KEY] = compute(article)
    story = article.story_sentences or article.sentences
    lead = [s.vector for s in story[:LEAD_SENTENCES] if s.vector is not None]
    return Profile(
        title=story[0].vector if story else None,
        lead=article_vector(np.stack(lead)) if lead else None,
        names=stored["names"], places=stored["places"],
    )


class Profiled:
    """Pipeline stage: the profile computed at analysis, so it is stored with the article."""

    name = "profile"
    requires = ("sentences", "language")
    assigns = ("meta.profile", "meta.mentions")

    def __call__(self, article: Article) -> Article:
        from crosswire.entities.mentions import find_mentions, keep_mentions

        mentions = find_mentions(article)
        keep_mentions(article, mentions)  # the story report links entities from these (entities/linking.py)
        article.meta[META_KEY] = compute(article, mentions)
        return article
