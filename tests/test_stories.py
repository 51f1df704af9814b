"""Streaming story assignment honours the time window: a story goes quiet after it; the nearest-neighbour
index file is used only for the store it was saved for."""
from __future__ import annotations

import shutil
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from crosswire.analysis.pipeline import Pipeline
from crosswire.article import Article
from crosswire.ingest import ingest_articles
from crosswire.store.sqlite import Store
from crosswire.stories.neighbours import VectorIndex, centre, stamp_path
from crosswire.stories.placement import StoryAssigner, StoryOptions, catch_up, index_path, open_index


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
    name = hash_pipeline.embedder.name
    index = VectorIndex(256)
    for ids, vectors, languages in store.vectors_of([1, 3]):
        index.add(ids, centre(vectors, languages, name))
    assert catch_up(index, store, name) == 2  # 4, after the highest key, and 2, below it
    assert index.contains(np.arange(1, 5)).all() and len(index) == 4
    assert catch_up(index, store, name) == 0


def test_the_assigner_reads_stories_as_they_come_up(tmp_path: Path, seeds_dir: Path, hash_pipeline: Pipeline) -> None:
    """Nothing is read at start-up: an article another writer stores afterwards is joined all the same."""
    store = Store(tmp_path / "s.db")
    name = hash_pipeline.embedder.name
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


# --- the index file is checked against the store it belongs to ------------------------------------

TEXTS = ["A volcano erupted on the Reykjanes peninsula on Tuesday night.", "The central bank raised its rate by a quarter point.",
         "Floods closed the main road between the two northern towns.", "The orchestra played a new symphony to a full hall.",
         "Farmers protested against the new rules on fertiliser.", "A rare comet will be visible in the south this week.",
         "The city opened a library in the old railway station.", "Negotiators agreed on a ceasefire after long talks."]


def _fill(store: Store, pipeline: Pipeline, texts: list[str]) -> None:
    with store.transaction():
        for n, text in enumerate(texts):
            store.add_article(pipeline(Article(id=f"t{n}", text=text, source=f"t{n}.txt", language="en",
                                               language_given=True)))


def _holds_this_store(index: VectorIndex, store: Store, name: str) -> bool:
    """Whether each article of the store is its own nearest neighbour in the index, at similarity ~1."""
    for ids, vectors, languages in store.iter_vectors():
        for key, vector in zip(ids.tolist(), centre(vectors, languages, name)):
            found, similarity = index.search(vector, 1)
            if found.tolist() != [key] or similarity[0] < 0.99:
                return False
    return len(index) == store.count()


def _copy_index(source: Path, target: Path) -> None:
    for end in (".usearch", ".usearch.json"):
        shutil.copyfile(source.with_name(source.name + end), target.with_name(target.name + end))


def test_an_index_file_of_another_store_is_rebuilt(tmp_path: Path, hash_pipeline: Pipeline) -> None:
    """A different store, larger than the one the file was saved for, gets its own vectors, not the
    stale ones under the same row ids (the index used to be checked by its size only)."""
    name = hash_pipeline.embedder.name
    with Store(tmp_path / "a.db") as small:
        _fill(small, hash_pipeline, TEXTS[:3])
        index = open_index(small, 256, name)
        index.save()
        assert _holds_this_store(VectorIndex(256, index_path(small)), small, name)
    with Store(tmp_path / "b.db") as large:
        _fill(large, hash_pipeline, TEXTS[3:])
        _copy_index(tmp_path / "a.db", tmp_path / "b.db")  # the same index file, beside another store
        stale = VectorIndex(256, index_path(large))
        assert len(stale) == 3 < large.count() and not _holds_this_store(stale, large, name)
        index = open_index(large, 256, name)
        assert _holds_this_store(index, large, name)
        index.save()
        assert _holds_this_store(open_index(large, 256, name), large, name)  # and its own file is kept
    with Store(tmp_path / "a.db") as small:  # the first store, given the other's file back
        _copy_index(tmp_path / "b.db", tmp_path / "a.db")
        assert _holds_this_store(open_index(small, 256, name), small, name)


