"""Who and where: mentions of people, organisations and places, linked across articles and scripts.

No offline multilingual NER model exists, so mentions come from cues that hold in
many languages: CLDR places in the article's locale (``gazetteer.place_spans``,
with a language-free code such as "JP"); in cased scripts, runs of capitalised
words not at a sentence start (or at one when the word recurs capitalised
elsewhere) and acronyms; in Arabic, which has no capitals, the word after a speech
verb ("قال إيشيبا") or a title ("وزير الدفاع الياباني جنرال ناكاتاني"), geographic
heads ("مضيق تايوان") and "في X في <country>". ``link_entities`` then projects the
names of each article into the others' romanised words, clitics cut (the Norwegian
"Rutte" finds "وروتي"), and clusters mentions: same place code, similar romanised
key (``gazetteer.same_name``), a surname joining the one full name it ends; two
clusters whose full names disagree never merge.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from .gazetteer import (AR_HEADS, ARABIC_CLITICS, CONNECTORS, DETERMINERS_DE, GENITIVE_S, INVISIBLE, LOC_SUFFIXES,
                        OPENERS, ORG_SUFFIXES, ORG_WORDS, SPEECH_AR, STOP_AR, TITLES, TITLES_AR, Tok, acronym, affixed,
                        al_word, calendar_words, capitalised, cased, feature_of, language_names, name_key, normalise, phonetic,
                        place_name, place_spans, romanise, same_name, same_stem, skeleton, strip_genitive, tokens,
                        word_keys)
from .model import Article, Sentence

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


@dataclass
class Entity:
    id: str
    kind: str
    name: str                   # display name
    mentions: dict[str, list[Mention]] = field(default_factory=dict)   # article id -> mentions


def _lang(article: Article) -> str:
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
        return "PER", None
    return "MISC", None


def _mention(sid: int, text: str, toks: list[Tok], lang: str, kind: str | None = None,
             how: str = "caps", start: int | None = None) -> Mention:
    start = toks[0].start if start is None else start
    surface = text[start : toks[-1].end]
    guessed, code = _guess_kind(toks, lang)
    kind = guessed if code else kind or guessed
    return Mention(sid, start, toks[-1].end, surface, kind, name_key(surface, lang), code, how)


# --- Finding mentions in one article --------------------------------------------------------

def find_mentions(article: Article) -> list[Mention]:
    """Mentions in one analysed article (its sentences and language), in text order."""
    lang = _lang(article)
    mid, lower, recur = _article_words(article, lang)
    cal, langs = calendar_words(lang), language_names(lang)
    out: list[Mention] = []
    for s in article.sentences:
        toks = tokens(s.text)
        places = place_spans(s.text, lang)
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
    toks = [_cut_lowercase_tail(text, t) for t in toks]
    cal, langs = skip
    # German nouns are all capitalised; one right after a determiner, maybe past adjectives, is common.
    name_like = [capitalised(t.text) and not (lang in ("de", "lb") and any(
        toks[k].norm in DETERMINERS_DE and not re.search(r"[^\w\s]", text[toks[k].end : t.start])
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
            # Words mostly written in lower case open no name ("The Assembly Commission"); nor do connectors.
            while part and (toks[part[0]].norm in CONNECTORS or not acronym(toks[part[0]].text) and
                            seen[1][toks[part[0]].text.lower()] >= max(1, seen[0][toks[part[0]].text.casefold()])):
                part = part[1:]
            while part and toks[part[-1]].norm in CONNECTORS:
                part = part[:-1]
            if part and (len(part) > 1 or sum(c.isalpha() for c in toks[part[0]].text) >= 2  # not "W", "U",
                         and toks[part[0]].norm not in cal):                               # nor "In June"
                out.append(_mention(sid, text, [toks[x] for x in part], lang,
                                    how="acronym" if acronym(toks[part[0]].text.rstrip("s")) else "caps"))
            part = []
    return out


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


def _cut_lowercase_tail(text: str, t: Tok) -> Tok:
    """"NATO-initiativ" -> "NATO": a compound's lowercase tail is not part of the name."""
    parts = t.text.split("-")
    keep = next((k for k, p in enumerate(parts) if not p[:1].isupper()), len(parts))
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


# --- Across articles: projection and clustering ---------------------------------------------

_Ref = tuple[str, int]  # (article id, index in that article's mention list)


