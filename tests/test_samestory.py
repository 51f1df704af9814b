"""The same-story evidence: article profiles (names, headline, lead) and the model that weighs them."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from crosswire import profile
from crosswire.compare import compare_pair
from crosswire.model import Article
from crosswire.pipeline import Pipeline
from crosswire.samestory import FEATURES, SameStoryModel, shared_names, title_match
from crosswire.store import Store

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
    from crosswire.romanise import name_key
    from crosswire.stages.clean import Clean
    from crosswire.stages.segment import Segment

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
