"""``crosswire serve --poll``: the poller in the server, on a thread of its own.

It runs the same pass as ``crosswire poll`` (``follow.poll``) whenever a source is due
(looking every ``PollerOptions.tick`` seconds), and places articles through the server's
one writer: a batch at a time under ``write_lock``, with the story index the server keeps
open, so a POST of articles waits at most one batch, never a whole pass. Fetching and
the bookkeeping of sources use a connection of the poller's own. A pass that fails (the
store busy, the embedder's server down) is said on stderr and tried again at the next tick.
"""
from __future__ import annotations

import threading
from typing import Callable

from crosswire.article import Article
from crosswire.errors import CrosswireError
from crosswire.fetch import Fetcher
from crosswire.follow import PollReport, poll
from crosswire.ingest import IngestReport, ingest_articles
from crosswire.ingest.outcome import Outcome
from crosswire.server.state import PollerOptions, ServerState
from crosswire.store.sqlite import Store
from crosswire.watch import alert_line

BATCH = 32  # articles placed per turn at the writer


class Poller:
    def __init__(self, state: ServerState, options: PollerOptions, say: Callable[[str], None]) -> None:
        self.state = state
        self.options = options
        self.say = say
        self.passes = 0
        self.last: PollReport | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="crosswire-poller", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _place(self, articles: list[Article], on_outcome: Callable[[Outcome], None]) -> IngestReport:
        total = IngestReport()
        for start in range(0, len(articles), BATCH):
            if self._stop.is_set():
                break  # the rest is not taken: their entries stay new, and the next pass takes them
            with self.state.write_lock:
                part = ingest_articles(articles[start:start + BATCH], self.state.writer(), self.state.pipeline(),
                                       index=self.state.story_index(), on_outcome=on_outcome)
            for name in ("read", "added", "duplicates", "refused", "new_stories", "joined"):
                setattr(total, name, getattr(total, name) + getattr(part, name))
            total.skipped += part.skipped
        return total

    def run_once(self, store: Store, fetcher: Fetcher) -> PollReport:
        report = poll(store, fetcher, self._place, self.options.poll)
        self.passes += 1
        self.last = report
        if report.sources or report.deliveries.errors:
            for problem in report.problems:
                self.say(f"crosswire: poll: skipped {problem}")
            for problem in report.deliveries.errors:
                self.say(f"crosswire: poll: webhook: {problem}")
            self.say(f"crosswire: poll: {report.summary()}")
            for alert in report.alerts:
                self.say(f"crosswire: poll: alert: {alert_line(alert)}")
        return report

    def _run(self) -> None:
        with Store(self.state.path, create=False) as store, Fetcher(self.options.fetch) as fetcher:
            while not self._stop.is_set():
                try:
                    self.run_once(store, fetcher)
                except CrosswireError as err:
                    self.say(f"crosswire: poll: {err}; trying again in {self.options.tick:g} s")
                except Exception as err:  # the server must keep serving whatever a pass meets
                    self.say(f"crosswire: poll: failed ({type(err).__name__}: {err}); trying again in "
                             f"{self.options.tick:g} s")
                self._stop.wait(self.options.tick)
