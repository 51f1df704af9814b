"""The API of following the news: watch-lists, their alerts (JSON and an Atom feed), the sources.

Watches are made and removed here (``POST``/``DELETE``, behind the token as every write), and
checked by ``watch.rules.validate_watch``, the rules ``crosswire watch add`` shares. A
webhook's secret is answered once, in the answer that made it, and never read back: the list
says only whether a watch signs its deliveries. Alerts are recorded by the watchers
(``crosswire.watch``), never here; this module only shows them.

Each watch's alerts are an Atom feed too, so that any feed reader can follow a watch without
polling the JSON. It is built as an ElementTree (no text is ever pasted into markup), with
ids that stay the same from one request to the next (``urn:crosswire:<store id>:...``) so a
reader shows each alert once, and links to the story on this server's page (``/#/story/ID``).

A watch write is one small transaction on the request thread's own connection; SQLite's
lock orders it with the article writer's (past its busy timeout: 503 busy, as any write).
"""
from __future__ import annotations

import codecs
import json
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from crosswire import __version__
from crosswire.errors import CrosswireError
from crosswire.readers.jsonl import json_problem
from crosswire.server.errors import ApiError
from crosswire.server.routes import MAX_LIMIT, Query, check_token, json_bytes, json_response, parse_id, read_body
from crosswire.server.state import ServerState
from crosswire.store.base import Alert, Source, Watch
from crosswire.store.following import stamp
from crosswire.stories.view import parse_when
from crosswire.watch.rules import InvalidWatch, validate_watch

ATOM = "http://www.w3.org/2005/Atom"
ATOM_TYPE = "application/atom+xml; charset=utf-8"
MAX_WATCH_BODY = 64 * 1024   # a watch is a few names and words: a larger body is no watch
FEED_ENTRIES = 50            # alerts in a watch's feed, by default
# Characters XML 1.0 cannot carry at all, not even escaped (C0 controls but tab and newlines,
# lone surrogates, U+FFFE/U+FFFF): dropped from any text put in a feed.
_NOT_XML = {c: None for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0xD800, 0xE000), 0xFFFE, 0xFFFF]}


def iso(when: datetime | None) -> str | None:
    """A time as the JSON answers give it: UTC with microseconds, so that ``since`` can be given it back."""
    return stamp(when) if when else None


def story_page(story_id: int) -> str:
    """Where the web page shows a story (app.js reads ``#/story/ID``)."""
    return f"/#/story/{story_id}"


def atom_path(watch_id: int) -> str:
    return f"/api/watches/{watch_id}/alerts.atom"


def watch_json(watch: Watch, counts: dict[int, tuple[int, datetime]]) -> dict[str, Any]:
    """A watch as the API shows it: never its secret, only whether it has one."""
    alerts, latest = counts.get(watch.id, (0, None))
    return {"id": watch.id, "name": watch.name, "entities": list(watch.entities), "text": watch.words,
            "languages": list(watch.languages), "min_languages": watch.min_languages,
            "webhook": watch.webhook, "signed": watch.secret is not None, "created_at": iso(watch.created_at),
            "alerts": alerts, "latest_alert_at": iso(latest), "atom": atom_path(watch.id)}


def alert_json(alert: Alert) -> dict[str, Any]:
    return {"id": alert.id, "watch_id": alert.watch_id, "watch": alert.watch, "story_id": alert.story_id,
            "event": alert.event, "key": alert.key, "detail": alert.detail, "created_at": iso(alert.created_at),
            "page": story_page(alert.story_id)}


def source_json(source: Source) -> dict[str, Any]:
    return {"id": source.id, "url": source.url, "title": source.title, "language": source.language,
            "added_at": iso(source.added_at), "last_fetch_at": iso(source.last_fetch_at),
            "last_new_at": iso(source.last_new_at), "last_status": source.last_status,
            "next_fetch_at": iso(source.next_fetch_at), "failures": source.failures, "errors": source.errors,
            "last_error": source.last_error, "articles": source.articles}


def json_object(body: bytes, content_type: str | None) -> dict[str, Any]:
    """A request body that must be one JSON object."""
    media = (content_type or "").split(";")[0].strip().lower()
    if media != "application/json":
        raise ApiError(415, f"Content-Type must be application/json, got {media or 'none'!r}")
    if not body.strip():
        raise ApiError(400, "body: empty body")
    bom = len(codecs.BOM_UTF8) if body.startswith(codecs.BOM_UTF8) else 0
    try:
        value = json.loads(body[bom:].decode("utf-8"))
    except UnicodeDecodeError as err:
        raise ApiError(400, f"body: not valid UTF-8 at byte offset {bom + err.start}")
    except json.JSONDecodeError as err:
        raise ApiError(400, f"body: {json_problem(err, with_line=True)}")
    except RecursionError:
        raise ApiError(400, "body: not valid JSON (nested too deeply)")
    if not isinstance(value, dict):
        raise ApiError(422, "body: expected one JSON object (a watch)")
    return value


# --- the Atom feed ------------------------------------------------------------------------------

def _xml(text: Any) -> str:
    return str(text).translate(_NOT_XML)


def _atom_time(when: datetime) -> str:
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _sub(parent: ET.Element, tag: str, text: Any = None, **attrs: str) -> ET.Element:
    node = ET.SubElement(parent, tag, {k: _xml(v) for k, v in attrs.items()})
    if text is not None:
        node.text = _xml(text)
    return node


