"""The Python API: what ``from crosswire import ...`` gives, that ``import crosswire`` stays light, and
that the README's example runs as written (a test keeps it from going stale)."""
from __future__ import annotations

import contextlib
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest

import crosswire

ROOT = Path(__file__).resolve().parents[1]


def readme_example() -> str:
    """The ```python block under the README's "Python API" heading."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = re.search(r"^## Python API\n(.*?)(?=^## )", readme, re.S | re.M)
    assert section, "README.md has no '## Python API' section"
    code = re.search(r"^```python\n(.*?)^```", section.group(1), re.S | re.M)
    assert code, "the README's Python API section has no ```python block"
    return code.group(1)


def test_every_public_name_is_exported() -> None:
    assert set(crosswire.__all__) == {*crosswire._HOMES, "__version__"}
    for name in crosswire.__all__:
        assert getattr(crosswire, name) is not None, name
    assert set(crosswire.__all__) <= set(dir(crosswire))


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nonesuch'"):
        crosswire.nonesuch
    with pytest.raises(ImportError):
        from crosswire import nonesuch  # noqa: F401


def test_import_crosswire_imports_nothing_heavy() -> None:
    """The names load on first use: importing the package alone loads none of its modules, nor numpy."""
    probe = "import sys, crosswire; print(sorted(m for m in sys.modules if m.startswith(('crosswire', 'numpy'))))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['crosswire']"


def test_a_name_loads_only_what_it_needs() -> None:
    probe = ("import sys; from crosswire import Article, CrosswireError;"
             " print(sorted(m for m in sys.modules if m.startswith('crosswire')))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['crosswire', 'crosswire.article', 'crosswire.errors']"


@pytest.mark.model
def test_the_readme_python_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run as a reader would, from a checkout: the seeds at samples/, the store made in the folder."""
    (tmp_path / "samples").symlink_to(ROOT / "samples")
    monkeypatch.chdir(tmp_path)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(readme_example(), "README.md (Python API)", "exec"), {"__name__": "__readme__"})
    out = printed.getvalue()
    assert "ar_rutte_ishiba nb_rutte_ishiba same story" in out
    assert "## Story report (2 articles, reader language: en)" in out
    assert "2 read, 2 added" in out
    assert "['ar', 'nb']" in out and out.rstrip().endswith("same story")
    assert (tmp_path / "news.db").is_file()