def link_entities(articles: list[Article]) -> list[Entity]:
    """Entities of a story: mentions found in each article, names projected across, clustered."""
    found = {a.id: find_mentions(a) for a in articles}
    links = [link for t in articles for s in articles if s.id != t.id  # each article's names into every other
             for link in _project(s, found[s.id], t, found[t.id])]
    items = [(aid, m) for aid, ms in found.items() for m in ms]
    at = {(aid, k): n for n, (aid, k) in enumerate((aid, k) for aid, ms in found.items() for k in range(len(ms)))}
    words = [m.key.split() for _, m in items]
    clusters = _Clusters([m for _, m in items])
    for a, b in links:  # strongest evidence first: a projected name found exactly here
        clusters.union(at[a], at[b])
    first: dict[str, int] = {}
    for n, (_, m) in enumerate(items):  # one place code, or one exact key, is one thing
        clusters.union(first.setdefault(m.code or m.key, n), n)
    keys = [(k, n) for k, n in first.items() if not items[n][1].code]  # then similar keys, compared once each
    for x, (kx, nx) in enumerate(keys):
        for ky, ny in keys[x + 1 :]:
            wx, wy = kx.split(), ky.split()
            if len(wx) == len(wy) and all(same_name(p, q) for p, q in zip(wx, wy)) or (
                    same_stem(kx, ky) and "PER" not in (items[nx][1].kind, items[ny][1].kind)):
                clusters.union(nx, ny)
    _attach_surnames(items, words, clusters)
    return _entities(items, clusters, [a.id for a in articles])


def _project(source: Article, src: list[Mention], target: Article, tgt: list[Mention]) -> list[tuple[_Ref, _Ref]]:
    """Look for the source's names among the target's romanised words; add the mentions found, return links.

    Places with a code are left to the gazetteer, which knows each language's name.
    """
    lang = _lang(target)
    names: dict[tuple[tuple[str, ...], ...], list[int]] = {}
    for k, m in enumerate(src):
        if m.how != "projection" and not m.code and m.key:
            alts = [tuple(word_keys(t.text, _lang(source))) for t in tokens(m.text)]
            # The surname alone too ("Rutte" finds "روتي"); never a name of one consonant ("The" -> "التي").
            for name in [alts] + ([alts[-1:]] if m.kind in ("PER", "MISC") and len(alts) >= 2 else []):
                if name and all(name) and len(skeleton("".join(a[0] for a in name))) >= 2:
                    names.setdefault(tuple(name), []).append(k)
    # Names by the keys of their first word, so each target word is compared with each distinct key once
    # (comparing every name at every word was quadratic and took seconds on a ten-language story).
    by_first: dict[str, list[int]] = {}
    order = list(names.items())
    for x, (want, _) in enumerate(order):
        for w in want[0]:
            by_first.setdefault(w, []).append(x)
    firsts = list(by_first)
    starting: dict[str, list[int]] = {}

    def starts_with(key: str) -> list[int]:
        if key not in starting:
            starting[key] = [x for w in firsts if same_name(key, w) for x in by_first[w]]
        return starting[key]

    links: list[tuple[_Ref, _Ref]] = []
    for s in target.sentences:
        toks = _tokens(s.text)
        forms = [_forms(t, lang) for t in toks]
        for i in range(len(toks)):
            for want, sources in (order[x] for x in sorted({x for _, key in forms[i] for x in starts_with(key)})):
                n = len(want)
                if i + n > len(toks):
                    continue
                if any(s.text[toks[i + p - 1].end : toks[i + p].start].strip(" ・·") for p in range(1, n)):
                    continue
                cuts = []
                for p in range(n):  # word by word, stopping at the first that is not the name's
                    cut = [c for c, key in forms[i + p] if any(same_name(key, w) for w in want[p])]
                    if not cut:
                        break
                    cuts.append(cut)
                if len(cuts) < n:
                    continue
                clean = len(toks[i].text) == toks[i].end - toks[i].start  # offsets line up with the norm
                start, end = toks[i].start + (max(cuts[0]) if clean else 0), toks[i + n - 1].end
                hit = next((k for k, m in enumerate(tgt) if m.sentence_id == s.id and m.start < end and start < m.end),
                           None)
                if hit is not None and n >= 2 and tgt[hit].end == end and tgt[hit].start < start \
                        and tgt[hit].how in ("caps", "acronym"):
                    _trim(tgt[hit], s.text, start, lang)  # "Başbakan Theresa May", "МИД Борис Джонсон": the name
                elif hit is not None and tgt[hit].end != end and not start <= tgt[hit].start:
                    continue  # a word inside a longer name ("Marke" in "Gwyneth Paltrows Marke Goop") is not it
                if hit is None:
                    hit = len(tgt)
                    tgt.append(Mention(s.id, start, end, s.text[start:end], src[sources[0]].kind,
                                       name_key(s.text[start:end], lang), None, "projection"))
                links += [((source.id, k), (target.id, hit)) for k in sources]
        if lang == "zh":
            links += _project_han(s, toks, names, source, src, target, tgt)
    return links


@lru_cache(maxsize=4096)
def _tokens(text: str) -> tuple[Tok, ...]:
    return tuple(tokens(text))


