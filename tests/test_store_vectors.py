"""Sentence vectors kept compact (store/vectors.py): each format's error on unit vectors, rows of
every format read back side by side, and float32 rows from before migration 6 read unchanged."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from crosswire.analysis.pipeline import Pipeline
from crosswire.article import Article
from crosswire.cli import main
from crosswire.readers.files import read_path
from crosswire.store import vectors
from crosswire.store.sqlite import MIGRATIONS, Store


@pytest.fixture
def nb_article(seeds_dir: Path, hash_pipeline: Pipeline) -> Article:
    return hash_pipeline(read_path(seeds_dir / "nb_rutte_ishiba.txt").articles[0])


def unit_rows(n: int = 200, dim: int = 384, seed: int = 0) -> np.ndarray:
    rows = np.random.default_rng(seed).standard_normal((n, dim)).astype(np.float32)
    rows[0, :] = 0
    rows[0, 7] = 1.0  # one component at the top of the range: where float16's step is widest
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


def test_float32_is_bit_for_bit() -> None:
    rows = unit_rows()
    blob = vectors.encode(rows, vectors.FLOAT32)
    assert len(blob) == rows.size * 4
    assert np.array_equal(vectors.decode(blob, 384, vectors.FLOAT32), rows)


def test_float16_keeps_every_component_within_1e_3() -> None:
    rows = unit_rows()
    blob = vectors.encode(rows, vectors.FLOAT16)
    back = vectors.decode(blob, 384, vectors.FLOAT16)
    assert len(blob) == rows.size * 2 and back.dtype == np.float32 and back.shape == rows.shape
    assert np.abs(back - rows).max() < 1e-3
    assert cosines(back, rows).min() > 0.99999


def test_int8_keeps_the_cosine_above_0_999() -> None:
    rows = unit_rows()
    blob = vectors.encode(rows, vectors.INT8)
    back = vectors.decode(blob, 384, vectors.INT8)
    assert len(blob) == rows.size + 4 * len(rows) and back.dtype == np.float32 and back.shape == rows.shape
    assert cosines(back, rows).min() > 0.999
    assert np.array_equal(back[0], rows[0])  # a one-hot row is exact: its peak is the scale


def test_int8_keeps_a_zero_row_and_no_rows() -> None:
    zeros = np.zeros((2, 8), dtype=np.float32)
    assert np.array_equal(vectors.decode(vectors.encode(zeros, vectors.INT8), 8, vectors.INT8), zeros)
    empty = np.zeros((0, 8), dtype=np.float32)
    for code in (vectors.FLOAT32, vectors.FLOAT16, vectors.INT8):
        assert vectors.decode(vectors.encode(empty, code), 8, code).shape == (0, 8)


def test_unknown_formats_are_refused() -> None:
    with pytest.raises(ValueError, match="known: float32, float16, int8"):
        vectors.code_of("bfloat16")
    with pytest.raises(ValueError, match="code 9"):
        vectors.decode(b"", 8, 9)
    with pytest.raises(ValueError, match="not whole rows"):
        vectors.decode(b"\0" * 13, 8, vectors.INT8)


def _titled(article: Article, n: int) -> Article:
    article.title = f"{article.title} {n}"  # another title: another content hash
    return article


def _sentence_vectors(article: Article) -> np.ndarray:
    return np.stack([s.vector for s in article.sentences if s.vector is not None])


def test_a_store_writes_its_format_and_reads_every_format(tmp_path: Path, nb_article: Article) -> None:
    article = nb_article
    original = _sentence_vectors(article)
    with Store(tmp_path / "mixed.db") as store:
        assert store.vector_format() == vectors.DEFAULT == "float16"
        rows = {}
        for n, name in enumerate(["float16", "int8", "float32"]):
            if n:
                store.set_vector_format(name)
            with store.transaction():
                rows[name] = store.add_article(_titled(article, n))
        sizes = dict(store.db.execute("SELECT vector_format, length(sentence_vectors) FROM articles").fetchall())
        back = {name: _sentence_vectors(store.article(row)) for name, row in rows.items()}
    assert sizes == {0: original.size * 4, 1: original.size * 2, 2: original.size + 4 * len(original)}
    assert np.array_equal(back["float32"], original)
    assert np.abs(back["float16"] - original).max() < 1e-3
    assert cosines(back["int8"], original).min() > 0.999
    with Store(tmp_path / "mixed.db") as again:  # the setting is the store's, kept across openings
        assert again.vector_format() == "float32"
        with pytest.raises(ValueError, match="unknown vector format"):
            again.set_vector_format("int4")


def test_float32_rows_from_before_migration_6_read_unchanged_and_compact_on_request(
        tmp_path: Path, nb_article: Article, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "old.db"
    monkeypatch.setattr("crosswire.store.sqlite.MIGRATIONS", MIGRATIONS[:5])
    with Store(path) as old, old.transaction():
        ids = [old.add_article(_titled(nb_article, n)) for n in range(3)]
        before = [bytes(r[0]) for r in old.db.execute("SELECT sentence_vectors FROM articles ORDER BY id")]
    monkeypatch.undo()
    original = _sentence_vectors(nb_article)
    with Store(path) as store:
        # Migration 6 rewrites nothing: the old rows are float32, bit for bit.
        assert [bytes(r[0]) for r in store.db.execute("SELECT sentence_vectors FROM articles ORDER BY id")] == before
        assert [r[0] for r in store.db.execute("SELECT vector_format FROM articles")] == [0, 0, 0]
        assert np.array_equal(_sentence_vectors(store.article(ids[0])), original)
        with store.transaction():  # a new row in an old store: the default format
            new = store.add_article(_titled(nb_article, 3))
        assert store.db.execute("SELECT vector_format FROM articles WHERE id = ?", (new,)).fetchone()[0] == 1
        # Rewritten on request, in batches; a row already in the format is left as it is.
        done, after, total = 0, 0, 0
        while after is not None:
            done, after = store.recode_vectors(after, batch=2)
            total += done
        assert total == 3
        assert {r[0] for r in store.db.execute("SELECT vector_format FROM articles")} == {1}
        for row in [*ids, new]:
            assert np.abs(_sentence_vectors(store.article(row)) - original).max() < 1e-3


def test_crosswire_compact_rewrites_old_rows_in_the_format_asked(tmp_path: Path, nb_article: Article,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "old.db"
    monkeypatch.setattr("crosswire.store.sqlite.MIGRATIONS", MIGRATIONS[:5])
    with Store(path) as old, old.transaction():
        for n in range(2):
            old.add_article(_titled(nb_article, n))
    monkeypatch.undo()
    result = CliRunner().invoke(main, ["compact", "--db", str(path), "--format", "int8", "--vacuum"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().endswith("2 article(s) rewritten as int8")
    with Store(path) as store:
        assert [r[0] for r in store.db.execute("SELECT vector_format FROM articles")] == [vectors.INT8] * 2
        assert cosines(_sentence_vectors(store.article(1)), _sentence_vectors(nb_article)).min() > 0.999
    again = CliRunner().invoke(main, ["compact", "--db", str(path)])
    assert again.exit_code == 0 and again.stdout.strip().endswith("0 article(s) rewritten as int8")
