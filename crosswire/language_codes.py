"""Language codes compared as a reader would: 'nb', 'no', 'nb-NO', 'NB' and 'nob' are one language.

Detectors, feeds and readers write codes differently (ISO 639-1 or -3, with or
without a region, macro-language or member); the report's summary, the story
headline and the language filters all compare codes through ``language_key``.
"""
from __future__ import annotations

import locale
import os
import re
from functools import lru_cache

from babel import Locale, UnknownLocaleError

# Macro-languages and their members share a reader: a Bokmål reader reads "no" and "nb".
_SAME_READER = {"no": "nb", "zh-cn": "zh", "zh-tw": "zh", "zh-hans": "zh", "zh-hant": "zh",
                "arb": "ar", "pes": "fa", "fil": "tl", "iw": "he", "in": "id"}


# BCP 47's common shape: language, then optional script, region and variants (zh-Hant-TW, ca-ES-valencia).
_TAG = re.compile(r"(?P<lang>[a-z]{2,3})(?:-(?P<script>[a-z]{4}))?(?:-(?P<region>[a-z]{2}|[0-9]{3}))?"
                  r"(?P<variants>(?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*)", re.I)


class NotALanguageCode(ValueError):
    """A code no language, script or region of CLDR (or ISO 639-3) has."""


def parse_language_code(code: str) -> str:
    """A language code checked and tidied ('zh_cn' -> 'zh-CN', 'NB' -> 'nb'), else ``NotALanguageCode``."""
    given = code
    code = code.strip().replace("_", "-")
    found = _TAG.fullmatch(code)
    names = Locale("en")
    if found is None or not _known_language(found["lang"].lower()):
        raise NotALanguageCode(f"{given!r} is not a language code (like ar, nb or zh-CN)")
    script, region = found["script"], found["region"]
    if script and script.title() not in names.scripts:
        raise NotALanguageCode(f"{given!r}: {script!r} is not a script code (like Latn, Cyrl or Hans)")
    if region and region.upper() not in names.territories:
        raise NotALanguageCode(f"{given!r}: {region!r} is not a region code (like NO, CN or 419)")
    return "-".join(filter(None, (found["lang"].lower(), script and script.title(), region and region.upper(),
                                  found["variants"].lower().lstrip("-"))))


@lru_cache(maxsize=1024)
def _known_language(base: str) -> bool:
    if base in Locale("en").languages or base in _SAME_READER:
        return True
    try:  # ISO 639-3 codes CLDR maps to its own ("deu" -> de)
        Locale.parse(base)
    except (ValueError, UnknownLocaleError):
        return False
    return True


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
        found = locale.getlocale()[0]
    except ValueError:
        found = None
    return language_key(found) if found and found not in ("C", "POSIX") else "en"
