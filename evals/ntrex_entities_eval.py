"""Person and place names of the English NTREX-128 documents, found and linked in each other language.

Gold: evals/gold/ntrex_names.tsv, every person (PER) and place (LOC) name of the
English version of 23 evaluation-half documents, written down by hand with its
line. For each language L and document, ``link_entities([english, L])`` runs on
the two versions (segmented, language given from the NTREX code, no embedder),
and each gold name counts as:

- found: an English mention overlaps the name;
- linked: the entity holding that mention also has a mention in the L version on
  the same line (NTREX is line-aligned, so this checks the link is right);
- wrong: that entity has L mentions, but only on other lines. This is an upper
  bound on wrong links: a "Trump" entity that holds the L mentions of lines 1-2
  but missed the one of line 3 counts here too.

"line precision" is the share of L-mention lines, over the entities that hold a
gold name, on which the entity also has an English mention: low values mean
names linked to the wrong thing.

"L only" is the share of the entities found in the L version that no English
mention joins. The L version is a translation, so its names are the English
ones: an L-only entity is a word taken for a name (a German noun: "Polizei")
or a name left unlinked. Lower is better.

``--half calibration`` scores the other half against silver names (the English
finder's own PER/LOC mentions, no hand gold there) for tuning; every reported
number comes from the evaluation half.

    .venv/bin/python evals/ntrex_entities_eval.py [--langs deu,arb,...] [--docs N] [--half calibration] [--check]
"""
from __future__ import annotations

import argparse
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crosswire.analysis.pipeline import Pipeline  # noqa: E402
from crosswire.analysis.stages.clean import Clean  # noqa: E402
from crosswire.analysis.stages.segment import Segment  # noqa: E402
from crosswire.article import Article  # noqa: E402
from crosswire.entities.linking import Entity, link_entities  # noqa: E402
from crosswire.entities.mentions import Mention, find_mentions  # noqa: E402
from evals.common import check_floors, ntrex_or_none, table  # noqa: E402

GOLD = Path(__file__).resolve().parent / "gold" / "ntrex_names.tsv"
# NTREX code -> (language code the pipeline uses, script).
LANGUAGES = {
    "deu": ("de", "Latin"), "fra": ("fr", "Latin"), "spa": ("es", "Latin"), "tur": ("tr", "Latin"),
    "nob": ("nb", "Latin"), "rus": ("ru", "Cyrillic"), "ell": ("el", "Greek"), "arb": ("ar", "Arabic"),
    "fas": ("fa", "Arabic"), "heb": ("he", "Hebrew"), "hin": ("hi", "Devanagari"), "zho-CN": ("zh", "Han"),
    "jpn": ("ja", "Japanese"), "kor": ("ko", "Hangul"), "amh": ("am", "Ethiopic"),
}
COUNTED = ("PER", "LOC")

Name = tuple[str, int, int, int, str]  # document, line, start, end (in the line), type


