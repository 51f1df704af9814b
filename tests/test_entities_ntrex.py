"""Entities on real NTREX-128 documents (calibration half): the fixes the NTREX evaluation led to, and speed.

Each test rebuilds one document in a few languages (segmented, language given,
no embedder) and checks that a name of the English line is linked to the same
line of the other language, which is what evals/ntrex_entities_eval.py counts.
"""
from __future__ import annotations

import time

import pytest

from crosswire.analysis.pipeline import Pipeline
from crosswire.analysis.stages.clean import Clean
from crosswire.analysis.stages.segment import Segment
from crosswire.article import Article
from crosswire.entities.gazetteer import place_spans
from crosswire.entities.linking import Entity, link_entities
from crosswire.entities.mentions import find_mentions
from crosswire.entities.words import tokens
from crosswire.readers.ntrex import Ntrex
from crosswire.report.quotes import find_quotes

CODES = {"eng": "en", "tur": "tr", "rus": "ru", "hin": "hi", "zho-CN": "zh", "deu": "de", "fra": "fr", "arb": "ar",
         "jpn": "ja", "kor": "ko", "heb": "he", "ell": "el", "amh": "am", "spa": "es", "nob": "nb"}


@pytest.fixture(scope="module")
def ntrex(ntrex_dir) -> Ntrex:
    return Ntrex(ntrex_dir)


def doc(ntrex: Ntrex, document: str, lang: str) -> Article:
    article = ntrex.articles(lang, [document])[0]
    article.language, article.language_given = CODES[lang], True
    return Pipeline([Clean(), Segment()])(article)


def on_line(entity: Entity, article: Article, line: int) -> list[str]:
    return [m.text for m in entity.mentions.get(article.id, []) if article.sentences[m.sentence_id].line == line]


def holder(entities: list[Entity], article: Article, line: int, surface: str) -> Entity:
    return next(e for e in entities for m in e.mentions.get(article.id, [])
                if article.sentences[m.sentence_id].line == line and surface in m.text)


def test_devanagari_words_keep_their_vowel_signs(ntrex):
    # Python's \w leaves out combining marks: "पीटर" used to be the two words "प" and "टर".
    assert [t.text for t in tokens("पीटर जोन्स ने")] == ["पीटर", "जोन्स", "ने"]
    en, hi = doc(ntrex, "dailymail.co.uk.298595", "eng"), doc(ntrex, "dailymail.co.uk.298595", "hin")
    entities = link_entities([en, hi])
    assert on_line(holder(entities, en, 6, "Peter Jones"), hi, 6) == ["पीटर जोन्स"]


def test_a_projected_full_name_drops_the_title_before_it(ntrex):
    en, tr = doc(ntrex, "reuters.218882", "eng"), doc(ntrex, "reuters.218882", "tur")
    entities = link_entities([en, tr])
    may = holder(entities, en, 2, "Theresa May")
    assert on_line(may, tr, 2) == ["Theresa May"]     # not "Başbakan Theresa May" (Prime Minister)
    assert may.kind == "PER"


def test_russian_case_endings(ntrex):
    en, ru = doc(ntrex, "reuters.218882", "eng"), doc(ntrex, "reuters.218882", "rus")
    entities = link_entities([en, ru])
    assert on_line(holder(entities, en, 2, "Theresa May"), ru, 2) == ["Тереза Мэй"]
    assert on_line(holder(entities, en, 4, "Boris Johnson"), ru, 4) == ["Борис Джонсон"]  # after "МИД"
    # Places in the genitive and locative: "Греции" (Greece), "Мексике" (Mexico).
    assert [c for _, _, c in place_spans("спор с соседней Грецией и Мексике", "ru")] == ["GR", "MX"]


def test_turkish_suffix_after_apostrophe_and_french_elision():
    assert [t.text for t in tokens("Meksika'nın kuzeyi, Zaev'in ve d'Ankara l'Inde")] == [
        "Meksika", "kuzeyi", "Zaev", "ve", "Ankara", "Inde"]
    assert [c for _, _, c in place_spans("Meksika'nın kuzey kıyısı", "tr")] == ["MX"]
    assert [c for _, _, c in place_spans("l'Inde et d'Allemagne", "fr")] == ["IN", "DE"]


