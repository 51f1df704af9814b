"""Watch-lists, alerts and sources over crosswire serve's API: a real server on loopback over a
real SQLite file (no model: these routes never analyse an article).

Watches are made and removed through the API (behind the token as every write); alerts and
sources are recorded straight into the store, as the watchers and the poller will record them.
The Atom feed is read with feedparser, as a feed reader would read it.
"""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator

import feedparser
import pytest
from server_support import Answer, ThreadServer

from crosswire.server import ServeOptions
from crosswire.store.base import Watch
from crosswire.store.sqlite import Store
from crosswire.watch.rules import InvalidWatch, validate_watch

JSON = {"Content-Type": "application/json"}
TOKEN = "s3cret-s3cret-s3cret"


def error_of(answer: Answer, status: int) -> dict[str, Any]:
    """The one error shape, with this status; returns the error object."""
    assert answer.status == status, (answer.status, answer.body[:300])
    assert answer.headers["content-type"].startswith("application/json")
    body = answer.json()
    assert set(body) == {"error"} and set(body["error"]) == {"status", "code", "message"}
    assert body["error"]["status"] == status and "\n" not in body["error"]["message"]
    return body["error"]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("watches") / "watches.db"


@pytest.fixture(scope="module")
def server(db: Path) -> Iterator[ThreadServer]:
    running = ThreadServer(ServeOptions(db=str(db), embedder="hash"))
    yield running
    running.stop()


@pytest.fixture()
def store(db: Path, server: ThreadServer) -> Iterator[Store]:
    """A connection of the test's own to the server's store, as the watcher's would be."""
    opened = Store(db, create=False)
    yield opened
    opened.close()


def make(server: ThreadServer, body: dict[str, Any], headers: dict[str, str] | None = None) -> Answer:
    return server("POST", "/api/watches", body, headers)


def listed(server: ThreadServer) -> dict[str, dict[str, Any]]:
    answer = server("GET", "/api/watches")
    assert answer.status == 200
    return {w["name"]: w for w in answer.json()["watches"]}


def alert(store: Store, watch: Watch, story: int, event: str, reason: str, **detail: Any) -> int:
    made = store.add_alert(watch, story, event, f"{event}:{story}:{reason}", {"story": story, "reason": reason, **detail})
    assert made is not None
    return made.id


# --- making, listing, removing ------------------------------------------------------------------

def test_a_watch_is_made_listed_and_removed(server: ThreadServer) -> None:
    answer = make(server, {"name": "Rutte and Ishiba", "entities": ["Mark Rutte", "Shigeru Ishiba", "Mark Rutte"],
                           "text": " NATO summit ", "languages": ["AR", "nb", "zh_cn"], "min_languages": 2})
    assert answer.status == 201, answer.body
    made = answer.json()
    assert made["name"] == "Rutte and Ishiba"
    assert made["entities"] == ["Mark Rutte", "Shigeru Ishiba"]   # a repeated name kept once
    assert made["text"] == "NATO summit" and made["languages"] == ["ar", "nb", "zh-CN"]
    assert made["min_languages"] == 2 and made["webhook"] is None and made["signed"] is False
    assert "secret" not in made and made["alerts"] == 0 and made["latest_alert_at"] is None
    assert made["atom"] == f"/api/watches/{made['id']}/alerts.atom"

    shown = listed(server)["Rutte and Ishiba"]
    assert shown == made

    assert server("DELETE", f"/api/watches/{made['id']}").status == 204
    assert "Rutte and Ishiba" not in listed(server)
    assert error_of(server("DELETE", f"/api/watches/{made['id']}"), 404)["message"] == f"watch {made['id']}: no such watch"


def test_a_name_taken_is_a_409(server: ThreadServer) -> None:
    assert make(server, {"name": "twice", "text": "harbour bridge"}).status == 201
    error = error_of(make(server, {"name": "twice", "entities": ["Oslo"]}), 409)
    assert error["code"] == "conflict" and "'twice'" in error["message"]
    assert [w["text"] for n, w in listed(server).items() if n == "twice"] == ["harbour bridge"]


