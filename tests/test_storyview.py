"""Listing and opening stories (``crosswire/stories/view.py``) on a store whose stories are set by
hand, so the filters, the order and the reader's headline are tested apart from clustering."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from crosswire.analysis.pipeline import Pipeline
from crosswire.article import Article
from crosswire.errors import CrosswireError
from crosswire.readers.files import read_path
from crosswire.store.sqlite import Store
from crosswire.stories.view import (
    language_key,
    list_stories,
    parse_when,
    render_stories,
    source_label,
    story_comparison,
)

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "ntrex" / "ntrex_sample.jsonl"


def build(path: Path, seeds_dir: Path, pipeline: Pipeline,
          february: tuple[str, str] = ("2025-02-01", "2025-02-02T10:00:00Z")) -> Store:
    """Story 1: the seeds (ar 06:00, nb 08:00 on 2025-03-10, no titles); story 2: an English
    (titled, BBC) and a German article, published on ``february``; story 3: one undated article."""
    ar, nb = (read_path(seeds_dir / f"{lang}_rutte_ishiba.txt").articles[0] for lang in ("ar", "nb"))
    ar.published, nb.published = "2025-03-10T06:00:00Z", "2025-03-10T09:00:00+01:00"
    sample = {a.id: a for a in read_path(SAMPLE).articles}
    en, de = sample["bbc.381790.eng"], sample["bbc.381790.deu"]
    en.title, en.outlet, en.published = "Welsh AMs fret over 'muppets'", "BBC", february[0]
    de.outlet, de.published = None, february[1]
    undated = sample["nytimes.184853.eng"]
    store = Store(path)
    with store.transaction():
        for group in ([ar, nb], [en, de], [undated]):
            story = store.new_story("by-hand")
            for article in group:
                store.add_article(pipeline(article), story)
    return store


@pytest.fixture
def store(tmp_path: Path, seeds_dir: Path, hash_pipeline: Pipeline) -> Store:
    store = build(tmp_path / "stories.db", seeds_dir, hash_pipeline)
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
    assert one.sources == ["ar_rutte_ishiba.txt", "nb_rutte_ishiba.txt"]  # no outlet, no URL: the file's name
    two = stories[2]
    assert two.sources == ["BBC", "ntrex_sample.jsonl"]  # not the path, nor the line of the JSON Lines file


@pytest.mark.parametrize("outlet,url,source,expected", [
    ("Le Monde", "https://www.lemonde.fr/a.html", "body:1", "Le Monde"),
    (None, "https://www.lemonde.fr/international/a.html", "body:3", "lemonde.fr"),
    ("", "HTTP://User@News.Example.ORG.:8080/x?y#z", "/data/a.jsonl:2", "news.example.org"),
    (None, "//cdn.example.org/x", None, "cdn.example.org"),
    (None, "javascript:alert(1)", "/data/corpus/2025/a.html", "a.html"),  # no host: the file
    (None, "http://[::1]:8080/", "feeds/world.xml#4", "world.xml"),
    (None, None, "C:\\news\\b.txt", "b.txt"),
    (None, None, "body", "the-id"),       # sent to the server: the request body is no file
    (None, None, "body:12", "the-id"),
    (None, "lemonde.fr/a.html", "body:2", "the-id"),  # not an absolute URL: no host is guessed
    ("  ", "", "", "the-id"),
])
def test_a_source_is_named_by_outlet_url_host_file_name_or_id(outlet: str | None, url: str | None,
                                                              source: str | None, expected: str) -> None:
    assert source_label(outlet, url, source, "the-id") == expected


def test_the_page_names_an_article_as_the_story_list_does() -> None:
    """static/app.js outletOf mirrors source_label: the same answers, run in Node when it is here."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    script = (Path(__file__).resolve().parents[1] / "crosswire" / "server" / "static" / "app.js").read_text("utf-8")
    start = script.index("const URL_HOST")
    end = script.index("\n}\n", script.index("function outletOf")) + 3
    cases = [[outlet, url, source, "the-id"] for outlet, url, source in [
        (None, "https://www.lemonde.fr/x", "body:3"), (None, "HTTP://User@News.Example.ORG.:8080/x", None),
        (None, "http://[::1]:8080/", "feeds/world.xml#4"), (None, None, "C:\\news\\b.txt"),
        (None, None, "/data/a.jsonl:12"), (None, None, "body"), (None, None, "body:7"), ("  ", "", ""),
        ("BBC", "https://bbc.co.uk/", "x.txt"), (None, "javascript:alert(1)", "dir/"),
        (None, " http://Ünïcode.de/ ", None)]]
    program = (script[start:end] + "\nconst cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));\n"
               "console.log(JSON.stringify(cases.map(([outlet, url, source, id]) => "
               "outletOf({ outlet, url, source, id }))));\n")
    done = subprocess.run([node, "-e", program], input=json.dumps(cases), capture_output=True, text=True,
                          timeout=60, check=True)
    assert json.loads(done.stdout) == [source_label(*case) for case in cases]


def test_ties_on_time_go_to_the_bigger_story(tmp_path: Path, seeds_dir: Path, hash_pipeline: Pipeline) -> None:
    # Story 2 last seen when story 1 is (2025-03-10T08:00Z) and as big: then the newer story first.
    tied = ("2025-03-10T08:00:00Z", "2025-03-10T08:00:00Z")
    with build(tmp_path / "tied.db", seeds_dir, hash_pipeline, tied) as store:
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
