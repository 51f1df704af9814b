"""Mentions of people, organisations and places in one article, found by cues that hold across languages.

No offline multilingual NER model exists, so mentions come from cues that hold in
many languages: CLDR places in the article's locale (``gazetteer.place_spans``,
with a language-free code such as "JP"); in cased scripts, runs of capitalised
words not at a sentence start (or at one when the word recurs capitalised
elsewhere) and acronyms; in Arabic, which has no capitals, the word after a speech
verb ("قال إيشيبا") or a title ("وزير الدفاع الياباني جنرال ناكاتاني"), geographic
heads ("مضيق تايوان") and "في X في <country>". ``entities.link_entities`` links them
across articles.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from crosswire.article import Article
from crosswire.entities.common_words import (
    ends_in_phrase,
    has_list,
    is_adjectival,
    is_common,
    is_noun,
    is_noun_declined_as_adjective,
    is_phrase,
    name_part,
)
from crosswire.entities.cues import (
    AR_HEADS,
    CONNECTORS,
    DETERMINERS_DE,
    EVENT_WORDS,
    GENITIVE_S,
    LOC_SUFFIXES,
    OPENERS,
    ORG_SUFFIXES,
    ORG_WORDS,
    SPEECH_AR,
    STOP_AR,
    TITLES,
    TITLES_AR,
    al_word,
    feature_of,
)
from crosswire.entities.gazetteer import calendar_words, language_names, place_spans
from crosswire.entities.romanise import name_key
from crosswire.entities.words import Tok, acronym, capitalised, cased, normalise, strip_genitive, tokens

_ARABIC_LANGS = ("ar", "fa", "ur", "ps")


@dataclass
class Mention:
    sentence_id: int
    start: int                  # character offsets in the sentence's text
    end: int
    text: str
    kind: str                   # "PER" | "ORG" | "LOC" | "MISC"
    key: str                    # normalised romanised form, one phonetic word per name word
    code: str | None = None     # place code ("JP", "tz:Asia/Tokyo", "feature:strait:TW") when known
    how: str = "caps"           # which cue found it: place, cue, acronym, caps, projection


def base_language(article: Article) -> str:
    """The article's language without region or script: "nb", "ar", "zh"."""
    return (article.language or "en").split("-")[0].lower()


def _guess_kind(toks: list[Tok], lang: str) -> tuple[str, str | None]:
    """(kind, code): places by geographic word, acronyms and org words ORG, two+ names PER."""
    norms = [t.norm for t in toks]
    if len(toks) == 1 and acronym(strip_genitive(toks[0].text)):
        return "ORG", None
    if any(n in ORG_WORDS or n.endswith(ORG_SUFFIXES) for n in norms):
        return "ORG", None
    feature = feature_of(" ".join(norms).split())
    if feature or any(n.endswith(LOC_SUFFIXES) for n in norms):
        spans = place_spans(feature[1], lang) if feature else []
        return "LOC", f"feature:{feature[0]}:{spans[0][2]}" if feature and spans else None
    if len(toks) >= 2 and all(capitalised(t.text) and t.text.replace("-", "").isalpha() for t in toks):
        # Capitals name events and things as well as people: one a place opens or an event's word
        # ends is no person ("Paris Fashion Week", "London Marathon", "Oslo Freedom Forum"); nor
        # is a common noun of several words, which German capitalises ("Haute Couture", "Rote Armee").
        if norms[-1] in EVENT_WORDS or place_spans(toks[0].text, lang) \
                or ends_in_phrase([t.text for t in toks], lang):
            return "MISC", None
        # Nor is a German adjective and German nouns: a thing's name ("Vereinigte Staaten", "Olympische
        # Spiele", "Zweiter Weltkrieg"). Before a name the adjective is a first name ("Hans-Peter Bartels").
        if is_adjectival(toks[0].text, lang) and all(is_noun(t.text, lang) for t in toks[1:]):
            return "MISC", None
        return "PER", None
    return "MISC", None


def lower_case(text: str) -> bool:
    """Written in lower case only (letters with case, none a capital)."""
    return any(c.islower() for c in text) and not any(c.isupper() for c in text)


def _mention(sid: int, text: str, toks: list[Tok], lang: str, kind: str | None = None,
             how: str = "caps", start: int | None = None) -> Mention:
    start = toks[0].start if start is None else start
    surface = text[start : toks[-1].end]
    guessed, code = _guess_kind(toks, lang)
    kind = guessed if code else kind or guessed
    return Mention(sid, start, toks[-1].end, surface, kind, name_key(surface, lang), code, how)