def _names(value: Any) -> str:
    """A list of names from an alert's detail, as one line (whatever the watcher put there)."""
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def alert_summary(alert: Alert) -> str:
    """What an alert is about, in a few plain lines: the feed entry's content."""
    detail = alert.detail if isinstance(alert.detail, dict) else {}
    lines = []
    for label, key in (("Story", "title"), ("Languages", "languages"), ("Outlets", "outlets"),
                       ("Articles", "articles"), ("Matched", "matched"), ("New outlet", "outlet")):
        shown = _names(detail.get(key))
        if shown:
            lines.append(f"{label}: {shown}")
    return "\n".join(lines) or f"{alert.event}: story {alert.story_id}"


def alert_title(alert: Alert) -> str:
    reason = alert.detail.get("reason") if isinstance(alert.detail, dict) else None
    return str(reason) if reason else f"{alert.watch}: {alert.event}, story {alert.story_id}"


def atom_feed(watch: Watch, alerts: list[Alert], store_id: str, base: str) -> bytes:
    """An Atom 1.0 feed (RFC 4287) of a watch's alerts, latest first; ``base`` is this server's root URL."""
    root = base.rstrip("/")
    urn = f"urn:crosswire:{store_id}"
    # Unqualified names under a default namespace declared on the root: every element is Atom's.
    feed = ET.Element("feed", {"xmlns": ATOM})
    _sub(feed, "id", f"{urn}:watch:{watch.id}")
    _sub(feed, "title", f"crosswire: {watch.name}", type="text")
    updated = alerts[0].created_at if alerts else (watch.created_at or datetime.now(timezone.utc))
    _sub(feed, "updated", _atom_time(updated))
    _sub(feed, "link", rel="self", type="application/atom+xml", href=root + atom_path(watch.id))
    _sub(feed, "link", rel="alternate", type="text/html", href=f"{root}/#/watches")
    _sub(_sub(feed, "author"), "name", "crosswire")
    _sub(feed, "generator", "crosswire", version=__version__)
    for alert in alerts:
        entry = _sub(feed, "entry")
        _sub(entry, "id", f"{urn}:alert:{alert.id}")
        _sub(entry, "title", alert_title(alert), type="text")
        _sub(entry, "published", _atom_time(alert.created_at))
        _sub(entry, "updated", _atom_time(alert.created_at))
        _sub(entry, "link", rel="alternate", type="text/html", href=root + story_page(alert.story_id))
        _sub(entry, "category", term=alert.event)
        _sub(entry, "content", alert_summary(alert), type="text")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


# --- the routes ---------------------------------------------------------------------------------

def make_watch_routes(state: ServerState) -> list[Route]:

    def find_watch(watch_id: int) -> Watch:
        # By id only: the store's lookup takes a name or an id, and a name may look like an id.
        found = next((w for w in state.store().watches() if w.id == watch_id), None)
        if found is None:
            raise ApiError(404, f"watch {watch_id}: no such watch")
        return found

    def list_watches(request: Request) -> Response:
        store = state.store()
        counts = store.alert_counts()
        return json_response(json_bytes({"watches": [watch_json(w, counts) for w in store.watches()]}))

    async def add_watch(request: Request) -> Response:
        check_token(state, request)
        fields = json_object(await read_body(request, MAX_WATCH_BODY), request.headers.get("content-type"))
        try:
            spec = validate_watch(fields)
        except InvalidWatch as err:
            raise ApiError(422, err.problem)

        def write() -> Watch | None:
            return state.store().add_watch(spec.name, entities=spec.entities, words=spec.words,
                                           languages=spec.languages, min_languages=spec.min_languages,
                                           webhook=spec.webhook, secret=spec.secret)

        made = await run_in_threadpool(write)
        if made is None:
            raise ApiError(409, f"watch {spec.name!r}: a watch of that name exists already")
        answer = watch_json(made, {})
        if spec.secret_made:  # shown this once: the webhook's receiver needs it to check signatures
            answer["secret"] = spec.secret
        return json_response(json_bytes(answer), status=201)

    def remove_watch(request: Request) -> Response:
        check_token(state, request)
        found = find_watch(parse_id("watch", request.path_params["watch_id"]))
        # By its name, which is unique and which the store's lookup puts first.
        state.store().remove_watch(found.name)
        return Response(status_code=204)

    def list_alerts(request: Request) -> Response:
        query = Query(request)
        raw_since = query.text("since", 40)
        try:
            since = parse_when(raw_since)
        except CrosswireError as err:
            raise ApiError(422, f"query since: {err}")
        watch_id = query.whole("watch", 0, 1, 10**15) or None
        limit = query.whole("limit", 100, 1, MAX_LIMIT)
        alerts = state.store().alerts(since=since, watch_id=watch_id, limit=limit)
        return json_response(json_bytes({"alerts": [alert_json(a) for a in alerts], "limit": limit}))

    def watch_feed(request: Request) -> Response:
        watch = find_watch(parse_id("watch", request.path_params["watch_id"]))
        limit = Query(request).whole("limit", FEED_ENTRIES, 1, MAX_LIMIT)
        store = state.store()
        alerts = store.alerts(watch_id=watch.id, limit=limit)
        body = atom_feed(watch, alerts, store.store_id() or "store", str(request.base_url))
        return Response(body, media_type=ATOM_TYPE, headers={"Cache-Control": "no-cache"})

    def list_sources(request: Request) -> Response:
        return json_response(json_bytes({"sources": [source_json(s) for s in state.store().sources()]}))

    return [
        Route("/api/watches", list_watches, methods=["GET"]),
        Route("/api/watches", add_watch, methods=["POST"]),
        Route("/api/watches/{watch_id}", remove_watch, methods=["DELETE"]),
        Route("/api/watches/{watch_id}/alerts.atom", watch_feed, methods=["GET"]),
        Route("/api/alerts", list_alerts, methods=["GET"]),
        Route("/api/sources", list_sources, methods=["GET"]),
    ]
