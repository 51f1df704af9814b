"""The server keeps one story index open for its writes, caught up with the store, saved when it stops."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from server_support import ThreadServer

import crosswire.ingest.writer
import crosswire.server.state
from crosswire.cli import main
from crosswire.server import ServeOptions
from crosswire.store.sqlite import Store
from crosswire.stories.neighbours import VectorIndex


def _seed_text(seeds_dir: Path) -> str:
    return (seeds_dir / "nb_rutte_ishiba.txt").read_text(encoding="utf-8")


def _article(name: str, text: str, outlet: str) -> dict:
    """The Norwegian seed as published by one outlet: the same text joins one story whoever sends it."""
    return {"id": name, "text": text, "source": outlet, "language": "nb", "published": "2025-03-10T08:00:00Z"}


def _index_file(db: Path) -> Path:
    return db.with_name(db.name + ".usearch")


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Who opened the story index: the server's writer ("state") or ingest_articles itself ("ingest")."""
    calls: list[str] = []

    def counting(who: str, real):  # type: ignore[no-untyped-def]
        def open_index(*args, **kwargs):  # type: ignore[no-untyped-def]
            calls.append(who)
            return real(*args, **kwargs)
        return open_index

    monkeypatch.setattr(crosswire.server.state, "open_index", counting("state", crosswire.server.state.open_index))
    monkeypatch.setattr(crosswire.ingest.writer, "open_index", counting("ingest", crosswire.ingest.writer.open_index))
    return calls


def test_posts_share_one_index_saved_only_when_the_server_stops(tmp_path: Path, seeds_dir: Path,
                                                               opened: list[str]) -> None:
    db = tmp_path / "kept.db"
    server = ThreadServer(ServeOptions(db=str(db), embedder="hash"))
    try:
        text = _seed_text(seeds_dir)
        first = server("POST", "/api/articles", _article("a", text, "Outlet A"))
        second = server("POST", "/api/articles", _article("b", text, "Outlet B"))
        assert first.status == second.status == 201
        assert opened == ["state"]  # opened once, by the writer; ingest_articles never opened its own
        # The second article found the first through the kept index: one story.
        assert second.json()["results"][0]["story"] == first.json()["results"][0]["story"]
        assert not _index_file(db).exists()  # not saved per request
    finally:
        server.stop()
    assert len(VectorIndex(256, _index_file(db))) == 2  # saved at shutdown


def test_an_article_ingested_beside_the_server_is_found_by_the_next_post(tmp_path: Path, seeds_dir: Path,
                                                                          opened: list[str]) -> None:
    db = tmp_path / "beside.db"
    server = ThreadServer(ServeOptions(db=str(db), embedder="hash"))
    try:
        volcano = {"id": "volcano", "text": "A volcano erupted on the Reykjanes peninsula on Tuesday night.",
                   "language": "en", "published": "2025-06-12T12:00:00Z"}
        assert server("POST", "/api/articles", volcano).status == 201  # the writer's index is open now
        text = _seed_text(seeds_dir)
        feed = tmp_path / "beside.jsonl"
        feed.write_text(json.dumps(_article("cli", text, "Outlet CLI")) + "\n", encoding="utf-8")
        result = CliRunner().invoke(main, ["ingest", "--db", str(db), "--embedder", "hash", str(feed)])
        assert result.exit_code == 0, result.output
        with Store(db, create=False) as store:
            [(cli_row, cli_story)] = store.db.execute("SELECT id, story_id FROM articles WHERE ext_id = 'cli'")

        answer = server("POST", "/api/articles", _article("api", text, "Outlet API"))
        assert answer.status == 201
        [result_] = answer.json()["results"]
        assert result_["story"] == cli_story  # joined the story of the article the CLI added
        assert opened == ["state", "ingest"]  # the writer's, caught up since, and the CLI run's own
        index = server.app.state.crosswire._index
        assert index.contains([cli_row]).all() and len(index) == 3
    finally:
        server.stop()
    with Store(db, create=False) as store:
        assert len(VectorIndex(256, _index_file(db))) == store.count() == 3


def test_the_kept_index_is_saved_when_due(tmp_path: Path, seeds_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(crosswire.ingest.writer, "SAVE_EVERY_SECONDS", 0.0)
    db = tmp_path / "due.db"
    server = ThreadServer(ServeOptions(db=str(db), embedder="hash"))
    try:
        assert server("POST", "/api/articles", _article("a", _seed_text(seeds_dir), "Outlet A")).status == 201
        assert len(VectorIndex(256, _index_file(db))) == 1
    finally:
        server.stop()
