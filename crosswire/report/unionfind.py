"""Union-find (disjoint sets) over any hashable items: which items end up connected.

Used wherever links are grouped into connected rows: a pair's aligned rows
(``render/rows.py``) and a story's facts across all pairs (``report.py``).
"""
from __future__ import annotations

from typing import Hashable


class UnionFind:
    def __init__(self) -> None:
        self.parent: dict[Hashable, Hashable] = {}

    def find(self, x: Hashable) -> Hashable:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]  # path halving keeps chains short
            x = self.parent[x]
        return x

    def union(self, x: Hashable, y: Hashable) -> None:
        rx, ry = self.find(x), self.find(y)
        if rx != ry:
            self.parent[ry] = rx
