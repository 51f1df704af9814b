"""The story listing as it was before the story index (every article read and grouped in Python),
kept as the reference the indexed listing must equal; the story index recomputed from the
articles, to compare with what the store keeps; and a store of articles in several scripts."""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timezone
from typing import Any

from crosswire.analysis.pipeline import Pipeline
from crosswire.article import Article
from crosswire.language_codes import language_key
from crosswire.store.sqlite import Store
from crosswire.stories.view import (
    StorySummary,
    _headline_member,
    _headlines,
    _Member,
    _summary,
    parse_when,
    source_label,
)
from crosswire.times import parse_time, to_micros


def _contains_all(words: list[str]):
    def match(title: str | None, text: str | None) -> int:
        haystack = f"{title or ''}\n{text or ''}".casefold()
        return int(all(word in haystack for word in words))
    return match


def old_list_stories(store: Store, *, language: str | None = None, since: str | date | datetime | None = None,
                     until: str | date | datetime | None = None, text: str | None = None,
                     reader_lang: str | None = None, limit: int | None = None) -> list[StorySummary]:
    """``storyview.list_stories`` before the story index, as it was but for its name and its SQL
    function's name."""
    start, stop = parse_when(since), parse_when(until, end=True)
    where = "story_id IS NOT NULL"
    words = (text or "").casefold().split()
    if words:
        store.db.create_function("crosswire_contains_all_old", 2, _contains_all(words), deterministic=True)
        where += (" AND story_id IN (SELECT story_id FROM articles"
                  " WHERE story_id IS NOT NULL AND crosswire_contains_all_old(title, text))")
    rows = store.db.execute(
        "SELECT id, ext_id, story_id, title, outlet, url, source, language, published, ingested_at"
        f" FROM articles WHERE {where} ORDER BY id")
    members: dict[int, list[_Member]] = defaultdict(list)
    for row in rows:
        when = parse_time(row["published"]) or parse_time(row["ingested_at"]) or datetime.min.replace(tzinfo=timezone.utc)
        members[row["story_id"]].append(_Member(row["id"], row["ext_id"], row["title"], row["language"],
                                                source_label(row["outlet"], row["url"], row["source"], row["ext_id"]),
                                                when))
    wanted = language_key(language) if language else None
    chosen: list[tuple[int, list[_Member]]] = []
    for story_id, group in members.items():
        if wanted and not any(language_key(m.language) == wanted for m in group):
            continue
        first, last = min(m.when for m in group), max(m.when for m in group)
        if (start and last < start) or (stop and first > stop):
            continue
        chosen.append((story_id, group))
    chosen.sort(key=lambda item: (max(m.when for m in item[1]), len(item[1]), item[0]), reverse=True)
    if limit is not None and limit > 0:
        chosen = chosen[:limit]
    heads = _headlines(store, [(sid, _headline_member(group, reader_lang)) for sid, group in chosen])
    return [_summary(story_id, group, *heads[story_id]) for story_id, group in chosen]


def index_state(store: Store) -> dict[str, Any]:
    """The story index as the store keeps it (stories without articles have size 0 and no span)."""
    db = store.db
    return {
        "stories": sorted(tuple(r) for r in db.execute("SELECT id, size, first_seen_at, last_seen_at FROM stories")),
        "members": sorted(tuple(r) for r in db.execute("SELECT article_id, story_id, seen_at FROM story_members")),
        "languages": sorted(tuple(r) for r in db.execute("SELECT story_id, language, articles FROM story_languages")),
    }


def expected_state(store: Store) -> dict[str, Any]:
    """The story index recomputed in Python from the articles."""
    db = store.db
    members, spans = [], defaultdict(list)
    languages: dict[tuple[int, str], int] = defaultdict(int)
    for row in db.execute("SELECT id, story_id, published, ingested_at, language FROM articles"):
        when = to_micros(parse_time(row["published"]) or parse_time(row["ingested_at"])
                         or datetime.min.replace(tzinfo=timezone.utc))
        members.append((row["id"], row["story_id"], when))
        if row["story_id"] is not None:
            spans[row["story_id"]].append(when)
            if row["language"] is not None:
                languages[(row["story_id"], row["language"])] += 1
    stories = []
    for (story_id,) in db.execute("SELECT id FROM stories"):
        times = spans.get(story_id, [])
        stories.append((story_id, len(times), min(times, default=None), max(times, default=None)))
    return {"stories": sorted(stories), "members": sorted(members),
            "languages": sorted((s, lang, n) for (s, lang), n in languages.items())}


