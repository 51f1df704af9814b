"""One store, many processes: `crosswire serve` beside CLI commands, two ingests at once, SIGKILL.

The README recommends running the server while the CLI ingests into the same store, so
these tests run exactly that with real processes on a real SQLite file, and check after
every run that the file is intact, that every write a process confirmed is there once,
and that the story index agrees with the articles (``store_support.store_problems``).
"""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import threading
import time
from pathlib import Path

from server_support import ProcessServer, request
from store_support import crosswire, partition, run_cli, store_problems, stored_ids, variants, write_jsonl

from crosswire.analysis.pipeline import default_pipeline
from crosswire.readers.files import iter_articles
from crosswire.store.sqlite import Store
from crosswire.stories.placement import recluster, restream

HASH = ("--embedder", "hash")


def post(port: int, article: dict, timeout: float = 60) -> int:
    return request(port, "POST", "/api/articles", json.dumps(article).encode(),
                   {"Content-Type": "application/json"}, timeout=timeout).status


def test_serve_beside_the_cli_keeps_every_confirmed_write(tmp_path: Path) -> None:
    """Issue 10, case 1: serve, read, ingest with the CLI, POST; then stop. Nothing lost, nothing corrupt."""
    db = tmp_path / "s.db"
    assert run_cli("ingest", *HASH, "--db", db, write_jsonl(tmp_path / "base.jsonl", variants("base", 40))).returncode == 0
    server = ProcessServer(db)
    try:
        # A read opens a connection in a worker thread of the server (it used to read the
        # file's header with open() and close(), dropping every lock the server held).
        assert request(server.port, "GET", "/api/stories").status == 200
        more = run_cli("ingest", "--db", db, write_jsonl(tmp_path / "more.jsonl", variants("more", 16)))
        assert more.returncode == 0, more.stderr
        assert post(server.port, variants("post", 1)[0]) == 201
        assert request(server.port, "GET", "/api/stories").status == 200
    finally:
        server.stop()  # stopping closes its connections: where a server that lost its locks corrupted the file
    assert store_problems(db) == []
    ids = stored_ids(db)
    assert len(ids) == 57 and set(ids.values()) == {1}
    assert "post-0" in ids


def test_two_ingests_at_once_group_as_one_ingest_in_the_same_order(tmp_path: Path) -> None:
    """Issue 10, case 2: each placement sees every earlier one, whichever process made it.

    The same texts from two outlets, ingested by two processes at once: every article has
    its twin from the other process, so a split story shows at once. The grouping must be
    the one a single ingest makes in the same arrival order (row ids), replayed here.
    """
    db = tmp_path / "two.db"
    first = write_jsonl(tmp_path / "a.jsonl", variants("a", 32))
    second = write_jsonl(tmp_path / "b.jsonl", [{**a, "id": f"b-{n}", "source": f"outlet b-{n}"}
                                                 for n, a in enumerate(variants("a", 32))])
    assert run_cli("ingest", *HASH, "--db", db, write_jsonl(tmp_path / "seed.jsonl", variants("seed", 1))).returncode == 0
    procs = [subprocess.Popen(crosswire("ingest", "--db", db, path), stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True) for path in (first, second)]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    assert store_problems(db) == []
    together = partition(db)
    with Store(db) as store:
        restream(store, "hash.v1")
    assert partition(db) == together
    # Twins (same text) are never apart.
    conn_ids = stored_ids(db)
    assert len(conn_ids) == 65