def read_gold(path: Path = GOLD) -> list[tuple[str, int, str, str]]:
    """(document, line, type, surface) per row."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith(("#", "document\t")) or not line.strip():
            continue
        doc, number, kind, surface = line.split("\t")
        rows.append((doc, int(number), kind, surface))
    return rows


def place_gold(rows: list[tuple[str, int, str, str]], english: dict[str, list[str]]) -> list[Name]:
    """Character spans of the gold names: longer surfaces first, each at its first free whole-word place."""
    by_line: dict[tuple[str, int], list[tuple[str, str]]] = defaultdict(list)
    for doc, number, kind, surface in rows:
        by_line[(doc, number)].append((kind, surface))
    out: list[Name] = []
    for (doc, number), names in by_line.items():
        text, taken = english[doc][number - 1], []  # type: str, list[tuple[int, int]]
        for kind, surface in sorted(names, key=lambda ks: -len(ks[1])):
            pattern = r"(?<!\w)" + re.escape(surface) + r"(?!\w)"
            span = next(((m.start(), m.end()) for m in re.finditer(pattern, text)
                         if all(m.end() <= a or b <= m.start() for a, b in taken)), None)
            if span is None:
                raise SystemExit(f"{GOLD.name}: {surface!r} not in {doc} line {number}: {text!r}")
            taken.append(span)
            out.append((doc, number, span[0], span[1], kind))
    return out


def line_spans(article: Article, m: Mention) -> tuple[int, int, int]:
    """(line, start, end) of a mention in its input line (sentences are stripped pieces of one line)."""
    at = article.meta["offsets"][m.sentence_id]
    return article.sentences[m.sentence_id].line, at + m.start, at + m.end


def analyse(corpus, lang: str, docs: list[str]) -> list[Article]:
    """Clean and segment, language given: entities need no embedder nor detection."""
    code = "en" if lang == "eng" else LANGUAGES[lang][0]
    pipeline = Pipeline([Clean(), Segment()])
    out = []
    for article in corpus.articles(lang, docs):
        article.language, article.language_given = code, True
        article = pipeline(article)
        lines = article.text.split("\n")
        cursor: dict[int, int] = {}
        article.meta["offsets"] = []
        for s in article.sentences:  # where each sentence starts in its line, for line offsets
            at = max(lines[s.line - 1].find(s.text, cursor.get(s.line, 0)), 0)
            article.meta["offsets"].append(at)
            cursor[s.line] = at + len(s.text)
        out.append(article)
    return out


def silver(articles: list[Article]) -> list[Name]:
    """The English finder's own PER/LOC mentions, for tuning on the calibration half (no hand gold there)."""
    out = []
    for a in articles:
        for m in find_mentions(a):
            if m.kind in COUNTED:
                out.append((a.meta["document"], *line_spans(a, m), m.kind))
    return out


