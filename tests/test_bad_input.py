"""Bad input never loses or corrupts a store (issue #10): each case through the real CLI or server.

Every case runs `crosswire` as a subprocess (or `crosswire serve` over loopback) on real
files, with the fast hash embedder, and checks three things: one clear line (or one JSON
error) naming the input and the problem, no traceback, and the good articles still stored.
"""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import said
from server_support import Answer, ProcessServer, request

HASH = ["--embedder", "hash"]
JSON = {"Content-Type": "application/json"}
JSONL = {"Content-Type": "application/x-ndjson"}
GOOD = [
    {"id": "council", "title": "Council passes budget", "source": "City Wire",
     "text": "The city council passed next year's budget on Monday after a long debate.\n"
             "The mayor said the money would go to schools and roads."},
    {"id": "volcano", "title": "Volcano erupts", "source": "Nordic Wire",
     "text": "A volcano erupted on the Reykjanes peninsula on Tuesday night.\n"
             "Lava flowed towards the town of Grindavik, which had been evacuated."},
]


def crosswire(*args: str | Path, cwd: Path, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    """`crosswire ARGS` in a real process (this checkout's code: PYTHONPATH is inherited)."""
    env = {**os.environ, "NO_COLOR": "1", "PYTHONIOENCODING": "utf-8"}
    proc = subprocess.run([sys.executable, "-m", "crosswire", *map(str, args)], cwd=cwd, env=env,
                          input=stdin if stdin is not None else b"", capture_output=True, timeout=180)
    out = subprocess.CompletedProcess(proc.args, proc.returncode, proc.stdout.decode("utf-8"),
                                      proc.stderr.decode("utf-8"))
    assert "Traceback" not in out.stderr, out.stderr
    return out


def lines(stderr: str) -> list[str]:
    return said(stderr)


def naming(stderr: str, name: str) -> list[str]:
    return [line for line in lines(stderr) if name in line]


def stored(db: Path, column: str = "ext_id") -> list:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return [row[0] for row in conn.execute(f"SELECT {column} FROM articles ORDER BY id")]
    finally:
        conn.close()


def jsonl(*rows: dict | str) -> str:
    """JSON Lines; a str row is written as it is (for escapes json.dumps would not make)."""
    return "".join((row if isinstance(row, str) else json.dumps(row, ensure_ascii=False)) + "\n" for row in rows)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    running = ProcessServer(tmp_path_factory.mktemp("serve") / "api.db", *HASH)
    yield running
    running.stop()


def post(server: ProcessServer, body: bytes, headers: dict[str, str]) -> Answer:
    return request(server.port, "POST", "/api/articles", body, headers)


def health(server: ProcessServer) -> int:
    return request(server.port, "GET", "/api/health").json()["articles"]


def error_of(answer: Answer, status: int) -> str:
    assert answer.status == status, (answer.status, answer.body[:300])
    error = answer.json()["error"]
    assert error["status"] == status and "\n" not in error["message"]
    return error["message"]


# --- 3. an escaped lone surrogate --------------------------------------------------------------------

SURROGATE_FIELDS = ["text", "title", "url", "source", "id", "published", "language", "section"]


@pytest.mark.parametrize("field", SURROGATE_FIELDS)
def test_ingest_refuses_a_line_with_a_lone_surrogate_and_stores_the_good_ones(tmp_path: Path, field: str) -> None:
    bad = {"id": "bad", "text": "Some text about the harbour bridge.", field: "x \\ud800 y"}
    line = "{" + ", ".join(f'"{k}": "{v}"' for k, v in bad.items()) + "}"  # the escape, as the file holds it
    (tmp_path / "in.jsonl").write_text(jsonl(GOOD[0], line, GOOD[1]), encoding="utf-8")
    proc = crosswire("ingest", *HASH, "--db", "s.db", "in.jsonl", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    [said] = naming(proc.stderr, "in.jsonl:2")
    assert said == f"crosswire: skipped in.jsonl:2: '{field}' holds \\ud800, a lone surrogate " \
                   "(half of a UTF-16 pair): not a character"
    assert stored(tmp_path / "s.db") == ["council", "volcano"]


def test_the_api_refuses_a_lone_surrogate_with_422_or_a_failed_line(server: ProcessServer) -> None:
    before = health(server)
    message = error_of(post(server, b'{"id": "s", "text": "x \\ud800 y"}', JSON), 422)
    assert message == "body: 'text' holds \\ud800, a lone surrogate (half of a UTF-16 pair): not a character"
    assert health(server) == before

    body = jsonl({**GOOD[0], "id": "s1"}, '{"id": "s2", "title": "\\udfff", "text": "Some text."}',
                 {**GOOD[1], "id": "s3"}).encode()
    answer = post(server, body, JSONL)
    assert answer.status == 201, answer.body
    results = answer.json()["results"]
    assert [r["status"] for r in results] == ["added", "failed", "added"]
    assert results[1]["reason"] == "'title' holds \\udfff, a lone surrogate (half of a UTF-16 pair): not a character"
    assert health(server) == before + 2


# --- 7g. json's own "... at" messages ----------------------------------------------------------------

def test_a_json_message_never_says_at_at(tmp_path: Path, server: ProcessServer) -> None:
    (tmp_path / "in.jsonl").write_text(jsonl('{"id": "t", "text": "a\tb"}', '{"id": "u", "text": "open'),
                                       encoding="utf-8")
    proc = crosswire("analyze", *HASH, "in.jsonl", cwd=tmp_path)
    assert naming(proc.stderr, "in.jsonl:") == [
        "crosswire: skipped in.jsonl:1: not valid JSON (Invalid control character at column 23)",
        "crosswire: skipped in.jsonl:2: not valid JSON (Unterminated string starting at column 21)"]
    (tmp_path / "pairs.jsonl").write_text('{"id": 1, "text1": "a\tb", "text2": "c"}\n', encoding="utf-8")
    proc = crosswire("score", *HASH, "--pairs", "pairs.jsonl", cwd=tmp_path)
    assert naming(proc.stderr, "pairs.jsonl:1") == [
        "crosswire: skipped pairs.jsonl:1: not valid JSON (Invalid control character at column 22)"]
    message = error_of(post(server, b'{"id": "t",\n "text": "a\tb"}', JSON), 400)
    assert message == "body: not valid JSON (Invalid control character at line 2 column 12)"


# --- 7a. dates ---------------------------------------------------------------------------------------

FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Wire</title>
<item><title>Bridge</title><link>https://wire.example/1</link>
<description>The harbour bridge vote was delayed again on Tuesday.</description>
<pubDate>Wed, 05 Mar 2025 10:00:00 CET</pubDate></item>
<item><title>Ferry</title><link>https://wire.example/2</link>
<description>The night ferry to Kiel was cancelled because of the storm.</description>
<pubDate>some day soon</pubDate></item>
</channel></rss>
"""


def test_ingest_stores_dates_in_iso_8601_utc_and_says_which_it_cannot_read(tmp_path: Path) -> None:
    rows = [{**GOOD[0], "published": "Wed, 05 Mar 2025 10:00:00 GMT"},
            {**GOOD[1], "published": "05.03.2025 14:30 +0100"},
            {"id": "undated", "text": "The museum reopened after two years of building work.",
             "published": "the day after tomorrow"}]
    (tmp_path / "in.jsonl").write_text(jsonl(*rows), encoding="utf-8")
    (tmp_path / "wire.rss").write_text(FEED, encoding="utf-8")
    proc = crosswire("ingest", *HASH, "--db", "s.db", "in.jsonl", "wire.rss", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr  # every article is stored: a lost date is no skip
    warnings = [line for line in lines(proc.stderr) if "warning" in line]
    assert warnings == [
        "crosswire: warning: in.jsonl:3: cannot read the date in 'published': 'the day after tomorrow' "
        "(not written in a form crosswire reads): the article is kept without a date; write ISO 8601 "
        "(2025-03-05T10:00:00Z) or RFC 2822 (Wed, 05 Mar 2025 10:00:00 GMT)",
        "crosswire: warning: wire.rss#2: cannot read the date of the entry: 'some day soon' "
        "(not written in a form crosswire reads): the article is kept without a date"]
    assert dict(zip(stored(tmp_path / "s.db"), stored(tmp_path / "s.db", "published"))) == {
        "council": "2025-03-05T10:00:00+00:00", "volcano": "2025-03-05T13:30:00+00:00", "undated": None,
        # feedparser alone takes a zone it does not know (CET) as UTC: 10:00, not 09:00
        "https://wire.example/1": "2025-03-05T09:00:00+00:00", "https://wire.example/2": None}


def test_the_api_stores_dates_in_iso_8601_utc_and_refuses_one_it_cannot_read(server: ProcessServer) -> None:
    before = health(server)
    message = error_of(post(server, json.dumps({**GOOD[0], "id": "d0", "published": "soonish"}).encode(), JSON), 422)
    assert message == ("body: cannot read the date in 'published': 'soonish' (not written in a form crosswire "
                       "reads); write ISO 8601 (2025-03-05T10:00:00Z) or RFC 2822 (Wed, 05 Mar 2025 10:00:00 GMT)")
    assert health(server) == before

    body = jsonl({**GOOD[0], "id": "d1", "title": "Dated", "published": "Wed, 05 Mar 2025 10:00:00 +0200"},
                 {**GOOD[1], "id": "d2", "title": "Undated", "published": "05/03/2025"})
    answer = post(server, body.encode(), JSONL)
    assert answer.status == 201, answer.body
    first, second = answer.json()["results"]
    assert second["status"] == "failed" and second["reason"].startswith(
        "cannot read the date in 'published': '05/03/2025' (day and month could be either way round)")
    article = request(server.port, "GET", f"/api/articles/{first['article']}").json()
    assert article["published"] == "2025-03-05T08:00:00+00:00"
    assert health(server) == before + 1


# --- 7b. language options ----------------------------------------------------------------------------

LANGUAGE_OPTIONS = [
    (["compare", *HASH, "--reader-lang", "xx", "a.txt", "b.txt"], "--reader-lang", "'xx'"),
    (["compare", *HASH, "--reader-lang", "english", "a.txt", "b.txt"], "--reader-lang", "'english'"),
    (["compare", *HASH, "--lang", "english", "a.txt", "b.txt"], "--lang", "'english'"),  # the old name, checked alike
    (["compare", *HASH, "--input-lang", "not a code", "a.txt", "b.txt"], "--input-lang", "'not a code'"),
    (["analyze", *HASH, "--input-lang", "Arabic", "a.txt"], "--input-lang", "'Arabic'"),
    (["ingest", *HASH, "--db", "new.db", "--input-lang", "zz", "a.txt"], "--input-lang", "'zz'"),
    (["ingest", *HASH, "--db", "new.db", "--lang", "nb-XX", "a.txt"], "--lang", "'XX' is not a region code"),
    (["stories", "--db", "new.db", "--with-lang", "qq"], "--with-lang", "'qq'"),
    (["story", "1", "--db", "new.db", "--reader-lang", "12"], "--reader-lang", "'12'"),
]


@pytest.mark.parametrize("args,option,said", LANGUAGE_OPTIONS, ids=[" ".join(a[:1] + a[-4:]) for a, _, _ in LANGUAGE_OPTIONS])
def test_a_language_option_that_is_no_language_code_is_a_usage_error(tmp_path: Path, args: list[str], option: str,
                                                                     said: str) -> None:
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text(GOOD[0]["text"], encoding="utf-8")
    proc = crosswire(*args, cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stdout == ""
    [line] = lines(proc.stderr)
    assert line.startswith(f"crosswire: error: {option}: ") and said in line
    assert not (tmp_path / "new.db").exists()


def test_a_language_code_is_checked_alike_in_json_lines(server: ProcessServer) -> None:
    message = error_of(post(server, json.dumps({**GOOD[0], "id": "l0", "language": "xx"}).encode(), JSON), 422)
    assert message == "body: 'language' must be a language code like 'ar', 'nb' or 'zh-CN', got 'xx'"


# --- 7c. no text to read ---------------------------------------------------------------------------

NAVIGATION_ONLY = """<!doctype html><html><head><title>Example News</title></head><body>
<header><a href="/">Example News</a></header>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li><li><a href="/sport">Sport</a></li>
<li><a href="/about">About us</a></li></ul></nav>
<footer><a href="/privacy">Privacy</a> <a href="/contact">Contact</a></footer>
</body></html>
"""
ARTICLE_PAGE = """<!doctype html><html><head><title>Harbour bridge vote delayed</title></head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li></ul></nav>
<article><h1>Harbour bridge vote delayed</h1>
<p>The city council postponed its vote on the new harbour bridge on Tuesday, after a long and heated debate.</p>
<p>Critics said the plan had been rushed through without a public hearing, and <a href="/x">the mayor</a>
promised a new vote within a month.</p></article>
<footer><a href="/privacy">Privacy</a></footer>
</body></html>
"""


def test_emoji_only_texts_and_a_navigation_only_page_are_not_articles(tmp_path: Path) -> None:
    (tmp_path / "party.txt").write_text("😀🎉🔥\n👍👍 100%\n", encoding="utf-8")
    (tmp_path / "rain.txt").write_text("🌧️☔🌈\n🚗🚕 12:30\n", encoding="utf-8")
    (tmp_path / "home.html").write_text(NAVIGATION_ONLY, encoding="utf-8")
    (tmp_path / "bridge.html").write_text(ARTICLE_PAGE, encoding="utf-8")
    proc = crosswire("compare", *HASH, "--format", "json", "party.txt", "rain.txt", "home.html", "bridge.html",
                     cwd=tmp_path)
    assert proc.returncode == 3, proc.stderr  # one article left: nothing to compare, no "same story" of emoji
    no_letters = "no text to read: no letters in any script, only emoji, digits, symbols or punctuation [segment]"
    assert naming(proc.stderr, "party.txt") == [f"crosswire: skipped party.txt: {no_letters}"]
    assert naming(proc.stderr, "rain.txt") == [f"crosswire: skipped rain.txt: {no_letters}"]
    assert naming(proc.stderr, "home.html") == [
        "crosswire: skipped home.html: no text to read: the page has only navigation (links, menus, header, "
        "footer), no article"]
    assert naming(proc.stderr, "bridge.html") == []


def test_ingest_and_the_api_refuse_an_article_without_letters(tmp_path: Path, server: ProcessServer) -> None:
    (tmp_path / "in.jsonl").write_text(jsonl(GOOD[0], {"id": "emoji", "text": "🔥🔥🔥 2025!"}, GOOD[1]),
                                       encoding="utf-8")
    proc = crosswire("ingest", *HASH, "--db", "s.db", "in.jsonl", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    [line] = naming(proc.stderr, "in.jsonl:2")
    assert line.startswith("crosswire: skipped in.jsonl:2: no text to read: no letters")
    assert stored(tmp_path / "s.db") == ["council", "volcano"]
    before = health(server)
    message = error_of(post(server, json.dumps({"id": "e", "text": "👍👍👍\n🎉"}).encode(), JSON), 422)
    assert message.startswith("body: no text to read: no letters")
    assert health(server) == before


# --- 7d. bytes that are not UTF-8 --------------------------------------------------------------------

NORWEGIAN = ("Ministeren sa at økonomien i Norge går godt, og at lønningene øker.\n"
             "Blåbær og rødgrøt står på menyen i år.\n")


def test_damaged_utf8_is_refused_not_read_as_mojibake(tmp_path: Path) -> None:
    data = NORWEGIAN.encode("utf-8")
    (tmp_path / "damaged.txt").write_bytes(data[:76] + b"\xff" + data[76:])   # one bad byte, on line 2
    (tmp_path / "legacy.txt").write_bytes(NORWEGIAN.encode("cp1252"))         # a legacy code page: still read
    proc = crosswire("analyze", *HASH, "damaged.txt", "legacy.txt", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert naming(proc.stderr, "damaged.txt") == [
        "crosswire: skipped damaged.txt: not valid UTF-8 at byte offset 76 (line 2), though the rest is UTF-8: "
        "the file is damaged; repair it or save it again as UTF-8"]
    [legacy] = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [s["text"] for s in legacy["sentences"]] == NORWEGIAN.splitlines()


@pytest.mark.parametrize("name", ["in.jsonl", "articles"])  # with its extension, and sniffed
def test_a_json_lines_line_that_is_not_utf8_fails_alone(tmp_path: Path, name: str) -> None:
    rows = jsonl(*GOOD).encode().split(b"\n")
    rows.insert(1, '{"id": "bad", "text": "Caf\xe9 au lait"}'.encode("latin-1"))
    (tmp_path / name).write_bytes(b"\n".join(rows))
    proc = crosswire("ingest", *HASH, "--db", "s.db", name, cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert naming(proc.stderr, f"{name}:2") == [
        f"crosswire: skipped {name}:2: not valid UTF-8 at byte offset 26 of the line (JSON Lines must be UTF-8)"]
    assert stored(tmp_path / "s.db") == ["council", "volcano"]


def test_the_api_names_the_line_and_byte_that_is_not_utf8(server: ProcessServer) -> None:
    before = health(server)
    body = json.dumps({**GOOD[0], "id": "u1", "title": "Unicode 1"}).encode() + b"\n" + \
        b'{"id": "u2", "text": "Caf\xe9 au lait"}\n' + json.dumps({**GOOD[1], "id": "u3", "title": "Unicode 3"}).encode()
    answer = post(server, body, JSONL)
    assert answer.status == 201, answer.body
    results = answer.json()["results"]
    assert [r["status"] for r in results] == ["added", "failed", "added"]
    assert results[1]["reason"] == "not valid UTF-8 at byte offset 25 of the line (JSON Lines must be UTF-8)"
    assert health(server) == before + 2
    message = error_of(post(server, b'{"id": "u4",\n "text": "Caf\xe9"}', JSON), 400)
    assert message == "body: not valid UTF-8 at byte offset 26 (line 2)"


# --- 7e. standard input ------------------------------------------------------------------------------

def test_compare_reads_json_lines_from_standard_input(tmp_path: Path) -> None:
    proc = crosswire("compare", *HASH, "--format", "json", "--view", "pairs", "-", cwd=tmp_path,
                     stdin=jsonl(*GOOD).encode())
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert [(a["id"], a["source"]) for a in out["articles"]] == [("council", "stdin:1"), ("volcano", "stdin:2")]


def test_analyze_reads_html_and_ingest_reads_text_from_standard_input(tmp_path: Path) -> None:
    proc = crosswire("analyze", *HASH, "-", cwd=tmp_path, stdin=ARTICLE_PAGE.encode())
    assert proc.returncode == 0, proc.stderr
    [article] = [json.loads(line) for line in proc.stdout.splitlines()]
    assert article["title"] == "Harbour bridge vote delayed" and article["source"] == "stdin"
    assert any(s["text"].startswith("The city council postponed its vote") for s in article["sentences"])

    proc = crosswire("ingest", *HASH, "--db", "s.db", "-", cwd=tmp_path, stdin=GOOD[1]["text"].encode())
    assert proc.returncode == 0, proc.stderr
    assert stored(tmp_path / "s.db", "source") == ["stdin"]
    assert stored(tmp_path / "s.db", "text") == [GOOD[1]["text"]]


def test_standard_input_empty_or_given_twice(tmp_path: Path) -> None:
    proc = crosswire("analyze", *HASH, "-", cwd=tmp_path, stdin=b"")
    assert proc.returncode == 3
    assert naming(proc.stderr, "stdin") == ["crosswire: skipped stdin: standard input is empty"]
    proc = crosswire("analyze", *HASH, "-", "-", cwd=tmp_path, stdin=GOOD[0]["text"].encode())
    assert proc.returncode == 1
    assert naming(proc.stderr, "stdin") == ["crosswire: skipped stdin: given more than once"]
    assert len(proc.stdout.splitlines()) == 1


# --- 7f. an output file that cannot be written -------------------------------------------------------

OUTPUTS = [("missing-folder", "/nonexistent/dir/x.html", "no such folder: /nonexistent/dir"),
           ("a-folder", ".", "it is a folder")]
if Path("/dev/full").exists():
    OUTPUTS.append(("disk-full", "/dev/full", "no space left on device"))


@pytest.mark.parametrize("kind,output,why", OUTPUTS, ids=[k for k, _, _ in OUTPUTS])
def test_an_output_that_cannot_be_written_is_a_usage_error_naming_it(tmp_path: Path, kind: str, output: str,
                                                                    why: str) -> None:
    (tmp_path / "in.jsonl").write_text(jsonl(*GOOD), encoding="utf-8")
    for command in (["compare", *HASH, "--format", "html"], ["analyze", *HASH]):
        proc = crosswire(*command, "-o", output, "in.jsonl", cwd=tmp_path)
        assert proc.returncode == 2, (command, proc.stderr)
        assert lines(proc.stderr) == [f"crosswire: error: {output}: cannot write the output ({why})"]
        assert proc.stdout == ""
