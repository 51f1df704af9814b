"""crosswire serve's JSON API, over a real server on loopback with the fast hash embedder.

Every route is walked with bad input (malformed JSON, wrong types, oversize
bodies, unknown ids, path tricks): each answer must be the one JSON error shape
with a fitting status, and the server must go on serving, its data intact.
"""
from __future__ import annotations

import json
import re
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from server_support import Answer, ProcessServer, ThreadServer

from crosswire.cli import main
from crosswire.server import ServeOptions
from crosswire.server.app import STATIC
from crosswire.server.guard import is_loopback as _is_loopback
from crosswire.server.openapi import document
from crosswire.server.routes import MAX_LIMIT

ROOT = Path(__file__).resolve().parents[1]
MAX_BODY = 64 * 1024

BRIDGE = {"id": "bridge", "title": "Harbour bridge vote delayed", "source": "Harbour Times", "language": "en",
          "published": "2025-03-10T09:00:00Z",
          "text": "The city council postponed its vote on the new harbour bridge.\n"
                  "Critics said the plan had been rushed through without a hearing."}
VOLCANO = {"id": "volcano", "title": "Volcano erupts near Reykjavik", "source": "Nordic Wire", "language": "en",
           "published": "2025-06-12T12:00:00Z",  # months apart: never the bridge's story
           "text": "A volcano erupted on the Reykjanes peninsula on Tuesday night.\n"
                   "Lava flowed towards the town of Grindavik, which had been evacuated."}


def error_shape(answer: Answer, status: int) -> dict:
    """The one error shape, with this status; returns the error object."""
    assert answer.status == status, (answer.status, answer.body[:300])
    assert answer.headers["content-type"].startswith("application/json")
    body = answer.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"status", "code", "message"}
    assert error["status"] == status
    assert re.fullmatch(r"[a-z_]+", error["code"])
    assert error["message"] and "\n" not in error["message"] and "Traceback" not in error["message"]
    return error


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    db = tmp_path_factory.mktemp("serve") / "api.db"
    running = ThreadServer(ServeOptions(db=str(db), embedder="hash", max_body=MAX_BODY))
    first = running("POST", "/api/articles", BRIDGE)
    assert first.status == 201, first.body
    yield running
    running.stop()


def count(server: ThreadServer) -> int:
    return server("GET", "/api/health").json()["articles"]


# --- adding and reading ------------------------------------------------------------------------

def test_one_article_is_stored_in_a_story_and_can_be_read_back(server: ThreadServer) -> None:
    answer = server("POST", "/api/articles", VOLCANO)
    assert answer.status == 201
    body = answer.json()
    assert (body["added"], body["duplicates"], body["failed"]) == (1, 0, 0)
    [result] = body["results"]
    assert result["status"] == "added" and result["id"] == "volcano"
    assert isinstance(result["article"], int) and isinstance(result["story"], int)

    article = server("GET", f"/api/articles/{result['article']}").json()
    assert article["id"] == "volcano" and article["outlet"] == "Nordic Wire"
    assert article["story_id"] == result["story"] and article["store_id"] == result["article"]
    assert [s["text"] for s in article["sentences"]][0] == "A volcano erupted on the Reykjanes peninsula on Tuesday night."

    story = server("GET", f"/api/stories/{result['story']}?lang=en").json()
    assert story["id"] == result["story"]
    assert "volcano" in [a["id"] for a in story["articles"]] and "bridge" not in [a["id"] for a in story["articles"]]
    report = story["report"]
    assert report["reader_language"] == "en" and "volcano" in report["columns"]
    volcano_rows = [fact for fact in report["facts"] if "volcano" in fact["cells"]]
    assert sorted(i for fact in volcano_rows for i in fact["cells"]["volcano"]) == [0, 1]


def test_posting_the_same_article_again_stores_nothing(server: ThreadServer) -> None:
    before = count(server)
    answer = server("POST", "/api/articles", BRIDGE)
    assert answer.status == 200
    [result] = answer.json()["results"]
    assert result["status"] == "duplicate" and result["article"] is not None
    assert count(server) == before


