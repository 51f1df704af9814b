"""One pass over the sources that are due: fetch each feed, take its new entries, analyse and
place their articles as ``ingest`` does, and keep each source's state.

The pass is built for cron (``crosswire poll``) and for the server's own poller
(``crosswire serve --poll``), which differ only in how articles are placed (``Place``):
straight into the store, or through the server's one writer.

- Fetching runs on a pool of threads (``PollOptions.workers``); the ``Fetcher`` holds each
  host to its own limits, so many sources of one site do not hammer it.
- A feed answered with 304 (its ETag or Last-Modified unchanged) costs one request.
- An entry already taken (its canonical address is in the store's entries) is skipped
  before anything is fetched or analysed; an article stored before (same outlet, title,
  text) is a duplicate, as in ``ingest``.
- A teaser entry has its page fetched (``entries.py``). When such a page fails for a
  reason that may pass (a 5xx, a timeout), the feed's validators are forgotten, so the next
  pass reads the feed whole and tries that entry again; a page that is gone (4xx) leaves
  the entry with its summary, when it has one.
- A source that fails is fetched again after an exponential backoff, or after as long as its
  429 or 503 answer's ``Retry-After`` asks (at most a day); its error count and last error are
  kept for ``crosswire follow list``.
- Then the watch-lists are checked against the stories that gained articles (each event
  recorded once), and every webhook delivery that is due is posted.
"""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

from crosswire.article import Article
from crosswire.errors import CrosswireError, InputError
from crosswire.fetch import Fetcher, FetchError
from crosswire.fetch.backoff import backoff
from crosswire.follow.discover import ACCEPT
from crosswire.follow.entries import Entry, ParsedFeed, parse_feed
from crosswire.ingest.outcome import IngestReport, Outcome
from crosswire.readers.decoding import decode
from crosswire.readers.html import declared_charset, read_html
from crosswire.store.base import Alert, Source, StoreProtocol
from crosswire.watch import DeliveryReport, check_watches, deliver_due

MAX_RETRY_AFTER = 86_400.0  # seconds: the longest wait a source's Retry-After is granted

# Places a batch of articles (analyse, store, assign to stories), giving each one's outcome.
Place = Callable[[list[Article], Callable[[Outcome], None]], IngestReport]
Say = Callable[[str], None]


@dataclass(frozen=True)
class PollOptions:
    every: float = 900.0          # seconds between two fetches of a source that answered
    workers: int = 8              # fetches at once (each host is held to the Fetcher's own limit)
    everything: bool = False      # fetch every source now, due or not


@dataclass
class PollReport:
    sources: int = 0              # fetched in this pass
    unchanged: int = 0            # answered 304
    failed: int = 0               # sources whose fetch failed
    entries: int = 0              # new entries (not taken before)
    pages: int = 0                # pages fetched for teaser entries
    added: int = 0
    duplicates: int = 0
    refused: int = 0
    new_stories: int = 0
    joined: int = 0
    stories: list[int] = field(default_factory=list)  # stories that gained an article, in order
    problems: list[str] = field(default_factory=list)  # one line each: sources and entries that failed
    alerts: list[Alert] = field(default_factory=list)  # raised by the stories that gained articles
    deliveries: DeliveryReport = field(default_factory=DeliveryReport)  # webhooks posted at the end of the pass
    seconds: float = 0.0

    def summary(self) -> str:
        rate = self.added / self.seconds if self.seconds else 0.0
        hooks = self.deliveries
        posted = f", {hooks.summary()}" if hooks.delivered or hooks.retrying or hooks.gave_up else ""
        return (f"{self.sources} source(s) fetched ({self.unchanged} unchanged, {self.failed} failed), "
                f"{self.entries} new entries ({self.pages} pages read), {self.added} articles added "
                f"({rate:.1f}/s), {self.duplicates} already stored, {self.refused} refused; "
                f"{self.new_stories} new stories, {self.joined} joined existing ones; {len(self.alerts)} alert(s){posted}")