def _is_han(c: str) -> bool:
    return "\u3400" <= c <= "\u9fff"


# Characters Chinese uses to spell foreign names (the common part of Xinhua's transliteration table):
# a piece made of others ("公司", company) is an ordinary word, however it sounds.
_TRANSLIT_HAN = frozenset("""阿埃艾爱安昂奥澳巴拜班邦包鲍贝本比彼毕宾波伯博布查达戴丹道德登迪蒂丁东杜多厄恩尔法范菲费芬
丰弗福富盖甘冈高戈格根古瓜哈海汉豪赫黑亨胡华霍基吉加贾杰金卡凯坎康考柯科克肯库夸奎昆拉莱兰朗劳勒雷蕾黎里利莉丽廉林琳隆
卢鲁路伦罗洛马玛迈麦曼芒梅蒙米密敏明莫默姆穆纳娜奈南内尼妮宁纽努诺欧帕潘庞佩彭皮珀普奇齐恰乔切琼丘萨塞赛桑瑟森沙莎尚舍
什史斯松苏索塔泰坦汤唐特提廷图托瓦万旺威韦维温沃乌伍西希锡夏谢辛休许雅亚扬耶伊因英尤于约泽扎詹兹佐黛琪琦丝娅茨策逊翰""")


def _project_han(s: Sentence, toks: tuple[Tok, ...], names: dict[tuple[tuple[str, ...], ...], list[int]], source: Article,
                 src: list[Mention], target: Article, tgt: list[Mention]) -> list[tuple[_Ref, _Ref]]:
    """Chinese writes a foreign name as syllables inside an unspaced run ("特朗普表示"): look for the name's
    sound among the run's 2-6 character pieces, romanised to pinyin ("telangpu" ~ "Trump")."""
    wanted: dict[str, list[tuple[str, list[int]]]] = {}   # by first letter: (the name's joined key, its sources)
    for want, sources in names.items():
        key = "".join(w[0] for w in want)
        if len(skeleton(key)) >= 3:  # short keys ("Kim", "Ri") would match everyday syllables
            wanted.setdefault(key[:1], []).append((key, sources))
    links: list[tuple[_Ref, _Ref]] = []
    for t in toks:
        if len(t.text) < 2 or len(t.text) != t.end - t.start or not all(_is_han(c) for c in t.text):
            continue
        i = 0
        while i < len(t.text) - 1:
            match = None
            for size in range(min(6, len(t.text) - i), 1, -1):  # longest piece first
                if not all(c in _TRANSLIT_HAN for c in t.text[i : i + size]):
                    continue
                key = phonetic(romanise(t.text[i : i + size], "zh"))
                match = next(((size, srcs) for name, srcs in wanted.get(key[:1], [])
                              if skeleton(key) == skeleton(name) and same_name(key, name)), None)
                if match:
                    break
            if not match:
                i += 1
                continue
            size, sources = match
            start, end = t.start + i, t.start + i + size
            i += size
            hit = next((k for k, m in enumerate(tgt) if m.sentence_id == s.id and m.start < end and start < m.end), None)
            if hit is not None and (tgt[hit].start, tgt[hit].end) != (start, end):
                continue
            if hit is None:
                hit = len(tgt)
                tgt.append(Mention(s.id, start, end, s.text[start:end], src[sources[0]].kind,
                                   name_key(s.text[start:end], "zh"), None, "projection"))
            links += [((source.id, k), (target.id, hit)) for k in sources]
    return links


def _trim(m: Mention, text: str, start: int, lang: str) -> None:
    """Cut the words before ``start`` off a capitalised run: another article's full name says where it begins."""
    m.start, m.text = start, text[start : m.end]
    m.key = name_key(m.text, lang)


@lru_cache(maxsize=1 << 16)   # a story's every article is projected into each target: its words repeat
def _forms(t: Tok, lang: str) -> tuple[tuple[int, str], ...]:
    """(chars to cut, key) a target word may stand for. Not names: lowercase words of cased scripts, function
    words, titles, kanji (uroman reads them the Chinese way; Japanese spells foreign names in katakana). Clitics
    are cut but the article ال stays in the span ("الناتو"), as in the gazetteer's."""
    if (cased(t.text) and not capitalised(t.text)) or t.norm in STOP_AR or t.norm in TITLES \
            or t.norm in calendar_words(lang) or t.norm in language_names(lang) or (
            lang == "ja" and all("\u3400" <= c <= "\u9fff" for c in t.text)):
        return ()
    out = [(0, k) for k in word_keys(t.text, lang)[:2]]
    for p in ARABIC_CLITICS:
        if t.norm.startswith(p) and len(t.norm) - len(p) >= 2:
            keep = 2 if p.endswith("ال") else 1 if p == "لل" else 0
            out += [(len(p) - keep, k) for k in word_keys(t.norm[len(p):], lang)[:2]]
    for cut, _, stem in affixed(t.norm, lang):  # "Джонсоном", "트럼프는", "ולטראמפ": the name inside
        out += [(cut, k) for k in word_keys(stem, lang)[:1]]
    return tuple(out)


