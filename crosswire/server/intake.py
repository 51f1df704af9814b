"""POST /api/articles: a request body to articles, and the outcome of storing each one.

The body is one JSON object (``application/json``) or JSON Lines
(``application/x-ndjson``), with the fields of a JSON Lines input file; both are
checked by the same code as ``crosswire ingest`` reading a ``.jsonl`` file
(``readers.read_jsonl_body``), so the messages match. Storing goes through
``ingest_articles``, with the story index the server keeps open: each article
is stored and placed in its story in one transaction, and each item of the body
ends in one ``Outcome``, answered as ``outcome_json``.
"""
from __future__ import annotations

import codecs
import json
import sqlite3
from typing import Any

import anyio
from starlette.concurrency import run_in_threadpool

from crosswire.analysis.embedders import EmbedderUnavailable
from crosswire.article import Article
from crosswire.errors import CrosswireError
from crosswire.ingest import Outcome, ingest_articles
from crosswire.ingest.outcome import refused
from crosswire.readers.jsonl import REQUEST_BODY, json_problem, read_json_article, read_jsonl_body
from crosswire.server.errors import ApiError, busy, is_busy
from crosswire.server.state import ServerState
from crosswire.watch import check_watches

JSON_TYPES = {"application/json"}
JSONL_TYPES = {"application/x-ndjson", "application/jsonl", "application/json-lines", "application/x-jsonlines"}
SHOWN = REQUEST_BODY  # how the body is named in messages: "body:3: missing 'text'"


# The API's words for an outcome's status (outcome.py), as it answered before outcomes had their own.
API_STATUS = {"stored": "added", "duplicate": "duplicate", "refused": "failed"}


def outcome_json(outcome: Outcome) -> dict[str, Any]:
    """One entry of the answer's ``results``."""
    return {"where": outcome.where, "id": outcome.id, "status": API_STATUS[outcome.status],
            "article": outcome.article, "story": outcome.story, "joined": outcome.joined,
            "code": outcome.code, "reason": outcome.reason}


def parse_body(body: bytes, content_type: str | None) -> list[Article | CrosswireError]:
    """The articles of a request body, or the problem with each (one JSON Lines line each)."""
    media = (content_type or "").split(";")[0].strip().lower()
    if media not in JSON_TYPES | JSONL_TYPES:
        raise ApiError(415, f"Content-Type must be application/json (one article) or application/x-ndjson "
                            f"(JSON Lines, a batch), got {media or 'none'!r}")
    if not body.strip():
        raise ApiError(400, f"{SHOWN}: empty body")
    if media in JSONL_TYPES:  # line by line, as a .jsonl file: a line that is not UTF-8 fails alone
        return list(read_jsonl_body(body, SHOWN))
    bom = len(codecs.BOM_UTF8) if body.startswith(codecs.BOM_UTF8) else 0
    try:
        text = body[bom:].decode("utf-8")
    except UnicodeDecodeError as err:
        at = bom + err.start
        line = body.count(b"\n", 0, at) + 1
        raise ApiError(400, f"{SHOWN}: not valid UTF-8 at byte offset {at} (line {line})")
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as err:
        raise ApiError(400, f"{SHOWN}: {json_problem(err, with_line=True)}")
    except RecursionError:
        raise ApiError(400, f"{SHOWN}: not valid JSON (nested too deeply)")
    if isinstance(obj, list):
        raise ApiError(422, f"{SHOWN}: expected one JSON object; send a batch as JSON Lines "
                            "(Content-Type: application/x-ndjson)")
    return [read_json_article(obj, SHOWN)]


async def store_queued(state: ServerState, items: list[Article | CrosswireError]) -> list[Outcome]:
    """``store_articles`` in its turn: writes queue (first come, first served) for at most
    ``write_timeout`` seconds, then answer 503 busy with Retry-After instead of hanging.

    The queue is in the event loop, so a waiting write holds no worker thread (reads go on)."""
    if state.write_queue is None:  # made here, in the server's event loop
        state.write_queue = anyio.Lock()
    timeout = state.options.write_timeout
    try:
        with anyio.fail_after(timeout):
            await state.write_queue.acquire()
    except TimeoutError:
        raise busy(f"the store is busy with other writes: this one did not get its turn within {timeout:g} s "
                   "(--write-timeout); nothing of it was stored, send it again")
    try:
        return await run_in_threadpool(store_articles, state, items)
    finally:
        state.write_queue.release()


def store_articles(state: ServerState, items: list[Article | CrosswireError]) -> list[Outcome]:
    """Analyse and store the articles (one writer at a time); one outcome per item, in order."""
    with state.write_lock:
        store = state.writer()
        pipeline = state.pipeline()
        if not any(isinstance(item, Article) for item in items):  # nothing to store: no writer's checks
            return [refused(item) for item in items if isinstance(item, CrosswireError)]
        outcomes: list[Outcome] = []
        try:
            ingest_articles(items, store, pipeline, index=state.story_index(), on_outcome=outcomes.append)
        except sqlite3.Error as err:  # e.g. locked past the busy timeout by another writer: retry later
            done = "every article stored before this is complete"
            if is_busy(err):
                raise busy(f"{state.path}: {err} (another process is writing); {done}: send the body again")
            raise ApiError(503, f"{state.path}: {err}; {done}")
        except EmbedderUnavailable as err:  # its server is down: nothing was stored of this batch's rest
            raise ApiError(503, str(err))
        except CrosswireError as err:  # e.g. the store holds another embedder's vectors
            raise ApiError(409, str(err))
        touched = sorted({o.story for o in outcomes if o.status == "stored" and o.story is not None})
        if touched:
            # The watch-lists' events, recorded with the articles' turn at the writer; their webhooks
            # go out with the poller's next pass (serve --poll) or the next crosswire poll.
            try:
                check_watches(store, touched)
            except (sqlite3.Error, CrosswireError):
                pass  # the articles are stored; the next check of these stories records what this one missed
        return outcomes
