"""Nothing an article, a title or a file name holds can drive the reader's terminal.

Titles and texts with an OSC sequence (``ESC ] 0 ; … BEL`` retitles the terminal), an SGR
sequence, an 8-bit CSI (U+009B) and a bidi override go through every command that prints
them: ``stories``, ``story``, ``compare`` (terminal and Markdown), the error lines on
stderr, and JSON, which must keep the text exact and still show no raw control.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from crosswire.cli import main
from crosswire.render import terminal
from crosswire.render.text import clean_for_terminal, escape_json_controls
from crosswire.stories.view import StorySummary, render_stories

HASH = ["--embedder", "hash"]
HOSTILE = "\x1b]0;pwned\x07Harbour \x1b[31mbridge\x1b[0m vote \x9b2Jdelayed \u202eevil\u202c"
TEXT = ("The city council postponed its vote on the new harbour bridge.\n"
        "Critics said the plan \x1b]8;;http://evil.example/\x07had been rushed\x1b]8;;\x07 through.\n"
        "The mayor promised a public hearing before the end of the month.")
# What a terminal obeys: C0 controls but newline, DEL, C1 controls, explicit bidi controls.
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def assert_safe(text: str) -> None:
    found = UNSAFE.findall(text)
    assert not found, f"terminal controls in the output: {found!r}"


def run(*args: str | Path) -> Result:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, int]:
    """A store holding two hostile articles of one story, the JSONL they came from, and the story id."""
    folder = tmp_path_factory.mktemp("hostile")
    articles = folder / "hostile.jsonl"
    lines = [{"id": f"bridge-{n}", "title": HOSTILE, "source": f"Harbour \x1b[5mTimes\x9b {n}", "language": "en",
              "published": "2025-03-10T09:00:00Z", "text": TEXT} for n in (1, 2)]
    articles.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    db = folder / "hostile.db"
    result = run("ingest", *HASH, "--db", db, articles)
    assert result.exit_code == 0, result.output
    found = json.loads(run("stories", "--db", db, "--format", "json").stdout)
    biggest = max(found, key=lambda s: s["size"])
    return db, articles, biggest["id"]


def test_the_story_listing_prints_no_terminal_controls(hostile: tuple[Path, Path, int]) -> None:
    db, _, _ = hostile
    result = run("stories", "--db", db)
    assert result.exit_code == 0
    assert "Harbour bridge vote" in result.stdout
    assert_safe(result.output)


def test_the_story_listing_as_the_console_script_prints_no_terminal_controls(hostile: tuple[Path, Path, int]) -> None:
    db, _, _ = hostile
    crosswire = Path(sys.executable).parent / "crosswire"
    if not crosswire.is_file():
        pytest.skip("the crosswire console script is not installed")
    done = subprocess.run([str(crosswire), "stories", "--db", str(db)], capture_output=True, timeout=120,
                          env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    assert done.returncode == 0, done.stderr
    assert_safe(done.stdout.decode("utf-8") + done.stderr.decode("utf-8"))


def test_json_keeps_the_titles_exact_without_raw_controls(hostile: tuple[Path, Path, int]) -> None:
    db, _, story_id = hostile
    listing = run("stories", "--db", db, "--format", "json").stdout
    assert_safe(listing)
    assert {s["headline"] for s in json.loads(listing)} == {HOSTILE}
    report = run("story", str(story_id), "--db", db, "--format", "json").stdout
    assert_safe(report)
    assert {a["title"] for a in json.loads(report)["articles"]} == {HOSTILE}


@pytest.mark.parametrize("fmt", ["terminal", "markdown"])
def test_a_story_report_prints_no_terminal_controls(hostile: tuple[Path, Path, int], fmt: str) -> None:
    db, _, story_id = hostile
    result = run("story", str(story_id), "--db", db, "--format", fmt)
    assert result.exit_code == 0, result.output
    assert "bridge" in result.stdout
    assert_safe(result.output)


@pytest.mark.parametrize("fmt", ["terminal", "markdown"])
def test_compare_prints_no_terminal_controls(hostile: tuple[Path, Path, int], fmt: str) -> None:
    _, articles, _ = hostile
    result = run("compare", *HASH, "--input-lang", "en", "--format", fmt, articles)
    assert result.exit_code == 0, result.output
    assert "rushed" in result.stdout
    assert_safe(result.output)


def test_a_hostile_file_name_in_an_error_line_is_cleaned(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    pdf = tmp_path / "notes\x1b]0;pwned\x07\x9b31m.pdf"  # named on the command line: a folder walk skips it
    pdf.write_bytes(b"%PDF-1.4\n")
    for n in (1, 2):
        (folder / f"a{n}.txt").write_text(TEXT.replace("\x1b", "") + f" Part {n}.", encoding="utf-8")
    for args in (["compare", *HASH, "--input-lang", "en", folder, pdf],
                 ["ingest", *HASH, "--db", tmp_path / "x.db", folder, pdf]):
        result = run(*args)
        assert result.exit_code == 1, result.output
        skipped = [line for line in result.stderr.splitlines() if "skipped" in line and ".pdf" in line]
        assert skipped and "notes" in skipped[0] and "pwned" not in skipped[0]
        assert_safe(result.stderr)


# --- the one cleaning function --------------------------------------------------------------------

def test_sequences_go_whole_and_text_stays() -> None:
    assert clean_for_terminal(HOSTILE) == "Harbour bridge vote delayed evil"
    assert clean_for_terminal("a\x1bPq#0;2;0;0;0\x1b\\b\x1bcc\x90x\x9cd") == "abcd"  # DCS, reset, 8-bit DCS
    assert clean_for_terminal("one\ttwo\r\nthree\x85four") == "one two  three four"
    assert clean_for_terminal("one\ttwo\r\nthree", keep_lines=True) == "one\ttwo\nthree"
    kept = "Ишиба 石破茂 إيشيبا שִׁגֶרוּ \u200dज़\u200f"  # letters, marks, joiners and direction marks stay
    assert clean_for_terminal(kept) == kept


def test_json_escapes_what_a_terminal_obeys_and_reads_back_the_same() -> None:
    value = {"title": HOSTILE, "del": "\x7f", "nel": "\x85"}
    text = escape_json_controls(json.dumps(value, ensure_ascii=False))
    assert_safe(text)
    assert json.loads(text) == value


def test_the_listing_and_the_coloured_view_carry_no_controls_of_the_text() -> None:
    summary = StorySummary(id=1, headline=HOSTILE, headline_language="en", languages=["en"],
                           sources=["\x1b[31mTimes"], first_seen="2025-03-10T09:00:00Z",
                           last_seen="2025-03-10T09:00:00Z", size=1)
    assert_safe(render_stories([summary]))
    from crosswire.analysis.pipeline import default_pipeline
    from crosswire.article import Article
    from crosswire.matching.compare import CompareOptions, analyse, compare_articles

    articles = [Article(id=f"a{n}", text=TEXT, title=HOSTILE, source=f"a{n}.txt") for n in (1, 2)]
    done, errors = analyse(articles, default_pipeline("hash"), "en")
    assert not errors
    shown = terminal.render(compare_articles(done, CompareOptions(embedder="hash")), width=100, color=True)
    # Our own bold is the only sequence left.
    assert_safe(shown.replace(terminal.BOLD, "").replace(terminal.RESET, ""))
    assert terminal.BOLD in shown
