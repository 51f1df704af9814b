"""Places across languages: CLDR countries, territories, regions and cities, with their spans.

CLDR (through ``babel``) names every country and territory in every locale:
الصين, Kina, 中国 and China are all ``CN``. That makes country mentions a
language-independent anchor: two sentences naming {CN, RU, KP} likely report the
same fact whatever their languages. Matching tolerates the affixes that glue
onto names: Arabic clitics (و ب ل ك ف + ال: "وروسيا", "لأوكرانيا") and the
Scandinavian/German genitive -s ("Kinas", "Russlands"). CLDR's month, weekday and
language names are here too: words capitalised like names that are not entities.
"""
from __future__ import annotations

import re
from functools import lru_cache

from crosswire.entities.cues import PREFIXES, affixed
from crosswire.entities.words import MARKS, normalise

_WORD = re.compile(f"[\\w{MARKS}]+", re.UNICODE)
# Longest first, so "وال" is tried before "و".
_ARABIC_PREFIXES = ("وبال", "وال", "بال", "لل", "فال", "كال", "و", "ب", "ل", "ك", "ف")
_UNSPACED = {"zh", "ja", "th", "lo", "km", "my"}
_MIN_SUBSTRING = 2


def _variants(word: str, language: str) -> list[str]:
    out = [word]
    if language in _ARABIC_SCRIPT:
        for _ in range(2):  # two clitics may stack: "ولأوكرانيا" = و + ل + أوكرانيا
            out += [w[len(p):] for w in out for p in _ARABIC_PREFIXES if w.startswith(p) and len(w) - len(p) >= 3]
        out = list(dict.fromkeys(out))
        out += ["ال" + v for v in list(out) if not v.startswith("ال")]
        return out
    if len(word) > 3 and word.endswith("s"):
        out.append(word[:-1])
    # An inflected place ("Греции", "Μεξικού", "미국은", "בוושינגטון"): its stem with each dictionary ending.
    for _, _, stem in affixed(word, language):
        out += [stem + e for e in _DICT_ENDINGS.get(language, ("",))]
    return list(dict.fromkeys(out))


# Endings that put an inflected place back in the dictionary form CLDR knows ("Греци|и" -> "Греция").
_SLAVIC_DICT = ("", "а", "я", "ия", "ь", "й", "о")
_DICT_ENDINGS = {"ru": _SLAVIC_DICT, "uk": _SLAVIC_DICT + ("і",), "be": _SLAVIC_DICT,
                 "el": tuple(e.casefold() for e in ("", "α", "η", "ο", "ό", "ς", "ά", "ή", "ία", "ας", "ης", "ος"))}


def places(text: str, language: str | None) -> set[str]:
    """ISO 3166 codes of the countries and territories a text names.

    A city named like its country ("Mexico City", "Kuwait") counts as the city
    when its name is the longer match, as the country otherwise.
    """
    return {code for _, _, code in place_spans(text, language) if len(code) == 2 and code.isalpha()}


# --- Places with their spans: territories, regions and cities -------------------------------
#
# Entity mentions need offsets, not just codes, and cities as well as countries.
# CLDR's time-zone exemplar cities (Tokyo, Moskva, موسكو, 東京) are the only
# multilingual city list that ships offline; zones whose "city" is a research
# station, a county or a common word are left out (Antarctica/Casey, Indiana/Knox,
# Pacific/Easter, Atlantic/Stanley would turn surnames and holidays into places).
_SKIP_ZONES = ("Antarctica/", "America/Indiana/", "America/Kentucky/", "America/North_Dakota/",
               "Pacific/Easter", "Pacific/Wake", "Pacific/Truk", "Pacific/Midway", "Atlantic/Stanley",
               "America/Regina", "America/Nome", "America/Boise", "Arctic/", "Etc/")
_SPAN_WORD = re.compile(f"[\\w{MARKS}\u0640\u200b-\u200f\u2066-\u2069\ufeff]+")
_ARABIC_SCRIPT = ("ar", "fa", "ur", "ps")


