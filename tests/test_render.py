"""Renderers of a hand-built Comparison of the two seed articles (no models)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import find_seeds

from crosswire.article import Article, Sentence
from crosswire.matching.comparison import Comparison, Link, PairComparison
from crosswire.render import RENDERERS, render
from crosswire.render.markdown import escape as md_escape
from crosswire.render.rows import rows
from crosswire.render.text import display_width, is_rtl, wrap_display

SEEDS = find_seeds() or Path("samples/seeds")
NB_FURNITURE = {5: "subheading", 9: "subheading", 14: "subheading", 11: "read-also"}


def _article(art_id: str, language: str, text: str, furniture: dict[int, str] | None = None,
             title: str | None = None) -> Article:
    furniture = furniture or {}
    sentences = [
        Sentence(id=i, line=n, text=line, language=language, furniture=furniture.get(n))
        for i, (n, line) in enumerate(
            (n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip()
        )
    ]
    return Article(id=art_id, text=text, source=f"{art_id}.txt", title=title,
                   language=language, sentences=sentences)


def _by_line(article: Article) -> dict[int, int]:
    return {s.line: s.id for s in article.sentences}


@pytest.fixture(scope="module")
def seeds() -> tuple[Article, Article, list[tuple[int, int]]]:
    paths = [SEEDS / n for n in ("ar_rutte_ishiba.txt", "nb_rutte_ishiba.txt",
                                 "gold_alignment.tsv")]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        pytest.skip(f"seed articles not found: {', '.join(missing)}")
    ar = _article("ar_rutte_ishiba", "ar", paths[0].read_text(encoding="utf-8"))
    nb = _article("nb_rutte_ishiba", "nb", paths[1].read_text(encoding="utf-8"), NB_FURNITURE)
    gold: list[tuple[int, int]] = []
    for line in paths[2].read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or line.startswith("ar_line"):
            continue
        ar_line, nb_lines = line.split("\t")[:2]
        if ar_line == "-" or nb_lines == "-":
            continue
        gold += [(int(ar_line), int(n)) for n in nb_lines.split(",")]
    return ar, nb, gold


def _comparison(a: Article, b: Article, pairs: list[tuple[int, int]],
                score: float = 0.9) -> Comparison:
    la, lb = _by_line(a), _by_line(b)
    links = [Link(la[x], lb[y], score) for x, y in pairs]
    linked_a = {lk.a for lk in links}
    linked_b = {lk.b for lk in links}
    pair = PairComparison(
        a=a.id, b=b.id, same_story=0.93, verdict="same story", links=links,
        only_a=[s.id for s in a.story_sentences if s.id not in linked_a],
        only_b=[s.id for s in b.story_sentences if s.id not in linked_b],
    )
    return Comparison(articles=[a, b], pairs=[pair], embedder="test")


@pytest.fixture(scope="module")
def seed_comparison(seeds: tuple[Article, Article, list[tuple[int, int]]]) -> Comparison:
    ar, nb, gold = seeds
    return _comparison(ar, nb, gold)


def _cjk_comparison() -> Comparison:
    zh = _article("zh_story", "zh", "\n".join([
        "北约秘书长吕特与日本首相石破茂在东京会面，双方承诺进一步深化军事合作，"
        "并强调需要应对来自中国、朝鲜和俄罗斯日益增长的威胁。" * 2,
        "石破茂在记者会上表示，一个更强大的北约将使日本受益。",
        "日本仍需讨论参与的细节。",
    ]), title="吕特访问日本")
    ja = _article("ja_story", "ja", "\n".join([
        "北大西洋条約機構（ＮＡＴＯ）のルッテ事務総長と石破茂首相は東京で会談し、軍事協力を一段と深めることで一致した。",
        "石破首相は記者会見で「より強いＮＡＴＯは日本に利益をもたらす」と述べた。",
        "ＮＡＴＯのウクライナ支援司令部はドイツのウィースバーデンにある。",
    ]))
    return _comparison(zh, ja, [(1, 1), (2, 2)])


# --- JSON -------------------------------------------------------------------------------

def test_json_round_trips_with_documented_keys(seed_comparison: Comparison) -> None:
    text = render(seed_comparison, "json")
    data = json.loads(text)
    assert data == json.loads(json.dumps(seed_comparison.to_dict()))
    assert "روتي" in text  # ensure_ascii=False: Arabic is written as is
    art = data["articles"][1]
    assert {"id", "language", "title", "sentences"} <= art.keys()
    assert {"id", "line", "text", "language", "furniture"} <= art["sentences"][0].keys()
    furniture = [s["line"] for s in art["sentences"] if s["furniture"]]
    assert furniture == [5, 9, 11, 14]
    pair = data["pairs"][0]
    assert {"a", "b", "same_story", "links"} <= pair.keys()
    assert {"a", "b", "score"} <= pair["links"][0].keys()


# --- rows -------------------------------------------------------------------------------

def _row_lines(comparison: Comparison) -> list[tuple[list[int], list[int], str]]:
    a, b = comparison.articles
    return [([s.line for s in r.a_sentences], [s.line for s in r.b_sentences], r.kind)
            for r in rows(comparison.pairs[0], a, b)]


def test_rows_group_links_and_keep_furniture_out(seed_comparison: Comparison) -> None:
    got = _row_lines(seed_comparison)
    # Arabic 2 partly restates Norwegian 2 (the gold's 2026-12 revision), so it joins line 1's row.
    assert got[0] == ([1, 2], [1, 2], "linked")
    assert ([6, 10], [7, 10, 12], "linked") in got  # 6→7,10 and 10→10,12 share nb line 10
    assert ([8, 9], [13], "linked") in got
    assert ([12], [], "only_a") in got
    shown_b = {n for _, b, _ in got for n in b}
    assert not shown_b & set(NB_FURNITURE)
    assert [a[0] for a, _, _ in got if a] == sorted(a[0] for a, _, _ in got if a)


def test_rows_slot_b_only_after_preceding_b_sentence() -> None:
    a = _article("a", "en", "one\ntwo\nthree")
    b = _article("b", "de", "zero\neins\nzwei\nzwischen\ndrei")
    got = _row_lines(_comparison(a, b, [(1, 2), (2, 3), (3, 5)]))
    assert got == [([], [1], "only_b"), ([1], [2], "linked"), ([2], [3], "linked"),
                   ([], [4], "only_b"), ([3], [5], "linked")]


# --- text helpers -----------------------------------------------------------------------

def test_display_width_and_wrap() -> None:
    assert display_width("abc") == 3
    assert display_width("日本語") == 6
    assert display_width("e\u0301") == 1
    lines = wrap_display("日本語のテキスト" * 10, 15)
    assert all(display_width(x) <= 15 for x in lines)
    assert "".join(lines) == "日本語のテキスト" * 10
    assert wrap_display("", 10) == [""]
    assert wrap_display("a " + "x" * 25, 10) == ["a", "x" * 10, "x" * 10, "x" * 5]


def test_is_rtl() -> None:
    assert is_rtl("ar", "NSATU")
    assert is_rtl("ckb", "")
    assert is_rtl(None, "שלום עולם")
    assert is_rtl("und", "وقال رئيس الناتو NATO")
    assert not is_rtl("nb", "Japans statsminister")
    assert not is_rtl(None, "NATO وقال and some more English words")
    assert not is_rtl("az-Latn", "Azərbaycan")
    assert is_rtl("az-Arab", "")


# --- terminal ---------------------------------------------------------------------------

def _row_blocks(text: str) -> list[str]:
    return re.split(r"^── .*$", text, flags=re.M)


def test_terminal_side_by_side(seed_comparison: Comparison) -> None:
    text = render(seed_comparison, "terminal", width=100)
    assert "\x1b" not in text
    for line in text.splitlines():
        assert display_width(line) <= 100, line
    assert "Same story: 0.93 — same story" in text
    first = next(b for b in _row_blocks(text) if re.search(r"^L1 ", b, re.M))
    left_right = [line.split(" │ ") for line in first.splitlines() if " │ " in line]
    assert any(r.startswith("L1 ") for _, r in left_right)
    assert any(r.startswith("L2 ") for _, r in left_right)
    assert re.match(r"L1 +تعهد", left_right[0][0])

    only_a = text.split("Reported only by ar_rutte_ishiba:")[1].split("Reported only by")[0]
    assert re.findall(r"^\s+L(\d+) ", only_a, re.M) == ["12"]  # Wiesbaden; line 2 is partly in nb 2
    assert "Reported only by nb_rutte_ishiba: none" in text
    furniture = text.split("Page furniture")[1]
    assert re.findall(r"^\s+L(\d+) \[([a-z-]+)\]", furniture, re.M) == [
        ("5", "subheading"), ("9", "subheading"), ("11", "read-also"), ("14", "subheading")]


def test_terminal_cjk_fits_width() -> None:
    for width in (80, 100):
        text = render(_cjk_comparison(), "terminal", width=width)
        for line in text.splitlines():
            assert display_width(line) <= width, line
        assert "吕特访问日本" in text


def test_terminal_color_and_control_chars(seed_comparison: Comparison) -> None:
    assert "\x1b[1m" in render(seed_comparison, "terminal", width=100, color=True)
    evil = _article("e\x1b[31m", "en", "bad \x1b]0;title\x07 text\nok")
    text = render(_comparison(evil, evil, [(1, 1)]), "terminal", width=80)
    assert "\x1b" not in text and "\x07" not in text


# --- Markdown ---------------------------------------------------------------------------

def test_markdown_table(seed_comparison: Comparison) -> None:
    text = render(seed_comparison, "markdown")
    assert "| A (ar) | B (nb) | score |" in text
    table = [line for line in text.splitlines() if line.startswith("| L")]
    assert table[0].startswith("| L1 تعهد") and "L1 Japans" in table[0] and "<br>L2 " in table[0]
    assert any("only A" in line for line in table)
    assert "read\\-also" not in text and "*read-also*" in text


def test_markdown_escapes_pipes_and_newlines() -> None:
    a = _article("a|b", "en", "x | y\n<b>bold</b> *z*")
    b = _article("c", "en", "pipe|pipe")
    text = render(_comparison(a, b, [(1, 1)]), "markdown")
    row = next(line for line in text.splitlines() if line.startswith("| L1"))
    assert "x \\| y" in row and "pipe\\|pipe" in row
    assert row.count(" | ") == 2  # three cells: no unescaped pipe inside a cell
    assert "<b>" not in text and "\\<b\\>" in text
    assert md_escape("a\nb|c") == "a b\\|c"


# --- HTML -------------------------------------------------------------------------------

def test_html_page(seed_comparison: Comparison) -> None:
    page = render(seed_comparison, "html")
    assert page.startswith("<!DOCTYPE html>")
    assert '<html lang="en">' in page and '<meta charset="utf-8">' in page
    assert "<script" not in page.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.I)
    assert not re.search(r"url\(|@import", page)
    arabic_cells = re.findall(r'<td lang="ar" dir="(\w+)">', page)
    assert arabic_cells and set(arabic_cells) == {"rtl"}
    assert '<th lang="ar" dir="rtl">' in page and '<th lang="nb" dir="ltr">' in page
    assert '<td lang="nb" dir="ltr">' in page
    assert 'class="only_a"' in page
    assert page.count('<span class="kind">') == 4


def test_html_escapes_untrusted_text() -> None:
    evil_id = 'x"><b>boom</b>'
    a = _article(evil_id, 'en" onmouseover="x', "hi <script>alert(1)</script>\n"
                 "<img src=x onerror=alert(1)>", title="<i>t</i>")
    b = _article("b", "en", "fine\nalso fine")
    page = render(_comparison(a, b, [(1, 1)]), "html")
    assert "<script" not in page.lower()
    assert "<img" not in page.lower()
    assert '"><b>' not in page and "<i>t</i>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "x&quot;&gt;&lt;b&gt;boom" in page
    assert 'onmouseover="x' not in page


def test_unknown_format() -> None:
    comparison = Comparison(articles=[], pairs=[])
    with pytest.raises(ValueError, match="unknown format"):
        render(comparison, "pdf")
    assert set(RENDERERS) == {"terminal", "json", "markdown", "html", "csv", "jsonl"}
    for fmt in RENDERERS:  # no pairs is not an error; JSON Lines of no rows is no line
        assert render(comparison, fmt, width=80) or fmt == "jsonl"
