"""Watch-lists on real stores: names matched across scripts on the seed articles (and not on an NTREX
document that never names them), each event recorded once, and webhooks posted to real HTTP receivers
on 127.0.0.1 that check the signature, fail, hang, and get the delivery again after its backoff.

The hash embedder analyses the articles (fast and deterministic); stories are made by hand so that
each test says which articles a story holds. One test groups the seeds with the real model.
"""
from __future__ import annotations

import copy
import dataclasses
import hashlib
import hmac
import json
import threading
import time
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator

import pytest

from crosswire.analysis.pipeline import Pipeline, default_pipeline
from crosswire.article import Article
from crosswire.fetch import Fetcher, FetchOptions
from crosswire.ingest import ingest_articles
from crosswire.readers.files import iter_articles
from crosswire.readers.ntrex import Ntrex
from crosswire.store.base import Watch
from crosswire.store.sqlite import Store
from crosswire.watch import (
    MAX_ATTEMPTS,
    Conditions,
    StoredArticle,
    WatchError,
    check_watches,
    deliver_due,
    new_watch,
    parse_name,
    retry_after,
    stored_article,
    verify,
    watch_spec,
)
from crosswire.watch.conditions import names

NTREX_DOC = "bbc.381705"  # ice hockey: names a David Rutherford (a near miss for Rutte), never Mark Rutte


# --- articles and stores ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def seeds(seeds_dir: Path, hash_pipeline: Pipeline) -> dict[str, Article]:
    """The Arabic and Norwegian seeds, analysed, as two outlets' articles."""
    found = {}
    for item, outlet in zip(iter_articles([seeds_dir / "ar_rutte_ishiba.txt", seeds_dir / "nb_rutte_ishiba.txt"]),
                            ("Al Jazeera", "NRK")):
        assert isinstance(item, Article)
        item.outlet = outlet
        found[outlet] = hash_pipeline(item)
    assert found["Al Jazeera"].language == "ar" and found["NRK"].language == "nb"
    return found


@pytest.fixture(scope="module")
def hockey(ntrex_dir: Path, hash_pipeline: Pipeline) -> list[Article]:
    """One NTREX document in English, Arabic and Norwegian."""
    return [hash_pipeline(Ntrex(ntrex_dir).articles(lang, [NTREX_DOC])[0]) for lang in ("eng", "arb", "nob")]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "watch.db") as opened:
        yield opened


def story_of(store: Store, *articles: Article) -> int:
    """A new story holding these articles."""
    with store.transaction():
        story = store.new_story("test")
        for article in articles:
            store.add_article(article, story)
    return story


def join(store: Store, story: int, article: Article, outlet: str, title: str | None = None) -> None:
    """A copy of ``article`` from another outlet (another content hash) joins the story."""
    other = copy.deepcopy(article)
    other.outlet, other.title = outlet, title or other.title
    with store.transaction():
        store.add_article(other, story)


def stored(store: Store, story: int) -> list[StoredArticle]:
    members = store.members_of([story])
    analyses = store.analyses([m.id for m in members])
    return [stored_article(m, analyses[m.id]) for m in members]


def watch(store: Store, name: str, **conditions: Any) -> Watch:
    return new_watch(store, watch_spec(name, **conditions))


# --- names across scripts -----------------------------------------------------------------------

def test_a_name_is_matched_across_scripts_on_the_seeds(store: Store, seeds: dict[str, Article]) -> None:
    arabic, norwegian = stored(store, story_of(store, seeds["Al Jazeera"], seeds["NRK"]))
    assert arabic.mentions and norwegian.mentions  # kept at analysis: no text is read for these
    for name in ("Mark Rutte", "مارك روتي", "Rutte", "Shigeru Ishiba", "Ishiba Shigeru", "شيجرو إيشيبا"):
        assert names(arabic, parse_name(name)) and names(norwegian, parse_name(name)), name
    # a place by its code, whatever the article calls it: اليابان, Japans
    assert parse_name("Japan").code == "JP"
    assert names(arabic, parse_name("Japan")) and names(norwegian, parse_name("Japan"))
    # one of them only: General Nakatani is in the Arabic alone
    assert names(arabic, parse_name("Nakatani")) and not names(norwegian, parse_name("Nakatani"))
    for name in ("Boris Johnson", "Mark Carney", "Mark Rutherford", "Rutte Mark Carney"):
        assert not names(arabic, parse_name(name)) and not names(norwegian, parse_name(name)), name
    # Capitals find the names of a Latin-script article: its text was read only for the names partly
    # among its mentions (Mark), never for a name none of its mentions holds.
    fresh = dataclasses.replace(norwegian, _text_keys=None)
    assert not names(fresh, parse_name("Boris Johnson")) and fresh._text_keys is None
    assert not names(fresh, parse_name("Mark Carney")) and fresh._text_keys is not None