@lru_cache(maxsize=64)
def _place_table(language: str) -> tuple[dict[tuple[str, ...], str], int]:
    """Word tuple -> code for territories (ISO), regions (UN M.49, e.g. 150) and cities ("tz:Asia/Tokyo")."""
    from babel import Locale
    from babel.core import get_global

    table: dict[tuple[str, ...], str] = {}

    def add(name: str, code: str) -> None:
        words = tuple(_WORD.findall(normalise(name)))
        if words and len("".join(words)) >= 2:
            table.setdefault(words, code)

    zones = [z for z in get_global("zone_territories") if "/" in z and not z.startswith(_SKIP_ZONES)]
    for locale in dict.fromkeys([language.split("-")[0], "en"]):
        try:
            loc = Locale.parse(locale)
        except Exception:  # no CLDR locale: English names still apply
            continue
        for code, name in loc.territories.items():
            if code.isdigit() and code != "001" or (code.isalpha() and len(code) == 2 and code not in _NOT_PLACES):
                add(name, code)
        localized = loc.time_zones
        for zone in zones:
            add(localized.get(zone, {}).get("city") or zone.rsplit("/", 1)[1].replace("_", " "), "tz:" + zone)
        for code, names in _SHORT_NAMES.get(locale, {}).items():
            for name in names:
                if not name.isupper():
                    add(name, code)
    return table, max((len(k) for k in table), default=1)


_NOT_PLACES = ("ZZ", "EU", "EZ", "UN", "QO")

# The short names news uses where CLDR's main name is the long one ("United States", "Соединенные
# Штаты"); CLDR has some as alt="short" forms, which babel does not carry. All-capital ones are
# acronyms, matched only in capitals ("US", not the pronoun "us"), dots left out ("U.S.", "EE. UU.").
_SHORT_NAMES: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {"US": ("US", "USA", "America", "United States of America"), "GB": ("UK", "Britain", "Great Britain"),
           "AE": ("UAE",), "CD": ("DR Congo", "DRC")},
    "de": {"US": ("USA", "Amerika"), "GB": ("Großbritannien", "Britannien"), "AE": ("VAE",)},
    "fr": {"US": ("USA", "Amérique"), "GB": ("Grande-Bretagne",), "AE": ("EAU",)},
    "es": {"US": ("EEUU", "EUA"), "GB": ("Gran Bretaña",), "AE": ("EAU",)},
    "it": {"US": ("USA", "America"), "GB": ("Gran Bretagna",)},
    "pt": {"US": ("EUA",), "GB": ("Grã-Bretanha",)},
    "nl": {"US": ("VS",), "GB": ("Groot-Brittannië",)},
    "nb": {"US": ("USA",), "GB": ("Storbritannia",)}, "da": {"US": ("USA",)}, "sv": {"US": ("USA",)},
    "ru": {"US": ("США", "Америка"), "GB": ("Британия",)},
    "uk": {"US": ("США", "Америка"), "GB": ("Британія",)},
    "el": {"US": ("ΗΠΑ", "Αμερική"), "GB": ("Βρετανία",)},
    "tr": {"US": ("ABD", "Amerika"), "GB": ("İngiltere", "Britanya")},
    "ar": {"US": ("أمريكا", "أميركا"), "GB": ("بريطانيا",)},
    "fa": {"US": ("آمریکا",), "GB": ("بریتانیا", "انگلیس")},
    "he": {"US": ("ארה״ב", "ארה\"ב", "ארה“ב", "אמריקה"), "GB": ("בריטניה",)},
    "hi": {"US": ("अमेरिका",), "GB": ("ब्रिटेन",)},
}


@lru_cache(maxsize=64)
def _acronyms(language: str) -> dict[str, str]:
    """Acronym -> code, matched in capitals only: "US", "USA", "США", "ΗΠΑ"."""
    out = {}
    for lang in dict.fromkeys([language, "en"]):
        for code, names in _SHORT_NAMES.get(lang, {}).items():
            out.update({n: code for n in names if n.isupper()})
    return out


