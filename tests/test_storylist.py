"""Listing stories over the story index (``crosswire/store/listing.py``) gives exactly what reading
every article gave (``story_reference.old_list_stories``), on a store in several scripts and for
every filter; and the index stays right through every kind of write.

``story_support.ROWS`` is the store: 20 articles in 9 stories (and one in none) in Arabic,
Norwegian (nb, no, nob), Chinese, Japanese, Russian in capitals, Greek, German with ß, Turkish
with İ, with dates in several forms, an unreadable one and none."""
from __future__ import annotations

import random
from pathlib import Path

import pytest
from story_support import build, expected_state, index_state, old_list_stories

from crosswire.analysis.pipeline import Pipeline
from crosswire.article import Article
from crosswire.store import listing as storyindex
from crosswire.store.sqlite import Store
from crosswire.stories.placement import recluster, restream
from crosswire.stories.view import count_stories, list_stories

TEXTS = ["ishiba", "ISHIBA  tokyo", "Tokyo rutte", "rutte kina", "ruttE GENERALSEKRETÆR", "日本", "日", "东京",
         "石破茂", "石破", "首相は", "путин", "ПУТИН москва", "москве", "ΟΔΥΣΣΕΑΣ", "ΟΔΥΣΣΈΑΣ", "οδυσσέα",
         "εκλογές", "strasse", "GIESSEN", "straße", "maße masse", "i̇stanbul", "İSTANBUL", "istanbul", "ısı",
         "a", "ab", "x", "42", "w", "zzz", "zz", "\"quoted\"", "a—dash", "واليابان", "اليابان طوكيو", "ا", "。", ";",
         "tie", "  "]
LANGUAGES = [None, "", "ar", "arb", "nb", "no", "nob", "NB-no", "zh", "zh-CN", "ZH_tw", "ja", "ru", "rus", "el",
             "ell", "de", "deu", "tr", "en", "fr", "xx"]
DATES = [(None, None), ("2025-03-10", None), ("2025-03-10T08:30:00Z", None), (None, "2025-03-09"),
         (None, "2025-02-01T12:00+00:00"), ("2025-02-02", "2025-03-01"), ("2025-03-11T07:00:00Z", "2025-03-11"),
         ("2025-03-10T08:00:00.250000Z", None), ("2025-03-10T08:00:00.250001Z", None)]


@pytest.fixture
def store(tmp_path: Path, hash_pipeline: Pipeline) -> Store:
    store = Store(tmp_path / "scripts.db")
    build(store, hash_pipeline)
    yield store
    store.close()


def same(store: Store, **filters) -> None:
    reader = filters.pop("reader_lang", None)
    want = [s.to_dict() for s in old_list_stories(store, reader_lang=reader, **filters)]
    assert [s.to_dict() for s in list_stories(store, reader_lang=reader, **filters)] == want, filters
    assert count_stories(store, **filters) == len(want), filters
    for limit, offset in ((1, 0), (2, 1), (3, 5)):
        page = [s.to_dict() for s in list_stories(store, reader_lang=reader, limit=limit, offset=offset, **filters)]
        assert page == want[offset:offset + limit], (filters, limit, offset)


def test_the_index_matches_the_articles(store: Store) -> None:
    assert index_state(store) == expected_state(store)
    assert storyindex.has_words(store.db) == storyindex.trigram_available()


@pytest.mark.parametrize("text", TEXTS)
def test_text_filter_as_before(store: Store, text: str) -> None:
    same(store, text=text)


