"""Search across scripts: a word typed in Latin letters finds the story told only in Cyrillic or
Arabic script that names it (``crosswire/store/names.py``), through the library, the CLI and an
upgraded store, and a word that is no name finds what its spelling finds, as before."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from crosswire.analysis.pipeline import Pipeline
from crosswire.article import Article
from crosswire.ingest import ingest_articles
from crosswire.store import names
from crosswire.store import sqlite as store_module
from crosswire.store.sqlite import MIGRATIONS, Store
from crosswire.stories.view import count_stories, list_stories

# Written for these tests, as a news agency would put it.
KAVANAUGH_RU = ("Сенат США утвердил Бретта Кавано членом Верховного суда.\n"
                "Голосование прошло в субботу, Кавано получил 50 голосов против 48.\n"
                "Протестующие собрались у здания Капитолия в Вашингтоне.")
FLOODS_DE = ("Hochwasser hat am Montag die Hauptstraße zwischen zwei Dörfern im Norden gesperrt.\n"
             "Die Feuerwehr pumpte die Keller leer.")


def articles(seeds_dir: Path) -> dict[str, Article]:
    """Three stories, each told in one script only: Russian, the Arabic seed (Rutte, Ishiba), German."""
    return {
        "ru": Article(id="ru-kavanaugh", text=KAVANAUGH_RU, source="ru.txt", language="ru", language_given=True,
                      published="2018-10-06T18:00Z"),
        "ar": Article(id="ar-rutte", text=(seeds_dir / "ar_rutte_ishiba.txt").read_text(encoding="utf-8"),
                      source="ar_rutte_ishiba.txt", language="ar", language_given=True, published="2025-03-10T08:00Z"),
        "de": Article(id="de-floods", text=FLOODS_DE, source="de.txt", language="de", language_given=True,
                      published="2024-05-01T08:00Z"),
    }


@pytest.fixture
def store(tmp_path: Path, seeds_dir: Path, hash_pipeline: Pipeline) -> Store:
    store = Store(tmp_path / "names.db")
    report = ingest_articles(list(articles(seeds_dir).values()), store, hash_pipeline)
    assert (report.added, report.new_stories) == (3, 3)  # a story each, years apart
    yield store
    store.close()


def found(store: Store, text: str, **options) -> list[list[str]]:
    """The languages of each story the text filter keeps."""
    return [s.languages for s in list_stories(store, text=text, **options)]


def test_a_latin_query_finds_the_story_told_only_in_cyrillic(store: Store) -> None:
    assert "kafanu" in names.keys_of(store.article(1).meta)  # Кавано, as analysis romanised it
    assert found(store, "Kavanaugh") == [["ru"]]  # the English spelling: more letters than «Кавано» has
    assert found(store, "kavanaugh", across_scripts=False) == []  # as written, no article holds it
    assert found(store, "Кавано") == [["ru"]]  # and as written, as always
    assert count_stories(store, text="Kavanaugh") == 1


def test_a_latin_query_finds_the_story_told_only_in_arabic_script(store: Store) -> None:
    assert "Rutte" not in store.article(2).text and "روتي" in store.article(2).text
    assert found(store, "Rutte") == [["ar"]]
    assert found(store, "Mark Rutte") == [["ar"]]  # every word, in one article
    assert found(store, "Ishiba") == [["ar"]]
    assert found(store, "Rutte Kavanaugh") == []  # no article names both


def test_words_that_are_no_name_find_what_their_spelling_finds(store: Store) -> None:
    assert found(store, "Hochwasser") == [["de"]]       # in the text, no name
    assert found(store, "Hochwasser Rutte") == []       # each word in the same article
    assert found(store, "Ruthenium") == []              # sounds like no stored name closely enough
    assert found(store, "Cavanagh") == []               # kafanak: too few sounds shared with «Кавано» (77 of 100)


def test_the_cli_search_finds_across_scripts(store: Store, tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "crosswire"
    if not script.is_file():
        pytest.skip("the crosswire console script is not installed")
    store.close()
    result = subprocess.run([str(script), "stories", "--db", str(tmp_path / "names.db"), "--text", "Kavanaugh"],
                            capture_output=True, text=True, encoding="utf-8", timeout=120,
                            env={**os.environ, "NO_COLOR": "1"})
    assert result.returncode == 0, result.stderr
    assert "Кавано" in result.stdout and "· ru" in result.stdout and "Rutte" not in result.stdout


def test_a_store_made_before_the_name_index_is_given_it(tmp_path: Path, seeds_dir: Path,
                                                        hash_pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "v6.db"
    monkeypatch.setattr(store_module, "MIGRATIONS", MIGRATIONS[:6])
    with Store(path) as old:
        ingest_articles(list(articles(seeds_dir).values()), old, hash_pipeline)
        assert old.db.execute("PRAGMA user_version").fetchone()[0] == 6
        assert found(old, "Rutte") == []  # no name index: the spelling only
    monkeypatch.undo()
    with Store(path) as store:  # migration 7 reads the names from every stored analysis
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        assert found(store, "Rutte") == [["ar"]] and found(store, "Kavanaugh") == [["ru"]]
        with Store(tmp_path / "new.db") as new:
            rows = "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name"
            assert store.db.execute(rows).fetchall() == new.db.execute(rows).fetchall()


def test_the_outlet_filter_by_name_or_site(tmp_path: Path, seeds_dir: Path, hash_pipeline: Pipeline) -> None:
    """--outlet (and ?outlet=): a story with an article from that outlet, named as the list names
    sources: the outlet given, else the site of its URL (any of the site's hosts)."""
    found_stories = articles(seeds_dir)
    found_stories["ru"].outlet = "  TASS "
    found_stories["ar"].url = "https://www.aljazeera.net/news/2025/3/10/x"
    found_stories["de"].url = "https://www.tagesschau.de/inland/y"
    found_stories["de"].outlet = "ARD"
    with Store(tmp_path / "o.db") as store:
        ingest_articles(list(found_stories.values()), store, hash_pipeline)
        langs = lambda **kw: [s.languages for s in list_stories(store, **kw)]  # noqa: E731
        assert langs(outlet="tass") == [["ru"]]               # any case, spaces trimmed
        assert langs(outlet="aljazeera.net") == [["ar"]]      # the site, www. or not
        assert langs(outlet="www.aljazeera.net") == [["ar"]]
        assert langs(outlet="tagesschau.de") == []            # an outlet named: its name, not its site
        assert langs(outlet="ARD") == [["de"]]
        assert langs(outlet="jazeera.net") == []              # a site is matched whole
        assert count_stories(store, outlet="tass", text="Kavanaugh") == 1
        assert count_stories(store, outlet="tass", text="Rutte") == 0


def test_a_page_and_its_count_look_each_name_up_once(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """The API's list (page and total) resolves a searched name once, and agrees with the two calls."""
    from crosswire.stories.view import list_stories_and_total

    calls: list[str] = []
    real = names.matching
    monkeypatch.setattr(names, "matching", lambda db, word: calls.append(word) or real(db, word))
    page, total = list_stories_and_total(store, text="Kavanaugh", limit=10)
    assert calls == ["kavanaugh"]
    assert [s.id for s in page] == [s.id for s in list_stories(store, text="Kavanaugh", limit=10)]
    assert total == count_stories(store, text="Kavanaugh") == 1