def test_an_index_file_ahead_of_a_restored_store_is_rebuilt(tmp_path: Path, hash_pipeline: Pipeline) -> None:
    """The same store (the same id) restored from a backup, then given other articles under the ids
    the index file already holds: the article at the file's highest key is not the one it saved."""
    name = hash_pipeline.embedder.name
    path = tmp_path / "s.db"
    with Store(path) as store:
        _fill(store, hash_pipeline, TEXTS[:2])
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copyfile(path, tmp_path / "backup.db")
    with Store(path) as store:
        _fill(store, hash_pipeline, TEXTS[2:4])
        open_index(store, 256, name).save()
    shutil.copyfile(tmp_path / "backup.db", path)
    with Store(path) as store:
        _fill(store, hash_pipeline, TEXTS[4:7])  # rows 3 and 4 again, and 5, other articles
        kept = VectorIndex(256, index_path(store))
        assert kept.saved_stamp is not None and kept.saved_stamp["store"] == store.store_id()
        assert _holds_this_store(open_index(store, 256, name), store, name)


def test_an_index_file_without_its_stamp_is_rebuilt_and_a_matching_one_kept(tmp_path: Path,
                                                                            hash_pipeline: Pipeline) -> None:
    name = hash_pipeline.embedder.name
    with Store(tmp_path / "s.db") as store:
        _fill(store, hash_pipeline, TEXTS[:3])
        open_index(store, 256, name).save()
        assert len(VectorIndex(256, index_path(store))) == 3
        kept = open_index(store, 256, name)
        assert kept.unsaved == 0  # loaded from its file, nothing added
        kept.save()
        kept.save()  # saved again and again (the server's writer): still stamped
        assert open_index(store, 256, name).unsaved == 0
        stamp_path(index_path(store)).unlink()  # as crosswire saved it before stamps
        rebuilt = open_index(store, 256, name)
        assert rebuilt.unsaved == 3 and _holds_this_store(rebuilt, store, name)


def test_a_newcomer_is_prepared_once_for_all_its_pair_scores(tmp_path: Path, seeds_dir: Path,
                                                             hash_pipeline: Pipeline, monkeypatch) -> None:
    """choose() scores the newcomer against several members; what it needs of the newcomer alone
    (stacked and centred sentence vectors, profile) is made once, and its scores are those of the
    articles themselves."""
    from crosswire.matching.compare import compare_pair
    from crosswire.matching.side import PairSide

    store = Store(tmp_path / "s.db")
    dates = ["2025-03-10T08:00Z", "2025-03-10T09:00Z", "2025-03-10T10:00Z", "2025-03-10T11:00Z"]
    ingest_articles(_reports(seeds_dir, dates[:3]), store, hash_pipeline)
    name = hash_pipeline.embedder.name
    assigner = StoryAssigner(store, open_index(store, 256, name), name)
    newcomer = hash_pipeline(_reports(seeds_dir, dates)[3])
    prepared: list[Article] = []
    real = PairSide.of.__func__  # type: ignore[attr-defined]

    def counting(cls, article):
        if article is newcomer:
            prepared.append(article)
        return real(cls, article)

    monkeypatch.setattr(PairSide, "of", classmethod(counting))
    scored: list[float] = []
    real_compare = compare_pair

    def recording(a, b, options):
        scored.append(real_compare(a.article, b.article, options).same_story)  # the articles themselves
        return real_compare(a, b, options)

    monkeypatch.setattr("crosswire.stories.placement.compare_pair", recording)
    story, score = assigner.choose(newcomer)
    assert len(scored) == 3 and len(prepared) == 1 + len(scored)  # once in choose, then as the articles themselves
    assert story is not None and score == float(np.mean(scored))
