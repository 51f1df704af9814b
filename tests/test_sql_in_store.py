"""All SQL is behind the store: no module of crosswire outside ``crosswire/store/`` writes SQL,
runs a statement, opens a SQLite connection or reaches for a store's connection (``store.db``).

So that another store (PostgreSQL) can be written against ``crosswire.store.base`` without
touching the rest. Tests, benches and evals may still use SQL to look inside a store."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "crosswire"
STORE = PACKAGE / "store"

# SQL as crosswire writes it (keywords in capitals), anywhere in a string; prose in docstrings is not scanned.
SQL = re.compile(r"\bSELECT\b[\s\S]*\bFROM\b|\bINSERT\s+(OR\s+\w+\s+)?INTO\b|\bUPDATE\s+\w+\s+SET\b|\bDELETE\s+FROM\b"
                 r"|\bCREATE\s+(TEMP\s+|TEMPORARY\s+|UNIQUE\s+|VIRTUAL\s+)?(TABLE|INDEX|TRIGGER|VIEW)\b"
                 r"|\bDROP\s+(TABLE|INDEX|TRIGGER|VIEW)\b|\bALTER\s+TABLE\b|\bPRAGMA\s+\w+|\bBEGIN\s+(IMMEDIATE|EXCLUSIVE)\b")
# The same statements starting a string in any case ("select id from articles where ..."), told from prose
# ("select a story from the list") by what follows the table's name.
SQL_START = re.compile(r"^\s*(select\s[\s\S]*\sfrom\s+[\w.]+\s*(\bwhere\b|\border\b|\bgroup\b|\blimit\b|\bjoin\b|;|$)"
                       r"|insert\s+into\s+\w+\s*\(|update\s+\w+\s+set\s+\w+\s*=|delete\s+from\s+\w+\s*(\bwhere\b|;|$)"
                       r"|pragma\s+\w+\s*(=|\(|;|$)|create\s+(table|index|trigger|virtual\s+table)\s+\w+)", re.IGNORECASE)
CALLS = {"execute", "executemany", "executescript", "create_function", "create_aggregate", "create_collation",
         "create_window_function", "set_authorizer", "backup", "iterdump"}


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the string nodes that are docstrings or other bare string statements (prose, not SQL)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            found.add(id(node.value))
    return found


def _owner(node: ast.expr) -> str:
    """The last name of the object an attribute is read from: ``options`` in ``self.options.db``."""
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return ""


def sql_outside_the_store(source: str, name: str) -> list[str]:
    """Every place in one module's source that speaks SQL, as ``name:line: what``."""
    tree = ast.parse(source)
    prose = _docstrings(tree)
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        where = f"{name}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in prose:
            if SQL.search(node.value) or SQL_START.search(node.value):
                found.append((node.lineno, f"{where}: SQL in a string: {node.value.strip()[:60]!r}"))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in CALLS:
                found.append((node.lineno, f"{where}: .{node.func.attr}(...) runs SQL"))
            elif node.func.attr == "connect" and _owner(node.func.value) == "sqlite3":
                found.append((node.lineno, f"{where}: sqlite3.connect(...) opens a connection"))
        elif isinstance(node, ast.Attribute) and node.attr == "db" and _owner(node.value) != "options":
            # ``options.db`` is the path setting of the server and the CLI; any other ``.db`` is a connection.
            found.append((node.lineno, f"{where}: .db reaches for a store's connection"))
    return [what for _, what in sorted(found)]


def test_no_sql_outside_the_store_package() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if STORE in path.parents:
            continue
        found += sql_outside_the_store(path.read_text(encoding="utf-8"), str(path.relative_to(PACKAGE.parent)))
    assert not found, "SQL outside crosswire/store/ (move it into a method of the store):\n" + "\n".join(found)


@pytest.mark.parametrize("source", [
    'rows = store.db.execute("SELECT id FROM articles")',
    'x = conn.execute(query)',
    'q = f"SELECT id FROM articles WHERE id IN ({marks})"',
    'q = "UPDATE articles SET story_id = NULL"',
    'q = "DELETE FROM stories"',
    'q = "INSERT OR IGNORE INTO embedders (name) VALUES (?)"',
    'q = "select count(*) from stories"',
    'q = "select id from articles where story_id = ?"',
    'q = "pragma user_version"',
    'q = "PRAGMA data_version"',
    'q = "CREATE VIRTUAL TABLE t USING fts5(body)"',
    'db.create_function("f", 1, len)',
    'watch = sqlite3.connect(path)',
    'version = self._writer.db',
    'store = state.store().db',
])
def test_the_scan_finds_sql(source: str) -> None:
    assert sql_outside_the_store(source, "m.py"), source


@pytest.mark.parametrize("source", [
    '"""Listing reads the story index (SELECT is the store\'s: PRAGMA data_version tells a commit)."""',
    'path = options.db',
    'path = self.options.db',
    'message = "select a story from the list"',
    'message = "no such story in the store; update it and set the language"',
    'message = "delete from the list, then insert into it what you want"',
])
def test_the_scan_leaves_prose_and_paths(source: str) -> None:
    assert sql_outside_the_store(source, "m.py") == []
