"""Romanisation and a cross-script phonetic key: how one name is recognised in any script.

``romanise`` wraps uroman and repairs its output per script toward how names are spelled in
Latin letters; ``phonetic`` folds that into a coarse sound key; ``same_name`` compares two
keys; ``name_key`` and ``word_keys`` give a mention's or a word's keys.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from rapidfuzz.fuzz import ratio

from crosswire.entities.cues import ARABIC_CLITICS, GENITIVE_S
from crosswire.entities.uroman_cache import load_uroman
from crosswire.entities.words import INVISIBLE, normalise, strip_genitive, tokens

# uroman writes any script in Latin letters: "روتي" -> "rwty", "ルッテ" -> "rutte".
# Arabic omits short vowels and writes long ones with w/y, Japanese adds vowels,
# writers spell Beijing "بكين" (from Peking): so names are compared on a coarse
# key where consonants fall into classes (g/j/k/q, d/t, l/r, ...) and vowels into
# a/i/u, and on that key's consonant skeleton.
_UROMAN_CODES = {"ar": "ara", "fa": "fas", "ur": "urd", "ps": "pus", "he": "heb", "yi": "yid", "am": "amh",
                 "ti": "tir", "ja": "jpn", "zh": "zho", "ko": "kor", "ru": "rus", "uk": "ukr", "bg": "bul",
                 "sr": "srp", "mk": "mkd", "be": "bel", "kk": "kaz", "el": "ell", "hi": "hin", "bn": "ben",
                 "th": "tha", "ka": "kat", "hy": "hye", "nb": "nob", "nn": "nno", "no": "nob"}
_uroman = None
_DIGRAPHS = (("sch", "s"), ("sh", "s"), ("ch", "s"), ("zh", "j"), ("ph", "f"), ("th", "t"), ("kh", "k"),
             ("gh", "k"), ("ck", "k"), ("dj", "j"), ("ae", "e"), ("oe", "o"))
_CLASSES = str.maketrans("bpfvckqgjxdtszlrwyeo", "bbffkkkkkkttssrruiiu")


def romanise(word: str, language: str | None = None) -> str:
    """Lower-case Latin spelling of a word in any script (uroman; ASCII passes through)."""
    if word.isascii():
        return word.lower()
    lcode = _UROMAN_CODES.get((language or "").split("-")[0])
    if lcode == "heb" and _hebrew_letters(word):
        return hebrew_spellings(word)[0]
    global _uroman
    if _uroman is None:
        _uroman = load_uroman()  # only when a non-ASCII word comes
    return _romanise_cached(word, lcode)


@lru_cache(maxsize=65536)
def _romanise_cached(word: str, lcode: str | None) -> str:
    assert _uroman is not None
    if lcode == "ell":  # γκ is the g of foreign names (Ντιέγκο: Diego; uroman writes "ng")
        word = word.replace("γκ", "γ").replace("Γκ", "Γ").replace("ΓΚ", "Γ")
    try:
        out = _uroman.romanize_string(word, lcode=lcode)
    except Exception:  # uroman has no rule for some odd input: fall back to stripping accents
        out = word
    out = unicodedata.normalize("NFKD", str(out))
    out = "".join(c for c in out if not unicodedata.combining(c)).lower()
    return _SCRIPT_FIXES.get(lcode or "", lambda w: w)(out)


# Hebrew is romanised here, not by uroman, which writes both ב and ו as "v" (so that Corbyn,
# קורבין, loses its b) and leaves geresh marks as they are typed. The letters are read the way
# foreign names are spelled in Hebrew news: ג׳ = j, ז׳ = zh, צ׳ = ch, ת׳ = th; a single ו is the
# vowel o/u, a double one (or a first one) a consonant; final ה is a vowel (תרזה, Theresa); פ is
# p. Two letters stay ambiguous, so a word can stand for several spellings (``hebrew_spellings``):
# ב is b or v (קורבין Corbyn, איוונוב Ivanov), וו is v or w (איוונוב Ivanov, ווילאבי Willoughby).
_HEBREW = {"א": "a", "ג": "g", "ד": "d", "ה": "h", "ו": "u", "ז": "z", "ח": "kh", "ט": "t", "י": "y",
           "כ": "k", "ך": "kh", "ל": "l", "מ": "m", "ם": "m", "נ": "n", "ן": "n", "ס": "s", "ע": "a",
           "פ": "p", "ף": "f", "צ": "ts", "ץ": "ts", "ק": "k", "ר": "r", "ש": "sh", "ת": "t"}
_HEBREW_GERESH = {"ג": "j", "ז": "zh", "צ": "ch", "ץ": "ch", "ת": "th"}
_GERESH = "\u05f3'‘’`"
_GERSHAYIM = "\u05f4\"“”"


def _hebrew_letters(word: str) -> bool:
    return any("\u05d0" <= c <= "\u05ea" for c in word)


@lru_cache(maxsize=65536)
def hebrew_spellings(word: str) -> tuple[str, ...]:
    """Latin spellings a Hebrew word may stand for: the b/v of ב, the v/w of וו (at most 4)."""
    word = "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))
    word = "".join(c for c in word if c not in _GERSHAYIM)
    parts: list[tuple[str, ...]] = []
    i = 0
    while i < len(word):
        c, nxt = word[i], word[i + 1] if i + 1 < len(word) else ""
        if c in _HEBREW_GERESH and nxt and nxt in _GERESH:
            parts.append((_HEBREW_GERESH[c],))
            i += 2
            continue
        if c == "ב":
            parts.append(("b", "v"))
        elif c == "ו" and nxt == "ו":
            parts.append(("v", "w"))
            i += 1
        elif c == "ו" and i == 0:
            parts.append(("v",))
        elif c == "ה" and i == len(word) - 1 and i > 0:
            parts.append(("a",))
        elif c in _GERESH:
            parts.append(("",))
        else:
            parts.append((_HEBREW.get(c, c.lower()),))
        i += 1
    out = [""]
    for choice in parts:
        out = [o + c for o in out for c in choice][:4] if len(choice) > 1 else [o + choice[0] for o in out]
    return tuple(dict.fromkeys(out))


# Per-script repairs of uroman's output toward how the same names are spelled in Latin letters.
_SCRIPT_FIXES = {
    # Ethiopic syllables carry a vowel; the 6th order (a bare consonant) comes out as "e": ጆንሰን "jonesane".
    "amh": lambda r: re.sub(r"(?<![e])e(?!e)", "", r), "tir": lambda r: re.sub(r"(?<![e])e(?!e)", "", r),
    # Cyrillic х stands for a foreign h ("Хэмилтон"), not the kh of Arabic خ.
    **{c: (lambda r: r.replace("kh", "h")) for c in ("rus", "ukr", "bul", "srp", "mkd", "bel", "kaz")},
    # Τζόνσον: Johnson; χ is the h of foreign names (Χόλλυ: Holly), not the ch that reads s.
    "ell": lambda r: r.replace("tz", "j").replace("ch", "h"),
    "zho": lambda r: r.replace("x", "s").replace("q", "ch"),   # pinyin x, q: 约翰逊 "yuehanxun", 布雷克西特
}


@lru_cache(maxsize=65536)
def phonetic(rom: str) -> str:
    """Coarse sound key of a romanised word: "rutte" and "rwty" -> "ruti", "beijing" -> "bikin"."""
    s = "".join(c for c in rom.lower() if "a" <= c <= "z")
    for a, b in _DIGRAPHS:
        s = s.replace(a, b)
    # ng ends Chinese syllables inside a word too ("telangpu", 特朗普); n before b/p is said m ("toranpu", トランプ).
    s = re.sub(r"ng(?=[^aeiouy]|$)", "n", s)
    s = s.replace("ay", "ey")   # "May" and "Мэй" (mey)
    # h is mostly silent or part of a digraph in Latin spellings, but a word-initial one is a
    # consonant in both (هندو is not "NATO"), and a final one ends Arabic nouns (جنيه is not "Jones").
    s = s[:1] + s[1:-1].replace("h", "") + s[-1:] if len(s) > 1 else s
    s = s.translate(_CLASSES).replace("nb", "mb")
    return "".join(c for i, c in enumerate(s) if i == 0 or c != s[i - 1])


@lru_cache(maxsize=65536)
def skeleton(key: str) -> str:
    return "".join(c for c in key if c not in "aiu ")


@lru_cache(maxsize=1 << 18)   # linking compares the same few hundred keys over and over
def same_name(a: str, b: str) -> bool:
    """Do two phonetic keys (one word each) name the same thing? Strict on short keys."""
    if a == b:
        return bool(a)
    sa, sb = skeleton(a), skeleton(b)
    if not sa or not sb:
        return False
    if sa != sb and (min(len(sa), len(sb)) < 4 or ratio(sa, sb) < 85):
        return False
    if sa == sb and len(sa) >= 4:
        return True   # four consonants in one order: scripts that add vowels ("tiuriumbiu", 트럼프) are still it
    return ratio(a, b) >= (85 if len(sa) <= 2 else 75)


def word_keys(word: str, lang: str) -> list[str]:
    """Phonetic keys a word may stand for: as written, genitive -s cut, Arabic clitics cut."""
    base = strip_genitive(INVISIBLE.sub("", word))
    forms = [base]
    if lang in GENITIVE_S and base.endswith("s") and len(base) > 4:
        forms.append(base[:-1])
    norm = normalise(base)
    if any("\u0600" <= c <= "\u06ff" for c in norm):
        forms = [norm] + [norm[len(p):] for p in ARABIC_CLITICS if norm.startswith(p) and len(norm) - len(p) >= 2]
    if lang in ("he", "iw") and _hebrew_letters(base):
        return list(dict.fromkeys(k for f in forms if f for k in map(phonetic, hebrew_spellings(f)) if k))
    return list(dict.fromkeys(k for k in (phonetic(romanise(f, lang)) for f in forms if f) if k))


def name_key(text: str, lang: str) -> str:
    """The mention's key: each word romanised, genitive cut, the Arabic article ال cut.

    Single-letter clitics are not cut here: spans already leave them out, and
    cutting blindly would turn بكين (Beijing) into كين.
    """
    words = [t.norm[2:] if t.norm.startswith("ال") and len(t.norm) > 4 else strip_genitive(t.text)
             for t in tokens(text)]
    return " ".join(k for k in (phonetic(romanise(w, lang)) for w in words) if k)


def same_stem(a: str, b: str) -> bool:
    """One compound's two forms in one article: "Indo-Stillehavet" / "Indo-Stillehavsregion"."""
    short = min(len(a), len(b))
    prefix = next((i for i, (p, q) in enumerate(zip(a, b)) if p != q), short)
    return short >= 8 and " " not in a + b and prefix >= 0.8 * short