def test_removing_by_id_never_removes_a_watch_named_like_that_id(server: ThreadServer, store: Store) -> None:
    # The store's lookup takes a name or an id and prefers the name; the route asks for the id only.
    first = store.add_watch("alpha", entities=("Alpha",))
    assert first is not None
    assert store.add_watch(str(first.id), entities=("Beta",)) is not None  # made past the rules, as an old CLI might
    assert server("DELETE", f"/api/watches/{first.id}").status == 204
    names = listed(server)
    assert "alpha" not in names and str(first.id) in names


BAD_BODIES: list[tuple[dict[str, Any], str]] = [
    ({"name": "no condition"}, "conditions: a watch needs at least one of entities, text, languages or min_languages"),
    ({"name": "empty conditions", "entities": [], "languages": [], "text": "  "}, "conditions: a watch needs"),
    ({"text": "words"}, "name: missing"),
    ({"name": "", "text": "words"}, "name: must not be empty"),
    ({"name": 5, "text": "words"}, "name: must be a string, got a number"),
    ({"name": "two\nlines", "text": "words"}, "name: must not hold control characters"),
    ({"name": "x" * 101, "text": "words"}, "name: at most 100 characters, got 101"),
    ({"name": "42", "text": "words"}, "name: must not be a bare number"),
    ({"name": "w", "entities": "Mark Rutte"}, "entities: must be a list of strings, got a string"),
    ({"name": "w", "entities": ["Rutte", 5]}, "entities[1]: must be a string, got a number"),
    ({"name": "w", "entities": [""]}, "entities[0]: must not be empty"),
    ({"name": "w", "entities": ["x" * 201]}, "entities[0]: at most 200 characters, got 201"),
    ({"name": "w", "text": "x" * 501}, "text: at most 500 characters, got 501"),
    ({"name": "w", "text": ["words"]}, "text: must be a string, got a list"),
    ({"name": "w", "languages": ["english"]}, "languages[0]: 'english' is not a language code"),
    ({"name": "w", "languages": "ar"}, "languages: must be a list of strings"),
    ({"name": "w", "min_languages": 1}, "min_languages: must be a whole number from 2 to 50, got 1"),
    ({"name": "w", "min_languages": 51}, "min_languages: must be a whole number from 2 to 50, got 51"),
    ({"name": "w", "min_languages": "3"}, "min_languages: must be a whole number from 2 to 50, got a string"),
    ({"name": "w", "min_languages": True}, "min_languages: must be a whole number from 2 to 50, got a boolean"),
    ({"name": "w", "min_languages": 2.5}, "min_languages: must be a whole number from 2 to 50, got a number"),
    ({"name": "w", "text": "a", "webhook": "ftp://example.org/hook"}, "webhook: must be an http or https URL, got 'ftp'"),
    ({"name": "w", "text": "a", "webhook": "javascript:alert(1)"}, "webhook: must be an http or https URL"),
    ({"name": "w", "text": "a", "webhook": "https://"}, "webhook: not a URL with a host"),
    ({"name": "w", "text": "a", "webhook": "http://example.org:port/"}, "webhook: not a URL"),
    ({"name": "w", "text": "a", "secret": "s" * 20}, "secret: only with a webhook"),
    ({"name": "w", "text": "a", "webhook": "https://example.org/h", "secret": "short"}, "secret: too short"),
    ({"name": "w", "text": "a", "entity": ["Rutte"]}, "entity: unknown field"),
]


@pytest.mark.parametrize("body,message", BAD_BODIES, ids=[m[:40] for _, m in BAD_BODIES])
def test_a_bad_watch_is_a_422_naming_the_field(server: ThreadServer, body: dict[str, Any], message: str) -> None:
    before = listed(server)
    error = error_of(make(server, body), 422)
    assert error["code"] == "invalid" and error["message"].startswith(message), error["message"]
    assert listed(server) == before