def test_an_article_that_never_names_him_does_not_match(store: Store, hockey: list[Article]) -> None:
    articles = stored(store, story_of(store, *hockey))
    assert [a.language for a in articles] == ["en", "ar", "nb"]
    rutte, rutherford = parse_name("Mark Rutte"), parse_name("David Rutherford")
    for article in articles:
        bare = dataclasses.replace(article, mentions=None)  # the text read instead of the mentions
        assert not names(article, rutte) and not names(bare, rutte), article.language
    # the articles are read all right: the name they hold is found, in the Latin-script ones
    assert names(articles[0], rutherford) and names(articles[2], rutherford)
    assert not names(articles[0], parse_name("Rutherford David Kendall"))


def test_without_kept_mentions_the_text_is_read(store: Store, seeds: dict[str, Article]) -> None:
    """A store from before mentions were kept: the name's words are looked for in the text."""
    for article in stored(store, story_of(store, seeds["Al Jazeera"], seeds["NRK"])):
        bare = dataclasses.replace(article, mentions=None)
        for name in ("Mark Rutte", "مارك روتي", "Ishiba Shigeru", "NATO"):
            assert names(bare, parse_name(name)), (article.language, name)
        assert not names(bare, parse_name("Boris Johnson"))


def test_a_full_name_must_stand_together(store: Store, hash_pipeline: Pipeline) -> None:
    """The given name and the surname of two other people are not the name watched."""
    text = ("Boris Becker watched the final in London on Sunday.\n"
            "Later, Becker met the basketball player Magic Johnson at the club.\n"
            "Johnson said the match had been a fine one.")
    article = hash_pipeline(Article(id="tennis", text=text, source="tennis.txt", outlet="Sport Wire", language="en"))
    (tennis,) = stored(store, story_of(store, article))
    assert names(tennis, parse_name("Magic Johnson")) and names(tennis, parse_name("Johnson"))
    assert names(tennis, parse_name("Johnson Magic"))  # family name first, as some languages write it
    assert not names(tennis, parse_name("Boris Johnson"))
    assert not names(dataclasses.replace(tennis, mentions=None), parse_name("Boris Johnson"))


def test_words_and_languages_hold_in_one_article(store: Store, seeds: dict[str, Article]) -> None:
    articles = stored(store, story_of(store, seeds["Al Jazeera"], seeds["NRK"]))

    def matched(**conditions: Any) -> list[str] | None:
        spec = watch_spec("w", **conditions)
        return Conditions.of(Watch(0, spec.name, spec.entities, spec.words, spec.languages, spec.min_languages,
                                   None, None, None)).match_story(articles)

    assert matched(words="tokyo NATO") == ["tokyo NATO"]  # any case, in the Norwegian; shown as the watch gives it
    assert matched(words="tokyo kyoto") is None                    # every word
    assert matched(entities=("Mark Rutte",), languages=("ar",)) == ["Mark Rutte"]
    assert matched(entities=("Mark Rutte",), languages=("en",)) is None
    assert matched(entities=("Mark Rutte",), words="Tokyo") == ["Mark Rutte", "Tokyo"]
    # The words and the language must hold in the same article: the Arabic has no Latin "Tokyo".
    assert matched(words="Tokyo", languages=("ar",)) is None
    assert matched(words="Tokyo", languages=("no",)) == ["Tokyo"]   # no = nb
    # several names: any of them, each one named listed
    assert matched(entities=("Boris Johnson", "Shigeru Ishiba", "Mark Rutte")) == ["Shigeru Ishiba", "Mark Rutte"]


def test_a_watch_needs_a_condition_and_a_webhook_an_http_address(store: Store) -> None:
    with pytest.raises(WatchError, match="needs at least one of"):
        watch_spec("empty")
    for url in ("ftp://example.org/hook", "example.org/hook", "http://", "javascript:alert(1)", "http://a b/"):
        with pytest.raises(WatchError, match="http"):
            watch_spec("hook", entities=("Rutte",), webhook=url)
    with pytest.raises(WatchError, match="16 characters"):
        watch_spec("hook", entities=("Rutte",), webhook="https://example.org/hook", secret="short")
    with pytest.raises(WatchError, match="not a name"):
        watch_spec("dots", entities=("...",))
    made = watch_spec("hook", entities=("Rutte",), webhook="https://example.org/hook")
    assert made.secret_made and made.secret and len(made.secret) >= 32
    new_watch(store, made)
    with pytest.raises(WatchError, match="exists"):
        new_watch(store, made)