# Mentions are found once, at analysis (the profile stage), and kept in the article's meta, so a
# story page links the entities of stored articles without finding their names again (that was half
# of a 20-article story report: bench/story_page.py). Bump the version whenever what find_mentions
# finds changes: kept lists of another version are found again.
KEPT_KEY = "mentions"
FINDER_VERSION = 3  # 2: no place in lower case, no person a place opens or an event word ends;
#                    3: no person a common noun of several words ends, nor German adjective and nouns


def keep_mentions(article: Article, mentions: list[Mention]) -> None:
    """Keep an article's mentions in its meta (stored with the article), JSON-ready."""
    article.meta[KEPT_KEY] = {"version": FINDER_VERSION,
                              "items": [[m.sentence_id, m.start, m.end, m.text, m.kind, m.key, m.code, m.how]
                                        for m in mentions]}


def article_mentions(article: Article) -> list[Mention]:
    """The article's mentions: those kept at analysis when they are of this finder, else found now."""
    kept = article.meta.get(KEPT_KEY)
    if isinstance(kept, dict) and kept.get("version") == FINDER_VERSION:
        return [Mention(*item) for item in kept["items"]]
    return find_mentions(article)


def find_mentions(article: Article) -> list[Mention]:
    """Mentions in one analysed article (its sentences and language), in text order."""
    lang = base_language(article)
    mid, lower, recur = _article_words(article, lang)
    cal, langs = calendar_words(lang), language_names(lang)
    out: list[Mention] = []
    for s in article.sentences:
        toks = tokens(s.text)
        # A place's name is written with a capital wherever letters have case: one all in lower case
        # is a word that spells like it (Russian «того», "that", is not Togo; "turkey", "chad").
        places = [(a, b, code) for a, b, code in place_spans(s.text, lang) if not lower_case(s.text[a:b])]
        place_at = {i: code for i, t in enumerate(toks) for a, b, code in places if a < t.end and t.start < b}
        cands = [Mention(s.id, a, b, s.text[a:b], "LOC", name_key(s.text[a:b], lang), code, "place")
                 for a, b, code in places if s.text[a:b].strip()]
        if lang in _ARABIC_LANGS:
            cands += _arabic_cues(s.id, s.text, toks, lang, recur, place_at)
        here = {normalise(s.text[a:b]) for a, b, _ in places}
        cands += _caps_mentions(s.id, s.text, toks, lang, (mid, lower, here), (cal, langs), lang in _ARABIC_LANGS)
        out += _non_overlapping(cands)
    return out


def _article_words(article: Article, lang: str) -> tuple[Counter[str], Counter[str], set[str]]:
    """Counts of words capitalised away from a sentence start and of words in lower case; words seen twice+."""
    mid, lower, seen = Counter(), Counter(), Counter()  # type: tuple[Counter[str], Counter[str], Counter[str]]
    for s in article.sentences:
        toks = tokens(s.text)
        title = _title_case(toks)
        for i, t in enumerate(toks):
            seen[t.norm] += 1
            if capitalised(t.text) and not title and not _initial(s.text, toks, i):
                base = strip_genitive(t.text).casefold()
                mid.update([base, base[:-1]] if lang in GENITIVE_S and base.endswith("s") else [base])
            elif t.text.islower():
                lower[t.text] += 1
    return mid, lower, {w for w, n in seen.items() if n >= 2}


def _initial(text: str, toks: list[Tok], i: int) -> bool:
    """Is token i where any word is capitalised: sentence start, after a colon, quote or dash?"""
    return i == 0 or any(c in ".!?:;…“«„\"「‘–—" for c in text[toks[i - 1].end : toks[i].start])


def _title_case(toks: list[Tok]) -> bool:
    """Headline style ("Japan And NATO Pledge Closer Ties"): capitals say nothing about names."""
    # Acronyms and titles are capitalised in running text too: "NATO Secretary General Mark Rutte visited Tokyo."
    words = [t for t in toks if cased(t.text) and t.text[0].isalpha() and not acronym(t.text) and t.norm not in TITLES]
    return len(words) >= 4 and sum(capitalised(t.text) for t in words) >= 0.85 * len(words)


