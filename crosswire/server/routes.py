"""The JSON API: add articles, list and search stories, a story's report, one article.

Ids in paths are store row ids, plain whole numbers; anything else (``../x``,
``1;DROP``, ``%2e%2e``) is refused with a 400 before it reaches the store, and
no path parameter ever names a file. Every route is described in
``openapi.py`` (a test checks that none is missing).
"""
from __future__ import annotations

import hmac
import json
import re
from collections import defaultdict
from datetime import date, timedelta, timezone
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from crosswire import __version__
from crosswire.errors import CrosswireError
from crosswire.matching.comparison import Comparison
from crosswire.report.build import Report, build_report
from crosswire.server.errors import ApiError
from crosswire.server.intake import outcome_json, parse_body, store_queued
from crosswire.server.openapi import document
from crosswire.server.state import ServerState
from crosswire.store.base import StoreProtocol
from crosswire.stories.view import list_stories_and_total, parse_when, story_comparison, story_members_key
from crosswire.times import NEVER

ID = re.compile(r"[0-9]{1,15}")
LANG = re.compile(r"[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,8})*")
MAX_LIMIT = 500


def json_bytes(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def json_response(body: bytes, status: int = 200) -> Response:
    return Response(body, status_code=status, media_type="application/json")


def parse_id(kind: str, raw: str) -> int:
    if not ID.fullmatch(raw):
        shown = raw if len(raw) <= 40 else raw[:40] + "…"
        raise ApiError(400, f"{kind} id must be a whole number, got {shown!r}", code="bad_id")
    return int(raw)


class Query:
    """The query parameters of a request, each checked; a bad one is a 422 naming it."""

    def __init__(self, request: Request) -> None:
        self.params = request.query_params

    def text(self, name: str, max_length: int = 500) -> str | None:
        value = self.params.get(name)
        if value is None or not value.strip():
            return None
        if len(value) > max_length:
            raise ApiError(422, f"query {name}: at most {max_length} characters, got {len(value)}")
        return value

    def lang(self, name: str) -> str | None:
        value = self.text(name, 40)
        if value is not None and not LANG.fullmatch(value.strip()):
            raise ApiError(422, f"query {name}: a language code like 'ar', 'nb' or 'zh-CN', got {value[:40]!r}")
        return value.strip() if value else None

    def date(self, name: str, *, end: bool = False) -> str | None:
        value = self.text(name, 40)
        try:
            parse_when(value, end=end)
        except CrosswireError as err:
            raise ApiError(422, f"query {name}: {err}")
        return value

    def whole(self, name: str, default: int, low: int, high: int) -> int:
        value = self.params.get(name)
        if value is None or value == "":
            return default
        if not ID.fullmatch(value) or not low <= int(value) <= high:
            raise ApiError(422, f"query {name}: a whole number from {low} to {high}, got {value[:40]!r}")
        return int(value)


def check_token(state: ServerState, request: Request) -> None:
    """Writes need ``Authorization: Bearer TOKEN`` when the server has a token."""
    token = state.options.token
    if not token:
        return
    given = request.headers.get("authorization", "")
    scheme, _, value = given.partition(" ")
    if not given or scheme.lower() != "bearer":
        raise ApiError(401, "this server needs a token for writes: send Authorization: Bearer TOKEN",
                       headers={"WWW-Authenticate": "Bearer"})
    if not hmac.compare_digest(value.strip().encode("utf-8"), token.encode("utf-8")):
        raise ApiError(403, "wrong token")


async def read_body(request: Request, limit: int) -> bytes:
    """The body, refused with 413 as soon as it is known to pass ``limit`` bytes."""
    declared = request.headers.get("content-length")
    advice = "(split the batch, or start the server with a larger --max-body)"
    if declared is not None:
        if not declared.isdigit():
            raise ApiError(400, f"Content-Length must be a whole number, got {declared[:20]!r}")
        if int(declared) > limit:
            raise ApiError(413, f"body of {int(declared)} bytes is over the limit of {limit} bytes {advice}")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:  # a chunked body without a length: counted as it comes
            raise ApiError(413, f"body is over the limit of {limit} bytes {advice}")
        chunks.append(chunk)
    return b"".join(chunks)


def comparison_dict(comparison: Comparison, report: Report) -> dict[str, Any]:
    """The comparison's JSON with the story report for this reader (as ``crosswire story --format json``).

    The comparison is shared by the threads answering other readers: the report is added to
    its dictionary, never set on it."""
    return {**comparison.to_dict(), "report": report.to_dict()}


def timelines(store: StoreProtocol, story_ids: list[int], most: int = 30) -> dict[int, list[dict[str, Any]]]:
    """Articles per day for each story, over its span: ``[{"day": "2025-03-10", "count": 2}, ...]``.

    A span longer than ``most`` days is shown in ``most`` equal slots, each named by its first day.
    An article is counted on the day it was seen (published, else ingested).
    """
    when: dict[int, list[date]] = defaultdict(list)
    for member in store.members_of(story_ids):
        if member.seen != NEVER:  # neither date readable: not on the timeline
            when[member.story_id].append(member.seen.astimezone(timezone.utc).date())
    out: dict[int, list[dict[str, Any]]] = {}
    for story_id, days in when.items():
        first, span = min(days), (max(days) - min(days)).days + 1
        width = -(-span // most)  # days per slot, rounded up
        counts = [0] * -(-span // width)
        for d in days:
            counts[(d - first).days // width] += 1
        out[story_id] = [{"day": (first + timedelta(days=i * width)).isoformat(), "count": c}
                         for i, c in enumerate(counts)]
    return out


def make_routes(state: ServerState) -> list[Route]:

    def health(request: Request) -> Response:
        store = state.store()
        stories = store.story_count()
        return json_response(json_bytes({
            "status": "ok", "version": __version__, "articles": store.count(), "stories": stories,
            "embedder": state.embedder, "writes_need_token": bool(state.options.token),
            "max_body": state.options.max_body, "write_timeout": state.options.write_timeout,
            "limits": {"max_chars": state.options.limits.max_chars,
                       "max_sentences": state.options.limits.max_sentences},
        }))

    def stories(request: Request) -> Response:
        query = Query(request)
        q, lang, reader_lang = query.text("q"), query.lang("lang"), query.lang("reader_lang")
        outlet = query.text("outlet")
        since, until = query.date("since"), query.date("until", end=True)
        limit, offset = query.whole("limit", 50, 1, MAX_LIMIT), query.whole("offset", 0, 0, 10**9)
        key = ("list", q, lang, outlet, since, until, reader_lang, limit, offset, state.version())

        def build() -> bytes:
            store = state.store()
            page, total = list_stories_and_total(store, language=lang, since=since, until=until, text=q,
                                                 reader_lang=reader_lang, limit=limit, offset=offset, outlet=outlet)
            days = timelines(store, [s.id for s in page])
            return json_bytes({"stories": [{**s.to_dict(), "timeline": days.get(s.id, [])} for s in page],
                               "total": total, "offset": offset, "limit": limit})

        return json_response(state.cached(key, build))

    def story(request: Request) -> Response:
        number = parse_id("story", request.path_params["story_id"])
        lang = Query(request).lang("lang")
        # Per story, not per store version: writes elsewhere in the store leave this story's report cached.
        version = story_members_key(state.store(), number)
        key = ("story", number, (lang or "").lower(), version)

        def analysed() -> tuple[Comparison, Report]:
            # Facts, entities and quotes do not depend on the reader: built once per story and membership.
            try:
                comparison = story_comparison(state.store(), number)
            except CrosswireError as err:
                raise ApiError(404, f"story {number}: no such story") from err
            return comparison, build_report(comparison, None)

        def build() -> bytes:
            comparison, report = state.cached(("story-report", number, version), analysed)
            return json_bytes({"id": number, **comparison_dict(comparison, report.for_reader(comparison, lang))})

        return json_response(state.cached(key, build))

    def article(request: Request) -> Response:
        number = parse_id("article", request.path_params["article_id"])
        try:
            found = state.store().article(number)
        except CrosswireError as err:
            raise ApiError(404, f"article {number}: no such article") from err
        return json_response(json_bytes({**found.to_dict(), "store_id": found.meta.get("store_id"),
                                         "story_id": found.meta.get("story_id")}))

    async def add_articles(request: Request) -> Response:
        check_token(state, request)
        body = await read_body(request, state.options.max_body)
        items = parse_body(body, request.headers.get("content-type"))
        outcomes = await store_queued(state, items)
        counts = {s: sum(o.status == s for o in outcomes) for s in ("stored", "duplicate", "refused")}
        if counts["refused"] == len(outcomes):
            first = outcomes[0]  # nothing usable: the error shape, naming the first problem
            more = f" (and {len(outcomes) - 1} more failed)" if len(outcomes) > 1 else ""
            raise ApiError(422, f"{first.where}: {first.reason}{more}")
        return json_response(json_bytes({
            "added": counts["stored"], "duplicates": counts["duplicate"], "failed": counts["refused"],
            "results": [outcome_json(o) for o in outcomes],
        }), status=201 if counts["stored"] else 200)

    spec = json_bytes(document(__version__))

    def openapi(request: Request) -> Response:
        return json_response(spec)

    return [
        Route("/api/health", health, methods=["GET"]),
        Route("/api/stories", stories, methods=["GET"]),
        Route("/api/stories/{story_id}", story, methods=["GET"]),
        Route("/api/articles", add_articles, methods=["POST"]),
        Route("/api/articles/{article_id}", article, methods=["GET"]),
        Route("/api/openapi.json", openapi, methods=["GET"]),
    ]