# (story, language, title, text, published, outlet): story None is not (yet) in a story.
ROWS = [
    (1, "ar", None, "قال رئيس الوزراء الياباني شيغيرو إيشيبا إن اليابان تقف مع الحلف.\nالتقى روته في طوكيو.",
     "2025-03-10T06:00:00Z", "الجزيرة"),
    (1, "nb", "Rutte i Tokyo", "Generalsekretær Mark Rutte møtte statsminister Shigeru Ishiba i Tokyo.",
     "2025-03-10T09:00:00+01:00", "NRK"),
    (1, "no", None, "NATO-sjefen RUTTE besøkte Japan.", "2025-03-10T08:00:00.250000Z", None),
    (1, "nob", "Ishiba og Rutte", "Statsministeren og generalsekretæren snakket om Kina.", "2025-03-09", "VG"),
    (2, "zh-CN", "日本首相会见吕特", "日本首相石破茂在东京会见了北约秘书长吕特。\n双方讨论了中国。", "2025-03-10T12:00:00+08:00",
     "新华社"),
    (2, "zh", None, "石破茂说，日本将加强防务。", "2025-03-10T05:00:00Z", None),
    (2, "ja", "石破首相", "石破茂首相は東京で記者団に語った。", "2025-03-10T07:30:00Z", "NHK"),
    (3, "ru", "СРОЧНО: ПУТИН В МОСКВЕ", "ПРЕЗИДЕНТ РОССИИ ВЛАДИМИР ПУТИН ЗАЯВИЛ О ПЕРЕГОВОРАХ.",
     "2025-03-11T10:00:00+03:00", "ТАСС"),
    (3, "rus", None, "Москва. Путин провёл встречу в Кремле.", "2025-03-11T09:00:00Z", "РИА"),
    (4, "el", "Ο Μητσοτάκης συνάντησε τον Οδυσσέα", "Ο πρωθυπουργός Κυριάκος Μητσοτάκης μίλησε για τις ΕΚΛΟΓΕΣ.",
     "2025-03-08T10:00:00+02:00", "ΕΡΤ"),
    (4, "ell", None, "ΟΔΥΣΣΕΑΣ ΑΝΔΡΟΥΤΣΟΣ: ο ήρωας της επανάστασης.", "not a date", None),
    (5, "de", "Die Straße in Gießen", "In GIESSEN wurde die Straße gesperrt. Maße: 3 m.", "2025-02-01", "HR"),
    (5, "tr", None, "İSTANBUL'da İstiklal Caddesi kapandı; ısı düştü.", "2025-02-02T10:00:00Z", None),
    (5, "deu", None, "STRASSE gesperrt.", "2025-02-01T23:00:00-02:00", "FAZ"),
    (6, "en", "An undated report", "Nothing here says when; \"quoted\" words and a—dash.", None, "AP"),
    (7, "en", "Tie A", "Same last time, smaller.", "2025-03-08T10:00:00Z", "AP"),
    (8, "en", "Tie B", "Same last time, bigger.", "2025-03-08T10:00:00Z", "AP"),
    (8, "fr", "Égalité B", "Même heure, plus grand.", "2025-03-08T08:00:00Z", "AFP"),
    (9, None, None, "Une langue inconnue, sans titre, 42.", "2025-03-07T00:00:00Z", None),
    (None, "en", "Not in a story", "Ishiba Tokyo Rutte Путин 日本", "2025-03-12T00:00:00Z", "Loose"),
]


def build(store: Store, pipeline: Pipeline, rows: list[tuple] = ROWS) -> None:
    """The rows as analysed articles (the hash embedder), each story made when first named."""
    with store.transaction():
        stories: dict[int, int] = {}
        for n, (story, language, title, text, published, outlet) in enumerate(rows):
            # The language is set by hand (detection would refuse the random scripts).
            article = pipeline(Article(id=f"a{n}", text=text, source=f"feed/{n}.txt", title=title,
                                       language="en", language_given=True))
            article.language, article.published, article.outlet = language, published, outlet
            if story is not None and story not in stories:
                stories[story] = store.new_story("by-hand")
            store.add_article(article, stories.get(story))