def _caps_mentions(sid: int, text: str, toks: list[Tok], lang: str, seen: tuple[Counter, Counter, set[str]],
                   skip: tuple[frozenset[str], frozenset[str]], arabic: bool) -> list[Mention]:
    toks = [_cut_compound_tail(text, t, lang) for t in toks]
    cal, langs = skip
    # German nouns are all capitalised; one right after a determiner, maybe past adjectives, is common.
    # Not an acronym ("den NATO-Gipfel") nor an adjective opening a name ("die Europäische Union").
    name_like = [capitalised(t.text) and not (lang in ("de", "lb") and not acronym(t.text)
                                              and not is_adjectival(t.text, lang) and any(
        toks[k].norm in DETERMINERS_DE and not (k and toks[k - 1].norm in CONNECTORS)   # "von der Leyen"
        and not re.search(r"[^\w\s]", text[toks[k].end : t.start])
        and all(x.text.endswith(("e", "en", "er", "es", "em")) and not capitalised(x.text) for x in toks[k + 1 : i])
        for k in range(max(0, i - 3), i))) for i, t in enumerate(toks)]
    title = _title_case(toks)
    out: list[Mention] = []
    i = 0
    while i < len(toks):
        if not name_like[i]:
            i += 1
            continue
        run, j = [i], i + 1
        while j < len(toks):
            gap, nxt = text[toks[j - 1].end : toks[j].start], toks[j]
            after = j + 1 < len(toks) and name_like[j + 1]
            if not gap.strip() and name_like[j]:
                run, j = run + [j], j + 1
            elif not gap.strip() and nxt.norm in CONNECTORS and after:
                run, j = run + [j, j + 1], j + 2
            elif not gap.strip() and nxt.norm in CONNECTORS and j + 2 < len(toks) and toks[j + 1].norm in CONNECTORS \
                    and not text[nxt.end : toks[j + 1].start].strip() and name_like[j + 2]:
                run, j = run + [j, j + 1, j + 2], j + 3   # "Ursula von der Leyen", "Charles de la Croix"
            elif gap.strip() == "-" and nxt.norm in ("og", "and", "und", "et", "och", "eller", "or") and after:
                run, j = run + [j, j + 1], j + 2   # "Sør- og Øst-Kinahavet": one name, shared head
            else:
                break
        i = j
        part: list[int] = []
        for k in run + [-1]:  # titles, months, language names split the run and are dropped
            base = strip_genitive(toks[k].text).casefold() if k >= 0 else ""
            # A month is a name's word inside a run ("Theresa May", "Sunday Times"), alone or by a number a date.
            month = k >= 0 and normalise(base) in cal and (len(run) == 1 or re.search(
                r"\d", text[max(0, toks[k].start - 3) : toks[k].end + 3]) is not None)
            if k >= 0 and base not in TITLES and normalise(base) not in langs and not month:
                part.append(k)
                continue
            if part and (title or (not arabic and _initial(text, toks, part[0]))) \
                    and not (title and _listed(text, toks, part)):
                part = _trim_initial(part, toks, lang, seen, title)
            for piece in _without_common_nouns(part, toks, lang, _initial(text, toks, part[0])) if part else []:
                # Words mostly written in lower case open no name ("The Assembly Commission"); nor do connectors.
                while piece and (toks[piece[0]].norm in CONNECTORS or not acronym(toks[piece[0]].text) and
                                 seen[1][toks[piece[0]].text.lower()] >= max(1, seen[0][toks[piece[0]].text.casefold()])):
                    piece = piece[1:]
                while piece and toks[piece[-1]].norm in CONNECTORS:
                    piece = piece[:-1]
                if piece and (len(piece) > 1 or sum(c.isalpha() for c in toks[piece[0]].text) >= 2  # not "W", "U",
                              and toks[piece[0]].norm not in cal):                                # nor "In June"
                    out.append(_mention(sid, text, [toks[x] for x in piece], lang,
                                        how="acronym" if acronym(toks[piece[0]].text.rstrip("s")) else "caps"))
            part = []
    return out


