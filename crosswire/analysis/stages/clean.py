"""Clean: split the text into lines and flag page furniture without deleting it.

Furniture is text that belongs to the page, not to the story: sub-headings,
"read also" links, bylines, share prompts. It is kept (with its line number) so
a reader can still see it, but it is listed apart and never aligned as a fact.
"""
from __future__ import annotations

import re
import unicodedata

from crosswire.article import Article, Line

# "Read also" in the languages news is most often published in. Matched at the
# start of a line, so the words may stand alone or be followed by a headline.
READ_ALSO = [
    "read also", "read more", "also read", "see also", "related", "related articles", "more on this",
    "les også", "les mer", "les flere", "se også", "læs også", "læs mere", "läs också", "läs mer",
    "lue myös", "lesen sie auch", "lesen sie mehr", "mehr zum thema", "auch interessant",
    "lire aussi", "à lire aussi", "a lire aussi", "voir aussi", "lisez aussi", "lee también",
    "leer más", "lea también", "ver también", "leia também", "leia mais", "veja também",
    "leggi anche", "vedi anche", "lees ook", "lees meer", "czytaj też", "czytaj także",
    "czytaj więcej", "čtěte také", "citiți și", "читайте также", "читать также", "читайте також",
    "прочетете още", "διαβάστε επίσης", "ayrıca okuyun", "ayrıca bakınız", "baca juga",
    "đọc thêm", "xem thêm", "اقرأ أيضا", "اقرأ أيضاً", "اقرأ ايضا", "اقرأ أيضًا", "إقرأ أيضا",
    "اقرأ المزيد", "بیشتر بخوانید", "همچنین بخوانید", "यह भी पढ़ें", "ये भी पढ़ें",
    "另请阅读", "延伸阅读", "相关阅读", "相关新闻", "延伸閱讀", "相關新聞", "あわせて読みたい",
    "関連記事", "関連ニュース", "관련 기사", "관련기사", "함께 읽기", "קרא גם", "קראו גם",
]
SHARE = [
    "share this article", "share this", "share on facebook", "share on twitter", "share on x",
    "click to share", "share", "del artikkelen", "del på facebook", "del saken", "dela artikeln",
    "artikel teilen", "teilen", "partager", "partager cet article", "compartir", "condividi",
    "compartilhar", "delen", "udostępnij", "поделиться", "شارك", "شارك المقال", "分享", "シェア",
    "공유하기", "follow us", "subscribe", "sign up for our newsletter", "abonner", "abonnieren",
    "s'abonner", "advertisement", "annonse", "anzeige", "publicité", "إعلان", "广告",
]
BYLINE_LEAD = [
    "by", "written by", "av", "skrevet av", "von", "par", "por", "di", "door", "af", "text:",
    "tekst:", "photo:", "foto:", "bild:", "image:", "credit:", "reporting by", "editing by",
    "بقلم", "كتب", "تحرير", "文/", "记者", "記者", "기자",
]

_norm_space = re.compile(r"\s+")
_SENTENCE_END = tuple(".!?。！？…:;\"”“’‘»«›‹」』)]'\u061f\u06d4\u0964\u1362\u1361\u3002")


def _key(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold().strip()
    # Tatweel and bidi marks are invisible but defeat prefix matching.
    text = re.sub(r"[\u0640\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]", "", text)
    return _norm_space.sub(" ", text)


def _starts_with_phrase(key: str, phrases: list[str]) -> bool:
    for phrase in phrases:
        if key == phrase or key.startswith(phrase + ":") or key.startswith(phrase + " ") \
                or key.startswith(phrase + "»") or key.startswith(phrase + " -") or key.startswith(phrase + "–"):
            return True
    return False


def _phrase_then_colon(key: str, phrases: list[str]) -> bool:
    return any(re.match(re.escape(p) + r"\s*[:：\-–—»]", key) for p in phrases)


def _words(text: str) -> int:
    # Scripts written without spaces count roughly two characters a word.
    spaced = len(text.split())
    dense = sum(1 for ch in text if unicodedata.east_asian_width(ch) in "WF")
    return max(spaced, dense // 2)


def furniture_kind(text: str, *, prev: str | None, next_: str | None, first: bool) -> str | None:
    """Why a line is page furniture, or None if it is story text."""
    key = _key(text)
    if not key:
        return None
    words = _words(text)
    if _starts_with_phrase(key, READ_ALSO) and words <= 25 and (
            _phrase_then_colon(key, READ_ALSO) or not key.endswith(_SENTENCE_END)):
        # A link is a headline (no full stop) or a label with a colon; "Related
        # talks will follow." is a sentence.
        return "read-also"
    if words <= 6 and key.rstrip(" :.!") in SHARE:
        return "share"
    if words <= 8 and not key.endswith(_SENTENCE_END) and _starts_with_phrase(key, BYLINE_LEAD):
        return "byline"
    # A sub-heading: a short line without closing punctuation that sits between
    # paragraphs, introducing a longer one. The first line is the headline and
    # the line after an unpunctuated line is a standfirst, not a sub-heading.
    if (
        not first
        and words <= 10
        and not key.endswith(_SENTENCE_END)
        and prev is not None and _key(prev).endswith(_SENTENCE_END)
        and next_ is not None and _words(next_) >= max(12, 2 * words)
    ):
        return "subheading"
    return None


class Clean:
    name = "clean"
    requires = ("text",)
    assigns = ("lines",)

    def __call__(self, article: Article) -> Article:
        raw = article.text.split("\n")
        numbered = [(i + 1, t.strip()) for i, t in enumerate(raw)]
        content = [(n, t) for n, t in numbered if t]
        verdicts: dict[int, str | None] = {}
        for k, (n, t) in enumerate(content):
            prev = content[k - 1][1] if k > 0 else None
            nxt = content[k + 1][1] if k + 1 < len(content) else None
            verdicts[n] = furniture_kind(t, prev=prev, next_=nxt, first=(k == 0))
        article.lines = [Line(n, t, verdicts.get(n)) for n, t in numbered]
        return article
