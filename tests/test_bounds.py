"""Inputs without a practical bound (issue #10, case 4), each observed case through the real CLI
or server with the fast hash embedder:

* one 2 MB line ran ``compare`` past 4 minutes: an article over the limits (characters, sentences)
  is refused before analysis, in one line naming it, the limit and the option that raises it;
* a 50 MB file was read whole and held for 90 s at 1.3 GB: a file is refused by its size, unread;
* one 1 MB POST held the only writer for minutes while other writes hung: such an article is refused
  at once, and a write that cannot get the writer within ``--write-timeout`` (or finds the store
  locked by another process past SQLite's busy timeout) answers 503 ``busy`` with Retry-After.

How long things take is measured by bench/align_long.py, never asserted here.
"""
from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from server_support import Answer, ProcessServer, ThreadServer, request
from store_support import run_cli, store_problems, stored_ids, variants, write_jsonl

from crosswire.analysis.pipeline import default_pipeline
from crosswire.article import Article
from crosswire.errors import CrosswireError
from crosswire.limits import Limits
from crosswire.readers import files as readers
from crosswire.server import ServeOptions

HASH = ("--embedder", "hash")
SENTENCE = "The harbour bridge will be rebuilt after the council approved the plan on Monday. "
LONG = (SENTENCE * 40).strip()  # 3,279 characters, 40 sentences
COUNCIL = "The city council passed next year's budget on Monday after a long debate.\n" \
          "The mayor said the money would go to schools and roads."
VOLCANO = "A volcano erupted on the Reykjanes peninsula on Tuesday night.\n" \
          "Lava flowed towards the town of Grindavik, which had been evacuated."


def skipped(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("crosswire: skipped")]


def two_articles(tmp_path: Path) -> list[Path]:
    (tmp_path / "council.txt").write_text(COUNCIL, encoding="utf-8")
    (tmp_path / "volcano.txt").write_text(VOLCANO, encoding="utf-8")
    return [tmp_path / "council.txt", tmp_path / "volcano.txt"]


# --- the largest article ---------------------------------------------------------------------------

def test_a_2mb_line_is_refused_before_analysis_and_the_rest_are_compared(tmp_path: Path) -> None:
    """The observed case: one line of 2 MB (24,000 sentences) with the default limits, as a text
    file (refused by its size, unread) and as a JSON Lines line (refused before analysis)."""
    line = (SENTENCE * 24_000).strip()
    big_text = tmp_path / "big.txt"
    big_text.write_text(line + "\n", encoding="utf-8")
    big_jsonl = write_jsonl(tmp_path / "big.jsonl", [{"id": "big", "text": line}])
    proc = run_cli("compare", *HASH, "--format", "json", big_text, big_jsonl, *two_articles(tmp_path),
                   timeout=120)
    assert proc.returncode == 1, proc.stderr  # some inputs skipped, the rest compared
    assert skipped(proc.stderr) == [
        f"crosswire: skipped {big_text}: file is too large for one article: {len(line) + 1:,} bytes, more than "
        "the limit of 200,000 characters in any encoding (raise it with --max-chars)",
        f"crosswire: skipped {big_jsonl}:1: article is too long: {len(line):,} characters, "
        "the limit is 200,000 (raise it with --max-chars) [limits]"]
    assert [a["id"] for a in json.loads(proc.stdout)["articles"]] == ["council", "volcano"]


def test_an_article_over_the_sentence_limit_is_refused_before_language_detection() -> None:
    text = "\n".join(f"Sentence number {n} of a long list." for n in range(30))
    pipeline = default_pipeline("hash", Limits(max_sentences=10))
    [error] = pipeline.pipe([Article(id="list", text=text, source="list.txt")])
    assert isinstance(error, CrosswireError)
    assert error.stage == "limits"  # the check right after splitting: detection and embedding never ran
    assert str(error) == ("list.txt: article is too long: 30 sentences, the limit is 10 "
                          "(raise it with --max-sentences) [limits]")
    [fits] = default_pipeline("hash", Limits(max_sentences=30)).pipe([Article(id="list", text=text, source="list.txt")])
    assert isinstance(fits, Article) and len(fits.sentences) == 30


def test_the_limits_are_options_and_raising_one_lets_the_article_in(tmp_path: Path) -> None:
    long = tmp_path / "long.txt"
    long.write_text(LONG, encoding="utf-8")
    council, volcano = two_articles(tmp_path)
    proc = run_cli("analyze", *HASH, "--max-chars", "3000", long, council)
    assert proc.returncode == 1
    assert skipped(proc.stderr) == [f"crosswire: skipped {long}: article is too long: 3,279 characters, "
                                    "the limit is 3,000 (raise it with --max-chars) [limits]"]
    proc = run_cli("analyze", *HASH, "--max-sentences", "39", long, council)
    assert skipped(proc.stderr) == [f"crosswire: skipped {long}: article is too long: 40 sentences, "
                                    "the limit is 39 (raise it with --max-sentences) [limits]"]
    proc = run_cli("analyze", *HASH, "--max-chars", "3279", "--max-sentences", "40", long, council)
    assert proc.returncode == 0, proc.stderr
    assert [json.loads(line)["id"] for line in proc.stdout.splitlines()] == ["long", "council"]


