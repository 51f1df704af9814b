"""Shared pieces of the evaluation scripts: where the data is, floors, tables."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from crosswire.readers.ntrex import Ntrex

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEEDS = SHARED / "seeds"
FLOORS = Path(__file__).resolve().parent / "floors.json"


def seeds_dir() -> Path:
    """The seeds beside the checkout, else the copies bundled in samples/."""
    return SEEDS if SEEDS.is_dir() else REPO / "samples" / "seeds"


def ntrex_or_none() -> "Ntrex | None":
    """NTREX-128 beside the checkout, or None after saying why the evaluation is skipped."""
    from crosswire.errors import CrosswireError
    from crosswire.readers.ntrex import Ntrex

    try:
        return Ntrex()
    except CrosswireError as err:
        print(f"skipped: {err}")
        return None


def table(headers: list[str], rows: list[list[object]]) -> str:
    cells = [[str(h) for h in headers]] + [[f"{c:.3f}" if isinstance(c, float) else str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def check_floors(name: str, measured: dict[str, float]) -> int:
    """Compare measured metrics with evals/floors.json; print and return the exit status.

    Lowering a floor is a deliberate, visible change to floors.json.
    """
    floors = json.loads(FLOORS.read_text(encoding="utf-8"))[name]
    failed = []
    for key, floor in floors.items():
        if key.startswith("max:"):
            value = measured[key[4:]]
            ok = value <= floor
        else:
            value = measured[key]
            ok = value >= floor
        print(f"{'ok  ' if ok else 'FAIL'} {name}.{key}: {value:.4f} (floor {floor})")
        if not ok:
            failed.append(key)
    if failed:
        print(f"{name}: {len(failed)} metric(s) below the pinned floor", file=sys.stderr)
        return 1
    return 0
