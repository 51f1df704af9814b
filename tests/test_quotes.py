"""Quotes and their speakers: the seed pair's exact speakers, quotation styles, and bad input."""
from __future__ import annotations

import pytest

from crosswire.article import Article, Sentence
from crosswire.entities.linking import link_entities
from crosswire.readers.files import read_path
from crosswire.report.quotes import Quote, find_quotes, link_quotes

SEEDS = ("ar_rutte_ishiba.txt", "nb_rutte_ishiba.txt")


@pytest.fixture(scope="module")
def seeds(seeds_dir, hash_pipeline) -> list[Article]:
    return [hash_pipeline(read_path(seeds_dir / name).articles[0]) for name in SEEDS]


@pytest.fixture(scope="module")
def linked(seeds):
    entities = link_entities(seeds)
    ids = {e.name: e.id for e in entities}
    ar, nb = (find_quotes(a, entities) for a in seeds)
    return ar, nb, ids


def article(texts: list[str], language: str | None, id: str = "x") -> Article:
    sentences = [Sentence(id=i, line=i + 1, text=t) for i, t in enumerate(texts)]
    return Article(id=id, text="\n".join(texts), source=id, language=language, sentences=sentences)


def at(quotes: list[Quote], line: int) -> Quote:
    return next(q for q in quotes if q.line == line)


# --- The seed pair ------------------------------------------------------------------------

def test_ishiba_stronger_nato_quote_in_both_articles(linked):
    ar, nb, ids = linked
    qa, qb = at(ar, 3), at(nb, 3)
    assert qa.text == "ستفيد الناتو أقوى اليابان"
    assert qb.text == "Et sterkere NATO vil være til stor fordel for Japan"
    assert (qa.speaker, qb.speaker) == ("إيشيبا", "Ishiba")
    assert qa.speaker_entity == qb.speaker_entity == ids["Shigeru Ishiba"]


def test_rutte_nsatu_quote_in_both_articles(linked):
    ar, nb, ids = linked
    qa, qb = at(ar, 13), at(nb, 16)
    assert "NSATU" not in qa.text and qa.text.startswith("تساعد أوكرانيا")
    assert qa.speaker == "روت" and qa.attributed == "verb"          # a variant of روتي, still Rutte
    assert qb.speaker == "han" and qb.attributed == "pronoun"       # "sa han" -> the last person named
    assert qa.speaker_entity == qb.speaker_entity == ids["Mark Rutte"]


def test_every_seed_quote_and_speaker(linked):
    ar, nb, ids = linked
    rutte, ishiba = ids["Mark Rutte"], ids["Shigeru Ishiba"]
    assert [(q.line, q.speaker_entity) for q in ar] == [(3, ishiba), (4, ishiba), (6, ishiba), (7, rutte),
                                                        (10, rutte), (13, rutte)]
    assert [(q.line, q.speaker, q.speaker_entity) for q in nb] == [
        (3, "Ishiba", ishiba), (8, "Rutte", rutte), (12, "Rutte", rutte), (16, "han", rutte)]
    assert at(ar, 4).speaker == "إيشيبا وروتي"
    assert at(ar, 10).speaker == "رئيس الناتو" and at(ar, 10).attributed == "descriptor"  # line 1: رئيس الناتو مارك روتي


def test_a_quoted_term_is_not_speech(linked):
    _, nb, _ = linked
    assert all("dobbeltbruksteknologier" not in q.text for q in nb)


def test_link_quotes_through_aligned_sentences(seeds, linked):
    ar, nb, _ = linked
    sent = {(a.id[:2], s.line): s.id for a in seeds for s in a.sentences}
    pairs = link_quotes(ar, nb, [(sent["ar", 3], sent["nb", 3]), (sent["ar", 13], sent["nb", 16]),
                                 (sent["ar", 3], sent["nb", 16])])  # the last: aligned, but two speakers
    assert {(qa.line, qb.line) for qa, qb in pairs} == {(3, 3), (13, 16)}


# --- Quotation styles and attribution -----------------------------------------------------