# --- events ----------------------------------------------------------------------------------------

def test_the_first_poll_fires_once_and_a_second_check_nothing(store: Store, seeds: dict[str, Article],
                                                             hockey: list[Article]) -> None:
    rutte = watch(store, "rutte", entities=("Mark Rutte",))
    rutherford = watch(store, "rutherford", entities=("David Rutherford",))
    seed_story, hockey_story = story_of(store, seeds["Al Jazeera"], seeds["NRK"]), story_of(store, *hockey)
    alerts = check_watches(store, [seed_story, hockey_story])
    assert [(a.watch, a.story_id, a.event) for a in alerts] == [("rutte", seed_story, "story"),
                                                                ("rutherford", hockey_story, "story")]
    detail = alerts[0].detail
    assert detail == {"story": seed_story, "title": seeds["Al Jazeera"].sentences[0].text, "languages": ["ar", "nb"],
                      "outlets": ["Al Jazeera", "NRK"], "articles": 2, "matched": ["Mark Rutte"],
                      "reason": "Mark Rutte: a new story in ar, nb (2 outlets)"}
    assert check_watches(store, [seed_story, hockey_story]) == []
    assert [a.id for a in store.alerts(watch_id=rutte.id)] == [alerts[0].id]
    assert len(store.alerts(watch_id=rutherford.id)) == 1


def test_a_new_outlet_fires_once_and_the_first_outlets_never(store: Store, seeds: dict[str, Article]) -> None:
    watch(store, "rutte", entities=("Mark Rutte",))
    story = story_of(store, seeds["Al Jazeera"], seeds["NRK"])
    assert [a.event for a in check_watches(store, [story])] == ["story"]
    join(store, story, seeds["NRK"], "NRK", title="Rutte i Tokyo")  # an outlet it had: nothing
    assert check_watches(store, [story]) == []
    join(store, story, seeds["NRK"], "VG")
    (alert,) = check_watches(store, [story])
    assert (alert.event, alert.detail["outlet"], alert.detail["outlets"]) == ("outlet", "VG", ["Al Jazeera", "NRK", "VG"])
    assert alert.detail["reason"] == "Mark Rutte: VG reports the story too (3 outlets in ar, nb)"
    assert alert.key.endswith(":outlet:vg")
    join(store, story, seeds["NRK"], "vg", title="Another VG title")  # the same outlet in another case
    assert check_watches(store, [story]) == []


def test_min_languages_fires_when_reached_and_never_a_story_event(store: Store, seeds: dict[str, Article],
                                                                  hockey: list[Article]) -> None:
    watch(store, "rutte in two", entities=("Mark Rutte",), min_languages=2)
    watch(store, "anything in three", min_languages=3)
    story = story_of(store, seeds["Al Jazeera"])
    assert check_watches(store, [story]) == []  # one language: the watch waits
    join(store, story, seeds["NRK"], "NRK")
    (alert,) = check_watches(store, [story])
    assert (alert.watch, alert.event, alert.key.split(":", 1)[1]) == ("rutte in two", "languages", "languages:2")
    assert alert.detail["reason"] == "Mark Rutte: a story now in 2 languages: ar, nb (2 outlets)"
    assert check_watches(store, [story]) == []
    join(store, story, seeds["NRK"], "VG")
    assert [(a.watch, a.event) for a in check_watches(store, [story])] == [("rutte in two", "outlet")]
    three = story_of(store, *hockey)
    assert [(a.watch, a.event, a.detail["matched"]) for a in check_watches(store, [story, three])] == [
        ("anything in three", "languages", [])]


