"""The notebooks are committed clean (no outputs) and match their sources in tools/notebooks.

Both checks read what ``git add`` would store: a notebook run and saved in JupyterLab holds
outputs in the working file, and nbstripout's git filter (``make setup`` installs it;
``.gitattributes`` routes every ``*.ipynb`` through it) strips them on the way into git. So
exploring the notebooks never breaks the tests; only outputs that would really be committed do."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
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


def _git(*args: str) -> str:
    out = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
    return out.stdout.strip() if out.returncode == 0 else ""


# nbstripout's own default keys (its command line adds them); the project adds STRIP_EXTRA_KEYS.
NBSTRIPOUT_DEFAULT_KEYS = ("metadata.signature metadata.widgets cell.metadata.collapsed cell.metadata.ExecuteTime "
                           "cell.metadata.execution cell.metadata.heading_collapsed cell.metadata.hidden "
                           "cell.metadata.scrolled").split()


def committed_form(path: Path) -> str:
    """The notebook as ``git add`` would store it: through the clean filter that
    .gitattributes names for it when this checkout has that filter installed, else as is.
    nbstripout runs in process (same options as the filter): a process per notebook is slow."""
    text = path.read_text(encoding="utf-8")
    if not shutil.which("git"):
        return text
    attr = _git("check-attr", "filter", "--", str(path.relative_to(ROOT))).rsplit(": ", 1)[-1]
    clean = _git("config", "--get", f"filter.{attr}.clean") if attr not in ("", "unspecified", "unset") else ""
    if not clean:
        return text
    if clean.endswith("-m nbstripout"):
        from nbstripout import strip_output

        keys = NBSTRIPOUT_DEFAULT_KEYS + _git("config", "--get", "filter.nbstripout.extrakeys").split()
        nb = strip_output(nbformat.reads(text, as_version=4), keep_output=False, keep_count=False, keep_id=False,
                          extra_keys=keys)
        return nbformat.writes(nb) + "\n"
    out = subprocess.run(clean, shell=True, cwd=ROOT, input=text, capture_output=True, text=True, check=True)
    return out.stdout


def _cells(nb: nbformat.NotebookNode) -> list[tuple[str, str]]:
    return [(c.cell_type, c.source) for c in nb.cells]


def test_gitattributes_send_notebooks_through_nbstripout():
    attrs = (ROOT / ".gitattributes").read_text(encoding="utf-8")
    assert "*.ipynb filter=nbstripout" in attrs, "the git filter that strips outputs on commit"
    assert "--install-filter" in (ROOT / "Makefile").read_text(encoding="utf-8"), "make setup installs it"


def test_there_are_numbered_notebooks():
    assert len(NOTEBOOKS) >= 1


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_without_outputs(path: Path):
    nb = nbformat.reads(committed_form(path), as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, "a notebook with no code"
    assert all(not c.outputs and c.execution_count is None for c in code), (
        f"{path.name} would be committed with outputs: run `make setup` (installs the nbstripout git filter) "
        f"or `nbstripout {path.relative_to(ROOT)}`")
    assert any("assert " in c.source for c in code), "state the notebook's claims as asserts"


def test_notebooks_match_their_sources():
    b = _builder()
    sources = sorted(b.SOURCES.glob("[0-9][0-9]_*.py"))
    assert [s.stem for s in sources] == [p.stem for p in NOTEBOOKS], "every notebook has a source and vice versa"
    for src in sources:
        built = b.build(src)
        committed = nbformat.reads(committed_form(ROOT / "notebooks" / (src.stem + ".ipynb")), as_version=4)
        assert _cells(committed) == _cells(built) and committed.metadata.kernelspec == built.metadata.kernelspec, (
            f"{src.name} changed: run python tools/build_notebooks.py")


def test_a_built_notebook_passes_the_git_filter_unchanged():
    """Ids and metadata are those nbstripout leaves, so a notebook that was run and saved comes
    back through the filter byte for byte (git status stays clean after a JupyterLab session)."""
    nbstripout = pytest.importorskip("nbstripout")
    b = _builder()
    src = sorted(b.SOURCES.glob("[0-9][0-9]_*.py"))[0]
    built = b.build(src)
    ran = nbformat.reads(b.render(built), as_version=4)
    ran.cells[1].outputs = [nbformat.v4.new_output("stream", text="hello\n")]
    ran.cells[1].execution_count = 3
    ran.metadata.language_info.update(version="3.11.2", mimetype="text/x-python", file_extension=".py")
    stripped = nbstripout.strip_output(ran, keep_output=False, keep_count=False, keep_id=False,
                                       extra_keys=[*NBSTRIPOUT_DEFAULT_KEYS, *b.STRIP_EXTRA_KEYS.split()])
    assert b.render(stripped) == b.render(built)