@dataclass
class _Fetched:
    """One source's fetch, as the worker thread leaves it for the pass."""

    source: Source
    status: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    feed: ParsedFeed | None = None
    error: str | None = None
    retry_after: float | None = None  # seconds the source asked us to wait (a 429 or 503's Retry-After)


def poll(store: StoreProtocol, fetcher: Fetcher, place: Place, options: PollOptions = PollOptions(),
         say: Say | None = None, now: datetime | None = None) -> PollReport:
    """One pass over the sources due at ``now`` (every source with ``options.everything``)."""
    started = time.perf_counter()
    now = now or datetime.now(timezone.utc)
    due = store.sources() if options.everything else store.due_sources(now)
    report = PollReport()
    tell = say or (lambda line: None)
    with ThreadPoolExecutor(max_workers=max(1, options.workers), thread_name_prefix="crosswire-poll") as pool:
        fetched = [pool.submit(_fetch_feed, fetcher, source) for source in due]
        # Entries to take, by source, in the order the sources were due and the feeds list them.
        taking: list[tuple[_Fetched, list[Entry]]] = []
        claimed: set[str] = set()  # entries taken in this pass: a page listed by two feeds is read once
        for n, job in enumerate(fetched, 1):
            got = job.result()
            report.sources += 1
            if got.error is not None:
                report.failed += 1
                report.problems.append(got.error)
                # The backoff, or longer when the source said how long (never over a day: a typo in
                # a header must not silence a source for good).
                wait = max(backoff(got.source.failures + 1), min(got.retry_after or 0.0, MAX_RETRY_AFTER))
                store.record_fetch(got.source.id, status=got.status, error=got.error,
                                   next_fetch_at=now + timedelta(seconds=wait))
                tell(f"[{n}/{len(due)}] {got.error}")
                continue
            if got.status == 304 or got.feed is None:
                report.unchanged += 1
                store.record_fetch(got.source.id, status=got.status, next_fetch_at=now + timedelta(seconds=options.every))
                continue
            for problem in got.feed.problems:
                report.problems.append(str(problem))
                store.source_error(got.source.id, str(problem))
            new = _new_entries(store, got.feed.entries, claimed)
            report.entries += len(new)
            taking.append((got, new))
            tell(f"[{n}/{len(due)}] {got.source.url}: {len(new)} new of {len(got.feed.entries)} entries")
        # Teasers: their pages, fetched on the same pool.
        pages = {id(entry): pool.submit(_fetch_page, fetcher, entry, got.source, got.feed)
                 for got, new in taking for entry in new if entry.article is None and got.feed is not None}
        articles: list[tuple[Article, Entry, _Fetched]] = []
        retry: set[int] = set()  # sources whose feed must be read whole next time (a page failed for now)
        for got, new in taking:
            for entry in new:
                article: Article | None = entry.article
                if article is None:
                    report.pages += 1
                    page = pages[id(entry)].result()
                    if isinstance(page, CrosswireError):
                        report.problems.append(str(page))
                        store.source_error(got.source.id, str(page))
                        if _may_pass(page):
                            retry.add(got.source.id)
                            continue
                        article = None
                    else:
                        article = page
                if article is None:  # a page gone for good and no summary: taken, with nothing stored
                    store.add_entry(entry.key, got.source.id, None)
                    continue
                articles.append((article, entry, got))
    # Placing: the articles of every source in one stream (batches of the pipeline's size); each
    # entry is recorded as soon as its article is placed.
    def taken(outcome: Outcome, entry: Entry, got: _Fetched) -> None:
        store.add_entry(entry.key, got.source.id, outcome.article, new=outcome.status == "stored")
        if outcome.status == "stored":
            if outcome.story is not None and outcome.story not in report.stories:
                report.stories.append(outcome.story)
        elif outcome.status == "refused":
            report.problems.append(outcome.line())

    if articles:
        order = iter(articles)

        def on_outcome(outcome: Outcome) -> None:
            _, entry, got = next(order)
            taken(outcome, entry, got)

        placed = place([article for article, _, _ in articles], on_outcome)
        report.added, report.duplicates, report.refused = placed.added, placed.duplicates, placed.refused
        report.new_stories, report.joined = placed.new_stories, placed.joined
    for got, _ in taking:
        feed = got.feed
        store.record_fetch(got.source.id, status=got.status, etag=got.etag, last_modified=got.last_modified,
                           next_fetch_at=now + timedelta(seconds=options.every),
                           title=None if got.source.title else feed.title if feed else None,
                           language=feed.language if feed else None, keep_validators=got.source.id not in retry)
    # The watches, on the stories that gained articles; then every webhook due (this pass's alerts,
    # and earlier ones waiting for a retry).
    report.alerts = check_watches(store, report.stories) if report.stories else []
    report.deliveries = deliver_due(store, fetcher)
    report.seconds = time.perf_counter() - started
    return report


