"""Listing stories over the story index (``crosswire/store/listing.py``) gives exactly what reading
every article gave (``story_support.old_list_stories``), on a store in several scripts and for
every filter; the index stays right through every write of the store; and stores made at schema 3,
with the trigram index or without, upgrade to the one schema with the same listing.

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
from crosswire.store import listing_v2, words
from crosswire.store import sqlite as store_module
from crosswire.store.sqlite import MIGRATIONS, Store
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
    """The listing as the baseline gives it; text as written (the baseline knows no names across scripts,
    tests/test_search_names.py tests those)."""
    reader = filters.pop("reader_lang", None)
    want = [s.to_dict() for s in old_list_stories(store, reader_lang=reader, **filters)]
    filters["across_scripts"] = False
    assert [s.to_dict() for s in list_stories(store, reader_lang=reader, **filters)] == want, filters
    assert count_stories(store, **filters) == len(want), filters
    for limit, offset in ((1, 0), (2, 1), (3, 5)):
        page = [s.to_dict() for s in list_stories(store, reader_lang=reader, limit=limit, offset=offset, **filters)]
        assert page == want[offset:offset + limit], (filters, limit, offset)


def schema(store: Store, sql: bool = False) -> set[tuple[str, ...]]:
    rows = store.db.execute("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")
    return {(r[0], r[1], r[2]) if sql else (r[0], r[1]) for r in rows}


def test_the_index_matches_the_articles(store: Store) -> None:
    assert index_state(store) == expected_state(store)
    # One schema whatever this SQLite has: no triggers, the trigram index made by crosswire.
    assert not [name for kind, name in schema(store) if kind == "trigger"]
    assert ("table", words.TABLE) in schema(store) and ("table", "article_words") not in schema(store)


@pytest.mark.parametrize("text", TEXTS)
def test_text_filter_as_before(store: Store, text: str) -> None:
    same(store, text=text)


def test_text_filter_tells_escaped_characters_from_their_look_alikes(tmp_path: Path, hash_pipeline: Pipeline) -> None:
    """The index writes ASCII punctuation as private use characters (words.py): an article holding
    those characters themselves must not match a search for the punctuation, nor the other way."""
    escaped = "".join(chr(words._ESCAPE_BASE + ord(c)) for c in ";a-b")
    rows = [(1, "en", "Semicolons", "One; two; a-b.", "2025-03-01", None),
            (2, "en", "Look-alikes", f"Private {escaped} use {chr(words._ESCAPE_BASE + ord(';'))}x", "2025-03-02", None)]
    with Store(tmp_path / "pua.db") as pua:
        build(pua, hash_pipeline, rows)
        for text in (";", "a-b", "one;", ";x", escaped, escaped[:1], escaped[1:], "-", "two;"):
            same(pua, text=text)
        assert [s.id for s in list_stories(pua, text=";")] == [1]
        assert [s.id for s in list_stories(pua, text=escaped)] == [2]


def test_text_filter_as_before_when_short_words_are_checked_in_python(store: Store,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(words, "SHORT_TERMS", 1)
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


# --- the index through every write of the store ---------------------------------------------------

def test_the_index_follows_the_stores_writes(store: Store, hash_pipeline: Pipeline) -> None:
    """Articles added (into a story, into none), moved between stories, out of their story and back,
    a story emptied; the store's writes keep the index in the same transaction (no triggers)."""
    more = [(None, "sv", "Ny tittel om Stortinget", "Helt ny tekst.", "2025-03-12T00:00:00Z", "NRK"),
            (None, "ko", None, "이시바 총리", None, None), (None, None, "Unknown", "42 Ishiba", "2024-01-01", None)]
    with store.transaction():
        added = []
        for n, (_, language, title, text, published, outlet) in enumerate(more):
            article = hash_pipeline(Article(id=f"more{n}", text=text, source=f"more/{n}.txt", title=title,
                                            language="en", language_given=True))
            article.language, article.published, article.outlet = language, published, outlet
            added.append(store.add_article(article, 7 if n == 0 else None))  # story 7 is now the latest
        store.set_story(added[1], 2)
        store.set_story(added[2], 3)
        store.set_story(1, 2)   # from story 1 to story 2: both spans and languages change
        store.set_story(5, 3)
        store.set_story(5, 3)   # to where it is: nothing changes
        store.set_story(6, 9)
        store.set_story(6, 2)   # there and back
        for row in (10, 11):    # story 4 is left without articles
            store.set_story(row, store.new_story("by-hand"))
    assert index_state(store) == expected_state(store)
    for filters in ({}, {"text": "stortinget"}, {"text": "statsminister"}, {"text": "ishiba"}, {"language": "sv"},
                    {"language": "ko"}, {"language": "no"}, {"text": "οδυσσεα"}, {"since": "2025-03-11"},
                    {"text": "이시바"}, {"text": "42"}):
        same(store, **filters)
    assert 4 not in [s.id for s in list_stories(store)]
    with store.transaction():  # every story forgotten, then a regrouping
        store.clear_stories()
        assert index_state(store) == expected_state(store)
        story = store.new_story("by-hand")
        for row in range(1, 24, 2):
            store.set_story(row, story)
    assert index_state(store) == expected_state(store)
    same(store)
    same(store, text="ishiba")


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


