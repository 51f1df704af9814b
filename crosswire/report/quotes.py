"""Who said what: direct speech in an article, with its speaker when the text names one.

A quote is either words between quotation marks of any style (“…”, «…», „…“,
"…", 「…」, ‘…’, ‹…›) or a dash-led line ("– Et sterkere NATO …, sa Ishiba"),
the Scandinavian and French way of setting out speech. The speaker comes from a
speech verb next to the quote — "sa Ishiba", "Rutte said", "وقالت روت إن", "X
sagte" — mapped to the entity mention at that place; a pronoun ("sa han") or a
quote without a verb goes to the last person mentioned in the same or preceding
sentences. Quotes are found per input line, because a quote may span sentences.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import takewhile

from crosswire.article import Article, Sentence
from crosswire.entities.cues import SPEECH_AR, STOP_AR
from crosswire.entities.linking import Entity, link_entities
from crosswire.entities.words import INVISIBLE, normalise, tokens

# Opening mark -> closing marks it pairs with. ‘…’ needs care: ’ is also an apostrophe ("don’t").
_PAIRS = [("“", "”"), ("«", "»"), ("„", "“"), ("„", "”"), ('"', '"'), ("「", "」"), ("『", "』"), ("‹", "›")]
# ”…” and »…« only where they are the custom: elsewhere they would pair one quote's end with the next one's.
_LOCAL_PAIRS = {"sv": [("”", "”"), ("»", "«"), ("»", "»")], "fi": [("”", "”"), ("»", "»")], "da": [("»", "«")],
                "de": [("»", "«")], "hr": [("»", "«")], "cs": [("»", "«")], "hu": [("»", "«")]}


def _quote_re(o: str, c: str) -> re.Pattern[str]:
    if c == "’":  # ’ between letters is an apostrophe, not the closing mark: ‘It’s a good day’
        return re.compile(r"‘((?:[^‘’]|’(?=[^\W\d_]))+?)’(?![^\W\d_])")
    return re.compile(re.escape(o) + r"([^" + re.escape(o + c) + r"]{2,}?)" + re.escape(c))
_DASH_LEAD = re.compile(r"^\s*[–—―-]\s+(?=\S)")
_UNSPACED = ("zh", "ja", "th", "lo", "km", "my")

# Speech verbs (lowercase). After a quote they come before the speaker in most of
# these languages ("sa Ishiba", "said Rutte", "a déclaré Macron"); before it, after.
_VERBS = set("""sa sier uttalte skriver forteller fortalte understreket sade säger sagde siger fortæller udtalte
said says say told added stated declared warned noted asked explained insisted replied wrote
sagte sagt erklärte betonte fügte dit déclaré affirmé ajouté déclare affirme dijo afirmó declaró señaló
aseguró disse afirmou detto dichiarato zei zegt сказал сказала заявил заявила""".split())
_VERBS_UNSPACED = ("说", "表示", "称", "指出", "と述べた", "と語った", "と話した", "は述べた")
# Pronouns a speech verb may take instead of a name: the speaker is then the last person named.
_PRONOUNS = set("han hun he she er sie il elle él ella lui lei hij zij hon они он она هو هي".split())


@dataclass
class Quote:
    article_id: str
    sentence_ids: list[int]
    text: str                   # the quoted words
    speaker: str | None         # the words naming the speaker, as written ("Ishiba", "روت", "han")
    speaker_entity: str | None  # the entity id (from ``link_entities``) the speaker resolves to
    line: int | None = None     # 1-based input line, for reports that point at lines
    attributed: str = field(default="none")  # how: "verb", "pronoun", "nearest", "descriptor" or "none"


@dataclass
class _Line:
    number: int
    text: str                                  # the line's sentences joined by spaces
    sentences: list[tuple[int, Sentence]]      # (offset in text, sentence)


def _lines(article: Article) -> list[_Line]:
    out: list[_Line] = []
    for s in article.sentences:
        if not out or out[-1].number != s.line:
            out.append(_Line(s.line, "", []))
        line = out[-1]
        if line.text:
            line.text += " "
        line.sentences.append((len(line.text), s))
        line.text += s.text
    return out


def find_quotes(article: Article, entities: list[Entity] | None = None) -> list[Quote]:
    """Direct speech in one analysed article; ``entities`` from ``link_entities`` (else linked here alone)."""
    if entities is None:
        entities = link_entities([article]) if article.sentences else []
    lang = (article.language or "en").split("-")[0].lower()
    # Every mention of this article, placed in line coordinates: (line no, start, end, mention, entity).
    lines = _lines(article)
    offset = {s.id: (ln.number, off) for ln in lines for off, s in ln.sentences}
    # Each carries the 40 characters before it, to resolve descriptions ("رئيس الناتو" + name).
    text_of = {ln.number: ln.text for ln in lines}
    placed = []
    for e in entities:
        for m in e.mentions.get(article.id, []):
            if m.sentence_id in offset:
                number, off = offset[m.sentence_id]
                lead = text_of[number][max(0, off + m.start - 40) : off + m.start]
                placed.append((number, off + m.start, off + m.end, m, e, lead))
    placed.sort(key=lambda p: (p[0], p[1]))
    quotes: list[Quote] = []
    for ln in lines:
        verbs: list[tuple[int, int]] | None = None
        for start, end in _quote_spans(ln.text, lang):
            words = INVISIBLE.sub("", ln.text[start:end]).strip(" ,.;:–—-")
            if len(words.split()) < 2 and not (lang in _UNSPACED and len(words) >= 8):
                continue  # one quoted word is a term or a title («dobbeltbruksteknologier»), not speech
            ids = [s.id for off, s in ln.sentences if off < end and start < off + len(s.text)]
            quote = Quote(article.id, ids, words, None, None, ln.number)
            if verbs is None:  # once a line: a line can be a whole article, with hundreds of quotes
                verbs = _speech_verbs(ln.text, lang)
            _attribute(quote, ln, start, end, placed, lang, verbs)
            quotes.append(quote)
    return quotes


def _quote_spans(text: str, lang: str) -> list[tuple[int, int]]:
    """(start, end) of the quoted words: marked quotes, else a dash-led line up to its attribution."""
    pairs = _PAIRS + [("‘", "’")] + _LOCAL_PAIRS.get(lang, [])
    spans = sorted({(m.start(1), m.end(1)) for o, c in pairs for m in _quote_re(o, c).finditer(text)},
                   key=lambda se: (se[0], -se[1]))
    kept: list[tuple[int, int]] = []
    for s, e in spans:  # outermost wins: a quote inside a quote is part of it
        if not any(s < ke and ks < e for ks, ke in kept):
            kept.append((s, e))
    dash = _DASH_LEAD.match(text)
    if dash and not any(s <= dash.end() + 1 for s, _ in kept):
        verb = next((m for m in re.finditer(r"[,.!?]\s+(\w+)\b", text[dash.end():])
                     if m.group(1).lower() in _VERBS or normalise(m.group(1)) in SPEECH_AR), None)
        end = dash.end() + verb.start() + (1 if verb and verb.group()[0] in ".!?" else 0) if verb else len(text)
        kept.append((dash.end(), end))
    return sorted(kept)


def _attribute(quote: Quote, ln: _Line, start: int, end: int, placed: list, lang: str,
               verbs: list[tuple[int, int]]) -> None:
    """Fill speaker and speaker_entity: a speech verb's name, else a pronoun's or the nearest person."""
    here = [p for p in placed if p[0] == ln.number]
    before = [p for p in placed if (p[0], p[1]) < (ln.number, start)]
    for verb_start, verb_end in _verbs_near(verbs, start, end):
        # The name right after the verb ("sa Ishiba", "قال إيشيبا"), else right before it ("Rutte said").
        after = [p for p in here if verb_end <= p[1] <= verb_end + 2 and not (start <= p[1] < end)]
        prior = [p for p in here if verb_start - 2 <= p[2] <= verb_start and not (start <= p[1] < end)]
        if after or prior:
            hit = (after or prior)[0]
            nxt = [p for p in here
                   if hit[2] < p[1] <= hit[2] + 3 and ln.text[hit[2] : p[1]].strip() in ("و", "og", "and")]
            speaker_end = nxt[0][2] if nxt and hit[4].kind == "PER" else hit[2]  # "إيشيبا وروتي"
            _set(quote, ln.text[hit[1]:speaker_end], hit[4], "verb")
            return
        word = tokens(ln.text[verb_end:verb_end + 40])
        if word and word[0].norm in _PRONOUNS:
            person = next((p for p in reversed(before) if p[4].kind == "PER"), None)
            _set(quote, word[0].text, person[4] if person else None, "pronoun")
            return
        if word and lang in ("ar", "fa", "ur"):  # "وقال رئيس الناتو": a description, resolved if used elsewhere
            phrase = list(takewhile(lambda t: t.norm not in STOP_AR, word[:2]))  # up to "إن", "أن" ...
            if phrase:
                text = ln.text[verb_end + phrase[0].start : verb_end + phrase[-1].end]
                _set(quote, text, _descriptor(text, placed), "descriptor")
                return
    # No verb: the nearest person in the quote's sentence or the one before it.
    first_sid = quote.sentence_ids[0] if quote.sentence_ids else -1
    near = [p for p in placed if p[4].kind == "PER" and first_sid - 1 <= p[3].sentence_id <= first_sid
            and not (p[0] == ln.number and start <= p[1] < end)]
    if near:
        best = min(near, key=lambda p: abs(p[1] - start) if p[0] == ln.number else 10_000 - p[1])
        _set(quote, best[3].text, best[4], "nearest")


def _speech_verbs(text: str, lang: str) -> list[tuple[int, int]]:
    """(start, end) of every speech verb of a line."""
    found: list[tuple[int, int]] = []
    for t in tokens(text):
        bare = t.norm[1:] if t.norm[:1] in "وف" and len(t.norm) > 3 else t.norm
        if t.text.lower() in _VERBS or t.norm in SPEECH_AR or bare in SPEECH_AR:
            found.append((t.start, t.end))
    if lang in _UNSPACED:
        for verb in _VERBS_UNSPACED:
            found += [(m.start(), m.end()) for m in re.finditer(re.escape(verb), text)]
    return found


def _verbs_near(verbs: list[tuple[int, int]], start: int, end: int) -> list[tuple[int, int]]:
    """The line's speech verbs outside the quote, in the order to trust them: after it (nearest first),
    then before."""
    after = [v for v in verbs if v[0] >= end]
    before = [v for v in verbs if v[0] < start]
    return sorted(after) + sorted(before, reverse=True)


def _descriptor(text: str, placed: list) -> Entity | None:
    """The person a description names where it stands right before a name ("رئيس الناتو مارك روتي")."""
    norm = normalise(text)
    for p in placed:
        if p[4].kind == "PER" and normalise(p[5]).rstrip().endswith(norm):
            return p[4]
    return None


def _set(quote: Quote, speaker: str, entity: Entity | None, how: str) -> None:
    quote.speaker = INVISIBLE.sub("", speaker).strip() or None
    quote.speaker_entity = entity.id if entity else None
    quote.attributed = how


def link_quotes(quotes_a: list[Quote], quotes_b: list[Quote],
                sentence_links: list[tuple[int, int]]) -> list[tuple[Quote, Quote]]:
    """Pairs of quotes, one per article, whose sentences are aligned (``sentence_links``: (sent_a, sent_b)).

    Two quotes given to different known speakers are not paired, however aligned.
    """
    links = set(sentence_links)
    pairs = []
    for qa in quotes_a:
        for qb in quotes_b:
            if qa.speaker_entity and qb.speaker_entity and qa.speaker_entity != qb.speaker_entity:
                continue
            if any((a, b) in links for a in qa.sentence_ids for b in qb.sentence_ids):
                pairs.append((qa, qb))
    return pairs