# The language a name typed in a script is romanised as (uroman's rules per language; Latin letters
# pass through). CJK ideographs alone could be Chinese or Japanese: Chinese, the larger.
_SCRIPT_LANGUAGES = {"ARABIC": "ar", "HEBREW": "he", "CYRILLIC": "ru", "GREEK": "el", "HIRAGANA": "ja",
                     "KATAKANA": "ja", "CJK": "zh", "HANGUL": "ko", "DEVANAGARI": "hi", "BENGALI": "bn",
                     "THAI": "th", "GEORGIAN": "ka", "ARMENIAN": "hy", "ETHIOPIC": "am"}


def name_language(text: str) -> str:
    """The language whose romanisation rules fit a name as typed: by its script, English for Latin."""
    for ch in text:
        if ch.isalpha():
            script = unicodedata.name(ch, "").split(" ")[0]
            return _SCRIPT_LANGUAGES.get(script, "en")
    return "en"


def typed_keys(word: str) -> list[str]:
    """The phonetic keys a word typed by a reader (a search, a watch) may stand for, in any script."""
    return word_keys(word, name_language(word))


def sounds_like(typed: str, key: str) -> bool:
    """A search's looser ``same_name``: also a typed key whose consonants begin, or are begun by,
    the stored key's, at three or more, with the same first sound and most letters in common.

    Spellings from one language keep letters another drops when it writes the name as heard:
    "Kavanaugh" (kafanauk) is «Кавано» and كافانو (kafanu). Linking keeps to ``same_name``,
    which must not merge two people; a search may offer a near miss beside what it finds.
    """
    if same_name(typed, key):
        return True
    st, sk = skeleton(typed), skeleton(key)
    short, long_ = sorted((st, sk), key=len)
    return (len(short) >= 3 and long_.startswith(short) and typed[:1] == key[:1]
            and ratio(typed, key) >= 80)