def _fetch_feed(fetcher: Fetcher, source: Source) -> _Fetched:
    """Runs on a worker thread: fetch and parse one feed; never raises."""
    got = _Fetched(source)
    try:
        answer = fetcher.get(source.url, etag=source.etag, last_modified=source.last_modified, accept=ACCEPT)
    except FetchError as err:
        got.status, got.error, got.retry_after = err.status, str(err), err.retry_after
        return got
    got.status = answer.status
    if answer.not_modified:
        return got
    got.etag, got.last_modified = answer.headers.get("etag"), answer.headers.get("last-modified")
    try:
        got.feed = parse_feed(answer.body, source.url, source.title)
    except CrosswireError as err:
        got.error = str(err)
    return got


def _fetch_page(fetcher: Fetcher, entry: Entry, source: Source, feed: ParsedFeed | None) -> Article | CrosswireError:
    """Runs on a worker thread: the article of a teaser entry's page, or why there is none."""
    assert entry.link is not None  # a teaser without a link is taken with its summary (entries.py)
    try:
        answer = fetcher.get(entry.link, accept="text/html, application/xhtml+xml;q=0.9, */*;q=0.1")
    except FetchError as err:
        return err
    charset = answer.headers.get("content-type", "").partition("charset=")[2].split(";")[0].strip(" \"'") or None
    decoded = decode(answer.body, charset or declared_charset(answer.body))
    if isinstance(decoded, str):
        return InputError(entry.link, decoded)
    found = next(iter(read_html(decoded[0], Path(entry.link.rstrip("/").rsplit("/", 1)[-1] or "page"),
                                entry.link, set())), None)
    if not isinstance(found, Article):
        return found or InputError(entry.link, "the page has no article text")
    outlet = source.title or (feed.title if feed else None)
    return replace(found, id=entry.link, url=entry.link, outlet=outlet or found.outlet,
                   title=entry.title or found.title, published=entry.published or found.published,
                   author=entry.author or found.author,
                   meta={**found.meta, "feed": source.url, "entry": entry.n}, warnings=entry.warnings + found.warnings)


def _may_pass(err: CrosswireError) -> bool:
    """Whether a page's failure may pass by the next pass (a 5xx, a timeout, the network), unlike
    a 4xx or a page with no article, which will answer the same again."""
    if not isinstance(err, FetchError):
        return False
    if err.status is not None:  # an answer: the server's own trouble, or asked to wait
        return err.status >= 500 or err.status == 429
    return err.kind not in ("unsafe", "scheme", "robots", "too_large")  # no answer: all but refusals


def _new_entries(store: StoreProtocol, entries: list[Entry], claimed: set[str]) -> list[Entry]:
    """The entries neither taken before nor ``claimed`` earlier in this pass (which they join)."""
    seen = store.seen_entries([entry.key for entry in entries]) | claimed
    out: list[Entry] = []
    for entry in entries:
        if entry.key not in seen:
            seen.add(entry.key)
            claimed.add(entry.key)
            out.append(entry)
    return out


__all__ = ["Place", "PollOptions", "PollReport", "poll"]
