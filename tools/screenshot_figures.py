"""Screenshot every figure of the demo report and of executed notebooks, in the real browser.

    python tools/screenshot_figures.py                      # demo + notebooks 01 04 06 09 10
    python tools/screenshot_figures.py --only demo 01       # some of them (02 is not in the default)

Writes ``artifacts/figures/<page>_fig<N>.png`` (one per plotly figure, at 100% zoom in a
1400 px wide window) and prints, per page, how many figures it drew and any browser console
warnings or errors (e.g. plotly's "Invalid color specifier", which plotly.js logs through
console.trace); exits 1 when there was any. Every viz function alone, drawn by plain plotly.js:
``python tests/test_viz_console.py``. Notebooks are executed to HTML with ``routerlab.report``
first. Widgets (07's playground) do not render in static HTML: the browser test screenshots them
live in JupyterLab, and so does ``python tools/lab_roundtrip.py --only 07 --shots artifacts/lab``
(every figure as the lab drew it). ``artifacts/`` is not committed.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CHROMIUM = os.environ.get("ROUTERLAB_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
NOTEBOOKS = ("01", "04", "06", "09", "10")  # 07 is widgets: tools/lab_roundtrip.py --shots draws them


def console_problem(kind: str, text: str) -> bool:
    """A console message that says a figure is wrong: a warning or error, or one of plotly.js's own
    (it logs "WARN: Invalid color specifier ..." through console.trace, type "trace", which a
    filter on warnings and errors alone missed: the demo report "had 0" while drawing hundreds)."""
    return kind in ("warning", "error") or (kind == "trace" and text.startswith(("WARN:", "ERROR:")))


def standalone_page(figure_json: str, path: Path) -> Path:
    """An HTML page that draws one figure (plotly's JSON) with the installed plotly.min.js and
    sets ``window.drawn`` when done: the figure as plain plotly.js sees it, no notebook around it."""
    import plotly

    js = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    path.write_text(f"""<!doctype html><html><head><meta charset="utf-8"><script src="{js.as_uri()}"></script></head>
<body><div id="fig"></div><script>
const f = {figure_json};
Plotly.newPlot("fig", f.data, f.layout).then(() => {{ window.drawn = true; }});
</script></body></html>""", encoding="utf-8")
    return path


def pages(only: list[str], out: Path) -> dict[str, Path]:
    from routerlab.cli import run_demo
    from routerlab.report import export_notebook

    wanted = set(only) if only else {"demo", *NOTEBOOKS}
    found: dict[str, Path] = {}
    if "demo" in wanted:
        found["demo"] = run_demo(out=out / "demo.html")["report"]
    for nb in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        if nb.name[:2] in wanted:
            r = export_notebook(nb, out / "html", cell_timeout=300, timeout_s=900)
            if not r.ok or r.html is None:
                print(f"FAIL {nb.name}: {r.error}", file=sys.stderr)
                continue
            found[nb.stem] = r.html
    return found


def shoot(found: dict[str, Path], out: Path) -> int:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    shots = out / "figures"
    shots.mkdir(parents=True, exist_ok=True)
    problems = 0
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            for name, path in found.items():
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                console: list[str] = []
                page.on("console", lambda m, c=console: c.append(f"{m.type}: {m.text}")
                        if console_problem(m.type, m.text) else None)
                page.goto(path.resolve().as_uri(), timeout=120_000)
                # every figure drawn: plotly sets _fullLayout once a plot has rendered (a widget's
                # figure never renders in static HTML: say so and shoot the rest)
                try:
                    page.wait_for_function("""() => { const p = document.querySelectorAll('.js-plotly-plot');
                        return p.length > 0 && Array.from(p).every(e => e._fullLayout); }""", timeout=120_000)
                except PlaywrightTimeout:
                    problems += 1
                    print(f"{name}: not every figure was drawn within 120 s (widgets do not render in static HTML)")
                figs = page.locator(".js-plotly-plot")
                for i in range(figs.count()):
                    figs.nth(i).scroll_into_view_if_needed()
                    figs.nth(i).screenshot(path=str(shots / f"{name}_fig{i + 1}.png"))
                colour = [c for c in console if "Invalid color" in c]
                problems += len(console)  # any warning fails the run: each says a figure is drawn wrong
                print(f"{name}: {figs.count()} figures -> {shots}/{name}_fig*.png; "
                      f"{len(console)} console warnings/errors ({len(colour)} 'Invalid color')")
                for c in sorted(set(console))[:5]:
                    print(f"   {c[:200]}")
                page.close()
        finally:
            browser.close()
    return problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="*", default=[], help="'demo' and/or notebook numbers (default: demo and 01 04 06 09 10)")
    ap.add_argument("--out", default=str(ROOT / "artifacts"), help="where pages and screenshots go")
    a = ap.parse_args(argv)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    return 1 if shoot(pages(a.only, out), out) else 0


if __name__ == "__main__":
    sys.exit(main())