def test_recluster_places_the_articles_stored_while_it_ran(tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    pipeline = default_pipeline("hash")
    assert run_cli("ingest", *HASH, "--db", db, write_jsonl(tmp_path / "base.jsonl", variants("base", 24))).returncode == 0
    late = write_jsonl(tmp_path / "late.jsonl", variants("late", 3))
    stored_meanwhile = []

    def progress(done: int, total: int) -> None:
        if done == total // 2 and not stored_meanwhile:  # another writer, its own connection
            from crosswire.ingest import ingest_articles
            with Store(db) as other:
                stored_meanwhile.append(ingest_articles(iter_articles([late]), other, pipeline).added)

    with Store(db) as store:
        stories = recluster(store, "hash.v1", progress=progress)
    assert stored_meanwhile == [3]
    assert store_problems(db) == []
    assert stories == len(partition(db))
    groups = {aid: n for n, group in enumerate(partition(db)) for aid in group}
    # Each late article has the text of one of the first three: it joined that one's story.
    assert groups[25] == groups[1] and groups[26] == groups[2] and groups[27] == groups[3]


# --- SIGKILL rounds ----------------------------------------------------------------------------

ROUNDS = int(os.environ.get("CROSSWIRE_KILL_ROUNDS", "10"))


class Poster(threading.Thread):
    """POSTs articles one after another; keeps the ids the server confirmed with 201."""

    def __init__(self, port: int, articles: list[dict]) -> None:
        super().__init__(daemon=True)
        self.port, self.articles = port, articles
        self.confirmed: list[str] = []
        self.statuses: list[int] = []

    def run(self) -> None:
        for article in self.articles:
            try:
                status = post(self.port, article, timeout=30)
            except OSError:  # the server was killed: no answer, nothing confirmed
                return
            self.statuses.append(status)
            if status == 201:
                self.confirmed.append(article["id"])


class Reader(threading.Thread):
    def __init__(self, port: int) -> None:
        super().__init__(daemon=True)
        self.port = port
        self.statuses: list[int] = []

    def run(self) -> None:
        for _ in range(200):
            try:
                stories = request(self.port, "GET", "/api/stories?limit=5", timeout=30)
                self.statuses.append(stories.status)
                for story in stories.json().get("stories", [])[:2] if stories.status == 200 else []:
                    self.statuses.append(request(self.port, "GET", f"/api/stories/{story['id']}", timeout=30).status)
            except (OSError, ValueError):
                return


class SideCommands(threading.Thread):
    """`crosswire stories` and `crosswire story` run one after the other until told to stop.

    Each one opens the store, reads and closes it while the server and an ingest write:
    a process closing the store is where one that thought itself the last deleted the WAL.
    """

    def __init__(self, db: Path) -> None:
        super().__init__(daemon=True)
        self.db = db
        self.done = threading.Event()
        self.runs = 0
        self.failures: list[str] = []

    def run(self) -> None:
        commands = [("stories", "--db", self.db), ("story", "1", "--db", self.db, "--format", "json")]
        while not self.done.is_set():
            done = run_cli(*commands[self.runs % 2], timeout=120)
            self.runs += 1
            # 0, or 3 when story 1 is gone (a recluster renumbers stories); never a traceback.
            if done.returncode not in (0, 3) or "Traceback" in done.stderr:
                self.failures.append(f"{commands[self.runs % 2][0]}: {done.returncode} {done.stderr[-300:]}")


def test_serve_and_the_cli_killed_at_random_keep_the_store_whole(tmp_path: Path) -> None:
    """Issue 10: serve + ingest + stories + story + recluster + POSTs, SIGKILL at random, many rounds."""
    rng = random.Random(10)
    db = tmp_path / "chaos.db"
    assert run_cli("ingest", *HASH, "--db", db, write_jsonl(tmp_path / "base.jsonl", variants("base", 48))).returncode == 0
    must_have: set[str] = set(f"base-{n}" for n in range(48))
    kills = {"server": 0, "ingest": 0, "recluster": 0}
    for round_no in range(ROUNDS):
        batch = variants(f"r{round_no}-cli", 16)
        batch_file = write_jsonl(tmp_path / f"r{round_no}.jsonl", batch)
        server = ProcessServer(db)
        poster = Poster(server.port, variants(f"r{round_no}-api", 24))
        readers = [Reader(server.port) for _ in range(2)]
        for thread in (poster, *readers):
            thread.start()
        ingest = subprocess.Popen(crosswire("ingest", "--db", db, batch_file), stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, text=True)
        side = SideCommands(db)
        side.start()
        recluster_proc = (subprocess.Popen(crosswire("recluster", "--db", db), stdout=subprocess.DEVNULL,
                                           stderr=subprocess.DEVNULL) if round_no % 3 == 1 else None)
        # Kill the server and the CLI at random moments, each on its own clock.
        victims = [("server", server.proc, rng.uniform(0.5, 4.0)), ("ingest", ingest, rng.uniform(0.5, 5.0))]
        if recluster_proc is not None:
            victims.append(("recluster", recluster_proc, rng.uniform(0.2, 3.0)))
        started = time.monotonic()
        for name, proc, at in sorted(victims, key=lambda v: v[2]):
            time.sleep(max(0.0, at - (time.monotonic() - started)))
            if proc.poll() is None:
                # Every third round the server is stopped as a user stops it (SIGTERM: it closes
                # its connections, which is where a server that had lost its locks corrupted the file).
                graceful = name == "server" and round_no % 3 == 2
                proc.send_signal(signal.SIGTERM if graceful else signal.SIGKILL)
                kills[name] += not graceful
        _, ingest_err = ingest.communicate(timeout=120)
        for proc in (server.proc, *([recluster_proc] if recluster_proc else [])):
            proc.wait(timeout=120)
        side.done.set()
        side.join(timeout=120)
        assert side.runs and not side.failures, side.failures
        poster.join(timeout=60)
        for reader in readers:
            reader.join(timeout=60)
        # What each process confirmed before it died.
        must_have.update(poster.confirmed)
        if ingest.returncode == 0:
            must_have.update(a["id"] for a in batch)
        assert 500 not in poster.statuses and all(s in (200, 404) for r in readers for s in r.statuses), (
            round_no, poster.statuses, [r.statuses for r in readers])
        problems = store_problems(db)
        assert problems == [], f"round {round_no}: {problems}"
        ids = stored_ids(db)
        missing = sorted(must_have - ids.keys())
        assert missing == [], f"round {round_no}: confirmed but gone: {missing[:5]}"
        assert set(ids.values()) == {1}
        # A killed ingest is finished by running it again: it stores just what is missing.
        if ingest.returncode != 0:
            again = run_cli("ingest", "--db", db, batch_file)
            assert again.returncode == 0, again.stderr
            must_have.update(a["id"] for a in batch)
            assert store_problems(db) == []
    assert kills["server"] >= ROUNDS // 3 and kills["ingest"] >= 1, kills
    assert set(stored_ids(db)) >= must_have


def test_ingest_never_reads_its_own_store_as_an_input(tmp_path: Path) -> None:
    """Reading the store's file as an article would open and close it outside SQLite (dropping the locks)."""
    db = tmp_path / "news"  # no extension: as an input it would be sniffed as text
    first = run_cli("ingest", *HASH, "--db", db, write_jsonl(tmp_path / "a.jsonl", variants("a", 2)))
    assert first.returncode == 0, first.stderr
    again = run_cli("ingest", "--db", db, db, f"{db}.usearch", write_jsonl(tmp_path / "b.jsonl", variants("b", 2)))
    assert again.returncode == 1
    assert f"crosswire: skipped {db}: is this store's own file (--db), not articles; not read" in again.stderr
    assert f"crosswire: skipped {db}.usearch: is this store's own file" in again.stderr
    assert "2 added" in again.stderr and store_problems(db) == []