def test_every_bad_field_is_named_at_once() -> None:
    with pytest.raises(InvalidWatch) as caught:
        validate_watch({"name": "", "min_languages": 99, "webhook": "ftp://x"})
    assert [field for field, _ in caught.value.problems] == ["name", "min_languages", "webhook"]
    assert str(caught.value).startswith("watch: name: must not be empty; min_languages: ")


BAD_REQUESTS: list[tuple[bytes, dict[str, str], int]] = [
    (b'{"name": "x", ', JSON, 400),
    (b"", JSON, 400),
    (b'{"name": "caf\xe9", "text": "a"}', JSON, 400),
    (b"[" * 50_000, JSON, 400),
    (b'[{"name": "x", "text": "a"}]', JSON, 422),
    (b"null", JSON, 422),
    (b'{"name": "x", "text": "a"}', {"Content-Type": "text/plain"}, 415),
    (b'{"name": "x", "text": "a"}', {}, 415),
    (b'{"name": "x", "text": "' + b"a" * 70_000 + b'"}', JSON, 413),
]


@pytest.mark.parametrize("body,headers,status", BAD_REQUESTS, ids=[f"{s} {b[:20]!r}" for b, _, s in BAD_REQUESTS])
def test_a_body_that_is_no_json_object_gets_the_error_shape(server: ThreadServer, body: bytes,
                                                            headers: dict[str, str], status: int) -> None:
    error_of(server("POST", "/api/watches", body, headers), status)


def test_bad_ids_and_methods(server: ThreadServer) -> None:
    assert error_of(server("DELETE", "/api/watches/abc"), 400)["code"] == "bad_id"
    assert error_of(server("DELETE", "/api/watches/%2e%2e"), 400)["code"] == "bad_id"
    assert error_of(server("GET", "/api/watches/99999/alerts.atom"), 404)["message"] == "watch 99999: no such watch"
    assert error_of(server("GET", "/api/watches/x/alerts.atom"), 400)["code"] == "bad_id"
    assert error_of(server("PUT", "/api/watches", {"name": "x"}), 405)["code"] == "method_not_allowed"
    assert error_of(server("POST", "/api/alerts", {}), 405)["code"] == "method_not_allowed"
    assert error_of(server("POST", "/api/sources", {}), 405)["code"] == "method_not_allowed"


# --- secrets ---------------------------------------------------------------------------------------

def test_a_webhook_secret_is_answered_once_and_never_read_back(server: ThreadServer, store: Store) -> None:
    made = make(server, {"name": "hooked", "entities": ["Oslo"], "webhook": "https://hooks.example.org/in?x=1"})
    assert made.status == 201
    secret = made.json()["secret"]
    assert len(secret) >= 32 and made.json()["signed"] is True
    given = "a-secret-of-my-own-choosing"
    chosen = make(server, {"name": "hooked too", "text": "harbour", "webhook": "http://127.0.0.1:9/h", "secret": given})
    assert chosen.status == 201 and "secret" not in chosen.json() and chosen.json()["signed"] is True

    watch = store.watch("hooked")
    assert watch is not None and watch.secret == secret  # the store keeps it, for signing
    alert(store, watch, 1, "story", "Oslo: a new story in nb")
    answers = [server("GET", path).body for path in (
        "/api/watches", "/api/alerts", f"/api/alerts?watch={watch.id}", f"/api/watches/{watch.id}/alerts.atom",
        f"/api/watches/{chosen.json()['id']}/alerts.atom", "/api/sources")]
    for body in answers:
        assert secret.encode() not in body and given.encode() not in body
    shown = listed(server)["hooked"]
    assert shown["webhook"] == "https://hooks.example.org/in?x=1" and "secret" not in shown


# --- the token ---------------------------------------------------------------------------------------