@pytest.mark.parametrize("text,language,quote,speaker", [
    ("“We will not give up,” said Mark Rutte on Tuesday.", "en", "We will not give up", "Mark Rutte"),
    ('"We will not give up," Mark Rutte said.', "en", "We will not give up", "Mark Rutte"),
    ("«Nous ne céderons pas», a déclaré Emmanuel Macron.", "fr", "Nous ne céderons pas", "Emmanuel Macron"),
    ("„Wir schaffen das“, sagte Angela Merkel in Berlin.", "de", "Wir schaffen das", "Angela Merkel"),
    ("Angela Merkel sagte: „Wir schaffen das.“", "de", "Wir schaffen das", "Angela Merkel"),
    ("‘It’s a good day for Japan’, said Shigeru Ishiba.", "en", "It’s a good day for Japan", "Shigeru Ishiba"),
    ("– Vi gir oss ikke, sier Jonas Gahr Støre.", "nb", "Vi gir oss ikke", "Jonas Gahr Støre"),
    ("وقال مارك روتي إن “الناتو لن يستسلم أبدا”.", "ar", "الناتو لن يستسلم أبدا", "مارك روتي"),
])
def test_quote_styles_and_speakers(text, language, quote, speaker):
    quotes = find_quotes(article([text], language))
    assert [q.text for q in quotes] == [quote]
    assert quotes[0].speaker == speaker and quotes[0].speaker_entity


def test_cjk_corner_brackets():
    quotes = find_quotes(article(["石破首相は「日本にとって大きな利益になるだろう」と述べた。"], "ja"))
    assert [q.text for q in quotes] == ["日本にとって大きな利益になるだろう"]


def test_pronoun_goes_to_the_last_person_named():
    a = article(["Mark Rutte møtte Shigeru Ishiba i Tokyo.", "– Dette er en viktig dag for Japan, sa han."], "nb")
    entities = link_entities([a])
    quote = find_quotes(a, entities)[0]
    assert quote.speaker == "han"
    assert quote.speaker_entity == next(e.id for e in entities if e.name == "Shigeru Ishiba")


# --- Bad input ------------------------------------------------------------------------------

@pytest.mark.parametrize("texts,language", [
    (["No quotes here at all."], "en"),
    (["“This quote never closes and goes on"], "en"),
    (["–"], "nb"),
    (["– ", "\u200f“\u200b”\u200f"], "ar"),
    (["«»", '""', "「」"], "fr"),
    ([], "en"),
])
def test_no_speech_no_quotes(texts, language):
    assert find_quotes(article(texts, language)) == []


def test_marks_inside_quotes_and_unknown_language():
    a = article(["\u200f“\u200bستفيد الناتو\u200c أقوى اليابان”\u200f، قال إيشيبا.", "He said \"yes, we can\"."], None)
    quotes = find_quotes(a)
    assert len(quotes) == 2 and all(q.text and "\u200b" not in q.text for q in quotes)


def test_very_long_quote():
    words = " ".join(["ord"] * 20_000)
    quotes = find_quotes(article([f"– {words}, sa Rutte."], "nb"))
    assert len(quotes) == 1 and quotes[0].speaker == "Rutte"


def test_an_article_on_one_line_is_searched_for_speech_verbs_once(monkeypatch):
    """Issue #10, case 4: a whole article on one line (a 2 MB line) has hundreds of quotes; looking for
    speech verbs around each in the whole line again made the report's time grow with the square
    of the line (minutes). The line is read once."""
    import crosswire.report.quotes as quotes

    said = ['"We will rebuild the bridge this year," said Mark Rutte.',
            '"Japan stands with its partners," Ishiba said.',
            'Officials met on Monday to discuss the plan.']
    one_line = " ".join(said * 40)
    sentences = [Sentence(id=i, line=1, text=t) for i, t in enumerate(said * 40)]
    long = Article(id="long", text=one_line, source="long", language="en", sentences=sentences)
    line_reads = []
    real_tokens = quotes.tokens
    monkeypatch.setattr(quotes, "tokens", lambda text: (line_reads.append(len(text)), real_tokens(text))[1])
    found = find_quotes(long)
    assert len(found) == 80
    assert sum(size == len(one_line) for size in line_reads) == 1
    assert all(q.speaker for q in found)
