"""Following sources: subscriptions (feeds, pages that name them, OPML), polling a real local
site of several outlets in several languages, and every way a source can misbehave.

The site (``feedsite.py``) is a real HTTP server on 127.0.0.1 started by the tests; the
fetcher is allowed that one address only (``--allow-address 127.0.0.1``), so a redirect to
any other private address is refused. Fast cases use the hash embedder; the story across
Arabic and Norwegian needs the real model and is marked ``model``.
"""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Iterator

import pytest
from click.testing import CliRunner, Result
from conftest import said
from feedsite import FeedServer, Site, ntrex_items, seed_item

from crosswire.cli import EXIT_NOTHING, EXIT_OK, EXIT_SKIPPED, EXIT_USAGE, main
from crosswire.errors import InputError
from crosswire.follow import canonical_url, feeds_in_page, read_opml
from crosswire.store.sqlite import Store
from crosswire.watch import verify

LOCAL = ["--allow-address", "127.0.0.1", "--host-delay", "0"]
FAST = [*LOCAL, "--embedder", "hash", "--timeout", "1.5", "--max-bytes", "1000000"]
BAD = ["/broken/feed.xml", "/slow/feed.xml", "/private/feed.xml", "/huge/feed.xml", "/bomb/feed.xml",
       "/malformed/feed.xml", "/turned-html/feed.xml"]


def run(*args: str | Path) -> Result:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return result


@pytest.fixture
def site(seeds_dir: Path) -> Iterator[Site]:
    server = FeedServer()
    s = server.site
    s.slow_seconds = 4.0
    s.add_outlet("ar", "Al-Khabar", "ar", [seed_item(seeds_dir, "ar_rutte_ishiba.txt")] + ntrex_items("arb"))
    # Teasers only: each article is read from its page.
    s.add_outlet("nb", "Nordlys Nytt", "nb",
                 [seed_item(seeds_dir, "nb_rutte_ishiba.txt", teaser=True)] + ntrex_items("nob", teaser=True), atom=True)
    s.add_outlet("de", "Tageblatt", "de", ntrex_items("deu"))
    yield s
    server.close()


def sources(db: Path) -> dict[str, dict[str, object]]:
    listed = json.loads(run("follow", "list", "--db", db, "--format", "json").output)
    return {row["url"].split("/", 3)[3]: row for row in listed}


# -- subscriptions ------------------------------------------------------------------------------

def test_canonical_url_drops_what_names_no_article() -> None:
    assert canonical_url("HTTPS://News.Example:443/a/b?id=3&utm_source=rss&fbclid=x#top") == "https://news.example/a/b?id=3"
    assert canonical_url("http://news.example:8080/a?b=1&a=2") == "http://news.example:8080/a?b=1&a=2"
    assert canonical_url("http://news.example") == "http://news.example/"


def test_a_page_names_its_feeds() -> None:
    page = (b'<html><head><link rel="alternate" type="application/rss+xml" title="World" href="/world.rss">'
            b'<link rel="alternate" type="text/html" href="/en"><link rel="stylesheet" href="/s.css">'
            b'<link rel="Alternate" type="application/atom+xml" href="https://other.example/a.atom"></head></html>')
    found = feeds_in_page(page, "https://news.example/section/")
    assert [(f.url, f.title) for f in found] == [("https://news.example/world.rss", "World"),
                                                 ("https://other.example/a.atom", None)]


def test_opml_lists_its_feeds_and_a_bad_one_says_why(tmp_path: Path) -> None:
    good = (b'<?xml version="1.0"?><opml version="2.0"><head><title>mine</title></head><body>'
            b'<outline text="World"><outline text="A" title="Outlet A" xmlUrl="https://a.example/feed"/>'
            b'<outline text="B" xmlUrl="https://b.example/rss"/><outline text="A again" xmlUrl="https://a.example/feed"/>'
            b"</outline></body></opml>")
    assert [(f.url, f.title) for f in read_opml(good, "mine.opml")] == [("https://a.example/feed", "Outlet A"),
                                                                        ("https://b.example/rss", "B")]
    with pytest.raises(InputError, match=r"^bad.opml: not a valid OPML file"):
        read_opml(b"<?xml version='1.0'?><opml><body><outline xmlUrl='x'", "bad.opml")
    with pytest.raises(InputError, match="names no feed"):
        read_opml(b"<opml><body><outline text='folder only'/></body></opml>", "empty.opml")
    # An entity bomb is refused before it is parsed.
    bomb = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
            b'<opml><body><outline xmlUrl="&lol2;"/></body></opml>')
    with pytest.raises(InputError, match="declares XML entities"):
        read_opml(bomb, "bomb.opml")


