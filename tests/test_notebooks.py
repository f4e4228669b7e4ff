"""The notebooks are committed clean (no outputs) and match their sources in tools/notebooks."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _builder():
    spec = importlib.util.spec_from_file_location("build_notebooks", ROOT / "tools" / "build_notebooks.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_there_are_numbered_notebooks():
    assert len(NOTEBOOKS) >= 1


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_without_outputs(path: Path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, "a notebook with no code"
    assert all(not c.outputs and c.execution_count is None for c in code), "strip outputs (nbstripout)"
    assert any("assert " in c.source for c in code), "state the notebook's claims as asserts"


def test_notebooks_match_their_sources():
    b = _builder()
    sources = sorted(b.SOURCES.glob("[0-9][0-9]_*.py"))
    assert [s.stem for s in sources] == [p.stem for p in NOTEBOOKS], "every notebook has a source and vice versa"
    for src in sources:
        built = b.render(b.build(src))
        assert (ROOT / "notebooks" / (src.stem + ".ipynb")).read_text(encoding="utf-8") == built, (
            f"{src.name} changed: run python tools/build_notebooks.py")
