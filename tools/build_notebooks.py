"""Build notebooks/*.ipynb from their sources in tools/notebooks/*.py (percent format).

Sources are plain Python with ``# %%`` code cells and ``# %% [markdown]`` cells (each markdown
line starts with ``# ``). Notebooks come out without outputs, ready to commit; nbval runs them.

    python tools/build_notebooks.py            # write notebooks/
    python tools/build_notebooks.py --check    # exit 1 if a notebook differs from its source
    python tools/build_notebooks.py --install-filter   # make setup: git strips outputs on commit
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "tools" / "notebooks"
OUT = ROOT / "notebooks"
# What JupyterLab adds to a notebook on save beyond nbstripout's defaults (outputs, counts,
# metadata.widgets, ...): the kernel's version details. The git filter strips them too.
STRIP_EXTRA_KEYS = " ".join(f"metadata.language_info.{k}" for k in (
    "codemirror_mode", "file_extension", "mimetype", "nbconvert_exporter", "pygments_lexer", "version"))


def install_filter() -> int:
    """Install nbstripout as this checkout's git filter for notebooks (``.gitattributes`` routes
    ``*.ipynb`` through it): ``git add`` then stores a notebook without outputs, whatever a
    JupyterLab session saved into the working file."""
    import subprocess

    subprocess.run([sys.executable, "-m", "nbstripout", "--install", "--attributes", str(ROOT / ".gitattributes")],
                   cwd=ROOT, check=True)
    subprocess.run(["git", "config", "filter.nbstripout.extrakeys", STRIP_EXTRA_KEYS], cwd=ROOT, check=True)
    print("nbstripout git filter installed: notebooks are committed without outputs")
    return 0

KERNEL = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def parse(text: str) -> list[nbformat.NotebookNode]:
    """Cells of a percent-format source."""
    cells: list[nbformat.NotebookNode] = []
    kind, lines = None, []  # type: ignore[var-annotated]

    def flush() -> None:
        if kind is None:
            return
        body = "\n".join(lines).strip("\n")
        if not body.strip():
            return
        if kind == "markdown":
            md = "\n".join(ln[2:] if ln.startswith("# ") else ln.lstrip("#") for ln in body.split("\n"))
            cells.append(nbformat.v4.new_markdown_cell(md))
        else:
            cells.append(nbformat.v4.new_code_cell(body))

    for line in text.splitlines():
        if line.startswith("# %%"):
            flush()
            kind, lines = ("markdown" if "[markdown]" in line else "code"), []
        elif kind is not None:
            lines.append(line)
    flush()
    # Stable ids keep rebuilds diff-free; they are the ids nbstripout gives (cell number), so a
    # notebook run in JupyterLab and saved goes through the git filter back to exactly this file.
    for i, c in enumerate(cells):
        c["id"] = str(i)
    return cells


def build(src: Path) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = parse(src.read_text(encoding="utf-8"))
    nb.metadata = {"kernelspec": KERNEL, "language_info": {"name": "python"}}
    return nb


def render(nb: nbformat.NotebookNode) -> str:
    return nbformat.writes(nb) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="fail if any notebook is out of date")
    ap.add_argument("--install-filter", action="store_true", help="install the nbstripout git filter (make setup)")
    args = ap.parse_args(argv)
    if args.install_filter:
        return install_filter()
    stale = []
    for src in sorted(SOURCES.glob("[0-9][0-9]_*.py")):
        target = OUT / (src.stem + ".ipynb")
        text = render(build(src))
        if args.check:
            if not target.exists() or target.read_text(encoding="utf-8") != text:
                stale.append(target.name)
        else:
            target.write_text(text, encoding="utf-8")
            print(f"wrote {target.relative_to(ROOT)}")
    if stale:
        print("out of date (run python tools/build_notebooks.py):", ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