def test_text_filter_as_before_without_the_words_index(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("crosswire.stories.view.has_words", lambda db: False)  # an SQLite without trigrams
    for text in TEXTS:
        same(store, text=text)


def test_text_filter_as_before_when_short_words_are_checked_in_python(store: Store,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(storyindex, "SHORT_TERMS", 1)
    for text in TEXTS:
        same(store, text=text)


@pytest.mark.parametrize("language", LANGUAGES)
def test_language_filter_as_before(store: Store, language: str | None) -> None:
    same(store, language=language)


@pytest.mark.parametrize("since,until", DATES)
def test_date_filters_as_before(store: Store, since: str | None, until: str | None) -> None:
    same(store, since=since, until=until)


def test_filters_together_and_readers_as_before(store: Store) -> None:
    for reader in (None, "nb", "zh", "ja", "de", "el", "fr"):
        same(store, reader_lang=reader)
    same(store, language="no", text="rutte")
    same(store, language="zh", text="日本", since="2025-03-10")
    same(store, language="de", text="strasse", until="2025-02-01")
    same(store, language="ru", text="ishiba")
    same(store, text="ab", since="2025-03-09", until="2025-03-10")
    assert list_stories(store, limit=0) == list_stories(store)  # as before: 0 is no limit


def test_random_stores_and_queries_as_before(tmp_path: Path, hash_pipeline: Pipeline) -> None:
    """Words drawn from a small mixed-script alphabet, so short and long words hit and miss."""
    rng = random.Random(7)
    alphabet = "abAB日本ДдΣσςßİıé"
    word = lambda: "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 4)))  # noqa: E731
    rows = [(rng.choice([1, 2, 3, 4, 5, None]), rng.choice(["en", "nb", "no", None]), rng.choice([None, word()]),
             " ".join(word() for _ in range(rng.randint(1, 6))),
             rng.choice([None, "2025-03-01", f"2025-03-0{rng.randint(1, 9)}T0{rng.randint(0, 9)}:00Z"]), None)
            for _ in range(60)]
    with Store(tmp_path / "random.db") as store:
        build(store, hash_pipeline, rows)
        assert index_state(store) == expected_state(store)
        for _ in range(150):
            same(store, text=" ".join(word() for _ in range(rng.randint(1, 3))))


# --- the index through every kind of write ---------------------------------------------------------

def test_the_index_follows_writes_by_hand(store: Store) -> None:
    db = store.db
    with store.transaction():
        db.execute("UPDATE articles SET published = '2025-03-12T00:00:00Z' WHERE id = 16")  # story 7 now first
        db.execute("UPDATE articles SET ingested_at = '2026-01-01T00:00:00Z' WHERE published IS NULL")
        db.execute("UPDATE articles SET language = 'sv' WHERE id = 2")
        db.execute("UPDATE articles SET language = NULL WHERE id = 3")
        db.execute("UPDATE articles SET title = 'Ny tittel om Stortinget', text = 'Helt ny tekst.' WHERE id = 4")
        db.execute("UPDATE articles SET story_id = 2, language = 'ko' WHERE id = 1")  # two columns, one UPDATE
        db.execute("UPDATE articles SET story_id = 3, published = '2024-01-01' WHERE id = 5")
        db.execute("UPDATE articles SET story_id = 9 WHERE story_id IS NULL")
        db.execute("DELETE FROM articles WHERE id IN (10, 11)")  # story 4 is left without articles
    assert index_state(store) == expected_state(store)
    for filters in ({}, {"text": "stortinget"}, {"text": "statsminister"}, {"text": "ishiba"}, {"language": "sv"},
                    {"language": "ko"}, {"language": "no"}, {"text": "οδυσσεα"}, {"since": "2025-03-11"}):
        same(store, **filters)
    assert 4 not in [s.id for s in list_stories(store)]


def test_a_rolled_back_write_leaves_the_index_as_it_was(store: Store, hash_pipeline: Pipeline) -> None:
    before = index_state(store)
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.add_article(hash_pipeline(Article(id="late", text="Ishiba again.", source="late.txt")),
                              store.new_story("by-hand"))
            store.set_story(1, 3)
            raise RuntimeError("abort")
    assert index_state(store) == before
    same(store, text="again")


def test_recluster_and_restream_refresh_the_index(store: Store) -> None:
    embedder = store.embedders()[0]
    restream(store, embedder)
    assert index_state(store) == expected_state(store)
    same(store)
    recluster(store, embedder)
    assert index_state(store) == expected_state(store)
    same(store)
    same(store, text="ishiba", language="nb")