class _Clusters:
    """Union-find over mentions that refuses merges joining two different things."""

    def __init__(self, mentions: list[Mention]) -> None:
        self.parent = list(range(len(mentions)))
        self.codes = [{m.code} if m.code else set() for m in mentions]
        # Kinds a cue vouches for; a cluster may not hold two of them (a PER is never a place).
        self.kinds = [{m.kind} if m.code or m.how in ("cue", "acronym") or m.kind == "ORG" else set() for m in mentions]
        self.fulls = [[m.key.split()] if m.kind in ("PER", "MISC") and " " in m.key and not m.code else []
                      for m in mentions]

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, i: int, j: int) -> bool:
        a, b = self.find(i), self.find(j)
        if a == b:
            return True
        if (self.codes[a] and self.codes[b] and not self.codes[a] & self.codes[b]) \
                or len(self.kinds[a] | self.kinds[b]) > 1 \
                or any(not (same_name(f[0], g[0]) and same_name(f[-1], g[-1]))
                       for f in self.fulls[a] for g in self.fulls[b]):  # "Mark Rutte" and "Anna Rutte": two people
            return False
        self.parent[b] = a
        self.codes[a], self.kinds[a] = self.codes[a] | self.codes[b], self.kinds[a] | self.kinds[b]
        self.fulls[a] += self.fulls[b]
        return True


def _attach_surnames(items: list[tuple[str, Mention]], words: list[list[str]], clusters: _Clusters) -> None:
    """A one-word mention joins the one full name it ends (same article first, then any); never if two do."""
    for n, (aid, m) in enumerate(items):
        if len(words[n]) != 1 or m.code or m.how == "acronym" or clusters.fulls[clusters.find(n)]:
            continue
        for same_article in (True, False):
            roots = {clusters.find(x) for x, (bid, b) in enumerate(items)
                     if len(words[x]) >= 2 and b.kind in ("PER", "MISC") and not b.code
                     and (bid == aid) == same_article and same_name(words[x][-1], words[n][0])}
            if roots:
                if len(roots) == 1:
                    clusters.union(roots.pop(), n)
                break


def _entities(items: list[tuple[str, Mention]], clusters: _Clusters, order: list[str]) -> list[Entity]:
    groups: dict[int, list[tuple[str, Mention]]] = {}
    for n, item in enumerate(items):
        groups.setdefault(clusters.find(n), []).append(item)
    out = []
    for root, members in groups.items():
        kinds = [m.kind for _, m in members] + ["MISC"]
        kind = next(iter(clusters.kinds[root]), None) or min(kinds, key=("PER", "ORG", "LOC", "MISC").index)
        mentions: dict[str, list[Mention]] = {}
        for aid, m in sorted(members, key=lambda am: (order.index(am[0]), am[1].sentence_id, am[1].start)):
            m.kind = kind
            mentions.setdefault(aid, []).append(m)
        out.append(Entity("", kind, _display(members, next(iter(clusters.codes[root]), None)), mentions))
    out.sort(key=lambda e: next((order.index(a), ms[0].sentence_id, ms[0].start) for a, ms in e.mentions.items()))
    for n, e in enumerate(out, 1):
        e.id = f"E{n}"
    return out


def _display(members: list[tuple[str, Mention]], code: str | None) -> str:
    """The place's English CLDR name, else the fullest Latin-script form, genitive -s cut."""
    if code:
        feature, _, place = code.partition(":")[2].partition(":") if code.startswith("feature:") else ("", "", code)
        return f"{place_name(place)} {feature.title()}".strip()
    texts = [INVISIBLE.sub("", m.text) for _, m in members]
    pool = [t for t in texts if all(ord(c) < 0x250 or not c.isalpha() for c in t)] or texts  # Latin first
    spread = {t: len({aid for aid, m in members if INVISIBLE.sub("", m.text) == t}) for t in pool}
    # Forms two articles share beat one article's ("Byen Palu"); among them the fullest.
    best = max(pool, key=lambda t: (min(spread[t], 2), len(t.split()), spread[t], pool.count(t), -len(t)))
    if " " not in best and best.endswith("s") and any(same_name(phonetic(romanise(best[:-1])), m.key) and not
                                                      same_name(phonetic(romanise(best)), m.key) for _, m in members):
        return best[:-1]  # "Beijings" where the Arabic has بكين
    return strip_genitive(best)