def place_spans(text: str, language: str | None) -> list[tuple[int, int, str]]:
    """(start, end, code) of each place named in ``text``, longest match first, clitics left outside the span.

    Codes are ISO 3166 for territories, UN M.49 digits for regions ("150" Europe)
    and "tz:Area/City" for cities. In unspaced scripts (Chinese, Japanese) names
    are found as substrings, since there are no word boundaries to respect.
    """
    language = (language or "en").split("-")[0]
    table, longest = _place_table(language)
    arabic = language in _ARABIC_SCRIPT
    if language in _UNSPACED:
        return _unspaced_spans(text, table)
    tokens = [(m.start(), m.end(), normalise(m.group())) for m in _SPAN_WORD.finditer(text)]
    tokens = [t for t in tokens if t[2]]
    out: list[tuple[int, int, str]] = []
    acronyms = _acronyms(language)
    i = 0
    while i < len(tokens):
        hit = None
        for n in (2, 1) if acronyms else ():  # "US", "U.S.", "EE.UU.": as written, in capitals
            if i + n <= len(tokens) and all(text[tokens[k][1] : tokens[k + 1][0]] in (".", ". ")
                                            for k in range(i, i + n - 1)):
                written = "".join(text[a:b] for a, b, _ in tokens[i : i + n])
                if written in acronyms:
                    hit = (n, tokens[i][2], acronyms[written])
                    break
        for n in range(min(longest, len(tokens) - i), 0, -1) if hit is None else ():
            middle = tuple(t[2] for t in tokens[i + 1 : i + n - 1])
            for head in _variants(tokens[i][2], language):
                for tail in (_variants(tokens[i + n - 1][2], language) if n > 1 else [head]):
                    key = (head, *middle, tail) if n > 1 else (head,)
                    if key in table:
                        hit = (n, head, table[key])
                        break
                if hit:
                    break
            if hit:
                break
        if hit is None:
            i += 1
            continue
        n, head, code = hit
        start, end, norm = tokens[i][0], tokens[i + n - 1][1], tokens[i][2]
        # A stripped clitic ("و" of "وروسيا") stays outside the span when the
        # normalised token has the original's length, i.e. offsets still line up.
        if (arabic or language in PREFIXES) and norm.endswith(head) and len(norm) == tokens[i][1] - tokens[i][0]:
            start += len(norm) - len(head)
        out.append((start, end, code))
        i += n
    return out


def _katakana(ch: str) -> bool:
    return "\u30a0" <= ch <= "\u30ff"


def _unspaced_spans(text: str, table: dict[tuple[str, ...], str]) -> list[tuple[int, int, str]]:
    norm = normalise(text)
    if len(norm) != len(text):  # offsets would not line up; cheap to skip, rare in CJK text
        return []
    found: list[tuple[int, int, str]] = []
    taken = [False] * len(norm)
    for words, code in sorted(table.items(), key=lambda kv: -len("".join(kv[0]))):
        name = "".join(words)
        if len(name) < _MIN_SUBSTRING or name.isascii():
            continue
        start = norm.find(name)
        while start >= 0:
            end = start + len(name)
            # A katakana name inside a longer katakana word is not it: タイ in タイムズ (Times).
            inside = any(0 <= k < len(norm) and _katakana(norm[k]) and _katakana(norm[j])
                         for k, j in ((start - 1, start), (end, end - 1)))
            if not inside and not any(taken[start:end]):
                found.append((start, start + len(name), code))
                taken[start : start + len(name)] = [True] * len(name)
            start = norm.find(name, start + 1)
    return sorted(found)


@lru_cache(maxsize=4096)
def place_name(code: str, language: str = "en") -> str:
    """Display name of a place code from ``place_spans`` in ``language`` (CLDR), English where
    CLDR has no such locale or name."""
    from babel import Locale, UnknownLocaleError
    from babel.dates import get_timezone_location

    try:
        locale = Locale.parse(language or "en")
    except (ValueError, TypeError, UnknownLocaleError):
        locale = Locale.parse("en")
    if code.startswith("tz:"):
        try:  # the city's name ("Asia/Tokyo" -> "Tokyo", "طوكيو", "東京")
            return get_timezone_location(code[3:], locale=locale, return_city=True)
        except (LookupError, ValueError):
            return code.rsplit("/", 1)[1].replace("_", " ")
    return locale.territories.get(code) or Locale.parse("en").territories.get(code, code)


def _locales(language: str | None) -> list:
    """CLDR locales of a language and English (whose names news in any language borrows)."""
    from babel import Locale

    out = []
    for code in dict.fromkeys([(language or "en").split("-")[0], "en"]):
        try:
            out.append(Locale.parse(code))
        except Exception:  # babel has no locale for this code: English still applies
            continue
    return out


@lru_cache(maxsize=64)
def calendar_words(language: str | None) -> frozenset[str]:
    """Month and weekday names (casefolded): capitalised in English, rarely entities."""
    return frozenset(normalise(v) for loc in _locales(language) for table in (loc.months, loc.days)
                     for context in table.values() for width in ("wide", "abbreviated")
                     for v in context.get(width, {}).values())


@lru_cache(maxsize=64)
def language_names(language: str | None) -> frozenset[str]:
    """CLDR language names in the locale and in English ("japansk", "Japanese"), casefolded.

    In cased scripts a capitalised language name or demonym ("Japanese Prime
    Minister ...") is an adjective at the edge of a name, not part of it.
    """
    return frozenset(normalise(n) for loc in _locales(language) for code, n in loc.languages.items()
                     if len(code) <= 3 and " " not in n)

