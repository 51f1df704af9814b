"""The analysis stages (clean, segment, detect language) and the pipeline that runs them,
on the seed articles and NTREX-128 documents."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from crosswire.analysis.embedders import E5_LANGUAGES, HashEmbedder
from crosswire.analysis.pipeline import Pipeline
from crosswire.analysis.stages import language
from crosswire.analysis.stages.clean import Clean, furniture_kind
from crosswire.analysis.stages.embed import Embed
from crosswire.analysis.stages.language import DetectLanguage
from crosswire.analysis.stages.segment import Segment, split_line
from crosswire.article import Article
from crosswire.errors import CrosswireError, UnsupportedLanguageError
from crosswire.readers.files import read_path
from crosswire.readers.ntrex import Ntrex

NB_FURNITURE = {5: "subheading", 9: "subheading", 14: "subheading", 11: "read-also"}
# Line of every sentence of the Norwegian seed: lines 2, 6, 10 and 13 hold two sentences each.
NB_SENTENCE_LINES = [1, 2, 2, 3, 4, 5, 6, 6, 7, 8, 9, 10, 10, 11, 12, 13, 13, 14, 15, 16, 17]


def read_one(path: Path) -> Article:
    result = read_path(path)
    assert result.errors == [], [str(e) for e in result.errors]
    assert len(result.articles) == 1
    return result.articles[0]


def cleaned(article: Article) -> Article:
    return Clean()(article)


def segmented(article: Article) -> Article:
    return Segment()(Clean()(article))


def flagged(article: Article) -> dict[int, str]:
    return {line.number: line.furniture for line in article.lines if line.furniture}


@pytest.fixture(scope="module")
def nb_seed(seeds_dir: Path) -> Path:
    return seeds_dir / "nb_rutte_ishiba.txt"


@pytest.fixture(scope="module")
def ar_seed(seeds_dir: Path) -> Path:
    return seeds_dir / "ar_rutte_ishiba.txt"


@pytest.fixture(scope="module")
def ntrex(ntrex_dir: Path) -> Ntrex:
    return Ntrex(ntrex_dir)


def language_pipeline() -> Pipeline:
    """Language detection as the default pipeline runs it: for multilingual-e5's languages."""
    return Pipeline([Clean(), Segment(), DetectLanguage(E5_LANGUAGES, reader="the embedder e5")])


# --- clean -----------------------------------------------------------------------------------------

def test_clean_flags_exactly_the_norwegian_furniture(nb_seed: Path) -> None:
    article = cleaned(read_one(nb_seed))
    assert [line.number for line in article.lines] == list(range(1, 18))
    assert flagged(article) == NB_FURNITURE
    # The furniture is kept, not deleted: its text is still there on its line.
    assert article.lines[10].text == "Les også: Japan skjerper krigsberedskapen"


def test_clean_flags_nothing_in_the_arabic_seed(ar_seed: Path) -> None:
    article = cleaned(read_one(ar_seed))
    assert len(article.lines) == 14
    assert flagged(article) == {}


@pytest.mark.parametrize("read_also", [
    "Lesen Sie auch: Japan verschärft seine Kriegsbereitschaft",
    "اقرأ أيضا: اليابان تعزز استعدادها للحرب",
    "Read more: Japan steps up its war readiness",
    "Lire aussi : le Japon renforce sa préparation à la guerre",
    "Les også: Japan skjerper krigsberedskapen",
])
def test_clean_flags_read_also_lines_in_many_languages(ar_seed: Path, read_also: str) -> None:
    # Inserted as line 6 of a real article: only that line may be flagged.
    lines = read_one(ar_seed).text.split("\n")
    lines.insert(5, read_also)
    article = cleaned(Article(id="ar+link", text="\n".join(lines), source="ar+link.txt"))
    assert flagged(article) == {6: "read-also"}


def test_clean_flags_a_byline(ntrex: Ntrex) -> None:
    doc = ntrex.articles("eng")[0]
    headline, *body = doc.text.split("\n")
    article = cleaned(Article(id="byline", text="\n".join([headline, "By Jane Smith", *body]),
                              source="byline.txt"))
    assert flagged(article) == {2: "byline"}


