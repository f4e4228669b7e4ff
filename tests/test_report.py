"""routerlab.report: notebooks become HTML that opens with no network; a hang is killed and retried."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

pytest.importorskip("nbconvert")
pytest.importorskip("plotly")

from routerlab.errors import ConfigurationError  # noqa: E402
from routerlab.report import export_all, export_notebook  # noqa: E402


def _notebook(path: Path, *cells: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    nb.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    nbformat.write(nb, path)
    return path


def test_report_embeds_plotly_and_the_figure_data(tmp_path: Path) -> None:
    nb = _notebook(tmp_path / "01_demo.ipynb",
                   "import plotly.graph_objects as go\ngo.Figure(go.Bar(x=['a', 'b'], y=[31415, 27182]))")
    r = export_notebook(nb, tmp_path / "out")
    assert r.ok and r.attempts == 1, r.error
    page = r.html.read_text()
    assert "31415" in page and "27182" in page  # the figure's data is in the page
    # plotly.js itself is inlined (not loaded from a CDN <script src>), so the page works offline
    assert not re.search(r"<script[^>]+src=[\"'][^\"']*plotly", page)
    # nor anything else: no require.js, MathJax or widget manager from a CDN (the lab template's defaults)
    assert not re.search(r"<script[^>]+src=[\"']https?:", page), re.findall(r"<script[^>]+src=[^>]+>", page)
    assert len(page) > 1_000_000


def test_a_hanging_notebook_is_killed_and_retried_once(tmp_path: Path) -> None:
    nb = _notebook(tmp_path / "02_hang.ipynb", "import time\ntime.sleep(600)")
    r = export_notebook(nb, tmp_path / "out", timeout_s=8, retries=1)
    assert not r.ok and r.attempts == 2 and "timed out" in r.error
    assert r.seconds < 60


def test_export_all_needs_numbered_notebooks(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="NN_name"):
        export_all(tmp_path, tmp_path / "out")