def test_with_a_token_watch_writes_need_it_and_reads_do_not(tmp_path: Path) -> None:
    running = ThreadServer(ServeOptions(db=str(tmp_path / "t.db"), embedder="hash", token=TOKEN))
    body = {"name": "guarded", "text": "harbour"}
    try:
        missing = make(running, body)
        assert error_of(missing, 401)["code"] == "unauthorized" and missing.headers["www-authenticate"] == "Bearer"
        assert error_of(make(running, body, {"Authorization": "Bearer wrong"}), 403)["message"] == "wrong token"
        assert error_of(make(running, body, {"Authorization": f"Basic {TOKEN}"}), 401)
        assert listed(running) == {}
        made = make(running, body, {"Authorization": f"Bearer {TOKEN}"})
        assert made.status == 201
        path = f"/api/watches/{made.json()['id']}"
        assert error_of(running("DELETE", path), 401)
        assert error_of(running("DELETE", path, None, {"Authorization": "Bearer wrong"}), 403)
        # Another site's page, even with the token: refused before the route (the guard's rule for writes).
        foreign = {"Authorization": f"Bearer {TOKEN}", "Origin": "http://evil.example"}
        assert error_of(running("DELETE", path, None, foreign), 403)["code"] == "bad_origin"
        assert list(listed(running)) == ["guarded"]  # reads need no token
        assert running("GET", "/api/alerts").status == 200 and running("GET", f"{path}/alerts.atom").status == 200
        assert running("DELETE", path, None, {"Authorization": f"Bearer {TOKEN}"}).status == 204
        assert listed(running) == {}
    finally:
        running.stop()


# --- alerts ------------------------------------------------------------------------------------------

@pytest.fixture()
def watched(server: ThreadServer, store: Store) -> Iterator[tuple[Watch, Watch, list[int]]]:
    """Two watches, with three alerts and one alert; removed afterwards (with their alerts)."""
    ids = [make(server, {"name": name, "entities": [entity]}).json()["id"]
           for name, entity in (("Rutte", "Mark Rutte"), ("Volcano", "Grindavik"))]
    rutte, volcano = (store.watch(str(i)) for i in ids)
    assert rutte is not None and volcano is not None
    alerts = [
        alert(store, rutte, 7, "story", "Mark Rutte: a new story in ar, nb (2 outlets)", title="Rutte meets Ishiba",
              languages=["ar", "nb"], outlets=["Al Jazeera", "NRK"], articles=2, matched=["Mark Rutte"]),
        alert(store, volcano, 9, "story", "Grindavik: a new story in en (1 outlet)", languages=["en"],
              outlets=["Nordic Wire"], articles=1, matched=["Grindavik"]),
        alert(store, rutte, 7, "languages", "Mark Rutte: the story is now in 3 languages (ar, ja, nb)",
              languages=["ar", "ja", "nb"], outlets=["Al Jazeera", "NRK", "NHK"], articles=3, matched=["Mark Rutte"]),
        alert(store, rutte, 7, "outlet", "Mark Rutte: NHK reports it", languages=["ar", "ja", "nb"],
              outlets=["Al Jazeera", "NRK", "NHK"], articles=3, matched=["Mark Rutte"], outlet="NHK"),
    ]
    yield rutte, volcano, alerts
    for watch_id in ids:
        server("DELETE", f"/api/watches/{watch_id}")


