"""`crosswire serve` under load: N concurrent keep-alive clients for S seconds, from a second process.

Builds (or reuses) a store of the two seed articles and the NTREX sample with the
real embedder, starts `crosswire serve` on a free loopback port in a subprocess,
times each story page once from a cold cache, then runs the load from another
process: ``--clients`` asyncio connections (HTTP/1.1 keep-alive, raw sockets, so
the client costs little CPU), each sending one request after another for
``--seconds``, a mix of reads:

    40%  story lists   /api/stories with reader_lang en|ar|nb|de, a search word, or a language filter
    40%  story pages   /api/stories/ID?lang=en|ar|nb|de
    20%  articles      /api/articles/ID

and prints requests, requests per second, p50/p99/max latency and errors (any
non-2xx answer or failed request). Story reports are cached per (story, reader
language, store version) by the server, so after the first request of each the
load measures the serving path: every story page of the mix is first fetched once,
one at a time, and those cold times (the report being built) are printed apart.

    OMP_NUM_THREADS=1 .venv/bin/python bench/serve_load.py [--clients 32] [--seconds 60]

Only loopback addresses are used.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from common import table

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
SEEDS = [ROOT.parent / "shared" / "seeds", ROOT / "samples" / "seeds"]
READER_LANGS = ["en", "ar", "nb", "de"]
WORDS = ["NATO", "Ishiba", "Wales", "bridge", "church", "beauty", "love"]


def build_store(db: Path) -> None:
    seeds = next(p for p in SEEDS if (p / "ar_rutte_ishiba.txt").is_file())
    inputs = [seeds / "ar_rutte_ishiba.txt", seeds / "nb_rutte_ishiba.txt",
              ROOT / "samples" / "ntrex" / "ntrex_sample.jsonl"]
    db.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "crosswire.cli", "ingest", "--db", str(db), *map(str, inputs)],
                   check=True, env={**os.environ, "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1")})
    print(f"built {db} in {time.perf_counter() - started:.1f} s", file=sys.stderr)


def get(base: str, path: str) -> tuple[float, bytes]:
    started = time.perf_counter()
    with urllib.request.urlopen(base + path, timeout=120) as response:
        body = response.read()
    return time.perf_counter() - started, body


# --- the client process ---------------------------------------------------------------------------

async def one_client(port: int, paths: list[str], until: float, seed: int, latencies: list[float],
                     errors: list[str]) -> None:
    rng = random.Random(seed)
    reader = writer = None
    while time.perf_counter() < until:
        path = rng.choice(paths)
        started = time.perf_counter()
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: application/json\r\n\r\n".encode())
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", head)
            if not length:
                raise ValueError("no Content-Length")
            await reader.readexactly(int(length.group(1)))
            latencies.append(time.perf_counter() - started)
            if not 200 <= status < 300:
                errors.append(f"{status} {path}")
            if re.search(rb"(?i)\r\nconnection:\s*close", head):
                writer.close()
                reader = writer = None
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as err:
            errors.append(f"{type(err).__name__} {path}")
            if writer is not None:
                writer.close()
            reader = writer = None
    if writer is not None:
        writer.close()


async def run_clients(port: int, paths: list[str], clients: int, seconds: float) -> dict:
    latencies: list[float] = []
    errors: list[str] = []
    started = time.perf_counter()
    until = started + seconds
    await asyncio.gather(*(one_client(port, paths, until, n, latencies, errors) for n in range(clients)))
    return {"elapsed": time.perf_counter() - started, "latencies": latencies, "errors": errors}


def client_main(port: int, clients: int, seconds: float) -> None:
    paths = json.loads(sys.stdin.read())
    result = asyncio.run(run_clients(port, paths, clients, seconds))
    json.dump(result, sys.stdout)


# --- the driver -----------------------------------------------------------------------------------

def request_mix(base: str) -> tuple[list[str], list[int]]:
    """Weighted paths (40% lists, 40% story pages, 20% articles) and the story ids."""
    _, body = get(base, "/api/stories?limit=500")
    stories = json.loads(body)["stories"]
    story_ids = [s["id"] for s in stories]
    article_ids = [a["id"] for s in stories for a in s["article_ids"]]
    languages = sorted({lang for s in stories for lang in s["languages"]})
    lists = ([f"/api/stories?reader_lang={lang}" for lang in READER_LANGS]
             + [f"/api/stories?q={word}&reader_lang=en" for word in WORDS]
             + [f"/api/stories?lang={lang}" for lang in languages[:4]])
    pages = [f"/api/stories/{sid}?lang={lang}" for sid in story_ids for lang in READER_LANGS]
    articles = [f"/api/articles/{aid}" for aid in article_ids]
    n = 100  # paths per 100 requests
    mix = [lists[i % len(lists)] for i in range(40 * n // 100)] \
        + [pages[i % len(pages)] for i in range(40 * n // 100)] \
        + [articles[i % len(articles)] for i in range(20 * n // 100)]
    return mix, story_ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--db", type=Path, default=OUT / "serve_load.db")
    parser.add_argument("--client-port", type=int, help=argparse.SUPPRESS)  # internal: run as the client process
    args = parser.parse_args()
    if args.client_port:
        client_main(args.client_port, args.clients, args.seconds)
        return
    if not args.db.exists():
        build_store(args.db)
    server = subprocess.Popen([sys.executable, "-m", "crosswire.cli", "serve", "--db", str(args.db), "--port", "0"],
                              stderr=subprocess.PIPE, text=True)
    try:
        line = server.stderr.readline()  # type: ignore[union-attr]
        found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        if not found:
            raise SystemExit(f"crosswire serve did not start: {line}")
        port = int(found.group(1))
        base = f"http://127.0.0.1:{port}"
        mix, story_ids = request_mix(base)

        # Every story page of the mix once, one at a time, before the load: what a first reader
        # waits for (the report is built), printed apart from the load on warm caches.
        cold = [get(base, f"/api/stories/{sid}?lang={lang}")[0] for sid in story_ids for lang in READER_LANGS]
        print(f"store: {args.db} ({len(story_ids)} stories); each story page in {len(READER_LANGS)} reader "
              f"languages once from a cold cache ({len(cold)} pages): min {min(cold) * 1000:.0f} ms, "
              f"median {statistics.median(cold) * 1000:.0f} ms, max {max(cold) * 1000:.0f} ms")

        client = subprocess.run(
            [sys.executable, __file__, "--client-port", str(port), "--clients", str(args.clients),
             "--seconds", str(args.seconds)],
            input=json.dumps(mix), capture_output=True, text=True, check=True)
        result = json.loads(client.stdout)
    finally:
        server.terminate()
        server.wait(timeout=30)

    lat = sorted(result["latencies"])
    count = len(lat) + sum(1 for e in result["errors"] if not e[0].isdigit())
    pct = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000  # noqa: E731
    rows = [[f"{args.clients} clients, {args.seconds:.0f} s", str(count), f"{count / result['elapsed']:.0f}",
             f"{pct(0.50):.1f}", f"{pct(0.99):.1f}", f"{lat[-1] * 1000:.1f}", str(len(result["errors"]))]]
    print(table(rows, ["load (40% lists, 40% story pages, 20% articles)", "requests", "req/s",
                       "p50 ms", "p99 ms", "max ms", "errors"]))
    if result["errors"]:
        print("first errors:", result["errors"][:10], file=sys.stderr)
        raise SystemExit(1)


if __name__ == "__main__":
    main()