@pytest.mark.parametrize("sentence", [
    "By the end of the year, the government had spent far more on defence than it had planned.",
    "Share prices fell sharply on Monday after the company warned that profits would shrink.",
    "Related talks between the two leaders are expected to continue in Brussels next month.",
])
def test_clean_leaves_a_normal_sentence_alone(sentence: str) -> None:
    prev = "The minister met reporters in Oslo on Tuesday."
    nxt = "She said the budget would be presented to parliament in October, as in every year."
    assert furniture_kind(sentence, prev=prev, next_=nxt, first=False) is None


def test_clean_rarely_flags_ntrex_english(ntrex: Ntrex) -> None:
    """NTREX news documents have no page furniture: anything flagged is over-flagging."""
    total = wrong = 0
    examples = []
    for doc in ntrex.articles("eng"):
        for line in cleaned(doc).lines:
            if not line.text:
                continue
            total += 1
            if line.furniture:
                wrong += 1
                examples.append(f"{doc.id}:{line.number} {line.furniture}: {line.text}")
    assert total == 1997  # every NTREX line was looked at
    rate = wrong / total
    assert rate < 0.01, f"{rate:.2%} of NTREX English lines flagged:\n" + "\n".join(examples)


# --- segment ---------------------------------------------------------------------------------------

def test_segment_keeps_the_input_line_of_every_sentence(nb_seed: Path) -> None:
    article = segmented(read_one(nb_seed))
    assert [s.line for s in article.sentences] == NB_SENTENCE_LINES
    assert [s.id for s in article.sentences] == list(range(len(NB_SENTENCE_LINES)))
    line_text = article.text.split("\n")
    for s in article.sentences:
        assert s.text in line_text[s.line - 1]
        assert s.furniture == NB_FURNITURE.get(s.line)
    line2 = [s.text for s in article.sentences if s.line == 2]
    assert len(line2) == 2
    assert line2[0].endswith("skriver EuroNews.")
    assert line2[1].startswith("Begge uttrykte bekymring")


def test_segment_line_numbers_count_blank_lines(tmp_path: Path, nb_seed: Path) -> None:
    nb = nb_seed.read_text(encoding="utf-8").rstrip("\n").split("\n")
    # File lines: 1 = nb[0], 2-3 blank, 4 = nb[1] (two sentences), 5 blank, 6 = nb[2].
    path = tmp_path / "gaps.txt"
    path.write_text("\n".join([nb[0], "", "", nb[1], "   ", nb[2]]) + "\n", encoding="utf-8")
    article = segmented(read_one(path))
    assert [s.line for s in article.sentences] == [1, 4, 4, 6]
    file_lines = path.read_text(encoding="utf-8").split("\n")
    for s in article.sentences:
        assert s.text in file_lines[s.line - 1]


def test_segment_keeps_chinese_closing_quotes_with_their_sentence() -> None:
    assert split_line("他说：“我们会赢。”然后离开了。") == ["他说：“我们会赢。”", "然后离开了。"]
    article = segmented(Article(id="zh", text="标题\n他说：“我们会赢。”然后离开了。", source="zh.txt"))
    assert [(s.line, s.text) for s in article.sentences] == [
        (1, "标题"), (2, "他说：“我们会赢。”"), (2, "然后离开了。")]


def test_segment_splits_amharic_full_stops(ntrex: Ntrex) -> None:
    assert split_line("ኢትዮጵያ ትልቅ አገር ናት። ብዙ ሕዝብ አላት። ዋና ከተማዋ አዲስ አበባ ናት።") == [
        "ኢትዮጵያ ትልቅ አገር ናት።", "ብዙ ሕዝብ አላት።", "ዋና ከተማዋ አዲስ አበባ ናት።"]
    # A real NTREX line: a quotation ending in ። then the reporting clause.
    doc = next(a for a in ntrex.articles("amh") if "ብሎ ኤንቢሲ ኒውስ ዘግቧል።" in a.text)
    parts = [s.text for s in segmented(doc).sentences if "ኤንቢሲ" in s.text or "አቅረቡ።”" in s.text]
    assert len(parts) == 2
    assert parts[0].endswith("አቅረቡ።”")  # the closing quote stays with its sentence
    assert parts[1] == "ብሎ ኤንቢሲ ኒውስ ዘግቧል።"


