"""Listing and opening stories (``crosswire/storyview.py``) on a store whose stories are set by
hand, so the filters, the order and the reader's headline are tested apart from clustering."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from crosswire.errors import CrosswireError
from crosswire.model import Article
from crosswire.pipeline import Pipeline
from crosswire.readers import read_path
from crosswire.store import Store
from crosswire.storyview import language_key, list_stories, parse_when, render_stories, story_comparison

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "ntrex" / "ntrex_sample.jsonl"


@pytest.fixture
def store(tmp_path: Path, seeds_dir: Path, hash_pipeline: Pipeline) -> Store:
    """Story 1: the seeds (ar 06:00, nb 08:00 on 2025-03-10, no titles); story 2: an English
    (titled, BBC) and a German article of February; story 3: one undated article."""
    ar, nb = (read_path(seeds_dir / f"{lang}_rutte_ishiba.txt").articles[0] for lang in ("ar", "nb"))
    ar.published, nb.published = "2025-03-10T06:00:00Z", "2025-03-10T09:00:00+01:00"
    sample = {a.id: a for a in read_path(SAMPLE).articles}
    en, de = sample["bbc.381790.eng"], sample["bbc.381790.deu"]
    en.title, en.outlet, en.published = "Welsh AMs fret over 'muppets'", "BBC", "2025-02-01"
    de.outlet, de.published = None, "2025-02-02T10:00:00Z"
    undated = sample["nytimes.184853.eng"]
    store = Store(tmp_path / "stories.db")
    with store.transaction():
        for group in ([ar, nb], [en, de], [undated]):
            story = store.new_story("by-hand")
            for article in group:
                store.add_article(hash_pipeline(article), story)
    yield store
    store.close()


def ids(stories: list) -> list[int]:
    return [s.id for s in stories]


def test_most_recently_active_first(store: Store) -> None:
    stories = list_stories(store)
    assert ids(stories) == [3, 1, 2]  # the undated one was seen when it was ingested: now
    one = stories[1]
    assert (one.size, one.languages) == (2, ["ar", "nb"])
    assert (one.first_seen, one.last_seen) == ("2025-03-10T06:00:00Z", "2025-03-10T08:00:00Z")
    assert [a["ext_id"] for a in one.article_ids] == ["ar_rutte_ishiba", "nb_rutte_ishiba"]
    assert all(isinstance(a["id"], int) for a in one.article_ids)
    assert one.sources == [str(p) for p in (Path(store.article(1).source), Path(store.article(2).source))]
    two = stories[2]
    assert two.sources == ["BBC", f"{SAMPLE}:21"]  # an article with no outlet is named by its source


def test_ties_on_time_go_to_the_bigger_story(store: Store) -> None:
    with store.transaction():
        store.db.execute("UPDATE articles SET published = '2025-03-10T08:00:00Z' WHERE story_id = 2")
    assert ids(list_stories(store))[1:] == [2, 1]


def test_the_headline_is_the_earliest_articles_unless_the_reader_has_one(store: Store) -> None:
    seeds = list_stories(store)[1]
    assert seeds.headline_language == "ar"
    assert seeds.headline == store.article(1).story_sentences[0].text  # no title: the first sentence
    for reader in ("nb", "no", "NB"):
        mine = list_stories(store, reader_lang=reader)[1]
        assert mine.headline_language == "nb"
        assert mine.headline.startswith("Japans statsminister Shigeru Ishiba")
    welsh = list_stories(store, reader_lang="de")[2]
    assert welsh.headline_language == "de"
    welsh = list_stories(store, reader_lang="fr")[2]  # no French article: the earliest, by its title
    assert (welsh.headline, welsh.headline_language) == ("Welsh AMs fret over 'muppets'", "en")


def test_filters(store: Store) -> None:
    assert ids(list_stories(store, language="ar")) == [1]
    assert ids(list_stories(store, language="de-DE")) == [2]
    assert ids(list_stories(store, language="fr")) == []
    assert ids(list_stories(store, text="ishiba")) == [1]
    assert ids(list_stories(store, text="RUTTE  Tokyo")) == [1]  # every word, anywhere, any case
    assert ids(list_stories(store, text="GENERALSEKRETÆR")) == [1]  # folded beyond ASCII
    assert ids(list_stories(store, text="muppets")) == [2]  # in a title
    assert ids(list_stories(store, text="rutte muppets")) == []  # both words in one article
    assert ids(list_stories(store, since="2025-03-10")) == [3, 1]
    assert ids(list_stories(store, since="2025-03-10T08:30:00Z")) == [3]
    assert ids(list_stories(store, until="2025-03-10")) == [1, 2]  # a date means up to its end
    assert ids(list_stories(store, until="2025-02-01T12:00+00:00")) == [2]
    assert ids(list_stories(store, since="2025-02-02", until="2025-03-01")) == [2]
    assert ids(list_stories(store, limit=1)) == [3]
    assert ids(list_stories(store, language="ar", text="muppets")) == []


def test_a_bad_date_is_one_error() -> None:
    with pytest.raises(CrosswireError, match="not an ISO date"):
        parse_when("last tuesday")
    assert parse_when("2025-03-10", end=True).isoformat().startswith("2025-03-10T23:59:59")


def test_language_keys() -> None:
    assert language_key("zh-CN") == language_key("zh") == "zh"
    assert language_key("no") == language_key("nb")
    assert language_key(None) == ""


def test_json_and_terminal_listings(store: Store) -> None:
    data = json.loads(render_stories(list_stories(store), "json"))
    assert [d["id"] for d in data] == [3, 1, 2]
    assert {"id", "headline", "languages", "sources", "first_seen", "last_seen", "size", "article_ids"} <= set(data[0])
    text = render_stories(list_stories(store), "terminal", width=60)
    assert "story 1 · 2 articles · 2025-03-10 · ar, nb" in text.splitlines()
    assert "story 2 · 2 articles · 2025-02-01 – 2025-02-02 · de, en" in text.splitlines()
    assert all(len(line) <= 60 for line in text.splitlines())
    assert render_stories([], "terminal") == "No stories.\n"


def test_a_story_opens_as_a_comparison(store: Store) -> None:
    comparison = story_comparison(store, 1)
    assert [a.id for a in comparison.articles] == ["ar_rutte_ishiba", "nb_rutte_ishiba"]
    assert len(comparison.pairs) == 1
    with pytest.raises(CrosswireError, match="no such story"):
        story_comparison(store, 99)


def test_articles_sharing_a_name_stay_apart_in_a_comparison(store: Store, hash_pipeline: Pipeline) -> None:
    twin = hash_pipeline(Article(id="ar_rutte_ishiba", text="Another article, another file named alike.",
                                 source="elsewhere/ar_rutte_ishiba.txt"))
    with store.transaction():
        row = store.add_article(twin, 1)
    comparison = story_comparison(store, 1)
    assert [a.id for a in comparison.articles] == ["ar_rutte_ishiba#1", "nb_rutte_ishiba", f"ar_rutte_ishiba#{row}"]
    assert len(comparison.pairs) == 3
