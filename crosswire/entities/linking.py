"""Entities of a story: each article's mentions linked across articles and scripts.

``link_entities`` projects the names of each article into the others' romanised words,
clitics cut (the Norwegian "Rutte" finds "وروتي"; in Chinese, a name's sound among the
characters of an unspaced run), and clusters mentions: same place code, similar romanised
key (``romanise.same_name``), a surname joining the one full name it ends; two
clusters whose full names disagree never merge. Mentions come from ``mentions.find_mentions``.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from crosswire.article import Article, Sentence
from crosswire.entities.cues import ARABIC_CLITICS, STOP_AR, TITLES, affixed
from crosswire.entities.gazetteer import calendar_words, language_names, place_name
from crosswire.entities.mentions import Mention, article_mentions, base_language
from crosswire.entities.pinyin import han_names
from crosswire.entities.romanise import name_key, phonetic, romanise, same_name, same_stem, skeleton, word_keys
from crosswire.entities.words import INVISIBLE, Tok, capitalised, cased, strip_genitive, tokens
from crosswire.language_codes import language_key


@dataclass
class Entity:
    id: str
    kind: str
    name: str                   # display name
    mentions: dict[str, list[Mention]] = field(default_factory=dict)   # article id -> mentions


_Ref = tuple[str, int]  # (article id, index in that article's mention list)


def link_entities(articles: list[Article]) -> list[Entity]:
    """Entities of a story: mentions found in each article, names projected across, clustered."""
    found = {a.id: article_mentions(a) for a in articles}
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
    lang = base_language(target)
    names: dict[tuple[tuple[str, ...], ...], list[int]] = {}
    for k, m in enumerate(src):
        if m.how != "projection" and not m.code and m.key:
            alts = [tuple(word_keys(t.text, base_language(source))) for t in tokens(m.text)]
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
                cuts, read = [], []
                for p in range(n):  # word by word, stopping at the first that is not the name's
                    matched = [(c, key) for c, key in forms[i + p] if any(same_name(key, w) for w in want[p])]
                    if not matched:
                        break
                    cuts.append([c for c, _ in matched])
                    read.append(matched[0][1])  # the reading that matched (ב as b or v)
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
                                       " ".join(read), None, "projection"))
                links += [((source.id, k), (target.id, hit)) for k in sources]
        if lang == "zh":
            links += _project_han(s, toks, names, source, src, target, tgt)
    return links


@lru_cache(maxsize=4096)
def _tokens(text: str) -> tuple[Tok, ...]:
    return tuple(tokens(text))


def _project_han(s: Sentence, toks: tuple[Tok, ...], names: dict[tuple[tuple[str, ...], ...], list[int]], source: Article,
                 src: list[Mention], target: Article, tgt: list[Mention]) -> list[tuple[_Ref, _Ref]]:
    """Chinese writes a foreign name as syllables inside an unspaced run ("特朗普表示"): the names heard there
    (``pinyin.han_names``) become mentions, or confirm one spanning exactly the same characters."""
    keyed = [("".join(w[0] for w in want), sources) for want, sources in names.items()]
    links: list[tuple[_Ref, _Ref]] = []
    for start, end, sources in han_names(toks, keyed):
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
    readings = 4 if lang == "he" else 0  # a Hebrew word's b/v and v/w readings (``hebrew_spellings``)
    out = [(0, k) for k in word_keys(t.text, lang)[:readings or 2]]
    for p in ARABIC_CLITICS:
        if t.norm.startswith(p) and len(t.norm) - len(p) >= 2:
            keep = 2 if p.endswith("ال") else 1 if p == "لل" else 0
            out += [(len(p) - keep, k) for k in word_keys(t.norm[len(p):], lang)[:2]]
    for cut, _, stem in affixed(t.norm, lang):  # "Джонсоном", "트럼프는", "ולטראמפ": the name inside
        out += [(cut, k) for k in word_keys(stem, lang)[:readings or 1]]
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


def reader_name(entity: Entity, reader: str, languages: dict[str, str | None]) -> str:
    """The entity's name for a reader of ``reader``: a known place's CLDR name in that language
    ("اليابان", "Japon"), else the form an article in the reader's language uses ("مارك روتي" for
    an Arabic reader), else the story-wide name. ``languages``: article id -> its language."""
    code = next((m.code for ms in entity.mentions.values() for m in ms if m.code), None)
    if code and not code.startswith("feature:"):
        return place_name(code, reader)
    key = language_key(reader)
    own = [(aid, m) for aid, ms in entity.mentions.items() if language_key(languages.get(aid)) == key for m in ms]
    if own and not code:
        return _display(list(_members(entity)), None, forms_of=own)
    if own:  # a sea or strait: CLDR has no names for these, the reader's article may
        return max((INVISIBLE.sub("", m.text) for _, m in own), key=len)
    return entity.name


def _members(entity: Entity) -> Iterator[tuple[str, Mention]]:
    return ((aid, m) for aid, ms in entity.mentions.items() for m in ms)


def _display(members: list[tuple[str, Mention]], code: str | None,
             forms_of: list[tuple[str, Mention]] | None = None) -> str:
    """The place's English CLDR name, else the fullest Latin-script form of ``forms_of`` (default:
    all members), genitive -s cut."""
    if code:
        feature, _, place = code.partition(":")[2].partition(":") if code.startswith("feature:") else ("", "", code)
        return f"{place_name(place)} {feature.title()}".strip()
    shown = forms_of if forms_of is not None else members
    texts = [INVISIBLE.sub("", m.text) for _, m in shown]
    pool = [t for t in texts if all(ord(c) < 0x250 or not c.isalpha() for c in t)] or texts  # Latin first
    spread = {t: len({aid for aid, m in shown if INVISIBLE.sub("", m.text) == t}) for t in pool}
    # Forms two articles share beat one article's ("Byen Palu"); among them the fullest.
    best = max(pool, key=lambda t: (min(spread[t], 2), len(t.split()), spread[t], pool.count(t), -len(t)))
    if " " not in best and best.endswith("s") and any(same_name(phonetic(romanise(best[:-1])), m.key) and not
                                                      same_name(phonetic(romanise(best)), m.key) for _, m in members):
        return best[:-1]  # "Beijings" where the Arabic has بكين
    return strip_genitive(best)
