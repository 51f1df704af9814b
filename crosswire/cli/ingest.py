"""``crosswire ingest``."""
from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path
from typing import Iterable, Iterator

import click

from crosswire.analysis.pipeline import default_pipeline
from crosswire.article import Article
from crosswire.cli.common import (
    EXIT_NOTHING,
    EXIT_OK,
    EXIT_SKIPPED,
    StatusLine,
    db_option,
    embedder_for_store,
    embedder_option,
    fail,
    lang_option,
    legacy_lang,
    limit_options,
    load_embedder,
    open_store,
    say,
    storing,
    warned,
    window_option,
)
from crosswire.cli.engine import engine_options, engine_session
from crosswire.errors import CrosswireError, InputError
from crosswire.ingest import Analyser, IngestReport, Outcome, ingest_articles
from crosswire.ingest.ray_runner import ClusterUnavailable, RayOptions, ingest_on_ray, one_thread
from crosswire.limits import Limits
from crosswire.readers.files import iter_articles
from crosswire.store.sqlite import Store
from crosswire.stories.placement import StoryOptions, index_path
from crosswire.watch import alert_line, check_watches


def _besides_the_store(paths: Iterable[str], store: Store, limits: Limits) -> Iterator[Article | CrosswireError]:
    """The inputs' articles, refusing the store's own files given as inputs.

    Reading one would open and close it outside SQLite, and closing any descriptor of a
    file drops every lock this process holds on it (see ``Store``): never done.
    """
    own = [store.path] + [store.path.with_name(store.path.name + end) for end in ("-wal", "-shm", "-journal")]
    own.append(index_path(store))
    keys = {(st.st_dev, st.st_ino) for st in (_stat(p) for p in own) if st is not None}
    rest = []
    for given in paths:
        st = _stat(Path(given).expanduser()) if given != "-" else None
        if st is not None and (st.st_dev, st.st_ino) in keys:
            yield InputError(given, "is this store's own file (--db), not articles; not read")
        else:
            rest.append(given)
    yield from iter_articles(rest, limits)


def _count_inputs(paths: Iterable[str], store: Store, limits: Limits) -> int | None:
    """How many inputs the paths hold, for the progress line's total and time left; None when one is
    standard input (read once). Reading is milliseconds an article where analysing is a good part
    of a second, so reading everything twice costs little."""
    paths = list(paths)
    if "-" in paths:
        return None
    return sum(1 for _ in _besides_the_store(paths, store, limits))


def _stat(path: Path) -> os.stat_result | None:
    try:
        return path.stat()
    except OSError:
        return None


def _check_watches(store: Store, touched: set[int]) -> list[str]:
    """The lines of the alerts the stories touched raised (recorded; their webhooks are left to a poll
    or the server). A store that cannot be written now costs the alerts a line, not the ingest."""
    if not touched:
        return []
    try:
        return [f"crosswire: alert: {alert_line(alert)}" for alert in check_watches(store, touched)]
    except (sqlite3.Error, CrosswireError) as err:
        return [f"crosswire: warning: watches not checked ({err}); the articles are stored"]


def _given_language(items: Iterable[Article | CrosswireError], language: str) -> Iterator[Article | CrosswireError]:
    for item in items:
        if not isinstance(item, CrosswireError):
            item.language, item.language_given = language, True
        yield item


DUPLICATES_LISTED = 5  # inputs already stored named one by one, without --verbose


@click.command()
@click.argument("paths", nargs=-1, required=True)
@db_option
@embedder_option(from_store=True)
@lang_option
@legacy_lang("language", "--input-lang")
@window_option
@limit_options()
@engine_options("the analysis of the articles")
@click.option("--quiet", "-q", is_flag=True, help="No progress and no line per input already stored: "
              "failures and the summary only.")
@click.option("--verbose", "-v", is_flag=True, help="A line for every input: the story each article joined "
              "or started, and each one already stored.")
def ingest(paths: tuple[str, ...], db: str, embedder: str | None, language: str | None,
           window_days: float, engine: str, address: str | None, workers: int | None, quiet: bool, verbose: bool,
           **limits: int) -> None:
    """Read articles into the local store and place each in a story as it arrives.

    PATHS are files or folders, as for compare. An article already stored (same
    outlet, title and text) is skipped, so an interrupted ingest is finished by
    running it again.
    """
    # A given embedder is made before the store is opened: wrong settings, or a server that is
    # down, leave no new file behind.
    model = load_embedder(embedder) if embedder else None
    bounds = Limits(**limits)
    # A cluster is reached (or a local one started) before the store is opened, for the same reason.
    with engine_session(engine, address, workers), open_store(db, create=True) as store:
        model = embedder_for_store(store, db, model)
        pipeline = default_pipeline(model, bounds)
        status = StatusLine(quiet=quiet)
        inputs = None if quiet else _count_inputs(paths, store, bounds)
        said = [0, 0]  # skipped inputs already printed; inputs already stored seen

        def tell(report: IngestReport) -> None:
            for outcome in report.skipped[said[0]:]:
                if outcome.status == "duplicate":
                    # Re-reading a file printed a line per article it held (147 for one feed): the
                    # first few say what is happening, the count is in the progress and the summary.
                    said[1] += 1
                    if quiet or (not verbose and said[1] > DUPLICATES_LISTED):
                        if said[1] == DUPLICATES_LISTED + 1 and not quiet:
                            status.say("crosswire: more inputs already stored are counted, not listed "
                                       "(--verbose lists each)")
                        continue
                status.say(f"crosswire: skipped {outcome.line()}")
            said[0] = len(report.skipped)
            # Each input ends stored, already stored or refused: the three count the inputs done.
            status.progress(report.added + report.duplicates + report.refused, inputs, report.seconds,
                            f"{report.added} added, {report.duplicates} already stored, {report.refused} failed")

        options = StoryOptions(window_days=window_days)
        items = warned(_besides_the_store(paths, store, bounds), status.say)
        touched: set[int] = set()  # the stories articles were stored into: the watches are checked on them

        def note(outcome: Outcome) -> None:
            if outcome.status == "stored" and outcome.story is not None:
                touched.add(outcome.story)
                if verbose:
                    status.say(f"crosswire: stored {outcome.line()}")

        given = items if language is None else _given_language(items, language)
        with storing(db, status, "every article stored so far is complete: run the same ingest again to add the rest"):
            if engine == "ray":
                # The workers build the pipeline by name: the same stages, bounds and model, one thread each.
                analyser = Analyser(one_thread(embedder or model.name), bounds)
                try:
                    report = ingest_on_ray(given, store, analyser, options, RayOptions(workers=workers),
                                           progress=tell, on_outcome=note)
                except ClusterUnavailable as err:  # e.g. more workers than the cluster has CPUs
                    status.clear()
                    raise fail(str(err), EXIT_NOTHING)
            else:
                report = ingest_articles(given, store, pipeline, options, progress=tell, on_outcome=note)
        tell(report)
        status.clear()
        total = store.count()
        raised = _check_watches(store, touched)
    if quiet and (report.added or report.duplicates) and not report.refused and not raised:
        sys.exit(EXIT_OK)  # nothing to hear of: quiet means it
    say(f"crosswire: {report.summary()}; {db} holds {total} article(s)")
    for line in raised:
        say(line)
    if report.refused and not report.added and not report.duplicates:
        raise fail("no article could be ingested", EXIT_NOTHING)
    sys.exit(EXIT_SKIPPED if report.refused else EXIT_OK)