def test_segment_splits_amharic_double_wordspace_full_stop(ntrex_dir: Path) -> None:
    # NTREX Amharic line 136 holds two sentences, each ended by ፡፡ (896 of its lines use it).
    line = (ntrex_dir / "newstest2019-ref.amh.txt").read_text(encoding="utf-8").split("\n")[135]
    parts = split_line(line)
    assert len(parts) == 2
    assert all(p.endswith("፡፡") for p in parts)


def test_segment_keeps_an_opening_straight_quote_with_its_sentence() -> None:
    assert split_line('Han dro hjem. "Vi vinner," sa hun.') == ["Han dro hjem.", '"Vi vinner," sa hun.']


# --- detect language ---------------------------------------------------------------------------------

@pytest.mark.model
@pytest.mark.parametrize(("name", "code"), [("ar_rutte_ishiba.txt", "ar"), ("nb_rutte_ishiba.txt", "nb")])
def test_language_of_the_seeds(seeds_dir: Path, name: str, code: str) -> None:
    article = language_pipeline()(read_one(seeds_dir / name))
    assert article.language == code
    assert article.language_given is False
    assert {s.language for s in article.sentences} == {code}


@pytest.mark.model
@pytest.mark.parametrize(("ntrex_lang", "code"), [
    ("deu", "de"), ("jpn", "ja"), ("zho-CN", "zh"), ("rus", "ru"), ("amh", "am")])
def test_language_of_ntrex_documents(ntrex: Ntrex, ntrex_lang: str, code: str) -> None:
    pipe = language_pipeline()
    wrong = {a.id: a.language for a in map(pipe, ntrex.articles(ntrex_lang)) if a.language != code}
    assert wrong == {}


@pytest.mark.model
@pytest.mark.parametrize(("opening", "closing"), [
    ("“", "”"),
    ("«", "»"),
])
def test_an_english_quote_in_a_norwegian_article(nb_seed: Path, opening: str, closing: str) -> None:
    lines = read_one(nb_seed).text.split("\n")
    quote = (f"{opening}A stronger NATO will be of great benefit to Japan and to the whole region,{closing} "
             "Ishiba told reporters.")
    lines[2] += " " + quote
    article = language_pipeline()(Article(id="nb+en", text="\n".join(lines), source="nb+en.txt"))
    assert article.language == "nb"
    labels = {s.text: s.language for s in article.sentences}
    assert labels.pop(quote) == "en"
    assert len(labels) == len(NB_SENTENCE_LINES)
    assert set(labels.values()) == {"nb"}


@pytest.mark.model
@pytest.mark.parametrize(("ntrex_lang", "code"), [("hau", "ha"), ("som", "so"), ("xho", "xh")])
def test_african_languages_of_ntrex_get_their_code(ntrex_dir: Path, ntrex_lang: str, code: str) -> None:
    # fastText alone had no label for Hausa or Xhosa (und, Tagalog, English) and called
    # most Somali English; CLD3 knows all three. Every one of the 123 documents, every sentence.
    articles = [language_pipeline()(a) for a in Ntrex(ntrex_dir).articles(ntrex_lang)]
    assert {a.id: a.language for a in articles if a.language != code} == {}
    relabelled = [s.text for a in articles for s in a.sentences if s.language != code]
    assert len(relabelled) <= 0.05 * sum(len(a.sentences) for a in articles), relabelled[:5]


def _fixed_guess(monkeypatch: pytest.MonkeyPatch, guess: language.Guess | None) -> None:
    """The stage's decisions without the models: identify() says ``guess``; no sentence moves."""
    monkeypatch.setattr(language, "identify", lambda text: guess)
    monkeypatch.setattr(language, "detect", lambda text, k=3: [])


