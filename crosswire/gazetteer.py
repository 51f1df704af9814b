"""Names across languages: CLDR places with their spans, cue words, and romanised keys.

Places first, as ISO 3166 codes, in any language CLDR knows.

CLDR (through ``babel``) names every country and territory in every locale:
الصين, Kina, 中国 and China are all ``CN``. That makes country mentions a
language-independent anchor: two sentences naming {CN, RU, KP} likely report the
same fact whatever their languages. Matching tolerates the affixes that glue
onto names: Arabic clitics (و ب ل ك ف + ال: "وروسيا", "لأوكرانيا") and the
Scandinavian/German genitive -s ("Kinas", "Russlands").
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

from rapidfuzz.fuzz import ratio

# Combining marks are not \w in Python's re: without them Devanagari "पीटर" would be the
# two words "प" and "टर". Vowel signs and viramas of Indic and South-East Asian scripts,
# Hebrew points, Arabic harakat and Latin combining accents belong inside a word.
_MARKS = ("\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u05bf\u05c1\u05c2\u05c4\u05c5\u05c7\u0610-\u061a"
          "\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e4\u06e7\u06e8\u06ea-\u06ed\u0900-\u0963"
          "\u0966-\u0dff\u0e31\u0e34-\u0e3a\u0e47-\u0e4e\u0eb1\u0eb4-\u0ebc\u0ec8-\u0ecd\u0f18-\u0f19"
          "\u0f35\u0f37\u0f39\u0f71-\u0f84\u102b-\u103e\u1056-\u1059\u17b4-\u17d3\u3099\u309a")
_WORD = re.compile(f"[\\w{_MARKS}]+", re.UNICODE)
# Longest first, so "وال" is tried before "و".
_ARABIC_PREFIXES = ("وبال", "وال", "بال", "لل", "فال", "كال", "و", "ب", "ل", "ك", "ف")
_UNSPACED = {"zh", "ja", "th", "lo", "km", "my"}
_MIN_SUBSTRING = 2
_ARABIC_FOLD = str.maketrans("أإآىة", "ااايه")


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    # Tatweel, bidi and zero-width marks never change a name; hyphens join its parts.
    text = re.sub(r"[\u0640\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]", "", text)
    text = text.replace("-", " ").replace("‐", " ")
    # Arabic hamza forms and alef maqsura vary between writers.
    return text.translate(_ARABIC_FOLD)


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


# Inflections and clitics glued onto names, per language, longest first: the prefixes (Hebrew
# ו ה ב ל מ ש כ, Amharic የ በ ለ ከ), case endings (Russian, Ukrainian, Greek) and particles (Korean)
# a name may carry. Places put back a dictionary ending to find the CLDR name ("Греци|и" -> "Греция").
_PREFIXES = {"he": ("וב", "ול", "וה", "ומ", "וכ", "וש", "מה", "שה", "שב", "של", "כש", "לה", "בה",
                    "ה", "ב", "ל", "מ", "ו", "ש", "כ"),
             "am": ("እንደ", "ወደ", "የ", "በ", "ለ", "ከ")}
_SLAVIC_ENDINGS = ("ами", "ями", "ому", "ему", "ого", "его", "ией", "ием", "иях", "иям", "ом", "ем", "ой", "ей", "ою",
                   "ую", "ах", "ях", "ов", "ев", "ам", "ям", "ии", "ию", "ие", "ым", "им", "а", "я", "у", "ю", "е",
                   "ы", "и", "і", "ї")
_ENDINGS = {"ru": _SLAVIC_ENDINGS, "uk": _SLAVIC_ENDINGS, "be": _SLAVIC_ENDINGS,
            "el": ("ους", "ου", "ού", "ης", "ής", "ας", "άς", "ών", "ων", "ες", "ς", "α", "η", "ο", "ό", "ά", "ή"),
            "ko": ("에서는", "에게서", "으로", "에서", "에게", "께서", "과의", "와의", "이다", "은", "는", "이", "가",
                   "을", "를", "의", "에", "와", "과", "도", "로", "측", "씨"),
            "am": ("ን",)}
# Words arrive normalised (casefolded: Greek final ς is σ), so the affixes are too.
_ENDINGS = {lang: tuple(e.casefold() for e in ends) for lang, ends in _ENDINGS.items()}
_SLAVIC_DICT = ("", "а", "я", "ия", "ь", "й", "о")
_DICT_ENDINGS = {"ru": _SLAVIC_DICT, "uk": _SLAVIC_DICT + ("і",), "be": _SLAVIC_DICT,
                 "el": tuple(e.casefold() for e in ("", "α", "η", "ο", "ό", "ς", "ά", "ή", "ία", "ας", "ης", "ος"))}


def affixed(word: str, language: str | None) -> list[tuple[int, int, str]]:
    """(chars cut at the start, chars cut at the end, stem) for each affix a normalised word may carry."""
    language = (language or "").split("-")[0]
    shortest = 1 if language == "ko" else 2 if language in ("he", "am") else 3
    starts = [(0, word)] + [(len(p), word[len(p):]) for p in _PREFIXES.get(language, ())
                            if word.startswith(p) and len(word) - len(p) >= shortest]
    out = [(a, 0, w) for a, w in starts[1:]]
    for a, w in starts:
        out += [(a, len(e), w[: -len(e)]) for e in _ENDINGS.get(language, ())
                if w.endswith(e) and len(w) - len(e) >= shortest]
    return out


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
_SPAN_WORD = re.compile(f"[\\w{_MARKS}\u0640\u200b-\u200f\u2066-\u2069\ufeff]+")
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
    return table, max((len(k) for k in table), default=1)


_NOT_PLACES = ("ZZ", "EU", "EZ", "UN", "QO")


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
    i = 0
    while i < len(tokens):
        hit = None
        for n in range(min(longest, len(tokens) - i), 0, -1):
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
        if (arabic or language in _PREFIXES) and norm.endswith(head) and len(norm) == tokens[i][1] - tokens[i][0]:
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
def place_name(code: str) -> str:
    """English display name of a place code from ``place_spans``."""
    from babel import Locale

    if code.startswith("tz:"):
        return code.rsplit("/", 1)[1].replace("_", " ")
    return Locale.parse("en").territories.get(code, code)


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


# --- Romanisation and a cross-script phonetic key ------------------------------------------
#
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
    global _uroman
    if _uroman is None:
        from uroman import Uroman  # 3-4 s to load its tables: only when a non-ASCII word comes

        _uroman = Uroman()
    return _romanise_cached(word, _UROMAN_CODES.get((language or "").split("-")[0]))


@lru_cache(maxsize=65536)
def _romanise_cached(word: str, lcode: str | None) -> str:
    assert _uroman is not None
    try:
        out = _uroman.romanize_string(word, lcode=lcode)
    except Exception:  # uroman has no rule for some odd input: fall back to stripping accents
        out = word
    out = unicodedata.normalize("NFKD", str(out))
    out = "".join(c for c in out if not unicodedata.combining(c)).lower()
    return _SCRIPT_FIXES.get(lcode or "", lambda w: w)(out)


def _hebrew(rom: str) -> str:
    """uroman writes vav as v and geresh as an apostrophe: "g'vnsvn" (ג'ונסון) -> "junsun" (Johnson);
    pe without its (unwritten) dagesh as f, though foreign names mostly have a p: "tramf" (טראמפ) -> "tramp"."""
    rom = rom.replace("g'", "j").replace("z'", "zh").replace("ts'", "ch").replace("'", "")
    return rom[:1] + rom[1:].replace("v", "u").replace("f", "p")


# Per-script repairs of uroman's output toward how the same names are spelled in Latin letters.
_SCRIPT_FIXES = {
    "heb": _hebrew, "yid": _hebrew,
    # Ethiopic syllables carry a vowel; the 6th order (a bare consonant) comes out as "e": ጆንሰን "jonesane".
    "amh": lambda r: re.sub(r"(?<![e])e(?!e)", "", r), "tir": lambda r: re.sub(r"(?<![e])e(?!e)", "", r),
    # Cyrillic х stands for a foreign h ("Хэмилтон"), not the kh of Arabic خ.
    **{c: (lambda r: r.replace("kh", "h")) for c in ("rus", "ukr", "bul", "srp", "mkd", "bel", "kaz")},
    "ell": lambda r: r.replace("tz", "j"),   # Τζόνσον: Johnson
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


# --- Cue words and word keys ----------------------------------------------------------------
#
# Small closed lists, in the few languages the project reads most, of the words
# around names: they decide where a name stops and what kind of thing it names.
# Titles and demonym-like words split a capitalised run: "NATO Secretary General Mark Rutte".
TITLES = {w.casefold() for w in """mr mrs ms dr sir lord pm prime minister president secretary general chancellor
foreign defence defense chief king queen prince pope senator governor chairman director spokesman spokeswoman premier
herr frau bundeskanzler bundeskanzlerin kanzler kanzlerin präsident präsidentin ministerpräsident premierminister
premierministerin außenminister außenministerin minister ministerin m mme monsieur madame président présidente
ministre presidente ministro señor señora statsminister generalsekretær capt captain det insp inspector sgt sergeant lt col
gen adm rev reverend judge justice sen rep gov supt cllr ambassador archbishop bishop mayor başbakan başbakanı
cumhurbaşkanı bakan bakanı başkan başkanı kaptan sayın bay bayan sekreteri dışişleri canciller rey reina alcalde
chancelier roi reine maire bürgermeister könig papst""".split()}
# Function words that open sentences: capitalised there, never the first word of a name ("While Save
# the Children ...", "Whenever I ..."). The article's own lowercase uses catch most; these are for short ones.
OPENERS = {w.casefold() for w in """while whenever when after before although though if as since because but and or so
yet then there here this that these those it its we they he she i you our their his her my some many most all both each
every no not despite during for from in on at by with without over under into through about according following
meanwhile however instead even also still now today yesterday earlier later last next what why how who where which
whether once until unless perhaps asked speaking under nach als wenn aber und oder während trotz laut doch auch dann
dort hier diese dieser dieses er sie wir ich es quand mais et ou pendant selon après avant malgré alors ainsi cuando
pero y o durante según después antes aunque mientras når men og eller etter før selv om ifølge""".split()}
# German capitalises every noun: one after a determiner ("die Pläne", "einen Vorschlag") is no name.
DETERMINERS_DE = set("""der die das dem den des ein eine einen einem einer eines kein keine keinen seine seinen seiner
ihre ihren ihrer ihrem unser unsere zum zur vom im am beim ins dieser diese dieses diesen jede jeder""".split())
# Lowercase words allowed inside a name between capitalised ones ("Bank of England", "Ibn al Saud").
CONNECTORS = {"of", "van", "von", "de", "der", "den", "du", "da", "di", "del", "la", "le", "bin", "ibn", "al",
               "el", "zu", "af", "y"}
ORG_WORDS = set("""party union ministry council committee commission agency bank corporation company group association
organisation organization university institute court parliament assembly army navy alliance federation league news
times post press network foundation fund office department service nato parti partiet forbund forbundet departement
departementet råd rådet universitet universitetet komité komiteen selskap selskapet direktoratet tilsynet stortinget
regjeringen alliansen banken partei ministerium rat verband bundestag regierung universität gmbh ag ministère conseil
banque assemblée université agence partido unión ministerio consejo banco comisión universidad agencia حزب وزاره مجلس
منظمه اتحاد جامعه شركه بنك وكاله حلف""".split())
ORG_SUFFIXES = ("news", "bank", "partiet", "forbundet", "departementet", "tinget", "rådet", "ministerium")
# Geographic heads, and the feature each names, so "Taiwanstredet" and "مضيق تايوان" share a code.
FEATURES = {"strait": ("stredet", "strede", "sundet", "strait", "straße", "meerenge", "détroit", "estrecho",
                        "مضيق"),
             "sea": ("havet", "sjøen", "sea", "meer", "mer", "mar", "بحر", "البحر"),
             "ocean": ("ocean", "ozean", "océan", "océano", "المحيط", "محيط"),
             "gulf": ("bukta", "golfen", "gulf", "bay", "golf", "bucht", "golfe", "golfo", "خليج", "الخليج")}
LOC_SUFFIXES = ("havet", "stredet", "sundet", "bukta", "fjorden", "sjøen", "øya", "region", "regionen", "meer")

# Arabic cue words, normalised (gazetteer.normalise: no hamza forms, ة -> ه).
SPEECH_AR = {normalise(w) for w in """قال قالت يقول تقول أضاف أضافت أكد أكدت صرح صرحت أوضح أوضحت أعلن أعلنت ذكر ذكرت
تابع تابعت أشار أشارت أشاد أشادت حذر حذرت رحب رحبت دعا دعت اعتبر اعتبرت""".split()}
TITLES_AR = {normalise(w) for w in """رئيس الرئيس رئيسة وزير الوزير وزيرة وزراء الأمين أمين المستشار السفير الملك
الأمير الشيخ السيد السيدة الدكتور المتحدث الناطق زعيم قائد مدير نائب حكومة الحكومة مجلس لجنة هيئة المبعوث مبعوث
المندوب""".split()}
STOP_AR = {normalise(w) for w in """في من إلى الى على عن مع إن أن أنه أنها إنه إنها كان كانت يكون التي الذي الذين
اللذين هذا هذه ذلك تلك هو هي هم هما نحن لا لم لن ما قد كما ثم أو أيضا أيضًا بعد قبل بين حول عند منذ يوم اليوم أمس غدا
خلال ضد حتى كل بعض غير عبر لدى نحو أمام وراء إذا لكن ولكن بل له لها لهم فيه فيها به بها بأن لأن عن أي أكثر أقل جدا فقط
حيث كيف متى هناك هنا للصحفيين وسائل الإعلام مؤتمر بيان أحد إحدى عضو أعضاء مسؤول مسؤولون مصدر مصادر متحدث تقرير كلاهما
كلا جميع الجميع بعضهم شخص أشخاص يقوم تقوم سوف""".split()}
ARABIC_CLITICS = ("وبال", "وال", "بال", "فال", "كال", "لل", "ال", "و", "ب", "ل", "ك", "ف")
# Languages whose possessive is a bare -s glued to the name ("NATOs", "Japans").
GENITIVE_S = {"nb", "nn", "no", "da", "sv", "de", "nl", "is", "fo", "lb"}
INVISIBLE = re.compile(r"[\u0640\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def acronym(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return 2 <= len(letters) <= 8 and all(c.isupper() for c in letters)


def strip_genitive(word: str) -> str:
    """"Rutte's" -> "Rutte", "NATOs" -> "NATO" (acronym + s); "Japans" stays: it may be a name in -s."""
    for tail in ("'s", "’s", "'", "’"):
        if word.endswith(tail) and len(word) > len(tail) + 1:
            return word[: -len(tail)]
    return word[:-1] if word.endswith("s") and acronym(word[:-1]) else word


def word_keys(word: str, lang: str) -> list[str]:
    """Phonetic keys a word may stand for: as written, genitive -s cut, Arabic clitics cut."""
    base = strip_genitive(INVISIBLE.sub("", word))
    forms = [base]
    if lang in GENITIVE_S and base.endswith("s") and len(base) > 4:
        forms.append(base[:-1])
    norm = normalise(base)
    if any("\u0600" <= c <= "\u06ff" for c in norm):
        forms = [norm] + [norm[len(p):] for p in ARABIC_CLITICS if norm.startswith(p) and len(norm) - len(p) >= 2]
    return list(dict.fromkeys(k for k in (phonetic(romanise(f, lang)) for f in forms if f) if k))


def feature_of(words: list[str]) -> tuple[str, str] | None:
    """(feature, what is left) when normalised words name a strait, sea, ocean or gulf.

    "taiwanstredet" -> ("strait", "taiwan"), ["مضيق", "تايوان"] -> ("strait", "تايوان"):
    the rest, looked up as a place, gives both spellings the code "feature:strait:TW".
    """
    for name, heads in FEATURES.items():
        for i, w in enumerate(words):
            if w in heads:
                return name, " ".join(words[:i] + words[i + 1:])
            for h in heads:
                if len(h) >= 5 and w.endswith(h) and len(w) > len(h) + 2:  # not "mer" in "Palmer"
                    return name, " ".join(words[:i] + [w[: -len(h)]] + words[i + 1:])
    return None


# Arabic geographic heads: the words after them name the place ("مضيق تايوان").
AR_HEADS = {normalise(w) for w in "مضيق بحر البحر المحيط محيط خليج الخليج جزيرة جزر نهر جبل جبال قناة".split()}
# A word: letters/digits plus the invisible marks that may sit inside one, and
# hyphen/apostrophe joins ("Nord-Korea", "Rutte's").
_TOKEN = re.compile(f"[\\w{_MARKS}\u0640\u200b-\u200f\u2066-\u2069\ufeff]+(?:[-'’][\\w{_MARKS}\u200b-\u200f\ufeff]+)*")


class Tok(NamedTuple):
    start: int                  # offsets in the text tokenised, invisible marks included
    end: int
    text: str                   # without invisible marks
    norm: str                   # normalise(text)


def _script_class(ch: str) -> str:
    o = ord(ch)
    if 0x30A0 <= o <= 0x30FF or o == 0xFF70:
        return "kana"
    if 0x3040 <= o <= 0x309F:
        return "hira"
    if 0x3400 <= o <= 0x4DBF or 0x4E00 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF:
        return "han"
    if not ch.isalpha():
        return ""
    if o < 0x250 or 0x1E00 <= o <= 0x1EFF:
        return "latin"
    if 0x0600 <= o <= 0x06FF or 0x0750 <= o <= 0x077F or 0xFB50 <= o <= 0xFDFF or 0xFE70 <= o <= 0xFEFF:
        return "arabic"
    if 0x0590 <= o <= 0x05FF:
        return "hebrew"
    if 0x0400 <= o <= 0x052F:
        return "cyrillic"
    if 0x0370 <= o <= 0x03FF:
        return "greek"
    return "other"


_CJK = ("kana", "hira", "han")


# French and Italian elisions before a name ("d'Ankara", "l'Inde", "dell'Italia"), and the suffix a
# Turkish or English writer puts after an apostrophe ("Meksika'nın", "Zaev'in", "Rutte's").
_ELISION = re.compile(r"(?:[ldjmnstc]|qu|dell|all|nell|sull|dall|quell|un)['’](?=\w)")


def _apostrophe_suffix(word: str) -> int:
    """Where a lowercase suffix after an apostrophe starts behind a capitalised name, else len(word)."""
    i = max(word.rfind("'"), word.rfind("’"))
    head, tail = word[:i], word[i + 1 :]
    if i > 0 and head[:1].isupper() and head[-1].isalpha() and 1 <= len(tail) <= 7 and tail.isalpha() \
            and tail.islower():
        return i
    return len(word)


def tokens(text: str) -> list[Tok]:
    """Words with offsets. Unspaced Japanese/Chinese runs are cut where the script changes:
    "ジョンソンは" -> "ジョンソン" + "は", "EUを離脱" -> "EU" + "を" + "離脱"; so are words glued across
    alphabets: "Rutteروتي" -> "Rutte" + "روتي"."""
    out = []
    for m in _TOKEN.finditer(text):
        word, cuts = m.group(), [0]
        elided, b = _ELISION.match(word), _apostrophe_suffix(word)
        if elided or b < len(word):  # "d'Ankara" -> "Ankara", "Meksika'nın" -> "Meksika"
            a = elided.end() if elided else 0
            if b - a >= 1:
                out += [Tok(t.start + m.start() + a, t.end + m.start() + a, t.text, t.norm)
                        for t in tokens(word[a:b])]
                continue
        for k in range(1, len(word)):
            before, here = _script_class(word[k - 1]), _script_class(word[k])
            # Cut where the script changes: always around Japanese and Chinese ("NATOの"), between two
            # alphabets when both sides are letters ("Rutteروتي"), never at a digit ("G7") or a mark.
            if before != here and (before in _CJK or here in _CJK or (before and here and "other" not in (before, here))) \
                    and not INVISIBLE.match(word[k]):
                cuts.append(k)
        for a, b in zip(cuts, cuts[1:] + [len(word)]):
            clean = INVISIBLE.sub("", word[a:b])
            if clean:
                out.append(Tok(m.start() + a, m.start() + b, clean, normalise(clean)))
    return out


def cased(word: str) -> bool:
    return any(c.lower() != c.upper() for c in word)


def capitalised(word: str) -> bool:
    return bool(word) and word[0].isupper() and cased(word)


def al_word(norm: str) -> bool:
    """Does an Arabic word carry the article ال, maybe behind a clitic ("للصحفيين", "والدفاع")?"""
    return norm.startswith(("ال", "لل")) or (norm[:1] in "وبفكل" and norm[1:3] == "ال")


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
