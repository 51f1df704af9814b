"""Build crosswire/data/common_nouns.de.txt.gz: the German common nouns, every inflected form,
for the entity finder.

German capitalises every noun, so a capital letter says little there: "Polizei", "Uhr" and
"Bundesregierung" look like "Merkel" and "Sainsbury". German Wiktionary knows which nouns are
common and which are names: its noun entries carry their inflected forms and a part of speech
that marks names (Toponym, Vorname, Nachname, Eigenname). The file lists, lower-cased, every
form of a common noun, in three sections: plain common nouns; after a line "## name too",
the forms that are also people's names ("Mann", "Fischer", "Mark": a noun, and Thomas Mann,
Joschka Fischer, Mark Rutte); after a line "## adjectival", the nouns declined like adjectives
("Deutsche", "Abgeordnete"), which at the head of a name are its adjective ("Deutsche Bank");
after a line "## phrases", every form of the common nouns of several words ("Haute Couture",
"Rote Karte", "Hot Dog"), which German capitalises like a person's two names.

The nouns come from the german-nouns package (Gregor Weichbrodt), compiled from German
Wiktionary, CC BY-SA 4.0: the built file says so in its header, and crosswire/data/README.md
gives the attribution. It is needed only to build the file, not to run crosswire:

    .venv/bin/pip install --no-deps german-nouns==1.2.5
    .venv/bin/python tools/build_common_words.py
"""
from __future__ import annotations

import argparse
import csv
import gzip
import importlib.resources
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "crosswire" / "data" / "common_nouns.de.txt.gz"
# Parts of speech that make an entry a name, or no word at all; people's names apart: a common noun
# that is also a first name or surname ("Mark", "Fischer") is kept in a name, a street or place
# named after a noun ("Markt", "Waren") does not make the noun a name.
NOT_COMMON = {"Toponym", "Vorname", "Nachname", "Eigenname", "Straßenname", "Abkürzung", "Buchstabe", "Symbol",
              "Affix", "Suffix", "Gebundenes Lexem"}
PEOPLE = {"Vorname", "Nachname"}


def read_nouns(path: Path) -> tuple[set[str], set[str], set[str], set[str]]:
    """(common noun forms, those that are people's names too, nouns declined like adjectives, common
    nouns of several words), lower-cased; a phrase's words are parted by one space."""
    common: set[str] = set()
    adjectival: set[str] = set()
    people: set[str] = set()
    phrases: set[str] = set()
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            pos = set((row.get("pos") or "").split(","))
            all_forms = {v for k, v in row.items() if k != "pos" and not k.startswith("genus") and v}
            forms = {f.casefold() for f in all_forms if " " not in f and f[:1].isupper() and f.isalpha()}
            if pos & PEOPLE:
                people |= forms
            elif pos & NOT_COMMON:
                continue
            else:
                common |= forms
                if "adjektivische Deklination" in pos:
                    adjectival |= forms
                # Only phrases of words (no "Web 2.0", "1. Timotheusbrief"): the finder matches them on words.
                phrases |= {" ".join(f.split()).casefold() for f in all_forms
                            if len(f.split()) >= 2 and all(w.replace("-", "").isalpha() for w in f.split())}
    return common - people, common & people, adjectival - people, phrases


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--csv", type=Path, help="nouns.csv (default: the installed german-nouns package's)")
    args = ap.parse_args()
    path = args.csv or Path(str(importlib.resources.files("german_nouns") / "nouns.csv"))
    common, both, adjectival, phrases = read_nouns(path)
    header = ("# German common nouns, every inflected form, lower-cased; names left out. Built by "
              "tools/build_common_words.py from german-nouns 1.2.5 (German Wiktionary, CC BY-SA 4.0).\n")
    sections = (sorted(common), ["## name too"] + sorted(both), ["## adjectival"] + sorted(adjectival),
                ["## phrases"] + sorted(phrases))
    with gzip.open(OUT, "wt", encoding="utf-8", compresslevel=9) as fh:
        fh.write(header + "\n".join(word for section in sections for word in section) + "\n")
    print(f"{OUT}: {len(common)} common noun forms, {len(both)} also names, {len(adjectival)} adjectival, "
          f"{len(phrases)} phrases; "
          f"{OUT.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