def _without_common_nouns(part: list[int], toks: list[Tok], lang: str, initial: bool) -> list[list[int]]:
    """The names in a run of capitalised words, in German, which capitalises its nouns: common nouns,
    connectors and determiners are no name ("Millionen Zuschauer", "Welt", "Interesse von Ihnen") and
    part names ("Vater Johnsons Gemeindemitglieder" -> "Johnsons"; "Paltrows Marke Goop" -> two), but a
    common noun that is a person's name too stays inside one ("Mark Rutte", "Joschka Fischer"). A run an
    adjective opens is one name as it stands ("Europäische Union", "Deutsche Bank"), unless it opens the
    sentence too ("Harte Worte"), where anything is capitalised."""
    if not has_list(lang):
        return [part]

    def filler(k: int, strict: bool) -> bool:
        word = toks[k]
        return word.norm in CONNECTORS or (
            is_common(word.text, lang) if strict else is_noun(word.text, lang))

    # A determiner parts two names ("Europäische Union den NATO"), unless a particle brings it ("von der Leyen").
    cut = next((n for n, k in enumerate(part) if toks[k].norm in DETERMINERS_DE
                and (n == 0 or toks[part[n - 1]].norm not in CONNECTORS)), None)
    if cut is not None:
        return (_without_common_nouns(part[:cut], toks, lang, initial)
                + _without_common_nouns(part[cut + 1:], toks, lang, False))
    if len(part) > 1 and not initial and is_adjectival(toks[part[0]].text, lang):
        # The adjective heads a name of German nouns ("Vereinte Nationen", "Deutsche Bank AG"). A noun
        # declined like one, before a foreign name, is the person's description ("Angeklagten Quinton
        # Tellis", "Vorsitzende Ian Beattie"), no part of the name; a first name that only ends like an
        # adjective is ("Hans-Peter Bartels").
        if all(filler(k, strict=False) or acronym(toks[k].text) for k in part[1:]) \
                or not is_noun_declined_as_adjective(toks[part[0]].text, lang):
            return [part]
        return _without_common_nouns(part[1:], toks, lang, False)
    if all(filler(k, strict=False) for k in part):
        return []
    start = next(n for n, k in enumerate(part) if not filler(k, strict=True))
    # A common noun of several words stays one piece, a thing's name ("Pariser Haute Couture" -> "Haute
    # Couture"), though its words alone are common ("Couture"): _guess_kind makes it no person.
    phrases = [part[n:m] for n in range(len(part)) for m in range(n + 2, len(part) + 1)
               if is_phrase([toks[k].text for k in part[n:m]], lang)]
    start = min([start] + [part.index(span[0]) for span in phrases])
    whole = {k for span in phrases for k in span}
    pieces: list[list[int]] = []
    piece: list[int] = []
    for k in part[start:]:
        if is_common(toks[k].text, lang) and k not in whole:   # connectors stay inside ("von der Leyen"),
            pieces, piece = pieces + [piece] if piece else pieces, []   # the caller trims its edges
        else:
            piece.append(k)
    return pieces + [piece] if piece else pieces


def _listed(text: str, toks: list[Tok], part: list[int]) -> bool:
    """A short capitalised stretch set off by commas ("Mark Rutte, Shigeru Ishiba, Tokyo") is a list of names,
    even where every word is capitalised."""
    before = text[toks[part[0] - 1].end : toks[part[0]].start] if part[0] > 0 else ""
    after = text[toks[part[-1]].end : toks[part[-1] + 1].start] if part[-1] + 1 < len(toks) else text[toks[part[-1]].end :]
    return len(part) <= 3 and ("," in before or "," in after or "、" in before + after) \
        and not before.strip(" ,、") and after.strip(" ") in ("", ",", "、", ".", ";")


def _trim_initial(part: list[int], toks: list[Tok], lang: str, seen: tuple[Counter, Counter, set[str]],
                  title: bool) -> list[int]:
    """Keep a sentence-initial capital only when the word is a name elsewhere too.

    ``seen``: (capitalised away from a start, in lower case, this sentence's places); a
    capital before a place ("Kritiserer Kina") is the sentence's first word, not a name's.
    """
    mid, lower, here = seen

    def justified(k: int) -> bool:
        base = strip_genitive(toks[k].text)
        return acronym(base) or base.casefold() in mid

    if title:  # every word is suspect: keep the longest justified stretch
        kept = [k for k in part if justified(k)]
        return kept if kept and kept == list(range(kept[0], kept[-1] + 1)) else kept[:1]
    if justified(part[0]):
        return part
    if toks[part[0]].text.lower() in lower or toks[part[0]].norm in OPENERS or len(part) == 1 \
            or toks[part[1]].norm in here \
            or acronym(toks[part[1]].text.rstrip("s")):
        return part[1:]
    return part  # an unknown multiword name opening the sentence: "Shigeru Ishiba said ..."


