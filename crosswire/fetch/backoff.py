"""PLACEHOLDER until the fetch branch lands."""
from __future__ import annotations


def backoff(failures: int, base: float = 60.0, cap: float = 6 * 3600) -> float:
    return float(min(cap, base * 2 ** max(0, failures - 1)))
