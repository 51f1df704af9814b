"""`crosswire serve` under load: readers, writers and a CLI ingest on one big store, then an integrity check.

The store: ``--articles`` (default 20,000) NTREX-128 articles written straight
through ``Store`` by the builder shared with stories_list.py (bench/common.py:
stories of 1-8 languages of one document, one sentence per line), with the
``hash`` embedder's real vectors (``hash.v1``, 256-d: each distinct document
and language embedded once), and the story index file ``<db>.usearch`` an
ingest would leave beside it. It is built once and cached in bench/out/
(``serve_load-N.db``); each run works on a fresh copy (``serve_load-N.run.db``),
so every run starts from the same store.

The run: ``crosswire serve`` on a free loopback port in a subprocess; every
story page of the read mix fetched once, one at a time (the report built: the
"cold" line); then, for ``--seconds``, side by side:

* ``--readers`` (alias ``--clients``) asyncio keep-alive connections from a
  second process (raw sockets, so the client costs little CPU), each sending
  one GET after another, a mix of 40% story lists (/api/stories with
  reader_lang, a search word or a language filter), 40% story pages
  (/api/stories/ID?lang=..., of ``--story-pages`` stories) and 20% articles
  (/api/articles/ID);
* ``--writers`` connections in the same process, each POSTing new articles to
  /api/articles (``{"id", "text", "source"}``: an NTREX document with a line
  of its own) one after another. A 201 is a confirmed write; any other answer
  or a failed request is an error, except a 503 with ``Retry-After``: that is
  backpressure, counted as "busy", and the same article is sent again after
  the header's seconds;
* with ``--cli-ingest N``, ``crosswire ingest --db DB FILE`` of N new articles
  (JSON Lines) in a third process, started with the load; its duration,
  articles added and exit status are reported (it may run past the load; the
  server stays up until it is done).

Then prints one table, a row per kind (the reads also split into story lists,
story pages and articles): requests, req/s, p50/p99/max latency in ms,
errors, busy; "seconds" runs until the last answer of the kind. For writes,
"requests" counts every POST sent, busy ones included, and the latencies are
those of the answers that were not busy; for the CLI ingest, "requests" is the articles in its file, req/s the articles
added per second of its run and errors the articles it did not add. After the
server has stopped, the store is opened by a fresh sqlite3 connection and
checked: ``PRAGMA integrity_check`` and ``foreign_key_check``; every article
whose POST answered 201, and every article of the CLI ingest's file, stored
exactly once (counted by ``ext_id``, the ids sent); no article sent stored
twice; no article without a story (``story_id IS NULL``). Exits 1 if any
request failed or any check did not pass.

    OMP_NUM_THREADS=1 .venv/bin/python bench/serve_load.py [--articles 20000] [--readers 32]
        [--writers 2] [--cli-ingest 200] [--seconds 60]

Building the 20,000-article store took 6 minutes here (1m52 s of CPU; the
hash embedder, pure Python, is two thirds of it; 657 MB), of which 21 s to
build and save the story index: that is what a server or an ingest would pay
on its first write without the file. With the file, opening it takes 0.2 s.

Measured here on 2 cores shared with other engineers' jobs (load average
7.7 at the start of the load, 9.8 at its end: the machine was oversubscribed
about 4x, so every latency is several times what an idle machine gives),
the defaults:

    OMP_NUM_THREADS=1 .venv/bin/python bench/serve_load.py --articles 20000 --readers 32 --writers 2 \
        --cli-ingest 200 --seconds 60

    kind                    seconds  requests  req/s  p50 ms   p99 ms   max ms  errors  busy
    ----------------------  -------  --------  -----  ------  -------  -------  ------  ----
    reads (32 connections)     67.0       694   10.4  1669.2  17804.4  25126.0       0     -
      story lists              67.0       302    4.5  2242.9   7602.5   9154.3
      story pages              67.0       252    3.8  3028.8  22709.7  25126.0
      articles                 67.0       140    2.1   613.9   3467.4   3727.8
    writes (2 connections)     63.9        19    0.3  6655.2  12384.2  12384.2       0     0
    CLI ingest (articles)      45.3       200    4.4       -        -        -       0     -

    CLI ingest: exit 0, 45.3 s; it said: crosswire: 200 read, 200 added (4.7/s), 0 already stored,
    0 failed; 7 new stories, 193 joined existing ones; ... holds 20210 article(s)

    after the server stopped:
      crosswire serve exit status after SIGTERM: -15
      PRAGMA integrity_check: ok (1.7 s)
      PRAGMA foreign_key_check: 0 problem(s)
      confirmed writes (201): 19/19 stored exactly once
      CLI ingest articles: 200/200 stored exactly once
      writes sent but not confirmed: 0, of which stored: 0; articles sent stored more than once: 0
      articles without a story: 0 (of 20,219 stored)
      story index file (a cache, caught up on open): 20,219 articles

No request failed and the store came out whole. The same machine minutes
later (load average ~10), 20 s each: reads alone (``--writers 0 --cli-ingest
0``) 461 req/s, p50 61 ms, p99 359 ms; with the 2 writers but no CLI ingest,
reads 34 req/s, p50 148 ms, p99 7.5 s, writes 0.5/s, p50 3.8 s. Every commit,
the server's or the ingest's, moves the store's ``data_version``, which keys
every cached list and story report, so under a steady stream of writes the
readers rebuild reports all the time (a story page: up to seconds here) and
the writer shares the server's one process (GIL) with them. The exit status
-15 is uvicorn re-raising SIGTERM after its graceful shutdown (the story index
was saved: it holds every article).

After story reports were keyed on each story's members instead of the store's
version (``storyview.story_members_key``; lists stay keyed on the version),
the same command, same store, load average 8.0 before and 12.5 after:

    kind                    seconds  requests  req/s  p50 ms  p99 ms  max ms  errors  busy
    ----------------------  -------  --------  -----  ------  ------  ------  ------  ----
    reads (32 connections)     60.4      5346   88.5   258.4  1380.7  7024.8       0     -
      story lists              60.4      2190   36.3   422.3  1354.2  1968.6
      story pages              60.4      2155   35.7   199.3  3880.5  7024.8
      articles                 60.4      1001   16.6   197.5   679.1  1038.3
    writes (2 connections)     60.5        94    1.6  1178.2  2956.5  2956.5       0     0
    CLI ingest (articles)      34.4       200    5.8       -       -       -       0     -

    integrity_check ok; confirmed writes (201) 94/94 and CLI articles 200/200 stored
    exactly once; no article without a story (20,294 stored)

Reads 8.5x and writes 5x the run above, on an equally loaded machine: a ratio
to trust more than either figure.

Only loopback addresses are used.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from common import REPO, documents, table, write_articles

from crosswire.analysis.embedders import get_embedder
from crosswire.analysis.pipeline import default_pipeline
from crosswire.analysis.stages.embed import article_vector
from crosswire.article import Article
from crosswire.store.sqlite import Store
from crosswire.stories.neighbours import VectorIndex
from crosswire.stories.placement import index_path, open_index

OUT = REPO / "bench" / "out"
READER_LANGS = ["en", "ar", "nb", "de"]
WORDS = ["Trump", "NATO", "police", "election", "bridge", "church", "日本"]  # words of NTREX texts
CLIENT_TIMEOUT = 120.0  # s: a request not answered by then counts as an error


# --- the store ------------------------------------------------------------------------------------

def build_store(db: Path, n: int) -> None:
    """n articles with the hash embedder's vectors and the story index file, written under a temporary
    name and renamed when complete (a cached store is always a whole one)."""
    docs, origin = documents()
    embedder = get_embedder("hash")
    embedded: dict[tuple[str, int], object] = {}

    def vectors(lang: str, lines: list[str], rng: random.Random):  # type: ignore[no-untyped-def]
        key = (lang, id(lines))  # one entry per document and language: its lines are one list in docs
        if key not in embedded:
            embedded[key] = embedder.embed(lines)
        return embedded[key]

    building = db.with_name(db.name + ".building")
    for path in building.parent.glob(building.name + "*"):
        path.unlink()
    db.parent.mkdir(parents=True, exist_ok=True)
    print(f"building {db}: {n:,} articles of {origin}, {embedder.name} vectors ...", file=sys.stderr)
    started = time.perf_counter()
    with Store(building) as store:
        stories = write_articles(store, n, docs, random.Random(0), vectors, embedder.name,
                                 article_vector=article_vector, progress_over=4999)
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        written = time.perf_counter() - started
        started = time.perf_counter()
        open_index(store, embedder.dim, embedder.name).save()  # as an ingest leaves it
        indexed = time.perf_counter() - started
    for suffix in ("-wal", "-shm"):
        if Path(f"{building}{suffix}").exists() and Path(f"{building}{suffix}").stat().st_size:
            raise SystemExit(f"{building}{suffix} left behind after closing the store")
    os.replace(f"{building}.usearch", f"{db}.usearch")
    os.replace(building, db)
    print(f"built {db}: {n:,} articles in {stories:,} stories written in {written:.0f} s "
          f"({len(embedded):,} documents x languages embedded), story index built and saved in "
          f"{indexed:.1f} s; {size_mb(db):.0f} MB", file=sys.stderr)


def size_mb(db: Path) -> float:
    return sum(p.stat().st_size for p in db.parent.glob(db.name + "*")) / 1e6


def run_copy(base: Path) -> Path:
    """A fresh copy of the cached store and its index file for this run."""
    run = base.with_name(base.name.removesuffix(".db") + ".run.db")
    for path in run.parent.glob(run.name + "*"):
        path.unlink()
    shutil.copyfile(base, run)
    shutil.copyfile(f"{base}.usearch", f"{run}.usearch")
    return run


def templates(count: int, seed: int) -> list[str]:
    """Texts for new articles: NTREX documents in random languages, those the pipeline accepts (it
    refuses languages its models do not cover, e.g. Tibetan), tried as they will be sent. Analysing
    them takes a minute on a busy machine, so they are cached beside the store."""
    cache = OUT / "serve_load-templates.json"
    if cache.is_file():
        saved = json.loads(cache.read_text(encoding="utf-8"))
        if saved["count"] == count and saved["seed"] == seed:
            return saved["texts"]
    docs, _ = documents()
    rng = random.Random(seed)
    pipeline = default_pipeline("hash")
    chosen: list[str] = []
    while len(chosen) < count:
        texts = ["\n".join(rng.choice(docs[rng.randrange(len(docs))])[1]) for _ in range(count)]
        tried = [Article(id="t", text=new_article("t", text, "t")["text"], source="template") for text in texts]
        chosen += [text for text, result in zip(texts, pipeline.pipe(tried)) if isinstance(result, Article)]
    OUT.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps({"count": count, "seed": seed, "texts": chosen[:count]}, ensure_ascii=False),
                     encoding="utf-8")
    return chosen[:count]


def new_article(ext_id: str, template: str, outlet: str) -> dict[str, str]:
    """A new article: the template with a line of its own (so a new content hash)."""
    return {"id": ext_id, "text": f"{template}\nUpdate {ext_id}: officials gave no further details.",
            "source": outlet}


def get(base: str, path: str) -> tuple[float, bytes]:
    started = time.perf_counter()
    with urllib.request.urlopen(base + path, timeout=300) as response:
        body = response.read()
    return time.perf_counter() - started, body


# --- the client process ---------------------------------------------------------------------------

class Connection:
    """One HTTP/1.1 keep-alive connection to the server on loopback."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes, bytes]:
        """(status, head, body); raises on a failed request (the connection is then dropped)."""
        try:
            return await asyncio.wait_for(self._request(method, path, body), CLIENT_TIMEOUT)
        except BaseException:
            self.close()
            raise

    async def _request(self, method: str, path: str, body: bytes) -> tuple[int, bytes, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        extra = (f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n" if method == "POST" else "")
        self.writer.write(f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
                          f"Accept: application/json\r\n{extra}\r\n".encode() + body)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", head)
        if not length:
            raise ValueError("no Content-Length")
        answer = await self.reader.readexactly(int(length.group(1)))
        if re.search(rb"(?i)\r\nconnection:\s*close", head):
            self.close()
        return status, head, answer

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


FAILURES = (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, asyncio.TimeoutError, ValueError)


def read_kind(path: str) -> str:
    return "story lists" if path.startswith("/api/stories?") else \
        "story pages" if path.startswith("/api/stories/") else "articles"


async def one_reader(port: int, paths: list[str], until: float, seed: int, out: dict) -> None:
    rng = random.Random(seed)
    conn = Connection(port)
    while time.perf_counter() < until:
        path = rng.choice(paths)
        started = time.perf_counter()
        try:
            status, _, _ = await conn.request("GET", path)
        except FAILURES as err:
            out["errors"].append(f"{type(err).__name__} {path}")
            continue
        out["latencies"].append(time.perf_counter() - started)
        out["by_kind"][read_kind(path)].append(out["latencies"][-1])
        if not 200 <= status < 300:
            out["errors"].append(f"{status} {path}")
    conn.close()


def retry_after(head: bytes) -> float | None:
    found = re.search(rb"(?i)\r\nretry-after:\s*([0-9.]+)", head)
    return float(found.group(1)) if found else None


async def one_writer(port: int, texts: list[str], tag: str, number: int, until: float, out: dict) -> None:
    """POST new articles one after another; a 503 with Retry-After: wait that long and send it again."""
    rng = random.Random(1000 + number)
    conn = Connection(port)
    k = 0
    while time.perf_counter() < until:
        ext_id = f"{tag}-w{number}-{k}"
        k += 1
        body = json.dumps(new_article(ext_id, rng.choice(texts), f"Bench Writer {number}"),
                          ensure_ascii=False).encode()
        out["sent"].append(ext_id)
        while True:  # the same article again after each busy answer
            started = time.perf_counter()
            out["requests"] += 1
            try:
                status, head, answer = await conn.request("POST", "/api/articles", body)
            except FAILURES as err:
                out["errors"].append(f"{type(err).__name__} {ext_id}")
                break
            spent = time.perf_counter() - started
            wait = retry_after(head) if status == 503 else None
            if wait is not None:
                out["busy"] += 1
                if time.perf_counter() + wait >= until:  # no time left to send it again: done
                    conn.close()
                    return
                await asyncio.sleep(wait)
                continue
            out["latencies"].append(spent)
            if status == 201:
                out["confirmed"].append(ext_id)
            else:
                out["errors"].append(f"{status} {ext_id}: {answer[:200].decode('utf-8', 'replace')}")
            break
    conn.close()


async def run_clients(port: int, config: dict) -> dict:
    reads: dict = {"latencies": [], "errors": [], "by_kind": {k: [] for k in ("story lists", "story pages", "articles")}}
    writes: dict = {"latencies": [], "errors": [], "busy": 0, "requests": 0, "sent": [], "confirmed": []}
    started = time.perf_counter()
    until = started + config["seconds"]
    ended: dict[str, float] = {}

    async def timed(kind: str, tasks: list) -> None:
        await asyncio.gather(*tasks)
        ended[kind] = time.perf_counter() - started

    await asyncio.gather(
        timed("reads", [one_reader(port, config["paths"], until, n, reads) for n in range(config["readers"])]),
        timed("writes", [one_writer(port, config["texts"], config["tag"], n, until, writes)
                         for n in range(config["writers"])]))
    reads["elapsed"], writes["elapsed"] = ended["reads"], ended["writes"]
    return {"reads": reads, "writes": writes}


def client_main(port: int) -> None:
    config = json.loads(sys.stdin.read())
    json.dump(asyncio.run(run_clients(port, config)), sys.stdout)


# --- the driver -----------------------------------------------------------------------------------

def request_mix(base: str, pages: int, seed: int) -> tuple[list[str], list[int]]:
    """Weighted paths (40% lists, 40% story pages, 20% articles) and the story ids of the pages."""
    _, body = get(base, "/api/stories?limit=500")
    stories = json.loads(body)["stories"]
    rng = random.Random(seed)
    chosen = rng.sample(stories, min(pages, len(stories)))
    story_ids = [s["id"] for s in chosen]
    article_ids = [a["id"] for s in chosen for a in s["article_ids"]]
    languages = sorted({lang for s in stories for lang in s["languages"]})
    lists = ([f"/api/stories?reader_lang={lang}" for lang in READER_LANGS]
             + [f"/api/stories?q={urllib.request.quote(word)}&reader_lang=en" for word in WORDS]
             + [f"/api/stories?lang={lang}" for lang in rng.sample(languages, min(4, len(languages)))])
    paths = [f"/api/stories/{sid}?lang={lang}" for sid in story_ids for lang in READER_LANGS]
    articles = [f"/api/articles/{aid}" for aid in article_ids]
    n = 100  # paths per 100 requests
    mix = [lists[i % len(lists)] for i in range(40 * n // 100)] \
        + [paths[i % len(paths)] for i in range(40 * n // 100)] \
        + [articles[i % len(articles)] for i in range(20 * n // 100)]
    return mix, story_ids


def start_server(db: Path) -> tuple[subprocess.Popen, int, list[str]]:
    """``crosswire serve`` on a free loopback port; its stderr is drained into a list by a thread."""
    server = subprocess.Popen([sys.executable, "-m", "crosswire", "serve", "--db", str(db),
                               "--host", "127.0.0.1", "--port", "0"], stderr=subprocess.PIPE, text=True)
    line = server.stderr.readline()  # type: ignore[union-attr]
    found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
    if not found:
        server.kill()
        raise SystemExit(f"crosswire serve did not start: {line}")
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(server.stderr), daemon=True).start()  # type: ignore[arg-type]
    return server, int(found.group(1)), lines


def percentile(sorted_values: list[float], q: float) -> str:
    if not sorted_values:
        return "-"
    return f"{sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))] * 1000:.1f}"


def load_row(kind: str, count: int, elapsed: float, latencies: list[float], errors: int, busy: str) -> list[str]:
    lat = sorted(latencies)
    return [kind, f"{elapsed:.1f}", str(count), f"{count / elapsed:.1f}" if elapsed else "-",
            percentile(lat, 0.50), percentile(lat, 0.99), percentile(lat[-1:], 1.0), str(errors), busy]


def check_store(db: Path, confirmed: list[str], sent: list[str], cli_ids: list[str]) -> tuple[list[str], bool]:
    """The store after every process has let it go, through a fresh sqlite3 connection."""
    lines, ok = [], True
    conn = sqlite3.connect(str(db))
    try:
        started = time.perf_counter()
        result = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        lines.append(f"PRAGMA integrity_check: {'; '.join(result[:5])} ({time.perf_counter() - started:.1f} s)")
        ok &= result == ["ok"]
        fk = conn.execute("PRAGMA foreign_key_check").fetchall()
        lines.append(f"PRAGMA foreign_key_check: {len(fk)} problem(s)")
        ok &= not fk
        conn.execute("CREATE TEMP TABLE sent (ext_id TEXT PRIMARY KEY)")
        conn.executemany("INSERT OR IGNORE INTO temp.sent VALUES (?)", [(i,) for i in sent + cli_ids])
        counts = dict(conn.execute("SELECT s.ext_id, count(a.id) FROM temp.sent s "
                                   "LEFT JOIN articles a ON a.ext_id = s.ext_id GROUP BY s.ext_id"))
        for name, ids in (("confirmed writes (201)", confirmed), ("CLI ingest articles", cli_ids)):
            once = sum(counts[i] == 1 for i in ids)
            lines.append(f"{name}: {once}/{len(ids)} stored exactly once"
                         + (f"; missing: {[i for i in ids if counts[i] == 0][:5]}" if once < len(ids) else ""))
            ok &= once == len(ids)
        unconfirmed = sorted(set(sent) - set(confirmed))
        stored = sum(counts[i] for i in unconfirmed)
        twice = [i for i, c in counts.items() if c > 1]
        lines.append(f"writes sent but not confirmed: {len(unconfirmed)}, of which stored: {stored}; "
                     f"articles sent stored more than once: {len(twice)}")
        ok &= not twice
        orphans = conn.execute("SELECT count(*) FROM articles WHERE story_id IS NULL").fetchone()[0]
        total = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        lines.append(f"articles without a story: {orphans} (of {total:,} stored)")
        ok &= orphans == 0
    finally:
        conn.close()
    return lines, ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--readers", "--clients", dest="readers", type=int, default=32,
                        help="concurrent reading connections (default 32)")
    parser.add_argument("--writers", type=int, default=2, help="concurrent connections POSTing articles (default 2)")
    parser.add_argument("--cli-ingest", type=int, default=200, metavar="N",
                        help="articles for a `crosswire ingest` beside the load (0: none; default 200)")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--articles", type=int, default=20_000, help="articles in the store (default 20000)")
    parser.add_argument("--story-pages", type=int, default=25, help="stories whose pages the readers ask for")
    parser.add_argument("--client-port", type=int, help=argparse.SUPPRESS)  # internal: run as the client process
    args = parser.parse_args()
    if args.client_port:
        client_main(args.client_port)
        return

    base = OUT / f"serve_load-{args.articles}.db"
    if not base.exists():
        build_store(base, args.articles)
    db = run_copy(base)
    embedder = get_embedder("hash")
    with Store(db, create=False) as store:
        started = time.perf_counter()
        open_index(store, embedder.dim, embedder.name)
        opened = time.perf_counter() - started
        index_file = index_path(store)
    print(f"store: {db} ({args.articles:,} articles, {size_mb(db):.0f} MB); opening its story index "
          f"({index_file.name} loaded and caught up): {opened:.1f} s, paid by the server's first write "
          f"and by the CLI ingest", file=sys.stderr)

    tag = f"bench{int(time.time())}"
    texts = templates(200, seed=1)
    cli_ids: list[str] = []
    cli_file = OUT / "serve_load-cli.jsonl"
    if args.cli_ingest:
        rng = random.Random(2)
        with cli_file.open("w", encoding="utf-8") as fh:
            for k in range(args.cli_ingest):
                cli_ids.append(f"{tag}-cli-{k}")
                fh.write(json.dumps(new_article(cli_ids[-1], rng.choice(texts), "Bench CLI"), ensure_ascii=False)
                         + "\n")

    started = time.perf_counter()
    server, port, server_log = start_server(db)
    ingest: subprocess.Popen | None = None
    try:
        base_url = f"http://127.0.0.1:{port}"
        up = time.perf_counter() - started
        started = time.perf_counter()
        mix, story_ids = request_mix(base_url, args.story_pages, seed=3)
        print(f"crosswire serve listening after {up:.1f} s; GET /api/stories?limit=500 for the mix: "
              f"{time.perf_counter() - started:.1f} s", file=sys.stderr)
        # Every story page of the mix once, one at a time, before the load: what a first reader
        # waits for (the report is built), printed apart from the load.
        cold = [get(base_url, f"/api/stories/{sid}?lang={lang}")[0] for sid in story_ids for lang in READER_LANGS]
        print(f"each of {len(story_ids)} story pages in {len(READER_LANGS)} reader languages once from a cold "
              f"cache ({len(cold)} pages): min {min(cold) * 1000:.0f} ms, median "
              f"{statistics.median(cold) * 1000:.0f} ms, max {max(cold) * 1000:.0f} ms", file=sys.stderr)

        config = {"paths": mix, "texts": texts, "tag": tag, "readers": args.readers, "writers": args.writers,
                  "seconds": args.seconds}
        ingest_done: dict[str, object] = {}
        load = os.getloadavg()[0]
        if args.cli_ingest:
            ingest_started = time.perf_counter()
            ingest = subprocess.Popen([sys.executable, "-m", "crosswire", "ingest", "--db", str(db),
                                       str(cli_file)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

            def wait_ingest(process: subprocess.Popen = ingest) -> None:  # its duration: until it exits
                ingest_done["stderr"] = process.communicate()[1]
                ingest_done["seconds"] = time.perf_counter() - ingest_started

            waiter = threading.Thread(target=wait_ingest)
            waiter.start()
        client = subprocess.run([sys.executable, __file__, "--client-port", str(port)],
                                input=json.dumps(config), capture_output=True, text=True)
        if client.returncode:
            raise SystemExit(f"the client process failed:\n{client.stderr}")
        result = json.loads(client.stdout)
        if ingest is not None:
            waiter.join(timeout=max(600, 10 * args.seconds))
            if waiter.is_alive():
                raise SystemExit("the CLI ingest did not finish")
            ingest_err, ingest_seconds = str(ingest_done["stderr"]), float(ingest_done["seconds"])  # type: ignore[arg-type]
    finally:
        if ingest is not None and ingest.poll() is None:
            ingest.kill()
            ingest.wait()
        server.terminate()
        try:
            server_exit = server.wait(timeout=120)
        except subprocess.TimeoutExpired:
            server.kill()
            server_exit = server.wait()
            print("crosswire serve did not stop within 120 s of SIGTERM: killed", file=sys.stderr)
    end_load = os.getloadavg()[0]

    reads, writes = result["reads"], result["writes"]
    read_count = len(reads["latencies"]) + sum(1 for e in reads["errors"] if not e[0].isdigit())
    rows = [load_row(f"reads ({args.readers} connections)", read_count, reads["elapsed"], reads["latencies"],
                     len(reads["errors"]), "-")]
    for kind, latencies in reads["by_kind"].items():  # the same reads by kind (errors in the row above)
        rows.append(load_row(f"  {kind}", len(latencies), reads["elapsed"], latencies, 0, "-")[:-2] + ["", ""])
    if args.writers:
        rows.append(load_row(f"writes ({args.writers} connections)", writes["requests"], writes["elapsed"],
                             writes["latencies"], len(writes["errors"]), str(writes["busy"])))
    failed = bool(reads["errors"] or writes["errors"])
    if ingest is not None:
        summary = re.search(r"(\d+) read, (\d+) added .*?, (\d+) already stored, (\d+) failed", ingest_err)
        added = int(summary.group(2)) if summary else 0
        rows.append(["CLI ingest (articles)", f"{ingest_seconds:.1f}", str(len(cli_ids)),
                     f"{added / ingest_seconds:.1f}", "-", "-", "-", str(len(cli_ids) - added), "-"])
        failed |= ingest.returncode != 0 or added != len(cli_ids)

    print(f"\n{args.articles:,}-article store, {args.seconds:.0f} s load; load average {load:.1f} before, "
          f"{end_load:.1f} after, {os.cpu_count()} cores\n")
    print(table(rows, ["kind", "seconds", "requests", "req/s", "p50 ms", "p99 ms", "max ms", "errors", "busy"]))
    if ingest is not None:
        last = ingest_err.strip().splitlines()[-1] if ingest_err.strip() else "(nothing)"
        print(f"\nCLI ingest: exit {ingest.returncode}, {ingest_seconds:.1f} s; it said: {last}")
    lines, ok = check_store(db, writes["confirmed"], writes["sent"], cli_ids)
    # uvicorn re-raises SIGTERM once it has shut down (the lifespan ran: the story index saved).
    lines.insert(0, f"crosswire serve exit status after SIGTERM: {server_exit}")
    ok &= server_exit in (0, -signal.SIGTERM)
    saved = len(VectorIndex(embedder.dim, index_file))
    lines.append(f"story index file (a cache, caught up on open): {saved:,} articles")
    print("\nafter the server stopped:\n" + "\n".join(f"  {line}" for line in lines))
    if reads["errors"] or writes["errors"]:
        print("first errors:", (reads["errors"] + writes["errors"])[:10], file=sys.stderr)
    if (failed or not ok) and server_log:
        print("server stderr (last lines):", "".join(server_log[-20:]), file=sys.stderr)
    if failed or not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
