"""The outputs a reader sees, kept byte for byte: a refactor must not change them.

- ``compare`` in all four formats on the seeds and on five NTREX documents (real model);
- ``stories`` and ``story`` on a store of 500 NTREX articles (25 documents x 20 languages,
  the fast ``hash`` embedder, so the whole store is built in seconds; the real model's
  grouping is held by the stories evals' floors).

The expected outputs live in ``tests/golden/``. After a deliberate change of output, write
them anew with ``CROSSWIRE_GOLDEN_UPDATE=1 pytest tests/test_golden_outputs.py`` and review
the diff like code.
"""
from __future__ import annotations

import json
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from crosswire.cli import main
from crosswire.readers.ntrex import Ntrex

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("CROSSWIRE_GOLDEN_UPDATE") == "1"
FORMATS = ("terminal", "json", "markdown", "html")
# 20 languages in 8 scripts; the first 25 documents of NTREX's evaluation half.
STORE_LANGS = ("eng", "deu", "fra", "spa", "ita", "por", "nld", "pol", "ces", "rus", "ukr", "bul", "arb",
               "fas", "heb", "hin", "ben", "zho-CN", "jpn", "kor")
COMPARE_LANGS = ("eng", "arb", "rus")


def _same_as_kept(name: str, got: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(got, encoding="utf-8")
        return
    assert path.is_file(), f"no kept output {path}: write it with CROSSWIRE_GOLDEN_UPDATE=1"
    want = path.read_text(encoding="utf-8")
    assert got == want, f"{name} differs from the kept output (tests/golden/{name})"


def _run(args: list[str]) -> str:
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def _write_jsonl(path: Path, articles: list[dict]) -> Path:
    path.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in articles), encoding="utf-8")
    return path


def _ntrex_articles(ntrex: Ntrex, docs: list[str], langs: tuple[str, ...]) -> list[dict]:
    """Each document a day apart, each language its own outlet, so dates and labels are fixed."""
    start = datetime(2024, 3, 1, 8, tzinfo=timezone.utc)
    out = []
    for lang in langs:
        for article in ntrex.articles(lang, docs):
            n = docs.index(article.meta["document"])
            out.append({"id": article.id, "text": article.text, "source": f"ntrex-{lang}.example",
                        "published": (start + timedelta(days=n, minutes=langs.index(lang))).isoformat()})
    return out


@pytest.mark.model
def test_compare_on_the_seeds_in_every_format_is_as_kept(seeds_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(seeds_dir)  # by relative path: the outputs name their inputs
    inputs = ["ar_rutte_ishiba.txt", "nb_rutte_ishiba.txt"]
    for fmt in FORMATS:
        _same_as_kept(f"compare-seeds.{fmt}", _run(["compare", *inputs, "--format", fmt, "--width", "120",
                                                    "--reader-lang", "en"]))


@pytest.mark.model
def test_compare_on_five_ntrex_documents_in_every_format_is_as_kept(ntrex_dir: Path, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # inputs by relative path: the outputs name them
    ntrex = Ntrex(ntrex_dir)
    docs = ntrex.split()[1][:5]
    for n, doc in enumerate(docs):
        path = _write_jsonl(Path(f"doc{n}.jsonl"), _ntrex_articles(ntrex, [doc], COMPARE_LANGS))
        for fmt in FORMATS:
            _same_as_kept(f"compare-ntrex{n}.{fmt}", _run(["compare", str(path), "--format", fmt, "--width", "120",
                                                           "--reader-lang", "en"]))


def test_stories_and_story_on_500_ntrex_articles_are_as_kept(ntrex_dir: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    ntrex = Ntrex(ntrex_dir)
    docs = ntrex.split()[1][:25]
    articles = _ntrex_articles(ntrex, docs, STORE_LANGS)
    assert len(articles) == 500
    path = _write_jsonl(Path("store.jsonl"), articles)
    db = "store.db"
    _run(["ingest", str(path), "--db", db, "--embedder", "hash"])
    listing = _run(["stories", "--db", db, "--format", "json"])
    _same_as_kept("stories-500.json", listing)
    _same_as_kept("stories-500.terminal", _run(["stories", "--db", db]))
    found = json.loads(listing)
    assert len(found) >= 25, "the 500 articles should make at least one story per document"
    # The three biggest stories and the smallest, each in every format.
    by_size = sorted(found, key=lambda s: (-s["size"], s["id"]))
    for summary in by_size[:3] + by_size[-1:]:
        for fmt in FORMATS:
            _same_as_kept(f"story-500-{summary['id']}.{fmt}",
                          _run(["story", str(summary["id"]), "--db", db, "--format", fmt, "--width", "120",
                                "--reader-lang", "en"]))
