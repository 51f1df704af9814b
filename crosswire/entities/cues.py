"""Per-language word lists around names: the affixes and clitics glued onto them, and the cue words
(titles, sentence openers, organisation words, geographic heads, Arabic speech verbs) that say
where a name stops and what kind of thing it names.

Kept apart from the code that reads them: adding a language's words is a change to data, not to
that code.
"""
from __future__ import annotations

from crosswire.entities.words import normalise

# Inflections and clitics glued onto names, per language, longest first: the prefixes (Hebrew
# ו ה ב ל מ ש כ, Amharic የ በ ለ ከ), case endings (Russian, Ukrainian, Greek) and particles (Korean)
# a name may carry.
PREFIXES = {"he": ("וב", "ול", "וה", "ומ", "וכ", "וש", "מה", "שה", "שב", "של", "כש", "לה", "בה",
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


def affixed(word: str, language: str | None) -> list[tuple[int, int, str]]:
    """(chars cut at the start, chars cut at the end, stem) for each affix a normalised word may carry."""
    language = (language or "").split("-")[0]
    shortest = 1 if language == "ko" else 2 if language in ("he", "am") else 3
    starts = [(0, word)] + [(len(p), word[len(p):]) for p in PREFIXES.get(language, ())
                            if word.startswith(p) and len(word) - len(p) >= shortest]
    out = [(a, 0, w) for a, w in starts[1:]]
    for a, w in starts:
        out += [(a, len(e), w[: -len(e)]) for e in _ENDINGS.get(language, ())
                if w.endswith(e) and len(w) - len(e) >= shortest]
    return out


# --- Cue words -------------------------------------------------------------------------------
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
ihre ihren ihrer ihrem unser unsere zum zur vom im am beim ins dieser diese dieses diesen jede jeder
alle beide einige viele manche mehrere andere weitere wenige solche sämtliche sie ihnen ihr ihres""".split())
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
# The last word of an event's name: capitalised like a person's two words, never one ("Paris Fashion Week").
EVENT_WORDS = set("""week festival festivals games olympics olympiad cup awards award prize summit conference
championship championships open marathon expo fair show forum biennale derby grand semaine coupe sommet salon
jeux woche festspiele gipfel messe meisterschaft semana copa cumbre feria juegos settimana coppa vertice mostra
uka festivalen lekene mesterskapet toppmøtet""".split())
ORG_SUFFIXES = ("news", "bank", "partiet", "forbundet", "departementet", "tinget", "rådet", "ministerium")
# Geographic heads, and the feature each names, so "Taiwanstredet" and "مضيق تايوان" share a code.
FEATURES = {"strait": ("stredet", "strede", "sundet", "strait", "straße", "meerenge", "détroit", "estrecho",
                        "مضيق"),
             "sea": ("havet", "sjøen", "sea", "meer", "mer", "mar", "بحر", "البحر"),
             "ocean": ("ocean", "ozean", "océan", "océano", "المحيط", "محيط"),
             "gulf": ("bukta", "golfen", "gulf", "bay", "golf", "bucht", "golfe", "golfo", "خليج", "الخليج")}
LOC_SUFFIXES = ("havet", "stredet", "sundet", "bukta", "fjorden", "sjøen", "øya", "region", "regionen", "meer")

# Arabic cue words, normalised (words.normalise: no hamza forms, ة -> ه).
SPEECH_AR = {normalise(w) for w in """قال قالت يقول تقول أضاف أضافت أكد أكدت صرح صرحت أوضح أوضحت أعلن أعلنت ذكر ذكرت
تابع تابعت أشار أشارت أشاد أشادت حذر حذرت رحب رحبت دعا دعت اعتبر اعتبرت
قائلا قائلاً قائلة قائلين مضيفا مضيفاً مضيفة مؤكدا مؤكداً مؤكدة موضحا موضحاً موضحة مشيرا مشيراً مشيرة""".split()}
# (The participles, "saying", "adding", "stressing": "هاميلتون قائلا" is Hamilton, saying; never a name's word.)
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
# Arabic geographic heads: the words after them name the place ("مضيق تايوان").
AR_HEADS = {normalise(w) for w in "مضيق بحر البحر المحيط محيط خليج الخليج جزيرة جزر نهر جبل جبال قناة".split()}


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


def al_word(norm: str) -> bool:
    """Does an Arabic word carry the article ال, maybe behind a clitic ("للصحفيين", "والدفاع")?"""
    return norm.startswith(("ال", "لل")) or (norm[:1] in "وبفكل" and norm[1:3] == "ال")