# --- stores made at schema 3 -----------------------------------------------------------------------

@pytest.mark.parametrize("trigrams", [True, False], ids=["with-trigram-index", "without"])
def test_a_store_of_schema_3_upgrades_to_the_one_schema(tmp_path: Path, hash_pipeline: Pipeline,
                                                        monkeypatch: pytest.MonkeyPatch, trigrams: bool) -> None:
    """Migration 2 built one of two schemas, by whether the host's SQLite had the trigram tokenizer;
    migration 4 makes either the one schema, and the listing is the reference listing for every filter."""
    if trigrams and not listing_v2.trigram_available():
        pytest.skip("this SQLite has no trigram tokenizer: it cannot have made that variant")
    path = tmp_path / f"v3-{trigrams}.db"
    monkeypatch.setattr(store_module, "MIGRATIONS", [MIGRATIONS[0], listing_v2.migration(trigrams), MIGRATIONS[2]])
    with Store(path) as old:
        build(old, hash_pipeline)
        with old.transaction():  # the old triggers at work: moves, and an article into no story
            old.set_story(1, 2)
            old.set_story(16, old.new_story("by-hand"))
        assert old.db.execute("PRAGMA user_version").fetchone()[0] == 3
        assert (("table", "article_words") in schema(old)) == trigrams
        assert len([name for kind, name in schema(old) if kind == "trigger"]) == (8 if trigrams else 5)
        index_before = index_state(old)
        reference = {text: [s.to_dict() for s in old_list_stories(old, text=text)] for text in TEXTS}
        by_language = {lang: [s.to_dict() for s in old_list_stories(old, language=lang)] for lang in LANGUAGES}
    monkeypatch.undo()
    with Store(path) as store:
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        assert not [name for kind, name in schema(store) if kind == "trigger"]
        assert ("table", "article_words") not in schema(store) and ("table", words.TABLE) in schema(store)
        with Store(tmp_path / "new.db") as new:  # the same schema as a store made today
            assert schema(store, sql=True) == schema(new, sql=True)
        assert index_state(store) == index_before == expected_state(store)
        assert store.embedders() == ["hash.v1"] and store.store_id()
        for text, want in reference.items():
            assert [s.to_dict() for s in list_stories(store, text=text, across_scripts=False)] == want, text
        for lang, want in by_language.items():
            assert [s.to_dict() for s in list_stories(store, language=lang)] == want, lang
        with store.transaction():  # kept from then on by the store's writes
            late = store.add_article(hash_pipeline(Article(id="late", text="Ishiba i Oslo.", source="late.txt")), 3)
            store.set_story(2, 3)
        assert index_state(store) == expected_state(store)
        same(store, text="oslo")
        same(store, text="ishiba", language="en")
        assert late in [a["id"] for s in list_stories(store, text="oslo") for a in s.article_ids]
