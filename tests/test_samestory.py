"""The same-story evidence: article profiles (names, headline, lead) and the model that weighs them."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from crosswire.analysis import profile
from crosswire.analysis.pipeline import Pipeline
from crosswire.article import Article
from crosswire.matching.compare import compare_pair
from crosswire.matching.samestory import FEATURES, SameStoryModel, shared_names, title_match
from crosswire.store.sqlite import Store

NB = ("Statsminister Jonas Gahr Støre møtte Mark Rutte i Oslo tirsdag.\n"
      "Rutte sa at NATO står sammen med Norge.\n"
      "Støre reiser til Berlin onsdag.")
EN = ("Prime Minister Jonas Gahr Store met Mark Rutte in Oslo on Tuesday.\n"
      "Rutte said NATO stands with Norway.\n"
      "Store travels to Berlin on Wednesday.")
OTHER = ("Bundeskanzler Olaf Scholz besuchte am Montag ein Werk in Wolfsburg.\n"
         "Volkswagen will dort neue Batterien bauen.")


def analysed(pipe: Pipeline, text: str, name: str, language: str) -> Article:
    return pipe(Article(id=name, text=text, source=f"{name}.txt", language=language, language_given=True))


def test_the_profile_is_made_at_analysis_and_stored(hash_pipeline: Pipeline, tmp_path: Path) -> None:
    assert "profile" in hash_pipeline.names and hash_pipeline.names[-1] == "embed"
    nb = analysed(hash_pipeline, NB, "nb", "nb")
    stored = nb.meta[profile.META_KEY]
    assert stored["version"] == profile.VERSION
    assert any(key.endswith("ruti") for key in stored["names"]), stored  # Mark Rutte, romanised
    assert stored["places"], stored  # Oslo, Norge, Berlin: by code
    with Store(tmp_path / "s.db") as store:
        with store.transaction():
            row = store.add_article(nb)
        again = store.article(row)
    assert again.meta[profile.META_KEY] == stored


def test_an_article_without_a_profile_gets_one_when_scored(hash_pipeline: Pipeline) -> None:
    """Stores from an earlier crosswire hold no profile: it is computed on first use and kept."""
    nb = analysed(hash_pipeline, NB, "nb", "nb")
    del nb.meta[profile.META_KEY]
    made = profile.profile(nb)
    assert made.names and nb.meta[profile.META_KEY]["version"] == profile.VERSION
    assert made.title is not None and np.allclose(made.title, nb.story_sentences[0].vector)


def test_names_are_shared_across_languages_and_scripts(hash_pipeline: Pipeline) -> None:
    nb = profile.profile(analysed(hash_pipeline, NB, "nb", "nb"))
    en = profile.profile(analysed(hash_pipeline, EN, "en", "en"))
    de = profile.profile(analysed(hash_pipeline, OTHER, "de", "de"))
    assert shared_names(nb, en) > 0.6
    assert shared_names(nb, de) < 0.2
    assert shared_names(nb, en) == pytest.approx(shared_names(en, nb))


def test_chinese_transliterated_names_are_heard() -> None:
    """Chinese writes "Trump" as 特朗普 inside an unspaced run: the run's sound is kept as a name."""
    from crosswire.analysis.stages.clean import Clean
    from crosswire.analysis.stages.segment import Segment
    from crosswire.entities.romanise import name_key

    zh = Segment()(Clean()(Article(id="zh", text="特朗普表示，他将于周二会见约翰逊。", source="zh.txt", language="zh")))
    heard = profile.heard_names(zh)
    assert len(heard) == 2, heard  # 特朗普, 约翰逊; 表示 and 周二 are no transliteration
    zh_profile = profile.Profile(None, None, dict.fromkeys(heard, 1), {})
    en_profile = profile.Profile(None, None, {name_key("Donald Trump", "en"): 1}, {})
    assert shared_names(zh_profile, en_profile) == pytest.approx(2 / 3)  # Trump on both sides, of three mentions


def test_title_match_finds_the_headline_in_the_other_article(hash_pipeline: Pipeline) -> None:
    nb = analysed(hash_pipeline, NB, "nb", "nb")
    shuffled = analysed(hash_pipeline, "\n".join(reversed(NB.split("\n"))), "nb2", "nb")
    other = analysed(hash_pipeline, OTHER, "de", "de")
    assert title_match(nb, shuffled) == pytest.approx(1.0, abs=1e-5)  # the headline is there, word for word
    assert title_match(nb, other) < 0.8  # the fake's vectors of unrelated words still lean together


def test_every_feature_is_in_the_evidence(hash_pipeline: Pipeline) -> None:
    nb, en = analysed(hash_pipeline, NB, "nb", "nb"), analysed(hash_pipeline, EN, "en", "en")
    pair = compare_pair(nb, en)
    assert set(pair.evidence) == set(FEATURES)
    assert all(np.isfinite(v) for v in pair.evidence.values())


def test_an_uncalibrated_embedder_leans_on_coverage() -> None:
    model = SameStoryModel.for_embedder("hash.v1")
    feats = {f: 0.0 for f in FEATURES}
    assert model(feats) < 0.25 < 0.75 < model({**feats, "coverage": 1.0})