def test_a_batch_answers_line_by_line(server: ThreadServer) -> None:
    lines = [
        {"id": "b1", "text": "Farmers in Kenya report a record coffee harvest this year.", "language": "en"},
        {"id": "b2", "text": 5},                                              # wrong type
        {"id": "b3", "text": "Farmers in Kenya report a record coffee harvest this year.", "language": "en"},  # same
        {"id": "b4", "title": "no text"},                                     # missing field
    ]
    body = "\n".join(json.dumps(line) for line in lines).encode() + b"\n{not json\n"
    before = count(server)
    answer = server("POST", "/api/articles", body, {"Content-Type": "application/x-ndjson"})
    assert answer.status == 201
    data = answer.json()
    assert (data["added"], data["duplicates"], data["failed"]) == (1, 1, 3)
    statuses = [(r["where"], r["status"]) for r in data["results"]]
    assert statuses == [("body:1", "added"), ("body:2", "failed"), ("body:3", "duplicate"),
                        ("body:4", "failed"), ("body:5", "failed")]
    reasons = {r["where"]: r["reason"] for r in data["results"]}
    # The same messages as `crosswire ingest` reading a .jsonl file.
    assert reasons["body:2"] == "'text' must be a string, got a number"
    assert reasons["body:4"] == "missing 'text'"
    assert reasons["body:5"].startswith("not valid JSON")
    assert data["results"][2]["article"] == data["results"][0]["article"]
    assert count(server) == before + 1


def test_list_search_filter_and_pages(server: ThreadServer) -> None:
    server("POST", "/api/articles", VOLCANO)  # present whatever ran before
    every = server("GET", "/api/stories").json()
    assert every["total"] == len(every["stories"]) >= 2
    assert {"id", "headline", "languages", "sources", "size", "timeline", "first_seen"} <= set(every["stories"][0])

    found = server("GET", "/api/stories?q=REYKJANES").json()  # any case
    assert found["total"] == 1
    [story] = found["stories"]
    assert "volcano" in [a["ext_id"] for a in story["article_ids"]]
    assert {"day": "2025-06-12", "count": 1} in story["timeline"]
    assert sum(day["count"] for day in story["timeline"]) == story["size"]
    assert server("GET", "/api/stories?q=grindavik%20harbour").json()["total"] == 0  # every word must match
    assert server("GET", "/api/stories?lang=fr").json()["total"] == 0
    june = server("GET", "/api/stories?since=2025-06-01").json()["stories"]
    assert story["id"] in [s["id"] for s in june]
    assert all(s["last_seen"] >= "2025-06-01" for s in june)

    first = server("GET", "/api/stories?limit=1").json()
    second = server("GET", "/api/stories?limit=1&offset=1").json()
    assert len(first["stories"]) == len(second["stories"]) == 1
    assert first["stories"][0]["id"] != second["stories"][0]["id"]
    assert first["total"] == every["total"]


def test_a_story_names_its_sources_never_by_the_request_body(server: ThreadServer) -> None:
    """An article sent without an outlet is named by its URL's host, else by its own id, not "body"."""
    plain = {"id": "ferry-report", "language": "en",
             "text": "A ferry ran aground off the coast of Crete early on Sunday; nobody was hurt."}
    linked = {"id": "fire-report", "language": "en", "url": "https://www.lemonde.fr/international/feux.html",
              "text": "Firefighters contained a wildfire in the hills above Marseille after two days."}
    batch = {"id": "storm-report", "language": "en",
             "text": "A storm closed the airport of Reykjavik for a day and stranded hundreds of travellers."}
    stories = {}
    for name, answer in [("ferry-report", server("POST", "/api/articles", plain)),
                         ("fire-report", server("POST", "/api/articles", linked)),
                         ("storm-report", server("POST", "/api/articles", json.dumps(batch).encode() + b"\n", JSONL))]:
        assert answer.status == 201
        stories[name] = answer.json()["results"][0]["story"]
    assert answer.json()["results"][0]["where"] == "body:1"  # messages still name the body
    every = {s["id"]: s for s in server("GET", f"/api/stories?limit={MAX_LIMIT}").json()["stories"]}
    assert "ferry-report" in every[stories["ferry-report"]]["sources"]  # no outlet, no URL: its own id
    assert "lemonde.fr" in every[stories["fire-report"]]["sources"]
    assert "storm-report" in every[stories["storm-report"]]["sources"]
    assert not [name for s in every.values() for name in s["sources"] if name.split(":")[0] == "body"]