def test_chinese_names_are_found_by_their_pinyin(ntrex):
    en, zh = doc(ntrex, "reuters.218863", "eng"), doc(ntrex, "reuters.218863", "zho-CN")
    entities = link_entities([en, zh])
    assert on_line(holder(entities, en, 2, "Sulawesi"), zh, 2) == ["苏拉威西"]  # inside an unspaced run
    en, zh = doc(ntrex, "abcnews.306815", "eng"), doc(ntrex, "abcnews.306815", "zho-CN")
    entities = link_entities([en, zh])
    assert on_line(holder(entities, en, 23, "Missouri"), zh, 23) == ["密苏里"]
    # An everyday word that sounds like a name is not it: 公司 (gongsi, company) is no "Jones".
    en, zh = doc(ntrex, "dailymail.co.uk.298595", "eng"), doc(ntrex, "dailymail.co.uk.298595", "zho-CN")
    assert not any(m.text == "公司" for e in link_entities([en, zh]) for m in e.mentions.get(zh.id, []))


def test_a_sentence_opener_does_not_join_the_name_after_it(ntrex):
    en = doc(ntrex, "nytimes.184837", "eng")
    line5 = {m.text for m in find_mentions(en) if en.sentences[m.sentence_id].line == 5}
    assert not any(t.startswith("While") for t in line5), line5


def test_story_of_ten_languages_links_fast(ntrex):
    """One document in ten languages: well under a few CPU seconds once uroman's tables are loaded
    (a guard against a quadratic blow-up, not a speed measurement: bench/story_page.py is that).
    CPU time of this process, so other work on a busy machine does not count against it."""
    langs = ["eng", "deu", "fra", "rus", "arb", "hin", "zho-CN", "jpn", "kor", "heb"]
    story = [doc(ntrex, "reuters.218861", lang) for lang in langs]  # 25 lines, North Korea at the UN
    link_entities(story[:2])  # load uroman once
    started = time.process_time()
    entities = link_entities(story)
    seconds = time.process_time() - started
    assert seconds < 5, seconds
    pompeo = holder(entities, story[0], 19, "Mike Pompeo")
    assert len([lang for lang, a in zip(langs, story) if on_line(pompeo, a, 19)]) >= 6
    for article in story:
        find_quotes(article, entities)


def test_hebrew_geresh_stays_in_the_word_and_bet_is_read_b_or_v(ntrex):
    # ג‘ = j (the geresh is often typed as a quotation mark); ב is b in Corbyn, v in Ivanov.
    assert [t.text for t in tokens("הנשיא ג‘ורג‘ איוונוב ו“מנסה ארה“ב")] == ["הנשיא", "ג‘ורג‘", "איוונוב", "ו", "מנסה",
                                                                          "ארה“ב"]
    for document, line, english, hebrew in (("reuters.218932", 5, "Gjorge Ivanov", "ג‘ורג‘ איוונוב"),
                                            ("guardian.221679", 18, "Jeremy Corbyn", "ג‘רמי קורבין"),
                                            ("reuters.218882", 4, "Boris Johnson", "בוריס ג‘ונסון")):
        en, he = doc(ntrex, document, "eng"), doc(ntrex, document, "heb")
        entities = link_entities([en, he])
        assert on_line(holder(entities, en, line, english), he, line) == [hebrew], english


def test_greek_chi_is_h_and_gamma_kappa_is_g_in_foreign_names(ntrex):
    # Μπέρμινχαμ: χ is the h of Birmingham; Ντιέγκο: γκ is the g of Diego (uroman wrote "ch" and "ng").
    for document, line, english, greek in (("reuters.218882", 3, "Birmingham", "Μπέρμινχαμ"),
                                           ("upi.176266", 4, "San Diego", "Ντιέγκο")):
        en, el = doc(ntrex, document, "eng"), doc(ntrex, document, "ell")
        entities = link_entities([en, el])
        assert on_line(holder(entities, en, line, english), el, line) == [greek], english