def test_the_opening_is_embedded_whole_stored_and_read_back(hash_pipeline: Pipeline, tmp_path: Path) -> None:
    from crosswire.analysis.stages.embed import opening

    nb = analysed(hash_pipeline, NB, "nb", "nb")
    assert opening(nb).startswith("Statsminister Jonas Gahr Støre møtte Mark Rutte")
    assert nb.text_vector is not None and nb.text_vector.shape == nb.vector.shape
    assert not np.allclose(nb.text_vector, nb.vector)  # one input read whole, not a mean of sentences
    with Store(tmp_path / "s.db") as store:
        with store.transaction():
            row = store.add_article(nb)
        assert np.array_equal(store.article(row).text_vector, nb.text_vector)


def test_the_opening_is_cut_at_a_word_within_its_limit(hash_pipeline: Pipeline) -> None:
    from crosswire.analysis.stages.embed import opening

    long = analysed(hash_pipeline, "\n".join(f"Sentence number {i} says something about Oslo." for i in range(40)),
                    "long", "en")
    text = opening(long, limit=120)
    assert len(text) <= 120 and text.startswith("Sentence number 0 says") and not text.endswith(" ")
    assert long.text.replace("\n", " ").startswith(text)  # cut at a word's end, never mid-word
    assert opening(long, limit=100_000) == long.text.replace("\n", " ")
    assert opening(long, limit=3) == "Sen"  # no space to cut back to: cut where the limit falls


def test_an_older_store_is_migrated_and_its_openings_filled(hash_pipeline: Pipeline, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """A store written before the opening vector existed opens, scores with the stand-in, and
    `fill_text_vectors` gives its articles what analysis gives new ones."""
    import sqlite3

    from crosswire.analysis.embedders import get_embedder
    from crosswire.store import sqlite as store_module
    from crosswire.stories.backfill import fill_text_vectors, missing_text_vectors

    nb, en = analysed(hash_pipeline, NB, "nb", "nb"), analysed(hash_pipeline, EN, "en", "en")
    path = tmp_path / "old.db"
    with monkeypatch.context() as m:  # the schema of the crosswire before it
        m.setattr(store_module, "MIGRATIONS", store_module.MIGRATIONS[:2])
        with Store(path) as old, old.transaction():
            rows = [old.add_article(nb), old.add_article(en)]
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == 2
    with Store(path) as store:
        a, b = store.articles(rows)
        assert a.text_vector is None and b.text_vector is None
        evidence = compare_pair(a, b).evidence
        assert evidence["text_cosine"] == evidence["centred_cosine"]  # the stand-in, never a crash
        model = get_embedder(nb.embedder or "")
        assert missing_text_vectors(store, model.name) == rows
        assert fill_text_vectors(store, model) == 2 and not missing_text_vectors(store, model.name)
        a, b = store.articles(rows)
        assert np.allclose(a.text_vector, nb.text_vector, atol=1e-6)
        assert np.allclose(b.text_vector, en.text_vector, atol=1e-6)


def test_recluster_gives_an_older_store_its_openings(hash_pipeline: Pipeline, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from crosswire.cli import EXIT_OK, main
    from crosswire.store import sqlite as store_module
    from crosswire.stories.backfill import missing_text_vectors

    nb, en, de = (analysed(hash_pipeline, text, name, lang) for text, name, lang in
                  ((NB, "nb", "nb"), (EN, "en", "en"), (OTHER, "de", "de")))
    for article in (nb, en, de):  # nor had they profiles then
        del article.meta[profile.META_KEY]
    path = tmp_path / "old.db"
    with monkeypatch.context() as m:
        m.setattr(store_module, "MIGRATIONS", store_module.MIGRATIONS[:2])
        with Store(path) as old, old.transaction():
            for article in (nb, en, de):
                old.add_article(article)
    result = CliRunner().invoke(main, ["recluster", "--db", str(path)])
    assert result.exit_code == EXIT_OK, result.output
    assert result.output.strip().endswith("from 3 article(s)")
    with Store(path, create=False) as store:
        assert missing_text_vectors(store, nb.embedder or "") == []
        assert store.db.execute("SELECT count(*) FROM articles WHERE story_id IS NULL").fetchone()[0] == 0
        stored = store.articles([1, 2, 3])
        assert all(a.meta[profile.META_KEY]["version"] == profile.VERSION for a in stored)
        assert any(key.endswith("ruti") for key in stored[0].meta[profile.META_KEY]["names"])


def test_a_side_prepared_once_scores_every_pair_as_the_articles_themselves(hash_pipeline: Pipeline) -> None:
    from crosswire.matching.side import PairSide, SideCache

    nb, en, other = (analysed(hash_pipeline, NB, "nb", "nb"), analysed(hash_pipeline, EN, "en", "en"),
                     analysed(hash_pipeline, OTHER, "de", "de"))
    nb_side = PairSide.of(nb)  # one preparation, used in both of nb's pairs
    for b in (en, other):
        fresh, prepared = compare_pair(nb, b), compare_pair(nb_side, PairSide.of(b))
        assert prepared.evidence == fresh.evidence  # exactly: the same arithmetic on the same numbers
        assert (prepared.same_story, prepared.links, prepared.only_a, prepared.only_b) == \
               (fresh.same_story, fresh.links, fresh.only_a, fresh.only_b)
    assert compare_pair(nb, en).same_story > compare_pair(nb, other).same_story

    # The cache knows articles by object: another article under the same id is prepared afresh.
    cache = SideCache(size=2)
    assert cache(nb) is cache(nb)
    impostor = analysed(hash_pipeline, OTHER, "nb", "de")
    assert cache(impostor).article is impostor and cache(impostor).ids != [] and cache(nb).article is nb