def test_a_write_is_seen_by_the_next_read(server: ThreadServer) -> None:
    """Cached answers are keyed by the store's version: never stale after a write."""
    assert server("GET", "/api/stories?q=comet").json()["total"] == 0
    assert server("GET", "/api/stories?q=comet").json()["total"] == 0  # cached now
    added = server("POST", "/api/articles", {"id": "fresh", "language": "en",
                                             "text": "Astronomers found a comet that will pass Earth in June."})
    assert added.status == 201
    story = added.json()["results"][0]["story"]
    assert [s["id"] for s in server("GET", "/api/stories?q=comet").json()["stories"]] == [story]


def test_a_story_page_is_rebuilt_when_its_story_changes_and_only_then(server: ThreadServer,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Story reports are cached per story membership: a write to another story keeps them."""
    import crosswire.server.routes as routes

    text = "Zoologists in Ulaanbaatar counted snow leopards with thermal cameras for a whole winter."
    # Dated years apart, so the second article cannot join the first one's story (the window is days).
    first = server("POST", "/api/articles", {"id": "oil-1", "language": "en", "source": "A", "text": text,
                                             "published": "2025-06-01T10:00:00Z"})
    story = first.json()["results"][0]["story"]
    builds: list[int] = []
    real = routes.story_comparison
    monkeypatch.setattr(routes, "story_comparison", lambda store, n: builds.append(n) or real(store, n))
    page = server("GET", f"/api/stories/{story}?lang=en").json()
    assert builds == [story]
    other = server("POST", "/api/articles", {"id": "volcano", "language": "en", "published": "2019-01-01",
                                             "text": "A volcano on Iceland's Reykjanes peninsula erupted again."})
    assert other.json()["results"][0]["story"] != story
    assert server("GET", f"/api/stories/{story}?lang=en").json() == page
    assert builds == [story]  # not rebuilt: its story did not change
    same = server("POST", "/api/articles", {"id": "oil-2", "language": "en", "source": "B", "text": text,
                                            "published": "2025-06-01T12:00:00Z"})
    assert same.json()["results"][0]["story"] == story
    assert len(server("GET", f"/api/stories/{story}?lang=en").json()["articles"]) == len(page["articles"]) + 1
    assert builds == [story, story]


def test_concurrent_writes_are_all_stored(server: ThreadServer) -> None:
    before = count(server)
    answers: list[Answer] = []

    def post(n: int) -> None:
        answers.append(server("POST", "/api/articles", {"id": f"c{n}", "language": "en",
                                                        "text": f"Report number {n} about a quiet day in town {n}."}))

    threads = [threading.Thread(target=post, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(a.status for a in answers) == [201] * 6
    assert count(server) == before + 6


# --- bad input on every route ----------------------------------------------------------------------

JSON = {"Content-Type": "application/json"}
JSONL = {"Content-Type": "application/x-ndjson"}

BAD = [
    # (method, path, body, headers, status)
    ("GET", "/api/stories/abc", None, {}, 400),
    ("GET", "/api/stories/1;DROP%20TABLE%20articles", None, {}, 400),
    ("GET", "/api/stories/%2e%2e", None, {}, 400),
    ("GET", "/api/stories/..%2f..%2fetc%2fpasswd", None, {}, 404),
    ("GET", "/api/stories/../../etc/passwd", None, {}, 404),
    ("GET", "/api/stories/-1", None, {}, 400),
    ("GET", "/api/stories/1e3", None, {}, 400),
    ("GET", "/api/stories/%D9%A3", None, {}, 400),            # an Arabic-Indic digit is not an id
    ("GET", "/api/stories/99999999", None, {}, 404),
    ("GET", "/api/stories/1234567890123456789", None, {}, 400),
    ("GET", "/api/stories/1?lang=%3Cscript%3E", None, {}, 422),
    ("GET", "/api/stories?limit=abc", None, {}, 422),
    ("GET", "/api/stories?limit=0", None, {}, 422),
    ("GET", "/api/stories?limit=100000", None, {}, 422),
    ("GET", "/api/stories?offset=-1", None, {}, 422),
    ("GET", "/api/stories?since=yesterday", None, {}, 422),
    ("GET", "/api/stories?until=2025-13-45", None, {}, 422),
    ("GET", "/api/stories?lang=1", None, {}, 422),
    ("GET", "/api/stories?reader_lang=..%2F", None, {}, 422),
    ("GET", "/api/stories?q=" + "x" * 600, None, {}, 422),
    ("GET", "/api/articles/abc", None, {}, 400),
    ("GET", "/api/articles/..%2Fetc%2Fpasswd", None, {}, 404),
    ("GET", "/api/articles/%2e%2e", None, {}, 400),
    ("GET", "/api/articles/99999999", None, {}, 404),
    ("GET", "/api/articles/0", None, {}, 404),
    ("GET", "/api/nothing", None, {}, 404),
    ("GET", "/etc/passwd", None, {}, 404),
    ("GET", "/../../pyproject.toml", None, {}, 404),
    ("GET", "/app.js/../../../pyproject.toml", None, {}, 404),
    ("GET", "/static/app.js", None, {}, 404),
    ("DELETE", "/api/stories", None, {}, 405),
    ("POST", "/api/stories", b"{}", JSON, 405),
    ("PUT", "/api/articles/1", b"{}", JSON, 405),
    ("GET", "/api/articles", None, {}, 405),
    ("POST", "/api/health", b"{}", JSON, 405),
    ("POST", "/api/openapi.json", b"{}", JSON, 405),
    ("POST", "/", b"{}", JSON, 405),
    ("POST", "/api/articles", b'{"id": "x", "text": ', JSON, 400),
    ("POST", "/api/articles", b"", JSON, 400),
    ("POST", "/api/articles", b"   \n", JSON, 400),
    ("POST", "/api/articles", b'{"id": "x", "text": "caf\xe9"}', JSON, 400),   # not UTF-8
    ("POST", "/api/articles", b"[" * 50_000, JSON, 400),                      # nested too deeply
    ("POST", "/api/articles", b'{"id": "x", "text": 5}', JSON, 422),
    ("POST", "/api/articles", b'{"id": ["x"], "text": "Some text."}', JSON, 422),
    ("POST", "/api/articles", b'{"id": true, "text": "Some text."}', JSON, 422),
    ("POST", "/api/articles", b'{"id": "x", "text": "Some text.", "language": "not a code!"}', JSON, 422),
    ("POST", "/api/articles", b'{"id": "x", "text": "Some text.", "title": {"a": 1}}', JSON, 422),
    ("POST", "/api/articles", b'{"id": "x"}', JSON, 422),
    ("POST", "/api/articles", b'"just a string"', JSON, 422),
    ("POST", "/api/articles", b'[{"id": "x", "text": "Some text."}]', JSON, 422),
    ("POST", "/api/articles", b'{"id": 1}\n[]\nnull\n', JSONL, 422),           # no usable line at all
    ("POST", "/api/articles", b'{"id": "x", "text": "Some text."}', {"Content-Type": "text/html"}, 415),
    ("POST", "/api/articles", b'{"id": "x", "text": "Some text."}', {}, 415),
    ("POST", "/api/articles", b'{"id": "x", "text": "' + b"a" * MAX_BODY + b'"}', JSON, 413),
    ("POST", "/api/articles", b"x" * 10, {**JSON, "Content-Length": "99999999999"}, 413),
]


@pytest.mark.parametrize("method,path,body,headers,status", BAD,
                         ids=[f"{m} {p[:50]} {s}" for m, p, _, _, s in BAD])
def test_bad_input_gets_the_error_shape_and_the_server_goes_on(server: ThreadServer, method: str, path: str,
                                                               body: bytes | None, headers: dict, status: int) -> None:
    before = count(server)
    error = error_shape(server(method, path, body, headers), status)
    if status == 405:
        assert error["code"] == "method_not_allowed"
    assert count(server) == before  # nothing was written, nothing lost
    assert server("GET", "/api/stories?limit=1").status == 200


def test_an_oversize_chunked_body_is_cut_off_at_the_limit(server: ThreadServer) -> None:
    before = count(server)
    chunks = (b'{"id": "x", "text": "' if n == 0 else b"a" * 8192 for n in range(20))  # no Content-Length
    error = error_shape(server("POST", "/api/articles", chunks, JSON), 413)
    assert str(MAX_BODY) in error["message"]
    assert count(server) == before
    assert server("POST", "/api/articles", BRIDGE).status == 200  # the next good write still works


def test_an_unexpected_failure_is_a_500_in_the_error_shape(server: ThreadServer,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr("crosswire.server.routes.list_stories_and_total", broken)
    error = error_shape(server("GET", "/api/stories?q=something-uncached"), 500)
    assert "RuntimeError" in error["message"]
    monkeypatch.undo()
    assert server("GET", "/api/stories?q=something-uncached").status == 200


# --- the token --------------------------------------------------------------------------------------

TOKEN = "s3cret-s3cret-s3cret"  # at least MIN_TOKEN_LENGTH characters


def test_with_a_token_writes_need_it_and_reads_do_not(tmp_path: Path) -> None:
    running = ThreadServer(ServeOptions(db=str(tmp_path / "t.db"), embedder="hash", token=TOKEN))
    try:
        missing = running("POST", "/api/articles", BRIDGE)
        assert error_shape(missing, 401)["code"] == "unauthorized"
        assert missing.headers["www-authenticate"] == "Bearer"
        assert error_shape(running("POST", "/api/articles", BRIDGE, {"Authorization": "Bearer wrong"}), 403)
        assert error_shape(running("POST", "/api/articles", BRIDGE, {"Authorization": "Basic czNjcmV0"}), 401)
        assert running("GET", "/api/health").json()["articles"] == 0
        assert running("POST", "/api/articles", BRIDGE, {"Authorization": f"Bearer {TOKEN}"}).status == 201
        assert running("GET", "/api/stories").status == 200
        assert running("GET", "/api/health").json()["writes_need_token"] is True
    finally:
        running.stop()


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "example.org"])
def test_binding_beyond_loopback_without_a_token_is_refused(tmp_path: Path, host: str) -> None:
    result = CliRunner().invoke(main, ["serve", "--db", str(tmp_path / "x.db"), "--host", host], env={"CROSSWIRE_TOKEN": ""})
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "--token" in result.output
    assert not (tmp_path / "x.db").exists()


def test_which_hosts_are_loopback() -> None:
    assert all(map(_is_loopback, ["127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]"]))
    assert not any(map(_is_loopback, ["0.0.0.0", "::", "10.0.0.1", "example.org", "localhost.example.org"]))


def test_crosswire_serve_starts_serves_and_stops(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    proc = ProcessServer(db, "--embedder", "hash", "--token", TOKEN)
    try:
        assert "writes need the token" in proc.line
        from server_support import request
        assert request(proc.port, "GET", "/api/health").json()["status"] == "ok"
        assert request(proc.port, "POST", "/api/articles", json.dumps(BRIDGE).encode(),
                       {**JSON, "Authorization": f"Bearer {TOKEN}"}).status == 201
    finally:
        proc.stop()
    assert proc.proc.returncode is not None


# --- the page and the documents -------------------------------------------------------------------

def test_every_answer_carries_the_security_headers(server: ThreadServer) -> None:
    for path in ["/", "/app.js", "/app.css", "/api/stories", "/api/nothing"]:
        headers = server("GET", path).headers
        csp = headers["content-security-policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert headers["x-content-type-options"] == "nosniff"


def test_the_page_is_served_and_loads_nothing_from_elsewhere(server: ThreadServer) -> None:
    page = server("GET", "/")
    assert page.status == 200 and page.headers["content-type"].startswith("text/html")
    html = page.body.decode()
    assert re.findall(r"<script\b[^>]*>", html) == ['<script src="/app.js" defer>']  # no inline script
    for path in STATIC:
        text = server("GET", path).body.decode()
        urls = set(re.findall(r"(?:https?:)?//[\w.-]+\.[a-z]{2,}[^\s\"')]*", text))
        assert urls <= {"http://www.w3.org/2000/svg"}, (path, urls)
    script = server("GET", "/app.js").body.decode()
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert sink not in script.replace("never as markup", ""), sink


def test_openapi_describes_every_route_and_nothing_else(server: ThreadServer) -> None:
    served = server("GET", "/api/openapi.json").json()
    assert served["openapi"].startswith("3.1") and served == json.loads(json.dumps(document(served["info"]["version"])))
    routes = {(r.path, m) for r in server.app.routes if r.path.startswith("/api")
              for m in r.methods if m != "HEAD"}
    documented = {(path, method.upper()) for path, ops in served["paths"].items() for method in ops}
    assert routes == documented
    for path, ops in served["paths"].items():
        for op in ops.values():
            for status, response in op["responses"].items():
                if int(status) >= 400:
                    assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}


def test_the_readme_documents_every_route(server: ThreadServer) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for path, ops in document("0")["paths"].items():
        for method in ops:
            assert f"{method.upper()} {path}" in readme, f"{method.upper()} {path} is not in README.md"
