"""Language codes compared as a reader would: 'nb', 'no', 'nb-NO', 'NB' and 'nob' are one language.

Detectors, feeds and readers write codes differently (ISO 639-1 or -3, with or
without a region, macro-language or member); the report's summary, the story
headline and the language filters all compare codes through ``language_key``.
"""
from __future__ import annotations

import locale
import os
from functools import lru_cache

from babel import Locale, UnknownLocaleError

# Macro-languages and their members share a reader: a Bokmål reader reads "no" and "nb".
_SAME_READER = {"no": "nb", "zh-cn": "zh", "zh-tw": "zh", "zh-hans": "zh", "zh-hant": "zh",
                "arb": "ar", "pes": "fa", "fil": "tl", "iw": "he", "in": "id"}


@lru_cache(maxsize=4096)
def language_key(code: str | None) -> str:
    """Comparable form of a language code: 'NB', 'no', 'nb-NO' and 'nob' are one reader."""
    if not code:
        return ""
    code = code.strip().lower().replace("_", "-")
    code = _SAME_READER.get(code, code)
    base = code.split("-")[0]
    if len(base) == 3:  # ISO 639-3 ("deu", "arb"): CLDR knows the two-letter code where one exists
        try:
            base = Locale.parse(base).language
        except (ValueError, UnknownLocaleError):
            pass
    return _SAME_READER.get(base, base)


def default_reader_language() -> str:
    """The reader's language from the environment (LC_ALL, LC_MESSAGES, LANG), English if unset or C."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(var, "")
        code = value.split(":")[0].split(".")[0].split("@")[0]
        if code and code not in ("C", "POSIX"):
            return language_key(code)
    try:
        code = locale.getlocale()[0]
    except ValueError:
        code = None
    return language_key(code) if code and code not in ("C", "POSIX") else "en"
