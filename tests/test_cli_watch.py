"""``crosswire watch``, ``crosswire alerts`` and the alert lines of ``crosswire ingest``, run in-process
(CliRunner) on real stores with the hash embedder: one error line and its exit status for each bad input,
the secret printed once, the alerts as JSON."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import said, said_besides_progress

from crosswire.cli import EXIT_NOTHING, EXIT_OK, EXIT_USAGE, main
from crosswire.store.sqlite import Store

HASH = ["--embedder", "hash"]


def run(*args: str | Path, env: dict[str, str] | None = None) -> Result:
    result = CliRunner().invoke(main, [str(a) for a in args], env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return result


def one_error(result: Result, code: int, *words: str) -> None:
    """Exactly one line on stderr, the error, naming ``words``; the exit status ``code``."""
    lines = said(result.stderr)
    assert result.exit_code == code and len(lines) == 1, (result.exit_code, result.stderr)
    assert lines[0].startswith("crosswire: error: ") and all(w in lines[0] for w in words), lines


@pytest.fixture
def arabic(seeds_dir: Path) -> Path:
    return seeds_dir / "ar_rutte_ishiba.txt"


def test_a_watch_without_a_condition_is_refused_and_makes_no_store(tmp_path: Path) -> None:
    db = tmp_path / "w.db"
    one_error(run("watch", "add", "everything", "--db", db), EXIT_USAGE, "needs at least one of", "--entity")
    assert not db.exists()
    one_error(run("watch", "add", "x", "--db", db, "--webhook", "https://example.org/h"), EXIT_USAGE, "condition")


@pytest.mark.parametrize("url", ["ftp://example.org/hook", "example.org/hook", "http://", "file:///etc/passwd"])
def test_a_webhook_that_is_not_http_is_refused(tmp_path: Path, url: str) -> None:
    one_error(run("watch", "add", "x", "--db", tmp_path / "w.db", "--entity", "Mark Rutte", "--webhook", url),
              EXIT_USAGE, "http")


def test_other_bad_options_are_one_line_each(tmp_path: Path) -> None:
    db = tmp_path / "w.db"
    add = ["watch", "add", "x", "--db", db, "--entity", "Mark Rutte"]
    one_error(run(*add, "--with-lang", "xx"), EXIT_USAGE, "--with-lang", "'xx'")
    one_error(run(*add, "--min-languages", "1"), EXIT_USAGE, "--min-languages", "from 2 to 50")
    one_error(run(*add, "--min-languages", "two"), EXIT_USAGE, "--min-languages", "whole number")
    one_error(run(*add, "--secret", "abcdefghijklmnopq"), EXIT_USAGE, "--webhook")
    one_error(run(*add, "--webhook", "https://example.org/h", "--secret", "short"), EXIT_USAGE, "16")
    one_error(run("watch", "add", "7", "--db", db, "--entity", "Rutte"), EXIT_USAGE, "number")
    assert run(*add).exit_code == EXIT_OK
    one_error(run(*add), EXIT_USAGE, "exists")
    one_error(run("watch", "remove", "nope", "--db", db), EXIT_NOTHING, "no such watch")
    one_error(run("watch", "list", "--db", tmp_path / "missing.db"), EXIT_NOTHING)


def test_a_webhook_secret_is_made_and_printed_once(tmp_path: Path) -> None:
    db = tmp_path / "w.db"
    added = run("watch", "add", "rutte", "--db", db, "--entity", "Mark Rutte", "--with-lang", "ar", "--with-lang", "NB",
                "--webhook", "https://hooks.example.org/crosswire")
    assert added.exit_code == EXIT_OK, added.stderr
    first, second = added.stdout.splitlines()
    assert first == 'added watch rutte (id 1): entity "Mark Rutte"; lang ar, nb; webhook https://hooks.example.org/crosswire'
    secret = second.removeprefix("webhook secret: ")
    with Store(db) as store:
        kept = store.watch("rutte")
        assert kept is not None and kept.secret == secret and len(secret) >= 32
    listed = run("watch", "list", "--db", db)
    assert listed.stdout == ('rutte (id 1): entity "Mark Rutte"; lang ar, nb · webhook '
                             'https://hooks.example.org/crosswire · 0 alerts\n')
    assert secret not in listed.stdout
    # A secret from the environment is taken as given, and never printed.
    env = run("watch", "add", "env", "--db", db, "--text", "NATO", "--webhook", "https://hooks.example.org/2",
              env={"CROSSWIRE_WEBHOOK_SECRET": "from-the-environment-0123"})
    assert env.exit_code == EXIT_OK and "from-the-environment" not in env.output
    with Store(db) as store:
        assert store.watch("env").secret == "from-the-environment-0123"  # type: ignore[union-attr]


def test_ingest_prints_each_new_alert_and_alerts_lists_them(tmp_path: Path, arabic: Path) -> None:
    db = tmp_path / "w.db"
    assert run("watch", "add", "rutte", "--db", db, "--entity", "Mark Rutte").exit_code == EXIT_OK
    assert run("watch", "add", "johnson", "--db", db, "--entity", "Boris Johnson").exit_code == EXIT_OK
    ingested = run("ingest", *HASH, "--db", db, arabic)
    assert ingested.exit_code == EXIT_OK, ingested.stderr
    lines = said(ingested.stderr)
    assert lines[-1] == "crosswire: alert: watch rutte, story 1: Mark Rutte: a new story in ar (1 outlet)"
    assert lines[-2].startswith("crosswire: 1 read, 1 added")
    again = run("ingest", *HASH, "--db", db, arabic)  # stored already: no story touched, no alert
    assert not any("alert" in line for line in said(again.stderr))

    listed = run("alerts", "--db", db, "--format", "json")
    assert listed.exit_code == EXIT_OK, listed.stderr
    (alert,) = json.loads(listed.stdout)
    assert {k: alert[k] for k in ("id", "watch", "event", "story", "delivery")} == {
        "id": 1, "watch": "rutte", "event": "story", "story": 1, "delivery": None}
    assert alert["detail"]["matched"] == ["Mark Rutte"] and alert["detail"]["languages"] == ["ar"]
    assert alert["detail"]["outlets"] == ["ar_rutte_ishiba.txt"] and alert["created_at"].endswith("Z")
    text = run("alerts", "--db", db)
    assert text.stdout.endswith(" watch rutte, story 1: Mark Rutte: a new story in ar (1 outlet)\n")
    assert json.loads(run("alerts", "--db", db, "--format", "json", "--watch", "johnson").stdout) == []
    assert json.loads(run("alerts", "--db", db, "--format", "json", "--since", "2999-01-01").stdout) == []
    assert len(json.loads(run("alerts", "--db", db, "--format", "json", "--since", "2000-01-01").stdout)) == 1
    one_error(run("alerts", "--db", db, "--since", "last week"), EXIT_USAGE, "--since", "last week")
    one_error(run("alerts", "--db", db, "--watch", "nope"), EXIT_NOTHING, "nope")

    assert "1 alert, latest " in run("watch", "list", "--db", db).stdout
    removed = run("watch", "remove", "rutte", "--db", db)
    assert removed.stdout == "removed watch rutte and its 1 alert\n"
    assert json.loads(run("alerts", "--db", db, "--format", "json").stdout) == []


def test_an_ingest_without_watches_says_what_it_said_before(tmp_path: Path, arabic: Path) -> None:
    ingested = run("ingest", *HASH, "--db", tmp_path / "w.db", arabic)
    assert [line.split(" (")[0] for line in said_besides_progress(ingested.stderr)] == ["crosswire: 1 read, 1 added"]