@pytest.mark.parametrize(("guess", "named"), [
    (language.Guess("yo", 0.95), "Yoruba (yo)"),
    # A weak guess outside the embedder's languages is refused too, never left as a silent code.
    (language.Guess("fj", 0.25), "Fijian (fj)"),
])
def test_a_language_the_embedder_cannot_read_is_refused_in_one_line(
    monkeypatch: pytest.MonkeyPatch, guess: language.Guess, named: str
) -> None:
    _fixed_guess(monkeypatch, guess)
    article = Article(id="x", text="Ìjọba ti kéde pé ìdìbò yóò wáyé ní oṣù tó ń bọ̀.", source="news.txt")
    with pytest.raises(UnsupportedLanguageError) as caught:
        language_pipeline()(article)
    assert str(caught.value) == f"news.txt: text is in {named}, which the embedder e5 does not cover [detect_language]"


def test_an_embedder_that_reads_every_language_refuses_none(monkeypatch: pytest.MonkeyPatch) -> None:
    _fixed_guess(monkeypatch, language.Guess("yo", 0.95))
    article = Article(id="x", text="Ìjọba ti kéde pé ìdìbò yóò wáyé ní oṣù tó ń bọ̀.", source="news.txt")
    assert Pipeline([Clean(), Segment(), DetectLanguage(None)])(article).language == "yo"
    # Nor a script the bundled model has no pieces for: such an embedder is trusted with it.
    thaana = Article(id="dv", text="ދިވެހިރާއްޖޭގެ ސަރުކާރުން ވިދާޅުވީ އިންތިޚާބު ބާއްވާނެ ކަމަށް.", source="dv.txt")
    _fixed_guess(monkeypatch, language.Guess("dv", 0.9))
    assert Pipeline([Clean(), Segment(), DetectLanguage(None)])(thaana).language == "dv"
    with pytest.raises(UnsupportedLanguageError, match="Dhivehi"):
        language_pipeline()(thaana)


def test_the_default_pipeline_keeps_to_its_embedders_languages(monkeypatch: pytest.MonkeyPatch) -> None:
    from crosswire.analysis.pipeline import default_pipeline

    class Polyglot(HashEmbedder):
        name = "hash.polyglot-test"
        languages = None

    class OnlyEnglish(HashEmbedder):
        name = "hash.english-test"
        languages = frozenset({"en"})

    _fixed_guess(monkeypatch, language.Guess("yo", 0.95))
    text = "Ìjọba ti kéde pé ìdìbò yóò wáyé ní oṣù tó ń bọ̀."
    assert default_pipeline(Polyglot())(Article(id="x", text=text, source="yo.txt")).language == "yo"
    with pytest.raises(UnsupportedLanguageError, match="which the embedder hash.english-test does not cover"):
        default_pipeline(OnlyEnglish())(Article(id="x", text=text, source="yo.txt"))


@pytest.mark.parametrize(("guess", "code"), [
    (language.Guess("ha", 0.99), "ha"), (language.Guess("en", 0.1), "und"), (None, "und")])
def test_a_covered_language_is_kept_and_no_guess_is_und(
    monkeypatch: pytest.MonkeyPatch, guess: language.Guess | None, code: str
) -> None:
    _fixed_guess(monkeypatch, guess)
    article = language_pipeline()(
        Article(id="x", text="Shugaban kasar ya ce za a gudanar da zaben a watan gobe.", source="news.txt"))
    assert article.language == code
    assert {s.language for s in article.sentences} == {code}


@pytest.mark.model
def test_dhivehi_is_refused_with_a_clear_message(ntrex_dir: Path) -> None:
    path = ntrex_dir / "newstest2019-ref.div.txt"
    article = read_one(path)
    with pytest.raises(UnsupportedLanguageError) as caught:
        language_pipeline()(article)
    err = caught.value
    assert err.source == str(path)
    assert err.stage == "detect_language"
    message = str(err)
    assert message.startswith(f"{path}: ")
    assert "Dhivehi" in message and "not cover" in message
    assert "\n" not in message


# --- pipeline --------------------------------------------------------------------------------------

