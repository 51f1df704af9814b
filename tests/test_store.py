"""The local store: schema marks, WAL, exact round trips, the content hash, and files that are
not ours (another application's database, not SQLite at all, a newer crosswire) refused
without a single byte changed."""
from __future__ import annotations

import os
import random
import sqlite3
from pathlib import Path

import numpy as np
import pytest
from conftest import foreign_sqlite
from story_support import build, expected_state, index_state, old_list_stories

from crosswire.analysis.pipeline import Pipeline
from crosswire.article import Article
from crosswire.ingest import ingest_articles
from crosswire.readers.files import read_path
from crosswire.store.sqlite import APPLICATION_ID, MIGRATIONS, Store, StoreError, content_hash
from crosswire.stories.view import list_stories


@pytest.fixture
def nb_article(seeds_dir: Path, hash_pipeline: Pipeline) -> Article:
    article = read_path(seeds_dir / "nb_rutte_ishiba.txt").articles[0]
    article.outlet, article.title, article.published = "NRK", "Rutte i Tokyo", "2025-03-10T08:00:00+00:00"
    return hash_pipeline(article)


def pragma(path: Path, name: str) -> object:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return db.execute(f"PRAGMA {name}").fetchone()[0]
    finally:
        db.close()


def sidecars(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir() if p.name.startswith(path.name + "-"))


# --- schema ----------------------------------------------------------------------------------------

