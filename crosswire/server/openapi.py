"""The OpenAPI 3.1 description of the API, served at /api/openapi.json.

Written by hand, next to the routes it describes; ``tests/test_server_api.py``
checks that every route of the app appears here with its methods, so the two
cannot drift apart.
"""
from __future__ import annotations

from typing import Any

from crosswire.ingest.outcome import CODES

ERROR = {
    "type": "object", "required": ["error"],
    "properties": {"error": {
        "type": "object", "required": ["status", "code", "message"],
        "properties": {
            "status": {"type": "integer", "description": "the HTTP status, again"},
            "code": {"type": "string", "description": "bad_request, bad_id, bad_host, bad_origin, unauthorized, "
                                                      "forbidden, not_found, method_not_allowed, too_large, "
                                                      "unsupported_media_type, invalid, conflict, busy, "
                                                      "unavailable, internal"},
            "message": {"type": "string", "description": "one line: what is wrong, and with what"},
        },
    }},
    "example": {"error": {"status": 404, "code": "not_found", "message": "story 99: no such story"}},
}

ARTICLE_IN = {
    "type": "object", "required": ["id", "text"],
    "properties": {
        "id": {"type": ["string", "integer"], "description": "your id for the article"},
        "text": {"type": "string", "description": "the body, one paragraph a line"},
        "title": {"type": "string"},
        "url": {"type": "string"},
        "source": {"type": "string", "description": "the outlet"},
        "published": {"type": "string", "description": "ISO 8601 or RFC 2822 date or date-time (stored in "
                                                         "ISO 8601, UTC); one that cannot be read is a 422"},
        "language": {"type": "string", "description": "language code such as ar, nb, zh-CN (detected when absent)"},
    },
}

STORY_SUMMARY = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"}, "headline": {"type": "string"},
        "headline_language": {"type": ["string", "null"]},
        "languages": {"type": "array", "items": {"type": "string"}},
        "sources": {"type": "array", "items": {"type": "string"},
                    "description": "who published the articles: each one's outlet, else its URL's host, "
                                   "else its file's name, else its id"},
        "first_seen": {"type": "string"}, "last_seen": {"type": "string"}, "size": {"type": "integer"},
        "article_ids": {"type": "array", "items": {"type": "object"}},
    },
}

OUTCOME = {
    "type": "object",
    "properties": {
        "where": {"type": "string", "description": "body, or body:LINE for JSON Lines"},
        "id": {"type": ["string", "null"]},
        "status": {"enum": ["added", "duplicate", "failed"]},
        "article": {"type": ["integer", "null"], "description": "store id"},
        "story": {"type": ["integer", "null"]},
        "joined": {"type": "boolean", "description": "added to a story that already existed"},
        "code": {"enum": [*CODES, None], "description": "why it was not added (null when it was); a duplicate "
                 "is already_stored, repeated (the same as an earlier item of the body) or stored_meanwhile (by "
                 "another writer meanwhile)"},
        "reason": {"type": ["string", "null"]},
    },
}

LANG_CODE = {"type": "string", "description": "a language code like ar, nb or zh-CN"}
TIME = {"type": ["string", "null"], "description": "ISO 8601, UTC, with microseconds"}
WATCH_IN = {
    "type": "object", "required": ["name"], "additionalProperties": False,
    "description": "At least one condition (entities, text, languages, min_languages). Each bad field is "
                   "named in the 422 error's message (`field: problem; ...`).",
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 100,
                 "description": "one line, unique, not a bare number"},
        "entities": {"type": "array", "maxItems": 50, "items": {"type": "string", "minLength": 1, "maxLength": 200},
                     "description": "names (people, places, organisations), matched across scripts"},
        "text": {"type": "string", "maxLength": 500, "description": "words an article's title or text holds, every one"},
        "languages": {"type": "array", "maxItems": 50, "items": LANG_CODE,
                      "description": "an article in one of these languages"},
        "min_languages": {"type": "integer", "minimum": 2, "maximum": 50,
                          "description": "alert when a matching story reaches this many languages"},
        "webhook": {"type": "string", "format": "uri", "maxLength": 2000, "description": "http or https URL"},
        "secret": {"type": "string", "minLength": 16, "maxLength": 200,
                   "description": "the HMAC-SHA256 key of the webhook's signatures (only with a webhook); made "
                                  "when a webhook comes without one, and answered once"},
    },
}
WATCH = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"}, "name": {"type": "string"},
        "entities": {"type": "array", "items": {"type": "string"}},
        "text": {"type": ["string", "null"]},
        "languages": {"type": "array", "items": {"type": "string"}},
        "min_languages": {"type": ["integer", "null"]},
        "webhook": {"type": ["string", "null"]},
        "signed": {"type": "boolean", "description": "its webhook's deliveries are signed (the secret is never shown)"},
        "created_at": TIME,
        "alerts": {"type": "integer", "description": "alerts recorded"},
        "latest_alert_at": TIME,
        "atom": {"type": "string", "description": "path of its alerts' Atom feed"},
        "secret": {"type": "string", "description": "only in the answer to POST /api/watches, and only when "
                                                    "the secret was made there: keep it, it is not shown again"},
    },
}
ALERT = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"}, "watch_id": {"type": "integer"}, "watch": {"type": "string"},
        "story_id": {"type": "integer"},
        "event": {"type": "string", "description": "story (a new matching story), languages (it reached more "
                                                  "languages), outlet (a new outlet reports it)"},
        "key": {"type": "string", "description": "what makes it one event of its watch"},
        "detail": {"type": "object", "description": "story, title, languages, outlets, articles, matched, "
                                                   "outlet (event outlet), reason (one line)"},
        "created_at": TIME,
        "page": {"type": "string", "description": "the story on this server's page"},
    },
}
SOURCE = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"}, "url": {"type": "string"}, "title": {"type": ["string", "null"]},
        "language": {"type": ["string", "null"]}, "added_at": TIME, "last_fetch_at": TIME, "last_new_at": TIME,
        "last_status": {"type": ["integer", "null"], "description": "HTTP status of the last fetch"},
        "next_fetch_at": TIME,
        "failures": {"type": "integer", "description": "failed fetches in a row"},
        "errors": {"type": "integer", "description": "errors since it was added"},
        "last_error": {"type": ["string", "null"]},
        "articles": {"type": "integer", "description": "articles stored from it"},
    },
}