class Boom:
    """A stage that fails on articles whose text contains ``trigger``."""

    name = "boom"
    requires = ("sentences",)
    assigns = ()

    def __init__(self, trigger: str = "") -> None:
        self.trigger = trigger

    def __call__(self, article: Article) -> Article:
        if self.trigger in article.text:
            raise RuntimeError("the stage blew up")
        return article


def test_pipeline_refuses_a_stage_whose_requirements_are_unmet() -> None:
    with pytest.raises(ValueError, match=r"'segment'.*'lines'"):
        Pipeline([Segment(), Clean()])
    with pytest.raises(ValueError, match=r"'embed'.*'sentences'"):
        Pipeline([Clean(), Embed(HashEmbedder())])
    assert Pipeline([Clean(), Segment(), Boom()]).names == ["clean", "segment", "boom"]


def test_an_exception_in_a_stage_names_the_stage_and_the_article(nb_seed: Path) -> None:
    article = read_one(nb_seed)
    with pytest.raises(CrosswireError) as caught:
        Pipeline([Clean(), Segment(), Boom()])(article)
    err = caught.value
    assert err.stage == "boom"
    assert err.source == str(nb_seed)
    assert str(err) == f"{nb_seed}: RuntimeError: the stage blew up [boom]"
    assert isinstance(err.__cause__, RuntimeError)


def test_pipe_yields_the_error_of_a_failing_article_and_goes_on(
    hash_pipeline: Pipeline, seeds_dir: Path, ntrex: Ntrex
) -> None:
    ar = read_one(seeds_dir / "ar_rutte_ishiba.txt")
    dhivehi = ntrex.articles("div")[0]
    nb = read_one(seeds_dir / "nb_rutte_ishiba.txt")
    results = list(hash_pipeline.pipe([ar, dhivehi, nb]))
    assert len(results) == 3
    assert results[0] is ar and results[2] is nb
    assert isinstance(results[1], UnsupportedLanguageError)
    assert results[1].source == dhivehi.source and results[1].stage == "detect_language"
    for done, code, n in ((ar, "ar", 15), (nb, "nb", 21)):
        assert done.language == code and done.embedder == "hash.v1"
        assert len(done.sentences) == n
        assert all(s.vector is not None and s.vector.shape == (256,) for s in done.sentences)
        assert done.vector is not None and np.isclose(np.linalg.norm(done.vector), 1.0)


class FussyEmbedder(HashEmbedder):
    """The hash fake, except that it fails on one word (as a remote model might on one input)."""

    name = "hash.fussy-test"

    def __init__(self, word: str, error: type[Exception]) -> None:
        self.word, self.error = word, error

    def embed(self, texts):  # type: ignore[no-untyped-def]
        for text in texts:
            if self.word in text:
                raise (self.error("embedder", f"cannot embed {self.word!r}") if self.error is CrosswireError
                       else self.error(f"cannot embed {self.word!r}"))
        return super().embed(texts)


def _embed_pipeline(error: type[Exception]) -> Pipeline:
    # "EuroNews" is only in the Norwegian seed (line 2).
    return Pipeline([Clean(), Segment(), DetectLanguage(E5_LANGUAGES), Embed(FussyEmbedder("EuroNews", error))])


@pytest.mark.parametrize("error", [
    RuntimeError,
    CrosswireError,
])
def test_pipe_isolates_an_article_the_embedder_fails_on(seeds_dir: Path, error: type[Exception]) -> None:
    ar = read_one(seeds_dir / "ar_rutte_ishiba.txt")
    nb = read_one(seeds_dir / "nb_rutte_ishiba.txt")
    results = list(_embed_pipeline(error).pipe([ar, nb]))
    assert results[0] is ar and ar.vector is not None and ar.embedder == "hash.fussy-test"
    assert isinstance(results[1], CrosswireError)
    assert results[1].stage == "embed"
    assert "cannot embed 'EuroNews'" in str(results[1])
    if error is RuntimeError:  # wrapped by the pipeline, which names the article
        assert results[1].source == str(seeds_dir / "nb_rutte_ishiba.txt")