def test_alerts_are_listed_latest_first_and_filtered(server: ThreadServer, watched: tuple[Watch, Watch, list[int]]) -> None:
    rutte, volcano, ids = watched
    every = server("GET", "/api/alerts").json()
    assert [a["id"] for a in every["alerts"] if a["id"] in ids] == ids[::-1] and every["limit"] == 100
    by_id = {a["id"]: a for a in every["alerts"]}
    first = by_id[ids[0]]
    assert first["watch"] == "Rutte" and first["story_id"] == 7 and first["event"] == "story"
    assert first["detail"]["outlets"] == ["Al Jazeera", "NRK"] and first["page"] == "/#/story/7"

    mine = server("GET", f"/api/alerts?watch={rutte.id}").json()["alerts"]
    assert [a["id"] for a in mine] == [ids[3], ids[2], ids[0]]
    assert [a["id"] for a in server("GET", f"/api/alerts?watch={rutte.id}&limit=1").json()["alerts"]] == [ids[3]]

    # since: a created_at given back keeps that alert and the later ones.
    later = server("GET", f"/api/alerts?since={by_id[ids[1]]['created_at']}").json()["alerts"]
    assert sorted(a["id"] for a in later) == sorted(ids[1:])
    tomorrow = (datetime.now(timezone.utc) + timedelta(days=1)).date().isoformat()
    assert server("GET", f"/api/alerts?since={tomorrow}").json()["alerts"] == []
    assert len(server("GET", "/api/alerts?since=2000-01-01").json()["alerts"]) >= 4

    watches = listed(server)
    assert watches["Rutte"]["alerts"] == 3 and watches["Volcano"]["alerts"] == 1
    assert watches["Rutte"]["latest_alert_at"] == mine[0]["created_at"]
    assert server("GET", "/api/alerts?watch=999999").json()["alerts"] == []


@pytest.mark.parametrize("query,name", [("since=yesterday", "since"), ("since=2025-13-45", "since"),
                                        ("limit=0", "limit"), ("limit=501", "limit"), ("limit=ten", "limit"),
                                        ("watch=abc", "watch"), ("watch=0", "watch")])
def test_a_bad_alerts_query_is_a_422_naming_it(server: ThreadServer, query: str, name: str) -> None:
    assert error_of(server("GET", f"/api/alerts?{query}"), 422)["message"].startswith(f"query {name}: ")


def test_removing_a_watch_removes_its_alerts(server: ThreadServer, store: Store) -> None:
    made = make(server, {"name": "short-lived", "text": "harbour"}).json()
    watch = store.watch("short-lived")
    assert watch is not None
    alert(store, watch, 3, "story", "harbour: a new story in en")
    assert len(server("GET", f"/api/alerts?watch={made['id']}").json()["alerts"]) == 1
    assert server("DELETE", f"/api/watches/{made['id']}").status == 204
    assert server("GET", f"/api/alerts?watch={made['id']}").json()["alerts"] == []
    error_of(server("GET", f"/api/watches/{made['id']}/alerts.atom"), 404)


# --- the Atom feed -----------------------------------------------------------------------------------

def test_a_watchs_alerts_are_an_atom_feed_a_reader_accepts(server: ThreadServer, store: Store,
                                                          watched: tuple[Watch, Watch, list[int]]) -> None:
    rutte, _, ids = watched
    path = f"/api/watches/{rutte.id}/alerts.atom"
    answer = server("GET", path)
    assert answer.status == 200 and answer.headers["content-type"] == "application/atom+xml; charset=utf-8"
    assert ET.fromstring(answer.body).tag == "{http://www.w3.org/2005/Atom}feed"
    feed = feedparser.parse(answer.body)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.title == "crosswire: Rutte"
    store_id = store.store_id()
    assert store_id and feed.feed.id == f"urn:crosswire:{store_id}:watch:{rutte.id}"
    base = f"http://127.0.0.1:{server.port}"
    assert [link.href for link in feed.feed.links if link.rel == "self"] == [base + path]

    titles = [e.title for e in feed.entries]
    assert titles == ["Mark Rutte: NHK reports it", "Mark Rutte: the story is now in 3 languages (ar, ja, nb)",
                      "Mark Rutte: a new story in ar, nb (2 outlets)"]
    assert [e.id for e in feed.entries] == [f"urn:crosswire:{store_id}:alert:{i}" for i in (ids[3], ids[2], ids[0])]
    assert {e.link for e in feed.entries} == {f"{base}/#/story/7"}
    oldest = feed.entries[-1]
    assert "Languages: ar, nb" in oldest.summary and "Outlets: Al Jazeera, NRK" in oldest.summary
    assert oldest.content[0].type == "text/plain"
    assert "New outlet: NHK" in feed.entries[0].summary
    assert feed.feed.updated_parsed == feed.entries[0].updated_parsed
    assert oldest.published_parsed == oldest.updated_parsed

    again = feedparser.parse(server("GET", path).body)
    assert [e.id for e in again.entries] == [e.id for e in feed.entries] and again.feed.id == feed.feed.id
    assert len(feedparser.parse(server("GET", f"{path}?limit=2").body).entries) == 2
    assert error_of(server("GET", f"{path}?limit=0"), 422)["message"].startswith("query limit: ")


