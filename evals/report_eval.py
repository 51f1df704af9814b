"""The story report's facts table on NTREX-128: one document told in several languages.

NTREX versions of a document are line-aligned translations, so in a perfect
facts table every row holds the same line of every version. For each document
the versions in LANGS are compared (every pair, and pivot-only as a story of
more than 8 articles would be) and the report built; printed per mode:

- rows pure: share of fact rows whose sentences all come from one line number;
- lines whole: share of lines (story text in every version) whose versions all
  sit in one row, alone (the row holds no other line);
- summary in reader's language: share of summary items taken from the reader's
  language version (the reader is each language in turn; every fact is reported
  by every version, so this should be 1.0).

Documents come from the evaluation half.

    .venv/bin/python evals/report_eval.py [--docs 20] [--langs eng,arb,zho-CN,deu,rus,jpn] [--check]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crosswire.analysis.pipeline import default_pipeline  # noqa: E402
from crosswire.article import Article  # noqa: E402
from crosswire.language_codes import language_key  # noqa: E402
from crosswire.matching.compare import CompareOptions, compare_articles  # noqa: E402
from crosswire.report.build import build_report  # noqa: E402
from evals import ntrex_cache  # noqa: E402
from evals.common import check_floors, ntrex_or_none, table  # noqa: E402

LANGS = "eng,arb,zho-CN,deu,rus,jpn"


def _lines_of(report, comparison) -> list[dict[str, set[int]]]:
    line = {(a.id, s.id): s.line for a in comparison.articles for s in a.sentences}
    return [{aid: {line[(aid, sid)] for sid in ids} for aid, ids in f.cells.items()} for f in report.facts]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=20)
    ap.add_argument("--langs", default=LANGS)
    ap.add_argument("--check", action="store_true", help="fail if a metric is below evals/floors.json")
    args = ap.parse_args()
    corpus = ntrex_or_none()
    if corpus is None:
        return 0
    _, evaluation = corpus.split()
    docs = evaluation[: args.docs]
    langs = args.langs.split(",")
    pipeline = default_pipeline()
    started = time.perf_counter()
    by_doc: dict[str, list[Article]] = {doc: [] for doc in docs}
    for results in ntrex_cache.analyse(corpus, [(lang, docs) for lang in langs], pipeline).values():
        for result in results:
            if isinstance(result, Article):
                by_doc[result.meta["document"]].append(result)
    analysed = time.perf_counter() - started
    rows, measured = [], {}
    for mode, options in (("all pairs", CompareOptions()), ("pivot only", CompareOptions(all_pairs_up_to=1))):
        n_rows = pure = n_lines = whole = items = mine = 0
        seconds = 0.0
        for doc, articles in by_doc.items():
            t0 = time.perf_counter()
            comparison = compare_articles(articles, options)
            for reader in langs:
                report = build_report(comparison, reader)
                want = language_key(next(a.language for a in articles if a.meta["ntrex_lang"] == reader))
                items += len(report.summary)
                mine += sum(item.in_reader_language and language_key(item.language) == want for item in report.summary)
            seconds += time.perf_counter() - t0
            facts = _lines_of(report, comparison)
            n_rows += len(facts)
            pure += sum(len(set().union(*f.values())) == 1 for f in facts)
            story = set.intersection(*({s.line for s in a.story_sentences} for a in articles))
            n_lines += len(story)
            whole += sum(any(len(f) == len(articles) and set().union(*f.values()) == {n} for f in facts)
                         for n in story)
        key = "pivot" if mode.startswith("pivot") else "all"
        measured[f"{key}_rows_pure"] = pure / max(n_rows, 1)
        measured[f"{key}_lines_whole"] = whole / max(n_lines, 1)
        measured[f"{key}_summary_in_reader_language"] = mine / max(items, 1)
        rows.append([mode, len(by_doc), len(langs), n_rows, pure / max(n_rows, 1), whole / max(n_lines, 1),
                     mine / max(items, 1), f"{seconds / len(by_doc) / len(langs):.2f}"])
    print(table(["mode", "docs", "languages", "fact rows", "rows pure", "lines whole",
                 "summary in reader's language", "s per report"], rows))
    print(f"(analysis {analysed:.0f} s, embedder {pipeline.embedder.name}; languages {', '.join(langs)})")
    return check_floors("report", measured) if args.check else 0


if __name__ == "__main__":
    sys.exit(main())
