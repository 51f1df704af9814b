"""Real processes on one store: articles to write, the CLI as a user runs it, and the store's invariants."""
from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "ntrex" / "ntrex_sample.jsonl"


def sample_articles() -> list[dict[str, Any]]:
    return [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines() if line.strip()]


def variants(tag: str, count: int) -> list[dict[str, Any]]:
    """``count`` distinct articles (own id and outlet, so own content hash) on the sample's stories."""
    base = sample_articles()
    return [{"id": f"{tag}-{n}", "source": f"outlet {tag}-{n}", "text": base[n % len(base)]["text"]}
            for n in range(count)]


def write_jsonl(path: Path, articles: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in articles), encoding="utf-8")
    return path


def crosswire(*args: str | Path) -> list[str]:
    """The command line of the CLI in this interpreter (the tests' environment, PYTHONPATH included)."""
    return [sys.executable, "-m", "crosswire", *map(str, args)]


def run_cli(*args: str | Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(crosswire(*args), capture_output=True, text=True, encoding="utf-8", timeout=timeout)


def store_problems(db: Path) -> list[str]:
    """Everything wrong with the store file, read by a connection of its own after every writer is gone."""
    conn = sqlite3.connect(db)
    try:
        problems = [row[0] for row in conn.execute("PRAGMA integrity_check") if row[0] != "ok"]
        if problems:
            return problems
        checks = {
            "article without a story": "SELECT count(*) FROM articles WHERE story_id IS NULL",
            "article in a missing story": "SELECT count(*) FROM articles WHERE story_id NOT IN (SELECT id FROM stories)",
            "article listed in a story twice":
                "SELECT count(*) FROM (SELECT article_id FROM story_members GROUP BY article_id HAVING count(*) > 1)",
            "story index disagrees with the articles":
                "SELECT count(*) FROM articles a LEFT JOIN story_members m ON m.article_id = a.id"
                " WHERE m.story_id IS NOT a.story_id",
            "story size wrong": "SELECT count(*) FROM stories s WHERE s.size !="
                                " (SELECT count(*) FROM articles a WHERE a.story_id = s.id)",
            "ext id stored twice": "SELECT count(*) FROM (SELECT ext_id FROM articles GROUP BY ext_id HAVING count(*) > 1)",
        }
        for name, sql in checks.items():
            found = conn.execute(sql).fetchone()[0]
            if found:
                problems.append(f"{name}: {found}")
        return problems
    finally:
        conn.close()


def stored_ids(db: Path) -> dict[str, int]:
    """ext id -> how many times it is stored."""
    conn = sqlite3.connect(db)
    try:
        return {row[0]: row[1] for row in conn.execute("SELECT ext_id, count(*) FROM articles GROUP BY ext_id")}
    finally:
        conn.close()


def partition(db: Path) -> list[list[int]]:
    """The stories as sorted lists of article row ids, sorted."""
    conn = sqlite3.connect(db)
    try:
        groups: dict[int, list[int]] = {}
        for article_id, story_id in conn.execute("SELECT id, story_id FROM articles ORDER BY id"):
            groups.setdefault(story_id, []).append(article_id)
        return sorted(groups.values())
    finally:
        conn.close()
