"""The documented JSON output: ``Comparison.to_dict`` as UTF-8 text."""
from __future__ import annotations

import json

from crosswire.matching.comparison import Comparison


def render(comparison: Comparison, *, width: int | None = None, color: bool = False) -> str:
    return json.dumps(comparison.to_dict(), ensure_ascii=False, indent=2) + "\n"