def score_pair(en: Article, other: Article, names: list[Name]) -> dict[str, int]:
    entities = link_entities([en, other])
    holders: list[tuple[tuple[int, int, int], Entity]] = [
        (line_spans(en, m), e) for e in entities for m in e.mentions.get(en.id, [])]
    lines_in = {id(e): ({line_spans(en, m)[0] for m in e.mentions.get(en.id, [])},
                        {other.sentences[m.sentence_id].line for m in e.mentions.get(other.id, [])})
                for e in entities}
    counts = dict(names=0, found=0, linked=0, wrong=0, l_lines=0, l_lines_ok=0,
                  l_entities=sum(bool(e.mentions.get(other.id)) for e in entities),
                  l_only=sum(bool(e.mentions.get(other.id)) and not e.mentions.get(en.id) for e in entities))
    seen_entities: set[int] = set()
    for _, number, start, end, _ in names:
        counts["names"] += 1
        hit = [e for (line, a, b), e in holders if line == number and a < end and start < b]
        if not hit:
            continue
        counts["found"] += 1
        if any(number in lines_in[id(e)][1] for e in hit):
            counts["linked"] += 1
        elif any(lines_in[id(e)][1] for e in hit):
            counts["wrong"] += 1
        for e in hit:
            if id(e) not in seen_entities:
                seen_entities.add(id(e))
                en_lines, l_lines = lines_in[id(e)]
                counts["l_lines"] += len(l_lines)
                counts["l_lines_ok"] += len(l_lines & en_lines)
    return counts


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--langs", default=",".join(LANGUAGES))
    ap.add_argument("--docs", type=int, default=0, help="only the first N documents (0: all)")
    ap.add_argument("--half", choices=("evaluation", "calibration"), default="evaluation")
    ap.add_argument("--check", action="store_true", help="fail if a metric is below evals/floors.json")
    ap.add_argument("--misses", help="print the gold names not linked in this language")
    args = ap.parse_args()
    corpus = ntrex_or_none()
    if corpus is None:
        return 0
    calibration, evaluation = corpus.split()
    started = time.perf_counter()
    if args.half == "evaluation":
        rows = read_gold()
        docs = list(dict.fromkeys(r[0] for r in rows))
        assert set(docs) <= set(evaluation), "gold documents must come from the evaluation half"
        docs = docs[: args.docs or None]
        english = analyse(corpus, "eng", docs)
        texts = {a.meta["document"]: a.text.split("\n") for a in english}
        names = [n for n in place_gold([r for r in rows if r[0] in docs], texts) if n[4] in COUNTED]
    else:
        docs = calibration[: args.docs or None]
        english = analyse(corpus, "eng", docs)
        names = silver(english)
    by_doc: dict[str, list[Name]] = defaultdict(list)
    for n in names:
        by_doc[n[0]].append(n)
    langs = args.langs.split(",")
    table_rows, measured = [], {}
    per_script: dict[str, dict[str, int]] = {}
    total = dict(names=0, found=0, linked=0, wrong=0, l_lines=0, l_lines_ok=0, l_entities=0, l_only=0)
    for lang in langs:
        code, script = LANGUAGES[lang]
        counts = dict.fromkeys(total, 0)
        for en, other in zip(english, analyse(corpus, lang, docs)):
            c = score_pair(en, other, by_doc[en.meta["document"]])
            for k in counts:
                counts[k] += c[k]
            if args.misses == lang:
                _print_misses(en, other, by_doc[en.meta["document"]])
        share = counts["linked"] / max(counts["names"], 1)
        precision = counts["l_lines_ok"] / max(counts["l_lines"], 1)
        table_rows.append([lang, script, counts["names"], counts["found"], counts["linked"], share,
                           counts["wrong"], precision, counts["l_only"] / max(counts["l_entities"], 1)])
        measured[f"linked.{lang}"] = share
        for k in counts:
            total[k] += counts[k]
            per_script.setdefault(script, dict.fromkeys(total, 0))[k] += counts[k]
    share_all = total["linked"] / max(total["names"], 1)
    table_rows.append(["all", f"{len(per_script)} scripts", total["names"], total["found"], total["linked"],
                       share_all, total["wrong"], total["l_lines_ok"] / max(total["l_lines"], 1),
                       total["l_only"] / max(total["l_entities"], 1)])
    print(f"{args.half} half, {len(docs)} documents, {len(names)} {'gold' if args.half == 'evaluation' else 'silver'}"
          f" person/place names in English")
    print(table(["language", "script", "names", "found", "linked", "share linked", "wrong", "line precision",
                 "L only"], table_rows))
    print()
    print(table(["script", "names", "linked", "share linked", "wrong"],
                [[s, c["names"], c["linked"], c["linked"] / max(c["names"], 1), c["wrong"]]
                 for s, c in per_script.items()]))
    print(f"({time.perf_counter() - started:.0f} s)")
    measured.update(found=total["found"] / max(total["names"], 1), linked=share_all,
                    min_linked=min(v for k, v in measured.items() if k.startswith("linked.")),
                    wrong=total["wrong"] / max(total["names"], 1),
                    line_precision=total["l_lines_ok"] / max(total["l_lines"], 1),
                    l_only=total["l_only"] / max(total["l_entities"], 1))
    if args.check and args.half == "evaluation":
        return check_floors("ntrex_entities", measured)
    return 0


def _print_misses(en: Article, other: Article, names: list[Name]) -> None:
    entities = link_entities([en, other])
    lines = en.text.split("\n")
    holders = [(line_spans(en, m), e) for e in entities for m in e.mentions.get(en.id, [])]
    for _, number, start, end, kind in names:
        hit = [e for (line, a, b), e in holders if line == number and a < end and start < b]
        there = [m.text for e in hit for m in e.mentions.get(other.id, [])
                 if other.sentences[m.sentence_id].line == number]
        if not there:
            other_line = other.text.split("\n")[number - 1]
            found = [f"{e.name}:{sorted({other.sentences[m.sentence_id].line for m in e.mentions.get(other.id, [])})}"
                     for e in hit]
            print(f"  {en.meta['document']}:{number} {kind} {lines[number - 1][start:end]!r} "
                  f"{'found ' + ','.join(found) if hit else 'NOT FOUND'} | {other_line[:150]}")


if __name__ == "__main__":
    sys.exit(main())