def test_a_new_store_is_marked_and_migrated(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    Store(path).close()
    assert pragma(path, "user_version") == len(MIGRATIONS)
    assert pragma(path, "application_id") == APPLICATION_ID
    assert pragma(path, "journal_mode") == "wal"
    tables = {r[0] for r in sqlite3.connect(path).execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"articles", "stories"} <= tables


def test_reopening_migrates_nothing_and_keeps_the_data(tmp_path: Path, nb_article: Article) -> None:
    path = tmp_path / "keep.db"
    with Store(path) as store, store.transaction():
        row_id = store.add_article(nb_article, store.new_story("test"))
    with Store(path) as store:
        assert store.count() == 1
        assert store.article(row_id).text == nb_article.text
        assert store.story_members(1) == [row_id]
    assert pragma(path, "user_version") == len(MIGRATIONS)


def test_a_store_of_schema_1_upgrades_in_place(tmp_path: Path, hash_pipeline: Pipeline,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """A store from before the story index (articles and stories only) gains it on opening,
    filled from its rows; nothing stored changes and the listing is what it was."""
    path = tmp_path / "old.db"
    monkeypatch.setattr("crosswire.store.sqlite.MIGRATIONS", MIGRATIONS[:1])
    with Store(path) as old:
        build(old, hash_pipeline)
        articles = [dict(r) for r in old.db.execute("SELECT * FROM articles ORDER BY id")]
        stories = [dict(r) for r in old.db.execute("SELECT * FROM stories ORDER BY id")]
        listing = [s.to_dict() for s in old_list_stories(old)]
        greek = [s.to_dict() for s in old_list_stories(old, text="ΟΔΥΣΣΕΑΣ", language="el")]
    assert pragma(path, "user_version") == 1
    monkeypatch.undo()
    with Store(path) as store:
        assert [{k: r[k] for k in articles[0]} for r in store.db.execute("SELECT * FROM articles ORDER BY id")] == articles
        assert [{k: r[k] for k in stories[0]} for r in store.db.execute("SELECT * FROM stories ORDER BY id")] == stories
        assert index_state(store) == expected_state(store)
        assert [s.to_dict() for s in list_stories(store)] == listing
        assert [s.to_dict() for s in list_stories(store, text="ΟΔΥΣΣΕΑΣ", language="el")] == greek != []
        with store.transaction():  # and it is kept from then on, by the store's writes
            for row in [r[0] for r in store.db.execute("SELECT id FROM articles WHERE story_id IS NULL")]:
                store.set_story(row, 1)
        assert index_state(store) == expected_state(store)
    assert pragma(path, "user_version") == len(MIGRATIONS)


def test_a_reader_is_not_blocked_by_an_open_write(tmp_path: Path, nb_article: Article) -> None:
    # WAL: while the one writer holds its transaction, readers see the last committed state.
    path = tmp_path / "wal.db"
    with Store(path) as store:
        with store.transaction():
            store.add_article(nb_article)
            reader = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=0.1)
            assert reader.execute("SELECT count(*) FROM articles").fetchone()[0] == 0
        assert reader.execute("SELECT count(*) FROM articles").fetchone()[0] == 1
        reader.close()


# --- articles --------------------------------------------------------------------------------------

def test_an_article_round_trips_exactly(tmp_path: Path, nb_article: Article) -> None:
    with Store(tmp_path / "rt.db") as store:
        with store.transaction():
            row_id = store.add_article(nb_article)
        back = store.article(row_id)
    for name in ("id", "text", "source", "title", "url", "outlet", "author", "published", "language",
                 "language_given", "embedder"):
        assert getattr(back, name) == getattr(nb_article, name), name
    assert [(s.id, s.line, s.text, s.language, s.furniture) for s in back.sentences] == [
        (s.id, s.line, s.text, s.language, s.furniture) for s in nb_article.sentences]
    assert len(back.sentences) == 21
    # Page furniture (sub-headings, "Les også") comes back on the same lines.
    assert [(line.number, line.furniture) for line in back.lines] == [
        (line.number, line.furniture) for line in nb_article.lines]
    assert {line.number for line in back.lines if line.furniture} == {5, 9, 11, 14}
    assert all(b.text == a.text.strip() for a, b in zip(nb_article.lines, back.lines))
    # The article vector bit for bit, as float32; the sentence vectors as float32 within float16's
    # precision (the default format: store/vectors.py; other formats: tests/test_store_vectors.py).
    assert back.vector is not None and back.vector.dtype == np.float32
    assert np.array_equal(back.vector, nb_article.vector)
    for a, b in zip(nb_article.sentences, back.sentences):
        assert a.vector is not None and b.vector is not None and b.vector.dtype == np.float32
        assert np.abs(a.vector - b.vector).max() < 1e-3
    assert back.meta["store_id"] == row_id and back.meta["story_id"] is None
    assert back.meta["format"] == nb_article.meta["format"]


def test_an_unanalysed_article_is_refused(tmp_path: Path) -> None:
    with Store(tmp_path / "raw.db") as store, pytest.raises(Exception, match="not been analysed"):
        with store.transaction():
            store.add_article(Article(id="raw", text="Nothing done yet.", source="raw.txt"))


def test_the_content_hash_ignores_layout_not_content() -> None:
    base = Article(id="a", text="Rutte møtte Ishiba.\nDe snakket.", source="a.txt", outlet="NRK", title="Möte")
    same = Article(id="b", text="  Rutte  møtte Ishiba.\n\nDe snakket. ", source="elsewhere.txt",
                   outlet="NRK", title="Mo\u0308te")  # ö decomposed (NFD): the same title
    assert content_hash(base) == content_hash(same)
    other_outlet = Article(id="c", text=base.text, source="c.txt", outlet="VG", title="Möte")
    other_text = Article(id="d", text=base.text + " Mer.", source="d.txt", outlet="NRK", title="Möte")
    assert len({content_hash(base), content_hash(other_outlet), content_hash(other_text)}) == 3


def test_storing_the_same_article_twice_is_a_no_op(tmp_path: Path, seeds_dir: Path,
                                                    hash_pipeline: Pipeline) -> None:
    path = seeds_dir / "ar_rutte_ishiba.txt"
    with Store(tmp_path / "twice.db") as store:
        first = ingest_articles(read_path(path).articles * 2, store, hash_pipeline)  # twice in one run
        assert (first.added, first.duplicates) == (1, 1)
        again = ingest_articles(read_path(path).articles, store, hash_pipeline)
        assert (again.added, again.duplicates, again.refused) == (0, 1, 0)
        assert "already stored" in again.skipped[0].line()
        assert store.count() == 1
        assert store.find_hash(content_hash(store.article(1))) == 1
        with pytest.raises(sqlite3.IntegrityError), store.transaction():
            store.add_article(store.article(1))  # the UNIQUE hash holds even past the check


# --- files that are not ours -----------------------------------------------------------------------

def _text_file(path: Path) -> None:
    path.write_text("shopping list\nmilk\n", encoding="utf-8")


def _random_bytes(path: Path) -> None:
    path.write_bytes(random.Random(3).randbytes(8192))


def _other_application(path: Path) -> None:
    foreign_sqlite(path, "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)",
                   "INSERT INTO notes (body) VALUES ('mine')")


def _other_application_in_wal(path: Path) -> None:
    foreign_sqlite(path, "PRAGMA journal_mode = WAL", "CREATE TABLE notes (body TEXT)")


def _other_application_id(path: Path) -> None:
    foreign_sqlite(path, "PRAGMA application_id = 1234")


def _corrupt_sqlite(path: Path) -> None:
    path.write_bytes(b"SQLite format 3\x00" + random.Random(5).randbytes(4096))


FOREIGN = {
    "text file": (_text_file, "is not a SQLite database"),
    "random bytes": (_random_bytes, "is not a SQLite database"),
    "another application's database": (_other_application, "of another application"),
    "another application's database in WAL mode": (_other_application_in_wal, "of another application"),
    "another application id, no tables": (_other_application_id, "of another application"),
    # Told apart from other files by SQLite alone: the store never reads the file itself (see Store).
    "corrupt SQLite": (_corrupt_sqlite, "header is damaged"),
}


@pytest.mark.parametrize("kind", sorted(FOREIGN))
@pytest.mark.parametrize("create", [True, False])
def test_a_file_that_is_not_ours_is_refused_and_unchanged(tmp_path: Path, kind: str, create: bool) -> None:
    make, problem = FOREIGN[kind]
    path = tmp_path / "x.db"
    make(path)
    before, stat = path.read_bytes(), path.stat()
    with pytest.raises(StoreError, match=problem) as caught:
        Store(path, create=create)
    assert str(caught.value).startswith(f"{path}: ")
    assert "\n" not in str(caught.value)
    assert path.read_bytes() == before
    assert path.stat().st_mtime_ns == stat.st_mtime_ns
    assert sidecars(path) == []  # closed at once: no -wal or -shm left behind


@pytest.mark.parametrize("journal", ["wal", "delete"])
def test_a_store_from_a_newer_crosswire_is_refused_and_unchanged(tmp_path: Path, journal: str) -> None:
    path = tmp_path / "future.db"
    Store(path).close()
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA journal_mode = {journal}")
    db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    db.commit()
    db.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match=rf"newer crosswire \(schema {len(MIGRATIONS) + 1}\)"):
        Store(path)
    assert path.read_bytes() == before
    assert sidecars(path) == []


