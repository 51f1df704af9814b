"""Evaluate entity mentions, cross-script linking and quote speakers on the seed pair.

Against seeds/gold_entities.tsv (surface forms per article):
- recall: share of the gold entities an article names that some predicted mention matches;
- precision: share of predicted mentions whose surface matches a gold form of that article;
- linked: share of the entities both articles name whose predicted mentions all sit in one entity;
- wrong links: predicted entities holding mentions of two different gold entities.
Surfaces match after normalisation, with Arabic clitics and the genitive -s cut,
or when one's words contain the other's (at least half of them).

Quotes: Ishiba's "a stronger NATO will benefit Japan" (Arabic line 3, Norwegian
line 3) and Rutte's NSATU quote (Arabic line 13, Norwegian line 16, "sa han").

    .venv/bin/python evals/entities_eval.py [--check]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crosswire.analysis.pipeline import default_pipeline  # noqa: E402
from crosswire.article import Article  # noqa: E402
from crosswire.entities.cues import ARABIC_CLITICS  # noqa: E402
from crosswire.entities.linking import link_entities  # noqa: E402
from crosswire.entities.mentions import Mention  # noqa: E402
from crosswire.entities.words import INVISIBLE, normalise  # noqa: E402
from crosswire.readers.files import read_path  # noqa: E402
from crosswire.report.quotes import find_quotes  # noqa: E402
from evals.common import (  # noqa: E402
    check_floors,  # noqa: E402
    seeds_dir,
    table,
)

QUOTE_CHECKS = [  # (article prefix, line, gold speaker, words the quote must contain)
    ("ar", 3, "Shigeru Ishiba", "الناتو"), ("nb", 3, "Shigeru Ishiba", "NATO"),
    ("ar", 13, "Mark Rutte", "أوكرانيا"), ("nb", 16, "Mark Rutte", "initiativet"),
]


def read_gold(path: Path) -> list[tuple[str, str, dict[str, list[str]]]]:
    """(canonical, type, {"ar": forms, "nb": forms}) per gold entity."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith(("#", "canonical")) or not line.strip():
            continue
        canonical, kind, ar, nb = line.split("\t")[:4]
        out.append((canonical, kind, {"ar": [] if ar == "-" else ar.split("|"),
                                      "nb": [] if nb == "-" else nb.split("|")}))
    return out


def _words(surface: str) -> list[str]:
    """Normalised words with Arabic clitics and ال, and a genitive -s, cut."""
    out = []
    for w in normalise(INVISIBLE.sub("", surface)).split():
        for p in ARABIC_CLITICS:
            if w.startswith(p) and len(w) - len(p) >= 3:
                w = w[len(p):]
                break
        out.append(w[:-1] if w.endswith("s") and len(w) > 4 else w)
    return out


def matches(predicted: str, form: str) -> bool:
    p, g = _words(predicted), _words(form)
    if not p or not g:
        return False
    if p == g:
        return True
    small, big = (p, g) if len(p) <= len(g) else (g, p)
    return all(w in big for w in small) and 2 * len(small) >= len(big)


def gold_of(m: Mention, forms: dict[str, list[str]]) -> str | None:
    """The gold entity a predicted mention names: an exact form first, then a contained one."""
    for exact in (True, False):
        for canonical, fs in forms.items():
            if any((_words(m.text) == _words(f)) if exact else matches(m.text, f) for f in fs):
                return canonical
    return None


def analyse(seeds: Path) -> list[Article]:
    pipeline = default_pipeline("hash")
    return [pipeline(read_path(seeds / name).articles[0]) for name in ("ar_rutte_ishiba.txt", "nb_rutte_ishiba.txt")]