class Counting:
    """A store that counts the reads of articles check_watches makes."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.analysed: list[int] = []  # how many articles each call of analyses() asked for
        self.member_reads = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)

    def analyses(self, ids: list[int]) -> dict[int, dict[str, Any]]:
        self.analysed.append(len(ids))
        return self.store.analyses(ids)

    def members_of(self, story_ids: list[int]) -> Any:
        self.member_reads += 1
        return self.store.members_of(story_ids)


def test_each_story_is_read_once_for_every_watch(store: Store, seeds: dict[str, Article],
                                                 hockey: list[Article]) -> None:
    for name in ("Mark Rutte", "Shigeru Ishiba", "Boris Johnson"):
        watch(store, name, entities=(name,))
    watch(store, "tokyo", words="Tokyo")
    watch(store, "arabic", languages=("ar",))  # rows alone: no analysis read for it
    stories = [story_of(store, seeds["Al Jazeera"], seeds["NRK"]), story_of(store, *hockey)]
    counting = Counting(store)
    assert len(check_watches(counting, stories)) == 5  # type: ignore[arg-type]
    assert (counting.member_reads, counting.analysed) == (1, [2, 3])
    # A story that matched is not read again: a new outlet needs its rows, and its first article's title.
    join(store, stories[0], seeds["NRK"], "VG")
    counting = Counting(store)
    assert [a.event for a in check_watches(counting, stories)] == ["outlet"] * 4  # type: ignore[arg-type]
    # the seed story's title; the hockey story, unmatched, once for four watches; the seed story for the one
    # watch it never matched
    assert counting.analysed == [1, 3, 3]


def test_a_regrouped_story_does_not_alert_again(store: Store, seeds: dict[str, Article], hockey: list[Article]) -> None:
    """Alerts name a story by its first article: a recluster renumbers stories from 1."""
    watch(store, "rutte", entities=("Mark Rutte",))
    watch(store, "rutherford", entities=("David Rutherford",))
    hockey_story, seed_story = story_of(store, *hockey), story_of(store, seeds["Al Jazeera"], seeds["NRK"])
    assert len(check_watches(store, [hockey_story, seed_story])) == 2
    with store.transaction():  # as recluster does: the seed story is story 1 now, the hockey one 2
        members = {s: store.story_members(s) for s in (seed_story, hockey_story)}
        store.clear_stories()
        renumbered = {s: store.new_story("test") for s in (seed_story, hockey_story)}
        for old, ids in members.items():
            for article_id in ids:
                store.set_story(article_id, renumbered[old])
    assert renumbered[seed_story] == hockey_story
    assert check_watches(store, list(renumbered.values())) == []


# --- webhooks -------------------------------------------------------------------------------------

class Receiver:
    """A webhook receiver on 127.0.0.1: answers each POST with the next of ``statuses`` (then 200),
    after ``delay`` seconds, and keeps what it was sent."""

    def __init__(self, statuses: list[int] | None = None, delay: float = 0.0) -> None:
        self.statuses, self.delay = list(statuses or []), delay
        self.got: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.got.append(({k.lower(): v for k, v in self.headers.items()}, body))
                time.sleep(receiver.delay)
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # the client that gave up on a slow answer closed the connection: expected

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receivers() -> Iterator[list[Receiver]]:
    made: list[Receiver] = []
    yield made
    for receiver in made:
        receiver.close()


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(FetchOptions(allow_private=True, timeout=1.0)) as client:
        yield client


SECRET = "a-test-secret-of-32-characters!!"


def test_a_delivery_is_signed_and_the_receiver_verifies_it(store: Store, seeds: dict[str, Article],
                                                           receivers: list[Receiver], fetcher: Fetcher) -> None:
    receivers.append(receiver := Receiver())
    watch(store, "rutte", entities=("Mark Rutte",), webhook=receiver.url, secret=SECRET)
    (alert,) = check_watches(store, [story_of(store, seeds["Al Jazeera"], seeds["NRK"])])
    report = deliver_due(store, fetcher)
    assert (report.delivered, report.retrying, report.gave_up, report.errors) == (1, 0, 0, [])
    ((headers, body),) = receiver.got
    assert headers["content-type"] == "application/json"
    assert headers["x-crosswire-event"] == "story" and headers["x-crosswire-delivery"] == str(alert.id)
    # As the README tells a receiver to check it: HMAC-SHA256 of the exact body, keyed with the secret.
    expected = "sha256=" + hmac.new(SECRET.encode("utf-8"), body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["x-crosswire-signature"], expected)
    assert verify(SECRET, body, headers["x-crosswire-signature"])
    assert not verify("another secret, not the watch's", body, headers["x-crosswire-signature"])
    assert not verify(SECRET, body + b" ", headers["x-crosswire-signature"])
    sent = json.loads(body)
    assert {k: sent[k] for k in ("alert", "watch", "event", "story")} == {
        "alert": alert.id, "watch": "rutte", "event": "story", "story": alert.story_id}
    assert sent["detail"] == alert.detail and sent["detail"]["languages"] == ["ar", "nb"]
    sent_at = datetime.strptime(sent["sent_at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
    assert int(headers["x-crosswire-timestamp"]) == int(sent_at.timestamp())
    assert store.delivery_of(alert.id)["delivered_at"] is not None  # type: ignore[index]
    assert deliver_due(store, fetcher).delivered == 0 and len(receiver.got) == 1  # delivered once


def test_a_failed_delivery_is_tried_again_after_its_backoff(store: Store, seeds: dict[str, Article],
                                                            receivers: list[Receiver], fetcher: Fetcher) -> None:
    receivers.append(receiver := Receiver(statuses=[500]))
    watch(store, "rutte", entities=("Mark Rutte",), webhook=receiver.url, secret=SECRET)
    (alert,) = check_watches(store, [story_of(store, seeds["Al Jazeera"])])
    start = datetime.now(timezone.utc)
    first = deliver_due(store, fetcher, now=start)
    assert (first.delivered, first.retrying) == (0, 1) and "HTTP 500" in first.errors[0]
    state = store.delivery_of(alert.id)
    assert state is not None and (state["attempts"], state["last_error"]) == (1, "HTTP 500 Internal Server Error")
    wait = timedelta(seconds=retry_after(1))
    assert deliver_due(store, fetcher, now=start + wait / 2).delivered == 0  # not due yet
    assert len(receiver.got) == 1
    assert deliver_due(store, fetcher, now=start + wait + timedelta(seconds=1)).delivered == 1
    assert [h["x-crosswire-delivery"] for h, _ in receiver.got] == [str(alert.id)] * 2  # the same delivery
    assert all(verify(SECRET, body, h["x-crosswire-signature"]) for h, body in receiver.got)
    state = store.delivery_of(alert.id)
    assert state is not None and state["attempts"] == 2 and state["delivered_at"] and state["last_error"] is None


def test_a_delivery_is_given_up_after_its_last_attempt(store: Store, seeds: dict[str, Article],
                                                       receivers: list[Receiver], fetcher: Fetcher) -> None:
    receivers.append(receiver := Receiver(statuses=[503] * MAX_ATTEMPTS))
    watch(store, "rutte", entities=("Mark Rutte",), webhook=receiver.url, secret=SECRET)
    (alert,) = check_watches(store, [story_of(store, seeds["Al Jazeera"])])
    now = datetime.now(timezone.utc)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        report = deliver_due(store, fetcher, now=now)
        assert (report.retrying, report.gave_up) == ((1, 0) if attempt < MAX_ATTEMPTS else (0, 1))
        now += timedelta(seconds=retry_after(attempt) + 1)
    state = store.delivery_of(alert.id)
    assert state is not None and state["failed_at"] and state["attempts"] == MAX_ATTEMPTS
    assert deliver_due(store, fetcher, now=now + timedelta(days=30)).retrying == 0
    assert len(receiver.got) == MAX_ATTEMPTS


def test_a_receiver_that_hangs_does_not_hold_up_the_others(store: Store, seeds: dict[str, Article],
                                                           receivers: list[Receiver], fetcher: Fetcher) -> None:
    receivers.append(slow := Receiver(delay=5.0))
    receivers.append(quick := Receiver())
    watch(store, "slow", entities=("Mark Rutte",), webhook=slow.url, secret=SECRET)
    watch(store, "quick", entities=("Shigeru Ishiba",), webhook=quick.url, secret=SECRET)
    assert len(check_watches(store, [story_of(store, seeds["Al Jazeera"], seeds["NRK"])])) == 2
    started = time.monotonic()
    report = deliver_due(store, fetcher, workers=1)  # one at a time: the slow one's timeout (1 s), then the next
    assert time.monotonic() - started < 4.0  # never waited for the slow answer
    assert (report.delivered, report.retrying) == (1, 1)
    assert len(quick.got) == 1 and json.loads(quick.got[0][1])["watch"] == "quick"
    assert "slow" in report.errors[0]


# --- with the real model ---------------------------------------------------------------------------

@pytest.mark.model
def test_the_seeds_ingested_with_the_real_model_alert_once(tmp_path: Path, seeds_dir: Path) -> None:
    """The seeds make one story with the real embedder: one alert for it, in both languages."""
    with Store(tmp_path / "real.db") as real:
        watch(real, "rutte", entities=("Mark Rutte",))
        touched: set[int] = set()
        report = ingest_articles(iter_articles([seeds_dir / "ar_rutte_ishiba.txt", seeds_dir / "nb_rutte_ishiba.txt"]),
                                 real, default_pipeline(), on_outcome=lambda o: touched.add(o.story or 0))
        assert report.added == 2 and len(touched) == 1
        (alert,) = check_watches(real, touched)
        assert (alert.event, alert.detail["languages"], alert.detail["articles"]) == ("story", ["ar", "nb"], 2)
        assert check_watches(real, touched) == []