def test_every_command_that_reads_articles_shows_its_limits() -> None:
    for command in ("compare", "analyze", "ingest"):
        shown = " ".join(run_cli(command, "--help").stdout.split())
        for flag, default in (("--max-chars", "200000"), ("--max-sentences", "2000"),
                              ("--max-file-bytes", "52428800")):
            assert f"{flag} " in shown and f"[default: {default};" in shown, (command, flag)
    for command in ("score", "serve"):
        shown = " ".join(run_cli(command, "--help").stdout.split())
        assert "--max-chars" in shown and "--max-sentences" in shown and "--max-file-bytes" not in shown
    assert "--write-timeout SECONDS" in run_cli("serve", "--help").stdout


def test_json_lines_are_read_line_by_line_each_line_held_to_the_article_limit(tmp_path: Path) -> None:
    rows = [{"id": "council", "text": COUNCIL}, {"id": "long", "text": LONG},
            {"id": "volcano", "text": VOLCANO}]
    source = write_jsonl(tmp_path / "in.jsonl", rows)
    assert source.stat().st_size > 1000  # over --max-file-bytes: JSON Lines are not read whole
    db = tmp_path / "s.db"
    proc = run_cli("ingest", *HASH, "--db", db, "--max-chars", "3000", "--max-file-bytes", "1000", source)
    assert proc.returncode == 1, proc.stderr
    assert skipped(proc.stderr) == [f"crosswire: skipped {source}:2: article is too long: 3,279 characters, "
                                    "the limit is 3,000 (raise it with --max-chars) [limits]"]
    assert set(stored_ids(db)) == {"council", "volcano"}


def test_score_holds_each_text_of_a_pair_to_the_article_limit(tmp_path: Path) -> None:
    pairs = write_jsonl(tmp_path / "pairs.jsonl", [{"id": 1, "text1": COUNCIL, "text2": LONG},
                                                    {"id": 2, "text1": COUNCIL, "text2": VOLCANO}])
    proc = run_cli("score", *HASH, "--pairs", pairs, "--max-chars", "3000")
    assert proc.returncode == 1, proc.stderr
    assert skipped(proc.stderr) == [f"crosswire: skipped {pairs}:1#text2: article is too long: 3,279 "
                                    "characters, the limit is 3,000 (raise it with --max-chars) [limits]"]
    assert [json.loads(line)["id"] for line in proc.stdout.splitlines()] == [2]


# --- the largest file ------------------------------------------------------------------------------

@pytest.fixture
def nothing_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reading any file's bytes fails the test: a refusal must come from the size alone."""
    def refuse(path: Path, limit: int) -> bytes:
        raise AssertionError(f"{path} was read")
    monkeypatch.setattr(readers, "_read_bytes", refuse)


def test_a_text_file_too_big_for_one_article_is_refused_unread(tmp_path: Path, nothing_read: None) -> None:
    path = tmp_path / "dump.txt"
    path.write_bytes(b"word " * 200_000)  # 1,000,000 bytes: more than 200,000 characters in any encoding
    [error] = readers.iter_articles([path])
    assert str(error) == (f"{path}: file is too large for one article: 1,000,000 bytes, more than the limit of "
                          "200,000 characters in any encoding (raise it with --max-chars)")


def test_the_byte_bound_never_refuses_a_text_that_fits(tmp_path: Path) -> None:
    """UTF-32 takes 4 bytes a character: 200,000 characters and a BOM are 800,004 bytes, and fit."""
    path = tmp_path / "wide.txt"
    text = ("Lava flowed towards the town. " * 6_667)[:199_999] + "."
    path.write_bytes(text.encode("utf-32"))
    assert path.stat().st_size == 800_004
    [article] = readers.iter_articles([path])
    assert isinstance(article, Article) and len(article.text) == 200_000
    Limits().check_chars(article.source, article.text)  # at the limit: no error


def test_a_file_over_the_file_limit_is_refused_by_its_size_unread(tmp_path: Path, nothing_read: None) -> None:
    """The observed case: a 50 MB page. A sparse file: its size is all that may be looked at."""
    page = tmp_path / "page.html"
    with page.open("wb") as fh:
        fh.truncate(60 * 2**20)
    [error] = readers.iter_articles([page])
    assert str(error) == (f"{page}: file is too large: 62,914,560 bytes, the limit is 52,428,800 "
                          "(raise it with --max-file-bytes)")
    [error] = readers.iter_articles([page], Limits(max_file_bytes=1000))
    assert "the limit is 1,000 (raise it with --max-file-bytes)" in str(error)


