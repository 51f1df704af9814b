"""What a language detector should answer for each NTREX-128 file, in crosswire's codes.

crosswire writes ISO 639-1 where one exists (``ar``, ``nb``, ``zh``), else ISO
639-3 (``ckb``, ``fil`` is written ``tl`` as fastText does). Each NTREX code maps
to that expected code; a few also accept a *macrolanguage* code, because a
detector that answers with the macrolanguage has named the language a reader
reads, not a different one:

- ``no`` (Norwegian) for Bokmål and Nynorsk: CLD3 knows only ``no``;
- ``sh`` (Serbo-Croatian, ISO 639-3 ``hbs``) for Bosnian, Croatian and Serbian:
  heliport knows only ``hbs``;
- ``ku`` (Kurdish) for Sorani and Kurmanji; ``fa`` (Persian) for Dari;
  ``ar`` (Arabic) for Hassaniya; ``zh`` (Chinese) for Cantonese.

A sibling is never right: Indonesian for Malay, Bokmål for Nynorsk, Croatian
for Serbian, German for Swiss German, Amharic for Tigrinya, Arabic for Tachelhit
(Berber written in Arabic script) all count as wrong.
"""
from __future__ import annotations

# NTREX code -> the code crosswire should give (ISO 639-1 where one exists).
EXPECTED = {
    "afr": "af", "amh": "am", "arb": "ar", "aze-Latn": "az", "bak": "ba", "bel": "be", "bem": "bem",
    "ben": "bn", "bod": "bo", "bos": "bs", "bul": "bg", "cat": "ca", "ces": "cs", "ckb-Arab": "ckb",
    "cym": "cy", "dan": "da", "deu": "de", "div": "dv", "dzo": "dz", "ell": "el", "eng": "en",
    "eng-GB": "en", "eng-IN": "en", "eng-US": "en", "est": "et", "eus": "eu", "ewe": "ee", "fao": "fo",
    "fas": "fa", "fij": "fj", "fil": "tl", "fin": "fi", "fra": "fr", "fra-CA": "fr", "fuc": "ff",
    "gle": "ga", "glg": "gl", "guj": "gu", "hau": "ha", "heb": "he",
    "hin": "hi", "hmn": "hmn", "hrv": "hr", "hun": "hu", "hye": "hy", "ibo": "ig", "ind": "id",
    "isl": "is", "ita": "it", "jpn": "ja", "kan": "kn", "kat": "ka", "kaz": "kk", "khm": "km",
    "kin": "rw", "kir": "ky", "kmr": "kmr", "kor": "ko", "lao": "lo", "lav": "lv", "lit": "lt",
    "ltz": "lb", "mal": "ml", "mar": "mr", "mey": "mey", "mkd": "mk", "mlg": "mg", "mlt": "mt",
    "mon": "mn", "mri": "mi", "msa": "ms", "mya": "my", "nde": "nd", "nep": "ne", "nld": "nl",
    "nno": "nn", "nob": "nb", "nso": "nso", "nya": "ny", "orm": "om", "pan": "pa", "pol": "pl",
    "por": "pt", "por-BR": "pt", "prs": "prs", "pus": "ps", "ron": "ro", "rus": "ru", "shi": "shi",
    "sin": "si", "slk": "sk", "slv": "sl", "smo": "sm", "sna-Latn": "sn", "snd-Arab": "sd", "som": "so",
    "spa": "es", "spa-MX": "es", "sqi": "sq", "srp-Cyrl": "sr", "srp-Latn": "sr", "ssw": "ss",
    "swa": "sw", "swe": "sv", "tah": "ty", "tam": "ta", "tat": "tt", "tel": "te", "tgk-Cyrl": "tg",
    "tha": "th", "tir": "ti", "ton": "to", "tsn": "tn", "tuk": "tk", "tur": "tr", "uig": "ug",
    "ukr": "uk", "urd": "ur", "uzb": "uz", "ven": "ve", "vie": "vi", "wol": "wo", "xho": "xh",
    "yor": "yo", "yue": "yue", "zho-CN": "zh", "zho-TW": "zh", "zul": "zu",
}

# Macrolanguage codes also counted right (see the module docstring).
MACRO = {
    "nob": "no", "nno": "no", "bos": "sh", "hrv": "sh", "srp-Cyrl": "sh", "srp-Latn": "sh",
    "ckb-Arab": "ku", "kmr": "ku", "prs": "fa", "mey": "ar", "yue": "zh",
}

# Detector labels written another way than crosswire writes them: ISO 639-3
# individual codes (heliport), old or alternative codes (CLD3, fastText).
_ALIASES = {
    "iw": "he", "in": "id", "ji": "yi", "fil": "tl", "tgl": "tl", "cmn": "zh", "pes": "fa", "gaz": "om",
    "uzn": "uz", "pbt": "ps", "hbs": "sh", "zsm": "ms", "msa": "ms", "arb": "ar", "ara": "ar",
    "azj": "az", "ekk": "et", "lvs": "lv", "plt": "mg", "khk": "mn", "npi": "ne", "swh": "sw",
    "als": "gsw", "kmr": "kmr", "ckb": "ckb",
}


def accepted(ntrex_code: str) -> set[str]:
    """Every code that names this NTREX file's language (its own, and a macrolanguage's)."""
    return {EXPECTED[ntrex_code]} | ({MACRO[ntrex_code]} if ntrex_code in MACRO else set())


def normalise(code: str | None) -> str | None:
    """A detector's label in crosswire's spelling: ISO 639-1 where one exists ('deu' -> 'de')."""
    if not code or code == "und":
        return None
    code = code.lower().replace("_", "-").split("-")[0]
    if code in _ALIASES:
        return _ALIASES[code]
    if len(code) == 3:
        from babel import Locale, UnknownLocaleError

        try:
            return Locale.parse(code).language
        except (ValueError, UnknownLocaleError):
            return code
    return code


def names(root) -> dict[str, str]:
    """English names from NTREX's LANGUAGES.tsv (its columns are split by tabs or runs of spaces)."""
    out = {}
    for line in (root / "LANGUAGES.tsv").read_text(encoding="utf-8").splitlines():
        parts = line.split(None, 1)
        if len(parts) == 2:
            out[parts[0]] = parts[1].strip()
    out.setdefault("eng", "English")
    return out
