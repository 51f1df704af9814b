"""uroman's parsed tables are cached in the user's cache folder: same output, and a bad file is rebuilt."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

WORDS = ["مارك روتي", "Шигеру Исиба", "石破茂", "ルッテ", "트럼프", "ጆንሰን", "Τζόνσον"]
PROBE = ("import sys, json; from crosswire.entities import uroman_cache as c; u = c.load_uroman(); "
         "print(json.dumps([str(u.romanize_string(w)) for w in json.loads(sys.argv[1])]))")


def _romanise_in_a_new_process(cache: Path) -> tuple[list[str], list[Path]]:
    import json
    import os

    env = {**os.environ, "CROSSWIRE_CACHE": str(cache)}
    out = subprocess.run([sys.executable, "-c", PROBE, json.dumps(WORDS)], env=env, capture_output=True,
                         text=True, check=True, timeout=120)
    return json.loads(out.stdout), sorted(cache.glob("uroman-*.pickle"))


def test_cached_tables_romanise_exactly_as_freshly_parsed_ones(tmp_path: Path) -> None:
    fresh, files = _romanise_in_a_new_process(tmp_path)
    assert len(files) == 1  # the first start wrote the cache
    cached, _ = _romanise_in_a_new_process(tmp_path)
    assert cached == fresh
    assert fresh[0] == "mark rwty" and fresh[1].lower().startswith("shigeru")


def test_a_corrupt_or_foreign_cache_file_is_rebuilt(tmp_path: Path) -> None:
    fresh, files = _romanise_in_a_new_process(tmp_path)
    files[0].write_bytes(b"not a pickle at all")
    again, rebuilt = _romanise_in_a_new_process(tmp_path)
    assert again == fresh and rebuilt == files and rebuilt[0].stat().st_size > 1_000_000


def test_an_unwritable_cache_folder_only_costs_time(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder should be")
    fresh, files = _romanise_in_a_new_process(blocker / "crosswire")
    assert files == [] and fresh[0].startswith("mark")


@pytest.fixture(autouse=True)
def _no_user_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CROSSWIRE_CACHE", str(tmp_path / "unused"))