def test_the_file_limit_is_a_command_line_option(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text("<html><body><p>" + SENTENCE * 20 + "</p></body></html>", encoding="utf-8")
    size = page.stat().st_size
    proc = run_cli("analyze", *HASH, "--max-file-bytes", str(size - 1), page, two_articles(tmp_path)[0])
    assert skipped(proc.stderr) == [f"crosswire: skipped {page}: file is too large: {size:,} bytes, the limit "
                                    f"is {size - 1:,} (raise it with --max-file-bytes)"]


# --- the server ------------------------------------------------------------------------------------

def error_of(answer: Answer, status: int, code: str) -> str:
    assert answer.status == status, (answer.status, answer.body[:300])
    error = answer.json()["error"]
    assert (error["status"], error["code"]) == (status, code) and "\n" not in error["message"]
    return error["message"]


def test_the_api_refuses_an_article_over_the_limits_at_once(tmp_path: Path) -> None:
    """The observed case: a 1 MB article in one POST (it held the writer for minutes)."""
    server = ThreadServer(ServeOptions(db=str(tmp_path / "api.db"), embedder="hash"))
    try:
        health = server("GET", "/api/health").json()
        assert health["limits"] == {"max_chars": 200_000, "max_sentences": 2_000}
        assert health["write_timeout"] == 30.0
        huge = {"id": "huge", "text": "word " * 200_000 + "end."}
        message = error_of(server("POST", "/api/articles", huge), 422, "invalid")
        assert message == ("body: article is too long: 1,000,004 characters, the limit is 200,000 "
                           "(raise it with --max-chars) [limits]")
        batch = "\n".join(json.dumps(row) for row in [{"id": "council", "text": COUNCIL}, huge]).encode()
        answer = server("POST", "/api/articles", batch, {"Content-Type": "application/x-ndjson"})
        assert answer.status == 201, answer.body
        assert [(r["status"], r["reason"]) for r in answer.json()["results"]] == [
            ("added", None),
            ("failed", "article is too long: 1,000,004 characters, the limit is 200,000 "
                       "(raise it with --max-chars) [limits]")]
        assert server("GET", "/api/health").json()["articles"] == 1
    finally:
        server.stop()


def test_the_server_takes_its_limits_from_the_command_line(tmp_path: Path) -> None:
    db = tmp_path / "api.db"
    server = ProcessServer(db, *HASH, "--max-chars", "100", "--max-sentences", "5", "--write-timeout", "2.5")
    try:
        health = request(server.port, "GET", "/api/health").json()
        assert health["limits"] == {"max_chars": 100, "max_sentences": 5} and health["write_timeout"] == 2.5
        answer = request(server.port, "POST", "/api/articles", json.dumps({"id": "c", "text": COUNCIL}).encode(),
                         {"Content-Type": "application/json"})
        assert "the limit is 100 (raise it with --max-chars)" in error_of(answer, 422, "invalid")
    finally:
        server.stop()


def post(port: int, article: dict, timeout: float = 60) -> tuple[Answer, float]:
    started = time.monotonic()
    answer = request(port, "POST", "/api/articles", json.dumps(article).encode(),
                     {"Content-Type": "application/json"}, timeout=timeout)
    return answer, time.monotonic() - started


def test_a_write_that_cannot_get_the_writer_gets_503_busy_and_nothing_is_lost(tmp_path: Path) -> None:
    """Another process holds the store's write lock (as an ingest or a recluster does): the server's
    write waiting on SQLite holds the writer past SQLite's busy timeout (5 s) and gets 503 busy;
    a second write queued behind it gets 503 busy after --write-timeout (1 s), not a hang; reads
    go on; once the lock is free both are stored, and nothing stored before is lost."""
    db = tmp_path / "s.db"
    base = write_jsonl(tmp_path / "base.jsonl", variants("base", 3))
    assert run_cli("ingest", *HASH, "--db", db, base).returncode == 0
    server = ProcessServer(db, "--write-timeout", "1")
    holder = sqlite3.connect(db, isolation_level=None)
    try:
        first_article, second_article = variants("first", 1)[0], variants("second", 1)[0]
        holder.execute("BEGIN IMMEDIATE")  # the write lock, held by another process's connection
        first: list[tuple[Answer, float]] = []
        waiting = threading.Thread(target=lambda: first.append(post(server.port, first_article)))
        waiting.start()
        time.sleep(1.0)  # the first write now holds the writer, waiting on SQLite
        second, took = post(server.port, second_article)
        message = error_of(second, 503, "busy")
        assert second.headers["retry-after"].isdigit() and int(second.headers["retry-after"]) > 0
        assert "did not get its turn within 1 s" in message
        assert 0.9 < took < 4.0, took  # about the write timeout: not after the first write's 5 s wait
        reads = request(server.port, "GET", "/api/health")
        assert reads.status == 200 and reads.json()["articles"] == 3  # reads go on meanwhile
        waiting.join(timeout=60)
        (answer, _), = first
        assert "database is locked" in error_of(answer, 503, "busy")  # SQLite's busy timeout, as busy
        assert answer.headers["retry-after"].isdigit()
        holder.execute("ROLLBACK")
        for article in (first_article, second_article):  # sent again, as Retry-After says
            again, _ = post(server.port, article)
            assert again.status == 201, again.body
    finally:
        holder.close()
        server.stop()
    assert store_problems(db) == []
    assert stored_ids(db) == {name: 1 for name in ("base-0", "base-1", "base-2", "first-0", "second-0")}