def test_follow_add_a_feed_a_page_and_an_opml_then_list_and_remove(site: Site, tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    opml = tmp_path / "list.opml"
    opml.write_text(f'<opml version="2.0"><body><outline text="Tageblatt" xmlUrl="{site.url("/de/feed.xml")}"/>'
                    "</body></opml>", encoding="utf-8")
    result = run("follow", "add", site.url("/ar/feed.xml"), site.url("/nb/"), opml, "--db", db, *LOCAL)
    assert result.exit_code == EXIT_OK, result.output
    assert said(result.stderr) == [f"crosswire: following {site.url('/ar/feed.xml')} (Al-Khabar)",
                                   f"crosswire: following {site.url('/nb/feed.xml')} (Nordlys Nytt)",
                                   f"crosswire: following {site.url('/de/feed.xml')} (Tageblatt)"]
    listed = sources(db)
    assert set(listed) == {"ar/feed.xml", "nb/feed.xml", "de/feed.xml"}
    assert listed["ar/feed.xml"]["language"] == "ar" and listed["nb/feed.xml"]["found_at"] == site.url("/nb/")
    assert all(row["last_fetch_at"] is None and row["errors"] == 0 for row in listed.values())
    again = run("follow", "add", site.url("/ar/feed.xml"), "--db", db, *LOCAL)
    assert again.exit_code == EXIT_OK and "already following" in again.stderr
    gone = run("follow", "remove", site.url("/ar/feed.xml"), "--db", db)
    assert gone.exit_code == EXIT_OK and set(sources(db)) == {"nb/feed.xml", "de/feed.xml"}
    missing = run("follow", "remove", "http://nowhere.example/feed", "--db", db)
    assert missing.exit_code == EXIT_USAGE and "not followed" in missing.stderr


def test_follow_add_bad_inputs_one_line_each(site: Site, tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    bad_opml = tmp_path / "bad.opml"
    bad_opml.write_text("<opml><body><outline xmlUrl='http://a.example/'", encoding="utf-8")
    result = run("follow", "add", "ftp://a.example/feed", str(tmp_path / "none.opml"), bad_opml,
                 site.url("/broken/feed.xml"), site.url("/turned-html/feed.xml"), "http://127.0.0.1:9/feed",
                 "--db", db, *LOCAL, "--timeout", "2")
    assert result.exit_code == EXIT_NOTHING
    lines = said(result.stderr)
    assert lines[:-1] == [
        "crosswire: skipped ftp://a.example/feed: only http:// and https:// addresses can be followed",
        f"crosswire: skipped {tmp_path / 'none.opml'}: no such file (give a feed's http(s) address or an OPML file)",
        lines[2], lines[3], lines[4], lines[5]]
    assert lines[2].startswith(f"crosswire: skipped {bad_opml}: not a valid OPML file")
    assert lines[3] == f"crosswire: skipped {site.url('/broken/feed.xml')}: HTTP 500" or "500" in lines[3]
    assert "no feed found" in lines[4]
    assert lines[5].startswith("crosswire: skipped http://127.0.0.1:9/feed: ")
    assert lines[-1] == "crosswire: error: nothing to follow"
    assert run("follow", "list", "--db", db).output.startswith("no sources followed")


# -- polling ------------------------------------------------------------------------------------

def test_poll_takes_new_entries_once_and_a_second_pass_costs_304s(site: Site, tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    feeds = ["/ar/feed.xml", "/nb/feed.xml", "/moved/feed.xml"]
    assert run("follow", "add", *[site.url(p) for p in feeds], "--db", db, *LOCAL).exit_code == EXIT_OK
    first = run("poll", "--db", db, *FAST)
    assert first.exit_code == EXIT_OK, first.output
    summary = said(first.stderr)[-1]
    # ar: 5 full entries; nb: 5 teasers read from their pages; de (after 3 redirects): 4.
    assert summary.startswith("crosswire: 3 source(s) fetched (0 unchanged, 0 failed), 14 new entries (5 pages read), "
                              "14 articles added"), summary
    with Store(db) as store:
        rows = store.db.execute("SELECT outlet, url, title, text FROM articles ORDER BY id").fetchall()
        entries = store.db.execute("SELECT count(*) FROM entries").fetchone()[0]
    assert len(rows) == 14 and entries == 14
    assert {r["outlet"] for r in rows} == {"Al-Khabar", "Nordlys Nytt", "Tageblatt"}
    nb = [r for r in rows if r["outlet"] == "Nordlys Nytt"]
    # The page's article, not the feed's one-line teaser, and no navigation or footer.
    seed = next(r for r in nb if "nb_rutte_ishiba" in r["url"])
    assert "Rutte" in seed["text"] and len(seed["text"]) > 1000 and "© Nordlys" not in seed["text"]
    assert all("utm_source" not in r["url"] for r in rows)
    listed = sources(db)
    assert listed["ar/feed.xml"]["articles"] == 5 and listed["ar/feed.xml"]["last_status"] == 200
    assert listed["ar/feed.xml"]["last_new_at"] is not None

    site.log.clear()
    second = run("poll", "--db", db, "--all", *FAST)
    assert second.exit_code == EXIT_OK, second.output
    assert said(second.stderr)[-1].startswith("crosswire: 3 source(s) fetched (3 unchanged, 0 failed), 0 new entries "
                                              "(0 pages read), 0 articles added")
    feeds_fetched = [r for r in site.requests() if r.path.endswith("feed.xml")]
    assert {r.path: r.status for r in feeds_fetched} == {"/ar/feed.xml": 304, "/nb/feed.xml": 304, "/de/feed.xml": 304}
    assert not site.requests("/nb/articles/") and not site.requests("/ar/articles/")
    # Nothing is due before --every has passed: a pass without --all fetches nothing.
    site.log.clear()
    third = run("poll", "--db", db, *FAST)
    assert said(third.stderr)[-1].startswith("crosswire: 0 source(s) fetched") and not site.requests()


def test_an_article_in_two_feeds_is_fetched_once(site: Site, tmp_path: Path, seeds_dir: Path) -> None:
    """The same page listed by two feeds (with other tracking parameters) is one entry."""
    teaser = seed_item(seeds_dir, "nb_rutte_ishiba.txt", teaser=True)
    site.add_outlet("mirror", "Speil", "nb", [])
    # Another feed listing the same pages, with tracking parameters of its own.
    site.feeds["/mirror/feed.xml"] = (site.feeds["/nb/feed.xml"][0].replace(b'.html"', b'.html?utm_medium=mirror"'),
                                      "application/atom+xml")
    db = tmp_path / "s.db"
    run("follow", "add", site.url("/nb/feed.xml"), site.url("/mirror/feed.xml"), "--db", db, *LOCAL)
    result = run("poll", "--db", db, *FAST)
    assert result.exit_code == EXIT_OK, result.output
    pages = [r.path for r in site.requests(f"/nb/articles/{teaser.slug}")]
    assert pages == [f"/nb/articles/{teaser.slug}.html"]
    assert "5 new entries (5 pages read), 5 articles added" in said(result.stderr)[-1]


def test_every_failing_source_is_one_line_and_counted_and_the_rest_go_on(site: Site, tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    added = run("follow", "add", "--no-check", *[site.url(p) for p in ["/ar/feed.xml", *BAD]],
                "http://127.0.0.1:9/dead.xml", "--db", db, *LOCAL)
    assert added.exit_code == EXIT_OK, added.output
    result = run("poll", "--db", db, *FAST)
    assert result.exit_code == EXIT_SKIPPED, result.output
    lines = said(result.stderr)
    assert lines[-1].startswith("crosswire: 9 source(s) fetched (0 unchanged, 8 failed), 5 new entries"), lines[-1]
    skipped = {line.split(": ", 2)[1].split("/", 3)[3]: line.split(": ", 2)[2] for line in lines[:-1]}
    assert set(skipped) == {p.lstrip("/") for p in BAD} | {"dead.xml"}, lines
    assert "HTTP 500" in skipped["broken/feed.xml"]
    assert "tim" in skipped["slow/feed.xml"]  # timed out
    assert "169.254.169.254" in skipped["private/feed.xml"]
    assert "1,000,000 bytes limit" in skipped["huge/feed.xml"] and "1,000,000 bytes limit" in skipped["bomb/feed.xml"]
    assert "not a valid RSS/Atom feed" in skipped["malformed/feed.xml"]
    assert "no longer a feed" in skipped["turned-html/feed.xml"]
    listed = sources(db)
    assert listed["ar/feed.xml"]["errors"] == 0 and listed["ar/feed.xml"]["articles"] == 5
    for path in [*BAD, "/dead.xml"]:
        row = listed[path.lstrip("/")]
        assert row["errors"] == 1 and row["failures"] == 1 and row["last_error"], row
        # Backed off: not due again for a while.
        assert row["next_fetch_at"] > row["last_fetch_at"]
    # Nothing was asked of the metadata address: the redirect was refused before any connection.
    assert not [r for r in site.requests() if "latest" in r.path]


# -- the server's poller ------------------------------------------------------------------------

def test_serve_poll_follows_the_sources_while_serving_and_takes_writes(site: Site, tmp_path: Path) -> None:
    """A real `crosswire serve --poll`: its poller places the feeds' articles through the server's
    one writer while POSTs of articles go on; the store ends with all of them, each in a story."""
    import time

    from server_support import ProcessServer, request
    db = tmp_path / "s.db"
    assert run("follow", "add", site.url("/ar/feed.xml"), site.url("/nb/feed.xml"), "--db", db, *LOCAL).exit_code == 0
    server = ProcessServer(db, "--poll", "--poll-tick", "0.3", "--embedder", "hash", *LOCAL)
    try:
        assert "following its sources" in server.line
        posted = []
        for n in range(3):
            body = json.dumps({"id": f"posted-{n}", "text": f"Posted while polling, number {n}. It has two sentences."})
            answer = request(server.port, "POST", "/api/articles", body.encode(), {"Content-Type": "application/json"})
            assert answer.status == 201, answer.body
            posted.append(answer.json())
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if request(server.port, "GET", "/api/health").json()["articles"] >= 13:
                break
            time.sleep(0.2)
        assert request(server.port, "GET", "/api/health").json()["articles"] == 13
    finally:
        server.stop()
    assert any("crosswire: poll: 2 source(s) fetched" in line for line in server.log), server.log
    with sqlite3.connect(db) as check:
        assert check.execute("SELECT count(*) FROM articles WHERE story_id IS NULL").fetchone()[0] == 0
        assert check.execute("SELECT count(*) FROM entries").fetchone()[0] == 10
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


# -- the story across languages, with the real model --------------------------------------------

@pytest.mark.model
def test_after_a_poll_the_rutte_ishiba_story_is_listed_in_arabic_and_norwegian(site: Site, tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    assert run("follow", "add", *[site.url(p) for p in ("/ar/feed.xml", "/nb/", "/de/feed.xml")],
               "--db", db, *LOCAL).exit_code == EXIT_OK
    secret = "a-secret-of-the-receiver"
    assert run("watch", "add", "rutte", "--entity", "Mark Rutte", "--webhook", site.url("/hook"), "--secret", secret,
               "--db", db).exit_code == EXIT_OK
    first = run("poll", "--db", db, *LOCAL)
    assert first.exit_code == EXIT_OK, first.output
    lines = said(first.stderr)
    assert lines[-2].endswith("; 1 alert(s), 1 webhook(s) delivered, 0 to retry, 0 given up; "
                              f"{db} holds 14 article(s)"), lines
    assert lines[-1].startswith("crosswire: alert: watch rutte, story ") and "ar, nb" in lines[-1]
    alerts = json.loads(run("alerts", "--db", db, "--format", "json").output)
    assert [(a["watch"], a["event"]) for a in alerts] == [("rutte", "story")]
    assert sorted(alerts[0]["detail"]["languages"]) == ["ar", "nb"]
    (headers, body), = site.hooks
    assert verify(secret, body, headers["x-crosswire-signature"])
    assert json.loads(body)["watch"] == "rutte"
    stories = json.loads(run("stories", "--db", db, "--format", "json", "--text", "Ishiba").output)
    assert len(stories) == 1, stories
    assert stories[0]["languages"] == ["ar", "nb"] and stories[0]["sources"] == ["Al-Khabar", "Nordlys Nytt"]
    assert {a["ext_id"].rsplit("/", 1)[-1] for a in stories[0]["article_ids"]} == {"ar_rutte_ishiba",
                                                                                   "nb_rutte_ishiba.html"}
    site.log.clear()
    second = run("poll", "--db", db, "--all", *LOCAL)
    assert said(second.stderr)[-1].startswith("crosswire: 3 source(s) fetched (3 unchanged, 0 failed), 0 new entries")
    assert "; 0 alert(s);" in said(second.stderr)[-1]
    assert {r.status for r in site.requests() if r.path != "/robots.txt"} == {304}
    assert len(site.hooks) == 1 and len(json.loads(run("alerts", "--db", db, "--format", "json").output)) == 1


def test_entries_without_link_or_text_and_a_page_that_fails_for_now(site: Site, tmp_path: Path, seeds_dir: Path) -> None:
    """An entry with neither link nor text is one line and an error of its source; one with text
    and no link is taken; a teaser whose page answers 503 is retried at the next pass."""
    text = (seeds_dir / "nb_rutte_ishiba.txt").read_text(encoding="utf-8")
    site.feeds["/flaky/page.html"] = (
        b"<!DOCTYPE html><html><head><title>Flaky</title></head><body><article>"
        + "".join(f"<p>{line}</p>" for line in text.split("\n")[1:] if line.strip()).encode() + b"</article></body></html>",
        "text/html; charset=utf-8")
    body = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Odd</title>'
            f"<item><title>nothing at all</title></item>"
            f"<item><guid>no-link-1</guid><title>Text only</title><description>{'Words of a story told here. ' * 30}</description></item>"
            f"<item><title>Teaser</title><link>{site.url('/flaky/page.html')}</link><description>Short.</description></item>"
            f"</channel></rss>").encode()
    site.feeds["/odd/feed.xml"] = (body, "application/rss+xml")
    db = tmp_path / "s.db"
    run("follow", "add", site.url("/odd/feed.xml"), "--db", db, *LOCAL)
    first = run("poll", "--db", db, *FAST)
    assert first.exit_code == EXIT_SKIPPED
    lines = said(first.stderr)
    assert lines[0] == f"crosswire: skipped {site.url('/odd/feed.xml')}#1: feed entry has neither a link nor any text"
    assert lines[1].startswith(f"crosswire: skipped {site.url('/flaky/page.html')}: ") and "503" in lines[1]
    assert "2 new entries (1 pages read), 1 articles added" in lines[-1]
    row = sources(db)["odd/feed.xml"]
    assert row["errors"] == 2 and row["failures"] == 0 and row["articles"] == 1
    site.log.clear()
    second = run("poll", "--db", db, "--all", *FAST)
    # The feed is read whole again (its validators were forgotten), and the page read this time.
    assert [(r.path, r.status) for r in site.requests() if r.path != "/robots.txt"] == [
        ("/odd/feed.xml", 200), ("/flaky/page.html", 200)]
    assert "1 new entries (1 pages read), 1 articles added" in said(second.stderr)[-1]
    assert sources(db)["odd/feed.xml"]["articles"] == 2


def test_a_source_that_asks_to_wait_is_left_alone_that_long(site: Site, tmp_path: Path) -> None:
    """A 503 with Retry-After: 7200 is fetched again in two hours, not after the first backoff (1 minute)."""
    from datetime import datetime, timedelta

    db = tmp_path / "s.db"
    run("follow", "add", "--no-check", site.url("/busy/feed.xml"), site.url("/broken/feed.xml"), "--db", db)
    result = run("poll", "--db", db, *FAST)
    assert result.exit_code == EXIT_SKIPPED and "HTTP 503" in result.stderr
    listed = sources(db)

    def waits(row: dict[str, object]) -> timedelta:
        return datetime.fromisoformat(str(row["next_fetch_at"])) - datetime.fromisoformat(str(row["last_fetch_at"]))

    assert timedelta(hours=2) - timedelta(seconds=5) <= waits(listed["busy/feed.xml"]) <= timedelta(hours=2, seconds=5)
    assert waits(listed["broken/feed.xml"]) <= timedelta(seconds=61)


def test_poll_without_a_store_or_sources_says_so(tmp_path: Path) -> None:
    missing = run("poll", "--db", tmp_path / "none.db", "--embedder", "hash")
    assert missing.exit_code == EXIT_USAGE and not (tmp_path / "none.db").exists()
    assert said(missing.stderr) == [f"crosswire: error: {tmp_path / 'none.db'}: no such store; follow a source first "
                                    f"(crosswire follow add URL --db {tmp_path / 'none.db'})"]
    run("watch", "add", "w", "--entity", "Mark Rutte", "--db", tmp_path / "s.db")
    empty = run("poll", "--db", tmp_path / "s.db", "--embedder", "hash")
    assert empty.exit_code == EXIT_USAGE and "follows no source" in said(empty.stderr)[-1]


def test_private_addresses_are_refused_unless_allowed(site: Site, tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    feed = site.url("/ar/feed.xml")
    refused = run("follow", "add", feed, feed.replace("127.0.0.1", "localhost"), "--db", db)
    assert refused.exit_code == EXIT_NOTHING
    lines = said(refused.stderr)
    assert len(lines) == 3 and all("--allow-private" in line for line in lines[:2]), lines
    assert lines[0].startswith(f"crosswire: skipped {feed}: ") and "127.0.0.1" in lines[0]
    assert not site.requests()  # refused before any connection
    assert run("follow", "add", feed, "--db", db, "--allow-private").exit_code == EXIT_OK
    # Followed, but a poll without the allowance refuses it too, and counts the error.
    polled = run("poll", "--db", db, "--embedder", "hash")
    assert polled.exit_code == EXIT_SKIPPED and "--allow-private" in said(polled.stderr)[0]
    assert sources(db)["ar/feed.xml"]["errors"] == 1


def test_a_poll_killed_half_way_loses_nothing_and_the_next_pass_finishes(tmp_path: Path) -> None:
    """SIGKILL a real `crosswire poll` while it places articles: the next pass takes the rest, every
    article is stored once, in a story, and every entry is known."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from feedsite import many_outlets, sample_texts

    server = FeedServer()
    try:
        urls, _ = many_outlets(server.site, sample_texts(60), feeds=6, entries=10)
        db = tmp_path / "s.db"
        assert run("follow", "add", "--no-check", *urls, "--db", db).exit_code == EXIT_OK
        command = [sys.executable, "-m", "crosswire", "poll", "--db", str(db), *FAST]
        proc = subprocess.Popen(command, stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        count = 0
        while time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
            try:
                with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as look:
                    count = look.execute("SELECT count(*) FROM articles").fetchone()[0]
            except sqlite3.Error:
                continue
            if count >= 10:
                break
        assert proc.poll() is None, "the poll ended before it could be killed: give it more to do"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert 10 <= count < 60
        again = run("poll", "--db", db, "--all", *FAST)
        assert again.exit_code == EXIT_OK, again.output
        with sqlite3.connect(db) as check:
            assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert check.execute("SELECT count(*), count(DISTINCT url) FROM articles").fetchone() == (60, 60)
            assert check.execute("SELECT count(*) FROM articles WHERE story_id IS NULL").fetchone()[0] == 0
            assert check.execute("SELECT count(*) FROM entries WHERE article_id IS NOT NULL").fetchone()[0] == 60
            # Each source's count was kept article by article, the killed pass's included.
            assert check.execute("SELECT sum(articles) FROM sources").fetchone()[0] == 60
    finally:
        server.close()