def test_a_missing_store_is_not_created_when_only_reading(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.db"
    with pytest.raises(StoreError, match="no such database"):
        Store(path, create=False)
    assert not path.exists()


def test_a_folder_or_a_missing_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="is a folder"):
        Store(tmp_path)
    with pytest.raises(StoreError, match="does not exist"):
        Store(tmp_path / "no" / "such.db")


def test_an_empty_file_becomes_a_store(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    path.touch()
    Store(path).close()
    assert pragma(path, "application_id") == APPLICATION_ID


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="needs a user that file modes bind")
def test_an_unreadable_store_is_one_error(tmp_path: Path) -> None:
    path = tmp_path / "locked.db"
    Store(path).close()
    path.chmod(0)
    try:
        with pytest.raises(StoreError):
            Store(path)
    finally:
        path.chmod(0o644)


# --- what the store keeps beside the articles ---------------------------------------------------------

def _tables_read(store: Store, call) -> set[str]:  # type: ignore[no-untyped-def]
    """The tables SQLite reads while ``call`` runs (its authorizer is asked for every column read)."""
    read: set[str] = set()

    def authorize(action: int, table: str | None, *_: object) -> int:
        if action == sqlite3.SQLITE_READ and table:
            read.add(table)
        return sqlite3.SQLITE_OK

    store.db.set_authorizer(authorize)
    try:
        call()
    finally:
        store.db.set_authorizer(None)
    return read


def _made_by(article: Article, name: str, n: int) -> Article:
    article.embedder, article.title = name, f"{name} {n}"  # another title: another content hash
    return article


def test_the_embedders_are_known_without_reading_the_articles(tmp_path: Path, nb_article: Article,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Kept by add_article; a store of schema 3 gets them from its rows once, when migrated."""
    path = tmp_path / "mixed.db"
    monkeypatch.setattr("crosswire.store.sqlite.MIGRATIONS", MIGRATIONS[:3])
    with Store(path) as old, old.transaction():
        for n, name in enumerate(["b.v1", "a.v1", "b.v1"]):
            old.add_article(_made_by(nb_article, name, n))
    monkeypatch.undo()
    with Store(path) as store:
        assert store.embedders() == ["b.v1", "a.v1"]  # in the order they came, as reading the rows gave them
        with store.transaction():
            store.add_article(_made_by(nb_article, "c.v1", 3))
            store.add_article(_made_by(nb_article, "a.v1", 4))
        assert _tables_read(store, store.embedders) == {"embedders"}
        assert store.embedders() == ["b.v1", "a.v1", "c.v1"]
    with Store(tmp_path / "empty.db") as empty:
        assert empty.embedders() == [] and empty.embedder() is None


def test_many_ids_are_read_in_chunks(tmp_path: Path, nb_article: Article) -> None:
    """More ids than SQLite takes parameters in one statement (32,766 by default, 999 before 3.32)."""
    with Store(tmp_path / "many.db") as store:
        with store.transaction():
            rows = [store.add_article(_made_by(nb_article, nb_article.embedder or "", n)) for n in range(3)]
        wanted = [rows[2], *range(10_000, 110_000), rows[0], rows[2]]
        assert [a.meta["store_id"] for a in store.articles(wanted)] == [rows[2], rows[0], rows[2]]
        assert sorted(store.analyses(list(range(1, 100_000)))) == rows
        assert store.stories_of(list(range(1, 100_000))) == {}


def test_every_store_has_an_id_of_its_own(tmp_path: Path) -> None:
    with Store(tmp_path / "a.db") as a, Store(tmp_path / "b.db") as b:
        first = a.store_id()
        assert first is not None and len(first) == 32 and first != b.store_id()
    with Store(tmp_path / "a.db") as again:
        assert again.store_id() == first


def test_a_sqlite_without_fts5_is_named_as_the_reason(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("crosswire.store.words.fts5_available", lambda: False)
    with pytest.raises(StoreError, match=r"has no FTS5, which the store's text index needs"):
        Store(tmp_path / "no-fts5.db")
    assert pragma(tmp_path / "no-fts5.db", "user_version") == 3  # migration 4 rolled back, whole
