"""``recluster --engine ray``: recluster's pair scores as a parallel map over a Ray cluster's workers.

A recluster is nearly all pair scores (each article against its 24 nearest neighbours, each score a
sentence alignment), and a score needs the two analysed articles and nothing else: no store, no
index. So the driver (the ``crosswire recluster`` process) keeps the store, the index and the
linkage, and sends the candidate pairs out in batches. Each batch carries the articles its pairs
name (once each), so a worker on another machine needs no access to the store's file. Batches come
back in the order they were sent: ``PairScorer``'s contract (``stories/placement.py``).

At most two batches per worker are out at a time, so the driver's memory stays bounded however
large the store. A batch whose worker dies is run again by Ray (``max_retries``); a batch that
fails for good stops the recluster with one line, before anything is written (the previous
grouping stays: recluster writes in one transaction after every score is in).

Lives beside ``ray_runner`` (the Ray engine's session and errors), above ``stories``, which holds the
Protocol it fills.
"""
from __future__ import annotations

from collections import deque
from typing import Any, Iterable, Iterator

from crosswire.article import Article
from crosswire.ingest.ray_runner import ClusterUnavailable, cause
from crosswire.matching.compare import CompareOptions, compare_pair
from crosswire.matching.side import SideCache

BATCH = 256      # pairs a task: ~2-5 s of scoring, so the per-task cost of Ray (~ms) is small
IN_FLIGHT = 2    # batches out per worker


def score_batch(articles: list[Article], pairs: list[tuple[int, int]], compare: CompareOptions) -> list[float]:
    """A Ray task's body: the same-story score of each pair (positions in ``articles``)."""
    side = SideCache(max(1, len(articles)))  # each article is in many of the batch's pairs: prepared once
    return [compare_pair(side(articles[a]), side(articles[b]), compare).same_story for a, b in pairs]


class RayScorer:
    """``PairScorer`` on the workers of the Ray session ``ray`` (``ray_runner.ray_session``)."""

    def __init__(self, ray: Any, workers: int | None = None, batch: int = BATCH, retries: int = 2) -> None:
        self.ray = ray
        self.workers = workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
        self.batch = batch
        self.task = ray.remote(num_cpus=1, max_retries=retries)(score_batch)

    def scores(self, pairs: Iterable[tuple[Article, Article]], compare: CompareOptions) -> Iterator[float]:
        out: deque[Any] = deque()
        chunk: list[tuple[Article, Article]] = []
        for pair in pairs:
            chunk.append(pair)
            if len(chunk) == self.batch:
                out.append(self._send(chunk, compare))
                chunk = []
                while len(out) >= IN_FLIGHT * self.workers:
                    yield from self._get(out.popleft())
        if chunk:
            out.append(self._send(chunk, compare))
        while out:
            yield from self._get(out.popleft())

    def _send(self, chunk: list[tuple[Article, Article]], compare: CompareOptions) -> Any:
        # Each article once (a neighbour list shares its article): by identity, as the driver's
        # article cache hands out one object per stored row.
        where: dict[int, int] = {}
        articles: list[Article] = []
        for pair in chunk:
            for article in pair:
                if id(article) not in where:
                    where[id(article)] = len(articles)
                    articles.append(article)
        return self.task.remote(articles, [(where[id(a)], where[id(b)]) for a, b in chunk], compare)

    def _get(self, ref: Any) -> list[float]:
        try:
            return list(self.ray.get(ref))
        except self.ray.exceptions.RayError as err:
            raise ClusterUnavailable("--engine ray", f"a batch of pair scores failed on the cluster ({cause(err)}); "
                                                     "the stories are unchanged") from None