def _cut_compound_tail(text: str, t: Tok, lang: str) -> Tok:
    """"NATO-initiativ" -> "NATO": a compound's lowercase tail is not part of the name; nor, in German, a
    common noun's ("NATO-Gipfel", "Argos-Verkaufsstellen")."""
    parts = t.text.split("-")
    keep = next((k for k, p in enumerate(parts) if not p[:1].isupper()), len(parts))
    if has_list(lang):
        keep = len(name_part("-".join(parts[:keep]), lang).split("-"))
    cut = text.find("-" + parts[keep], t.start) if 0 < keep < len(parts) else -1
    if cut < 0 or cut > t.end:
        return t
    return Tok(t.start, cut, "-".join(parts[:keep]), normalise("-".join(parts[:keep])))


def _ar_name(toks: list[Tok], j: int, text: str, recur: set[str], place_at: dict[int, str],
             strict: bool = False) -> list[int]:
    """One or two tokens from j that can be a transliterated name: not a function word, title or ال-noun.

    ``strict`` (after a speech verb, where descriptions like "أحد أعضاء" stand as often as
    names): a one-word name must recur in the article, as the names of people quoted do.
    """
    def ok(k: int, first: bool) -> bool:
        gap = text[toks[k - 1].end : toks[k].start] if k < len(toks) else ""
        if k >= len(toks) or gap.strip() or k in place_at or (not first and not gap):
            return False   # the second word of a name stands apart: "Rutteروتي" is one word cut in two
        w = toks[k].norm
        if len(w) < 2 or not w.isalpha() or w in STOP_AR or w in TITLES_AR or w in SPEECH_AR or w in ORG_WORDS \
                or al_word(w):
            return False
        if w[0] == ("ل" if first else "و"):   # "لتحالف": "of the alliance"; "X وروتي": a second person
            return False
        if w[0] == "و" and (w[1:] in STOP_AR or w[1:] in TITLES_AR or al_word(w[1:])):
            return False
        return w[0] not in "بفكل" or w in recur   # a clitic-looking start is trusted only on a recurring word

    if j < 1 or not ok(j, True):
        return []
    return [j, j + 1] if ok(j + 1, False) else [j] if not strict or toks[j].norm in recur else []


def _arabic_cues(sid: int, text: str, toks: list[Tok], lang: str, recur: set[str],
                 place_at: dict[int, str]) -> list[Mention]:
    out: list[Mention] = []
    for i, t in enumerate(toks):
        w = t.norm
        bare = w[1:] if w[:1] in "وف" and len(w) > 3 else w
        names: list[int] = []
        if w in SPEECH_AR or bare in SPEECH_AR:
            names = _ar_name(toks, i + 1, text, recur, place_at, strict=True)
        elif w in TITLES_AR or bare in TITLES_AR:
            j = i + 1
            while j < len(toks) and j - i <= 3 and (al_word(toks[j].norm) or toks[j].norm in TITLES_AR):
                j += 1
            names = _ar_name(toks, j, text, recur, place_at)
        elif bare in AR_HEADS or w in AR_HEADS or (w[:1] in "وبل" and w[1:] in AR_HEADS):
            j = i + 1
            while j < len(toks) and j - i <= 2 and (al_word(toks[j].norm) or j in place_at) \
                    and not text[toks[j - 1].end : toks[j].start].strip():
                j += 1
            if j > i + 1:  # "مضيق تايوان", "المحيط الهادئ الهندي"; the clitic of "والمحيط" left out
                start = t.start + (len(w) - len(bare) if len(w) == t.end - t.start else 0)
                out.append(_mention(sid, text, toks[i:j], lang, "LOC", "cue", start=start))
        elif w == "في" and i + 3 < len(toks) and toks[i + 2].norm == "في" and i + 3 in place_at \
                and _ar_name(toks, i + 1, text, recur, place_at)[:1] == [i + 1]:  # "في ويسبادن في ألمانيا"
            out.append(_mention(sid, text, [toks[i + 1]], lang, "LOC", "cue"))
        if names:
            out.append(_mention(sid, text, [toks[k] for k in names], lang, "PER", "cue"))
    return out


def _non_overlapping(cands: list[Mention]) -> list[Mention]:
    """Longest span wins; on a tie, the cue that knows most (place code, Arabic cue, capitals)."""
    rank = {"place": 0, "cue": 1, "acronym": 2, "caps": 3, "projection": 4}
    kept: list[Mention] = []
    for m in sorted(cands, key=lambda m: (-(m.end - m.start), rank.get(m.how, 9), m.start)):
        if m.key and all(m.end <= k.start or k.end <= m.start for k in kept):
            kept.append(m)
    return sorted(kept, key=lambda m: m.start)