def test_the_feed_carries_hostile_text_as_text(server: ThreadServer, store: Store) -> None:
    made = make(server, {"name": "<b>bold</b> & \"quoted\"", "text": "harbour"}).json()
    watch = store.watch(str(made["id"]))
    assert watch is not None
    reason = "Harbour <script>alert(1)</script> & \x01co\x1b[31mntrol ]]> done"
    alert(store, watch, 4, "story", reason, outlets=["<i>Gazette</i>"], languages=["en"])
    body = server("GET", made["atom"]).body
    assert b"<script>" not in body and b"<i>" not in body
    feed = feedparser.parse(body)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.feed.title == "crosswire: <b>bold</b> & \"quoted\""
    [entry] = feed.entries
    assert entry.title == "Harbour <script>alert(1)</script> & co[31mntrol ]]> done"  # what XML cannot hold is dropped
    assert "Outlets: <i>Gazette</i>" in entry.summary
    server("DELETE", f"/api/watches/{made['id']}")


def test_an_empty_feed_is_still_a_feed(server: ThreadServer) -> None:
    made = make(server, {"name": "quiet", "min_languages": 5}).json()
    feed = feedparser.parse(server("GET", made["atom"]).body)
    assert not feed.bozo and feed.entries == [] and feed.feed.title == "crosswire: quiet"
    assert feed.feed.updated_parsed is not None
    server("DELETE", f"/api/watches/{made['id']}")


# --- sources -----------------------------------------------------------------------------------------

def test_the_followed_sources_are_listed(server: ThreadServer, store: Store) -> None:
    source, added = store.add_source("https://www.nrk.no/toppsaker.rss", title="NRK", language="nb")
    assert added
    store.record_fetch(source.id, status=200, next_fetch_at=datetime.now(timezone.utc) + timedelta(minutes=15),
                       etag='"abc"')
    for n in range(3):  # three entries stored from it
        store.add_entry(f"https://www.nrk.no/{n}", source.id, None, new=True)
    broken, _ = store.add_source("https://example.org/feed.xml")
    store.record_fetch(broken.id, status=503, next_fetch_at=datetime.now(timezone.utc), error="HTTP 503")
    answer = server("GET", "/api/sources")
    assert answer.status == 200
    shown = {s["url"]: s for s in answer.json()["sources"]}
    nrk = shown["https://www.nrk.no/toppsaker.rss"]
    assert (nrk["title"], nrk["language"], nrk["last_status"], nrk["articles"], nrk["errors"]) == ("NRK", "nb", 200, 3, 0)
    assert nrk["last_fetch_at"] and nrk["last_new_at"] and nrk["next_fetch_at"] > nrk["last_fetch_at"]
    assert "etag" not in nrk
    bad = shown["https://example.org/feed.xml"]
    assert (bad["last_status"], bad["errors"], bad["failures"], bad["last_error"]) == (503, 1, 1, "HTTP 503")
    assert bad["last_new_at"] is None and bad["articles"] == 0
    assert json.loads(json.dumps(answer.json())) == answer.json()
