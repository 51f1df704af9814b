"""How long to wait before trying again after failures (a feed's poll, a webhook's delivery)."""
from __future__ import annotations

import random

_MAX_DOUBLINGS = 64  # 2**64 × any sensible base is far past any cap, and still a float


def backoff(failures: int, base: float = 60.0, cap: float = 6 * 3600, *, rng: random.Random | None = None,
            jitter: bool = True) -> float:
    """Seconds to wait after ``failures`` failures in a row: exponential, capped, with jitter.

    The ceiling doubles with each failure, ``base`` after the first: 60 s, 2 min, 4 min... up to
    ``cap`` (six hours by default). The wait is drawn uniformly between half the ceiling and the
    whole of it ("equal jitter"): never much shorter than the exponential step, so a failing
    server is not hammered, yet spread, so the feeds of a host that went down together are not
    all retried in the same second. No failures (0 or fewer) is no wait. ``rng`` is for tests;
    ``jitter=False`` gives the ceiling itself (webhook deliveries: they fail at their own times).
    """
    if failures <= 0:
        return 0.0
    ceiling = min(cap, base * 2.0 ** min(failures - 1, _MAX_DOUBLINGS))
    ceiling = max(0.0, ceiling)
    if not jitter:
        return ceiling
    draw = (rng or random).random()
    return ceiling / 2 + draw * ceiling / 2
