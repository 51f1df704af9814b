"""The package's layers hold: a module imports only from its own layer and the layers before it
(README, "How the code is laid out"). Read from the source's import statements, lazy ones too."""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "crosswire"
# In order: each layer may import from itself and the layers before it.
LAYERS = [
    {"article", "errors", "registry", "limits", "times", "language_codes"},
    {"readers"},
    {"entities"},
    {"analysis"},
    {"matching"},
    {"report"},
    {"render"},
    {"store"},
    {"stories"},
    {"ingest", "fetch", "watch"},
    {"follow"},
    {"server", "cli", "__main__", "__init__"},
]


def layer_of(name: str) -> int:
    for n, layer in enumerate(LAYERS):
        if name in layer:
            return n
    raise AssertionError(f"crosswire.{name} belongs to no layer: add it to LAYERS and to the README's table")


def top_module(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    return rel.parts[0].removesuffix(".py")


def imported(tree: ast.AST) -> list[tuple[int, str]]:
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "crosswire":
                out += [(node.lineno, alias.name) for alias in node.names]
            elif node.module.startswith("crosswire."):
                out.append((node.lineno, node.module.split(".")[1]))
        elif isinstance(node, ast.Import):
            out += [(node.lineno, a.name.split(".")[1]) for a in node.names if a.name.startswith("crosswire.")]
    return out


def test_every_import_goes_to_the_same_layer_or_one_before_it() -> None:
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        here = top_module(path)
        mine = layer_of(here)
        for line, name in imported(ast.parse(path.read_text(encoding="utf-8"))):
            if name == "__version__":
                continue  # the package's version, defined in __init__ before anything is imported
            if layer_of(name) > mine:
                wrong.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports crosswire.{name} "
                             f"(layer {layer_of(name)}) from layer {mine}")
    assert not wrong, "\n".join(wrong)


def test_no_relative_imports() -> None:
    """Absolute imports only, so that a module's layer can be read from its imports."""
    found = [f"{p.relative_to(PACKAGE.parent)}:{node.lineno}" for p in sorted(PACKAGE.rglob("*.py"))
             for node in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
             if isinstance(node, ast.ImportFrom) and node.level]
    assert not found, found