def _param(name: str, where: str, description: str, schema: dict[str, Any], required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": where, "required": required, "description": description, "schema": schema}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*statuses: int) -> dict[str, Any]:
    return {str(s): _json({"$ref": "#/components/schemas/Error"}, "error (the one error shape)") for s in statuses}


LANG = {"type": "string", "pattern": "^[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,8})*$"}
ID = {"type": "string", "pattern": "^[0-9]{1,15}$"}
TOKEN_WRITE = ("Needs `Authorization: Bearer TOKEN` when the server has a token (401 without it, 403 for "
               "a wrong one).")


def document(version: str) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "crosswire", "version": version,
                 "description": "Read the news across languages: stories, and how each outlet tells them. "
                                "Every error has the shape of components/schemas/Error. Every request must "
                                "name a host the server serves (Host header): another name gets 421 bad_host, "
                                "a missing or malformed one 400 bad_host; a write with an Origin header from "
                                "another origin gets 403 bad_origin."},
        "paths": {
            "/api/health": {"get": {
                "summary": "Server and store status",
                "responses": {"200": _json({"type": "object"}, "status, version, articles, stories, embedder, "
                                                               "writes_need_token, max_body, write_timeout, "
                                                               "limits (max_chars, max_sentences)"),
                              **_errors(500)}}},
            "/api/stories": {"get": {
                "summary": "List and search stories, most recently active first",
                "parameters": [
                    _param("q", "query", "only stories with an article holding all these words (any case), or "
                           "naming them in any script", {"type": "string", "maxLength": 500}),
                    _param("outlet", "query", "only stories with an article from this outlet (its name, or a site "
                           "such as lemonde.fr)", {"type": "string", "maxLength": 500}),
                    _param("lang", "query", "only stories with an article in this language", LANG),
                    _param("since", "query", "only stories active on or after this ISO date", {"type": "string"}),
                    _param("until", "query", "only stories begun on or before this ISO date", {"type": "string"}),
                    _param("reader_lang", "query", "headlines in this language where a story has one", LANG),
                    _param("limit", "query", "at most this many", {"type": "integer", "minimum": 1, "maximum": 500,
                                                                  "default": 50}),
                    _param("offset", "query", "skip this many", {"type": "integer", "minimum": 0, "default": 0}),
                ],
                "responses": {"200": _json({"type": "object", "properties": {
                    "stories": {"type": "array", "items": {"$ref": "#/components/schemas/StorySummary"}},
                    "total": {"type": "integer"}, "offset": {"type": "integer"}, "limit": {"type": "integer"}}},
                    "the page of stories, and how many match in all"), **_errors(422)}}},
            "/api/stories/{story_id}": {"get": {
                "summary": "One story: its articles compared side by side, and the story report",
                "parameters": [_param("story_id", "path", "story id (from /api/stories)", ID, True),
                               _param("lang", "query", "the reader's language (summary, headline)", LANG)],
                "responses": {"200": _json({"type": "object"},
                                           "the JSON of `crosswire story --format json` (format_version, embedder, "
                                           "articles, pairs) with `id` and `report` (facts aligned row by row, "
                                           "quotes by speaker, entities, summary)"),
                              **_errors(400, 404, 422)}}},
            "/api/articles": {"post": {
                "summary": "Add one article (application/json) or a batch (application/x-ndjson, JSON Lines)",
                "description": "Each article is analysed, stored and placed in a story. Needs "
                               "`Authorization: Bearer TOKEN` when the server has a token. A body over the "
                               "server's --max-body gets 413; an article over --max-chars or --max-sentences "
                               "fails (its line, or a 422). A batch answers per line; when nothing in the "
                               "body could be used the answer is a 422 error naming the first problem. "
                               "Writes take turns: one that does not get its turn within --write-timeout, "
                               "or finds the store locked by another process past SQLite's busy timeout, "
                               "gets 503 with code busy and a Retry-After header (seconds); articles "
                               "stored before that are complete, so the same body can be sent again.",
                "requestBody": {"required": True, "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/ArticleIn"}},
                    "application/x-ndjson": {"schema": {"type": "string",
                                                        "description": "one ArticleIn object a line"}}}},
                "responses": {
                    "201": _json({"$ref": "#/components/schemas/AddResult"}, "at least one article was added"),
                    "200": _json({"$ref": "#/components/schemas/AddResult"}, "nothing new (all duplicates)"),
                    **_errors(400, 401, 403, 409, 413, 415, 422, 503)}}},
            "/api/articles/{article_id}": {"get": {
                "summary": "One stored article with its sentences",
                "parameters": [_param("article_id", "path", "store id of the article", ID, True)],
                "responses": {"200": _json({"type": "object"}, "the article as in `crosswire analyze`, with "
                                                               "store_id and story_id"),
                              **_errors(400, 404)}}},
            "/api/watches": {
                "get": {
                    "summary": "The watch-lists, with how many alerts each raised (secrets never shown)",
                    "responses": {"200": _json({"type": "object", "properties": {
                        "watches": {"type": "array", "items": {"$ref": "#/components/schemas/Watch"}}}},
                        "every watch, oldest first"), **_errors(500)}},
                "post": {
                    "summary": "Make a watch-list",
                    "description": f"{TOKEN_WRITE} A webhook without a secret gets one made, answered in "
                                   "`secret` this once. A name already taken is a 409.",
                    "requestBody": {"required": True, "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/WatchIn"}}}},
                    "responses": {"201": _json({"$ref": "#/components/schemas/Watch"}, "the watch made"),
                                  **_errors(400, 401, 403, 409, 413, 415, 422, 503)}}},
            "/api/watches/{watch_id}": {"delete": {
                "summary": "Remove a watch-list, with its alerts",
                "description": TOKEN_WRITE,
                "parameters": [_param("watch_id", "path", "watch id (from /api/watches)", ID, True)],
                "responses": {"204": {"description": "removed"}, **_errors(400, 401, 403, 404, 503)}}},
            "/api/watches/{watch_id}/alerts.atom": {"get": {
                "summary": "A watch's latest alerts as an Atom 1.0 feed, for feed readers",
                "description": "Feed and entry ids are stable URNs (`urn:crosswire:STORE:watch:ID`, "
                               "`urn:crosswire:STORE:alert:ID`); each entry's title is the alert's reason, its "
                               "link the story on this server's page, its content the languages and outlets.",
                "parameters": [_param("watch_id", "path", "watch id (from /api/watches)", ID, True),
                               _param("limit", "query", "at most this many entries",
                                      {"type": "integer", "minimum": 1, "maximum": 500, "default": 50})],
                "responses": {"200": {"description": "the feed",
                                      "content": {"application/atom+xml": {"schema": {"type": "string"}}}},
                              **_errors(400, 404, 422)}}},
            "/api/alerts": {"get": {
                "summary": "Alerts of every watch (or one), latest first",
                "parameters": [
                    _param("since", "query", "only alerts recorded at or after this ISO date or date-time "
                                             "(a `created_at` given back is kept)", {"type": "string"}),
                    _param("watch", "query", "only this watch's alerts (its id)", {"type": "integer", "minimum": 1}),
                    _param("limit", "query", "at most this many", {"type": "integer", "minimum": 1, "maximum": 500,
                                                                  "default": 100}),
                ],
                "responses": {"200": _json({"type": "object", "properties": {
                    "alerts": {"type": "array", "items": {"$ref": "#/components/schemas/Alert"}},
                    "limit": {"type": "integer"}}}, "the alerts"), **_errors(422)}}},
            "/api/sources": {"get": {
                "summary": "The followed sources (feeds) and what their fetches found",
                "responses": {"200": _json({"type": "object", "properties": {
                    "sources": {"type": "array", "items": {"$ref": "#/components/schemas/Source"}}}},
                    "every source, in the order they were added"), **_errors(500)}}},
            "/api/openapi.json": {"get": {
                "summary": "This document", "responses": {"200": _json({"type": "object"}, "OpenAPI 3.1")}}},
        },
        "components": {"schemas": {
            "Error": ERROR, "ArticleIn": ARTICLE_IN, "StorySummary": STORY_SUMMARY,
            "WatchIn": WATCH_IN, "Watch": WATCH, "Alert": ALERT, "Source": SOURCE,
            "AddResult": {"type": "object", "properties": {
                "added": {"type": "integer"}, "duplicates": {"type": "integer"}, "failed": {"type": "integer"},
                "results": {"type": "array", "items": OUTCOME}}},
        }},
    }
