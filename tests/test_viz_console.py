"""Every viz figure drawn by plain plotly.js in headless Chromium logs nothing: no "Invalid color
specifier" (plotly.js logs it through console.trace, once per bar per redraw), no other warning.

    python tests/test_viz_console.py     # per figure, how many console warnings (no assert)

The unit-level check of the same thing is tests/test_viz_colours.py.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # run as a script too

from viz_samples import FIGURES  # noqa: E402

# the screenshot tool's own page and console filter: one definition of "a figure logged a problem"
_spec = importlib.util.spec_from_file_location("screenshot_figures", ROOT / "tools" / "screenshot_figures.py")
assert _spec is not None and _spec.loader is not None
shots = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(shots)
CHROMIUM, FLAGS, console_problem, standalone_page = shots.CHROMIUM, shots.FLAGS, shots.console_problem, shots.standalone_page

pytestmark = pytest.mark.browser


def console_per_figure(out: Path) -> dict[str, list[str]]:
    """Each sample figure drawn once in its own page: {name: the console messages it caused}."""
    from playwright.sync_api import sync_playwright

    seen: dict[str, list[str]] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            for i, (name, draw) in enumerate(FIGURES.items()):
                page = browser.new_page(viewport={"width": 1200, "height": 800})
                msgs: list[str] = []
                page.on("console", lambda m, c=msgs: c.append(f"{m.type}: {m.text}")
                        if console_problem(m.type, m.text) else None)
                page.on("pageerror", lambda e, c=msgs: c.append(f"pageerror: {e}"))
                page.goto(standalone_page(draw().to_json(), out / f"fig{i}.html").as_uri())
                page.wait_for_function("window.drawn === true", timeout=60_000)
                seen[name] = msgs
                page.close()
        finally:
            browser.close()
    return seen


def _need_browser() -> None:
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install -y chromium (or set ROUTERLAB_CHROMIUM)")
    pytest.importorskip("playwright.sync_api", reason="Python Playwright is not installed (dev extra)")
    pytest.importorskip("plotly")


def test_every_viz_figure_draws_without_a_console_warning(tmp_path: Path) -> None:
    _need_browser()
    seen = console_per_figure(tmp_path)
    assert set(seen) == set(FIGURES)
    assert {name: msgs[:3] for name, msgs in seen.items() if msgs} == {}


def main(argv: Any = None) -> int:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        seen = console_per_figure(Path(tmp))
    for name, msgs in seen.items():
        colour = sum("Invalid color" in m for m in msgs)
        print(f"{name:28s} {len(msgs):4d} console warnings ({colour} 'Invalid color')")
        for m in sorted(set(msgs))[:3]:
            print(f"    {m[:160]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
