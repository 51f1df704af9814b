"""``--engine local|ray``, ``--address``, ``--workers``: where a command's heavy part runs (ingest's
analysis, recluster's pair scores), the same options and the same failures for both commands."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Callable, Iterator, TypeVar

import click

from crosswire.cli.common import EXIT_NOTHING, EXIT_USAGE, fail
from crosswire.ingest.ray_runner import ClusterUnavailable, ray_session

F = TypeVar("F", bound=Callable[..., Any])


def engine_options(work: str) -> Callable[[F], F]:
    """The three options; ``work``: what runs on the cluster, for the help text."""
    def decorate(command: F) -> F:
        for option in reversed([
            click.option("--engine", type=click.Choice(["local", "ray"]), default="local", show_default=True,
                         help=f"where {work} runs: in this process, or on the workers of a Ray cluster "
                              "(the extra: pip install 'crosswire[ray]'); the store stays here either way"),
            click.option("--address", default=None, metavar="ADDR",
                         help="with --engine ray: the Ray cluster's address; without it a local Ray instance "
                              "is started for this run"),
            click.option("--workers", type=click.IntRange(min=1, max=4096), default=None,
                         help="with --engine ray: workers of one CPU each (default: the cluster's CPUs)"),
        ]):
            command = option(command)
        return command
    return decorate


@contextmanager
def engine_session(engine: str, address: str | None, workers: int | None) -> Iterator[Any]:
    """The Ray module with a session open for ``--engine ray`` (reached, or started, before the
    command opens its store, so a cluster that is not there leaves no new file), else None; a
    cluster that cannot be reached or cannot run the workers is one line and exit status 3."""
    if engine != "ray":
        if address or workers:
            raise fail(f"{'--address' if address else '--workers'} is for --engine ray", EXIT_USAGE)
        yield None
        return
    try:
        with ray_session(address, workers) as ray:
            yield ray
    except ClusterUnavailable as err:
        raise fail(str(err), EXIT_NOTHING)