def measure(articles: list[Article], gold: list[tuple[str, str, dict[str, list[str]]]]) -> dict:
    """Link the articles' entities and score them; returns metrics, table rows and notes."""
    started = time.perf_counter()
    entities = link_entities(articles)
    seconds = time.perf_counter() - started
    entity_of = {id(m): e for e in entities for ms in e.mentions.values() for m in ms}
    rows, measured, notes = [], {"recall": 1.0, "precision": 1.0}, []
    mapped: dict[str, list[tuple[Mention, str]]] = {}  # article side -> (mention, gold canonical)
    for article in articles:
        side = article.id[:2]
        forms = {c: f[side] for c, _, f in gold if f[side]}
        predicted = [m for e in entities for m in e.mentions.get(article.id, [])]
        hits = [(m, gold_of(m, forms)) for m in predicted]
        mapped[side] = [(m, g) for m, g in hits if g]
        found = {g for _, g in hits if g}
        recall = len(found) / len(forms) if forms else 1.0
        precision = len(mapped[side]) / len(predicted) if predicted else 0.0
        measured[f"recall_{side}"], measured[f"precision_{side}"] = recall, precision
        measured["recall"] = min(measured["recall"], recall)
        measured["precision"] = min(measured["precision"], precision)
        rows.append([article.id, len(forms), len(found), recall, len(predicted), len(mapped[side]), precision])
        notes += [f"{side} missed: {c}" for c in forms if c not in found]
        notes += [f"{side} wrong mention: {m.text!r} (line {article.sentences[m.sentence_id].line})"
                  for m, g in hits if not g]

    both = [c for c, _, f in gold if f["ar"] and f["nb"]]
    linked, wrong = [], []
    for canonical in both:
        holders = {entity_of[id(m)].id for side in ("ar", "nb") for m, g in mapped[side] if g == canonical}
        sides = {side for side in ("ar", "nb") for _, g in mapped[side] if g == canonical}
        if len(holders) == 1 and sides == {"ar", "nb"}:
            linked.append(canonical)
        else:
            notes.append(f"not linked: {canonical} ({len(holders)} predicted entities)")
    for e in entities:
        names = {g for side in ("ar", "nb") for m, g in mapped[side] if entity_of[id(m)] is e}
        if len(names) > 1:
            wrong.append(f"{e.id} {e.name}: {sorted(names)}")
    notes += [f"wrong link: {w}" for w in wrong]
    measured["linked"] = len(linked) / len(both) if both else 1.0
    measured["wrong_links"] = len(wrong)
    link_row = ["ar+nb", len(both), len(linked), measured["linked"], len(wrong), len(entities), seconds]

    quote_rows, quotes_ok = [], 0
    gold_entity = {c: next((entity_of[id(m)].id for s in ("ar", "nb") for m, g in mapped[s] if g == c), None)
                   for c, _, _ in gold}
    for side, line, speaker, word in QUOTE_CHECKS:
        article = next(a for a in articles if a.id.startswith(side))
        quote = next((q for q in find_quotes(article, entities) if q.line == line and word in q.text), None)
        ok = quote is not None and quote.speaker_entity is not None and quote.speaker_entity == gold_entity[speaker]
        quotes_ok += ok
        quote_rows.append([f"{side} line {line}", "yes" if quote else "no", quote.speaker if quote else "-",
                           quote.speaker_entity if quote else "-", speaker, "ok" if ok else "FAIL"])
    measured["quotes"] = quotes_ok / len(QUOTE_CHECKS)
    return {"measured": measured, "rows": rows, "link_row": link_row, "quote_rows": quote_rows, "notes": notes,
            "entities": entities}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    args = ap.parse_args()
    seeds = seeds_dir()
    result = measure(analyse(seeds), read_gold(seeds / "gold_entities.tsv"))
    print(table(["article", "gold", "found", "recall", "mentions", "correct", "precision"], result["rows"]))
    print()
    print(table(["linking", "both name", "linked", "share", "wrong links", "entities", "seconds"],
                [result["link_row"]]))
    print()
    print(table(["quote", "found", "speaker", "entity", "gold speaker", "verdict"], result["quote_rows"]))
    if result["notes"]:
        print("\n" + "\n".join("  " + n for n in result["notes"]))
    print()
    return _verdict(result["measured"], args.check)


def _verdict(measured: dict[str, float], check: bool) -> int:
    # Targets are the floors pinned in evals/floors.json, shared with every gate.
    status = check_floors("entities", measured)
    return status if check else 0


if __name__ == "__main__":
    sys.exit(main())
