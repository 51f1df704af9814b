"""Streaming story assignment honours the time window: a story goes quiet after it."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from crosswire.analysis.pipeline import Pipeline
from crosswire.article import Article
from crosswire.ingest import ingest_articles
from crosswire.store.sqlite import Store
from crosswire.stories.neighbours import VectorIndex, centre
from crosswire.stories.placement import StoryAssigner, StoryOptions, catch_up


def _reports(seeds_dir: Path, dates: list[str]) -> list[Article]:
    """The Norwegian seed as published by two outlets (same text, different content hash)."""
    text = (seeds_dir / "nb_rutte_ishiba.txt").read_text(encoding="utf-8")
    return [Article(id=f"nb-{i}", text=text, source=f"outlet-{i}", outlet=f"outlet-{i}", published=when)
            for i, when in enumerate(dates)]


def test_apart_needs_both_times_and_a_gap_beyond_the_window() -> None:
    options = StoryOptions(window_days=3)
    monday = datetime(2025, 3, 10, tzinfo=timezone.utc)
    assert not options.apart(monday, None)
    assert not options.apart(monday, monday.replace(day=12))
    assert options.apart(monday, monday.replace(day=14))
    assert options.apart(monday.replace(day=14), monday)


def test_a_story_is_joined_within_the_window(tmp_path: Path, seeds_dir: Path, hash_pipeline: Pipeline) -> None:
    store = Store(tmp_path / "s.db")
    report = ingest_articles(_reports(seeds_dir, ["2025-03-10T08:00Z", "2025-03-11T08:00Z"]), store, hash_pipeline)
    assert (report.added, report.new_stories, report.joined) == (2, 1, 1)


def test_a_quiet_story_is_not_joined(tmp_path: Path, seeds_dir: Path, hash_pipeline: Pipeline) -> None:
    store = Store(tmp_path / "s.db")
    report = ingest_articles(_reports(seeds_dir, ["2025-03-10T08:00Z", "2025-03-20T08:00Z"]), store,
                             hash_pipeline, StoryOptions(window_days=3))
    assert (report.added, report.new_stories, report.joined) == (2, 2, 0)


def test_catch_up_adds_what_the_index_lacks_even_below_its_highest_key(tmp_path: Path, seeds_dir: Path,
                                                                        hash_pipeline: Pipeline) -> None:
    """Another writer's article can get a lower id than the last one this index added: it is found too."""
    store = Store(tmp_path / "s.db")
    dates = ["2025-03-10T08:00Z", "2025-03-11T08:00Z", "2025-03-12T08:00Z", "2025-03-13T08:00Z"]
    ingest_articles(_reports(seeds_dir, dates), store, hash_pipeline)
    name = hash_pipeline.stages[-1].embedder.name  # type: ignore[attr-defined]
    index = VectorIndex(256)
    for ids, vectors, languages in store.vectors_of([1, 3]):
        index.add(ids, centre(vectors, languages, name))
    assert catch_up(index, store, name) == 2  # 4, after the highest key, and 2, below it
    assert index.contains(np.arange(1, 5)).all() and len(index) == 4
    assert catch_up(index, store, name) == 0


def test_the_assigner_reads_stories_as_they_come_up(tmp_path: Path, seeds_dir: Path, hash_pipeline: Pipeline) -> None:
    """Nothing is read at start-up: an article another writer stores afterwards is joined all the same."""
    store = Store(tmp_path / "s.db")
    name = hash_pipeline.stages[-1].embedder.name  # type: ignore[attr-defined]
    index = VectorIndex(256)
    assigner = StoryAssigner(store, index, name)
    assert assigner.story_of == {} and assigner.last_seen == {}
    first, second = (hash_pipeline(a) for a in _reports(seeds_dir, ["2025-03-10T08:00Z", "2025-03-11T08:00Z"]))
    with Store(tmp_path / "s.db") as other, other.transaction():  # another connection, after start-up
        row = other.add_article(first, story_id=other.new_story("by-hand"))
    catch_up(index, store, name)
    with store.transaction():
        story, joined = assigner.assign(second, store.add_article(second))
    assert joined and story == store.article(row).meta["story_id"]
    assert assigner.last_seen[story] == datetime(2025, 3, 10, 8, tzinfo=timezone.utc)
