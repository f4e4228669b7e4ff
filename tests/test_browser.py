"""The playground in a real browser: JupyterLab headless on 127.0.0.1, Debian's Chromium driven
by Playwright. Plain Run All Cells (what a user does), wait until every figure is drawn, check
that each plot fills its output's width and that no widget model failed to initialize (anywidget
then drops every later update for it), change a tier dropdown and check the plotted data
changed; change the quality playground's coder and check its star sits on the chosen model's
point."""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "07_playground.ipynb"
CHROMIUM = os.environ.get("ROUTERLAB_CHROMIUM", "/usr/bin/chromium")
# Flags that work for Debian's chromium in a container (see DESIGN.md).
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]

# The plotted values, read from plotly's own parsed data (plotly 7 ships arrays base64-encoded,
# so the DOM/JSON spec is not readable; _fullData holds the decoded arrays).
READ_PLOTS = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(el =>
    (el._fullData || []).map(t => ({
        name: t.name, type: t.type, meta: t.meta === undefined ? null : t.meta, visible: t.visible,
        x: Array.from(t.x || []).map(Number), y: Array.from(t.y || []).map(String),
        text: Array.isArray(t.text) || ArrayBuffer.isView(t.text) ? Array.from(t.text).map(String) : [],
        // colour strings or numbers on a scale (the timeline sends strings), compared as text
        color: Array.isArray(t.marker && t.marker.color) || ArrayBuffer.isView(t.marker && t.marker.color)
            ? Array.from(t.marker.color).map(String) : [],
    })))"""


DIAGNOSE = """() => ({
    prompts: Array.from(document.querySelectorAll('.jp-InputArea-prompt')).map(p => p.textContent),
    indicator: (document.querySelector('.jp-Notebook-ExecutionIndicator') || {}).outerHTML,
    plots: document.querySelectorAll('.js-plotly-plot').length,
    errors: Array.from(document.querySelectorAll('.jp-OutputArea-output[data-mime-type*=error]')).map(e => e.textContent),
})"""


def _lab_tools():
    # JupyterLab is started the one way tools/lab_roundtrip.py starts it, with `make lab`'s flags.
    spec = importlib.util.spec_from_file_location("lab_roundtrip", ROOT / "tools" / "lab_roundtrip.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install -y chromium (or set ROUTERLAB_CHROMIUM)")
    pytest.importorskip("playwright.sync_api", reason="Python Playwright is not installed (dev extra)")
    pytest.importorskip("jupyterlab", reason="JupyterLab is not installed (lab extra)")
    home = tmp_path_factory.mktemp("lab")
    work = home / "notebooks"
    work.mkdir()
    # A copy: JupyterLab autosaves outputs into the notebook it runs.
    shutil.copy(NOTEBOOK, work / NOTEBOOK.name)
    tools = _lab_tools()
    with tools.jupyterlab(ROOT, home, startup_s=60, root_dir=work) as url:
        yield {"url": url, "home": home, "tools": tools}


def _screenshot_path(tmp_path: Path) -> Path:
    out = os.environ.get("ROUTERLAB_ARTIFACTS")
    base = Path(out) if out else ROOT / "artifacts"
    try:
        base.mkdir(parents=True, exist_ok=True)
        return base / "browser_playground.png"
    except OSError:
        return tmp_path / "browser_playground.png"


def test_playground_dropdown_changes_the_plotted_data(lab, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        ctx = pw.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"), executable_path=CHROMIUM, headless=True, args=FLAGS,
            viewport={"width": 1400, "height": 1800},
        )
        try:
            page = ctx.new_page()
            console: list[str] = []
            page.on("console", lambda m: console.append(f"{m.type}: {m.text}") if m.type == "error" else None)
            # a model whose ESM did not bind within anywidget's 2 s rejects its `ready` unheard:
            # an unhandled rejection, which Playwright reports as a page error
            page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
            lab["tools"].open_notebook(page, lab["url"], NOTEBOOK.name, idle_timeout_s=180)
            _dismiss_popups(page)
            t0 = time.monotonic()
            _run_all(page)
            drawn_s = time.monotonic() - t0
            _wait_idle(page)
            widths = _wait_for_full_width(page)
            failed = [c for c in console if "Failed to initialize" in c]
            assert not failed, f"{len(failed)} widget models missed anywidget's 2 s (their updates are dropped): {failed[:3]}"
            news = page.locator(".jp-Notification-Toast", has_text="official Jupyter news")
            assert news.count() == 0, "JupyterLab's news pop-up is shown: the lab flags of `make lab` do not hide it"
            before = page.evaluate(READ_PLOTS)
            timeline_before = before[0][0]
            assert timeline_before["type"] == "bar" and len(timeline_before["x"]) == 50

            target, elapsed = _change_coder_and_check(page, before)
            starred = _change_quality_coder_and_check_the_star(page, _screenshot_path(tmp_path))
            shot = _screenshot_path(tmp_path)
            page.screenshot(path=str(shot), full_page=True)
            figs = page.locator(".js-plotly-plot")  # every figure on its own, for a reader to look at
            for i in range(figs.count()):
                figs.nth(i).scroll_into_view_if_needed()
                figs.nth(i).screenshot(path=str(shot.with_name(f"07_playground_fig{i + 1}.png")))
            print(f"\nscreenshot: {shot}\nRun All -> every figure drawn in {drawn_s:.1f} s; plot / output widths {widths}"
                  f"\ncoder -> {target!r}: figures re-rendered {elapsed:.2f} s after the change"
                  f"\nquality playground coder -> {starred!r}: the star is on its point")
        except Exception:
            fail = _screenshot_path(tmp_path).with_name("browser_failure.png")
            page.screenshot(path=str(fail), full_page=True)
            state = page.evaluate(DIAGNOSE)
            print(f"\nfailure screenshot: {fail}\npage state: {state}\nconsole: {console[:20]}")
            raise
        finally:
            ctx.close()


ALL_DRAWN = f"""() => {{
    const p = ({READ_PLOTS})();
    return p.length >= 7 && p[0].length > 0 && p[0][0].type === 'bar' && p[0][0].x.length === 50
        && p[1].some(t => t.name === 'routed' && t.type === 'scatter')
        && p[1].some(t => t.name === 'all on the top model' && t.type === 'scatter')
        && p.some(fig => fig.some(t => t.meta === 'chosen' && t.x.length === 1));
}}"""


def _run_all(page) -> None:  # noqa: ANN001
    """Run All Cells from the Run menu, then wait until every figure is drawn with what the
    assertions read: the timeline's 50 bars, both cost lines, the quality figure's stars.

    Later cells update the first playground's figures while their views are still being
    created: a view starts from the figure's full state, kept current (viz.live), and every
    model binds within anywidget's 2 s (viz.live_figure), so a blank or frozen view fails here."""
    page.click(".lm-MenuBar-itemLabel:text-is('Run')")
    page.click(".lm-Menu-itemLabel:text-is('Run All Cells')")
    _wait_for(page, "every figure of the notebook drawn (timeline 50 bars, cost lines, quality stars)", ALL_DRAWN,
              240_000)


# Each plot's drawn width against its output area's: plotly sized a figure once and fell back to
# 700 px when its element had no width yet (half the lab's output area).
WIDTHS = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(el => {
    const svg = el.querySelector('svg.main-svg'), out = el.closest('.jp-OutputArea-output');
    return [svg ? Math.round(svg.getBoundingClientRect().width) : 0, out ? Math.round(out.getBoundingClientRect().width) : 0];
})"""


def _wait_for_full_width(page) -> list[list[int]]:  # noqa: ANN001
    """Every plot at least 90% of its output area's width (it resizes once its element has a
    size); [plot, output] widths in px."""
    _wait_for(page, "every plot at >= 90% of its output area's width",
              f"() => {{ const w = ({WIDTHS})(); return w.length >= 7 && w.every(([p, o]) => o > 0 && p >= 0.9 * o); }}",
              60_000)
    return page.evaluate(WIDTHS)


# The quality figure: per tier panel, the candidates (named after the tier) and a one-point star
# (meta 'chosen'); where the coder star sits and which candidate point is there.
CODER_STAR = """() => {
    const el = Array.from(document.querySelectorAll('.js-plotly-plot'))
        .find(e => (e._fullData || []).some(t => t.meta === 'chosen'));
    if (!el) return null;
    const star = el._fullData.find(t => t.meta === 'chosen' && t.name === 'coder: chosen');
    const base = el._fullData.find(t => t.name === 'coder' && t.meta !== 'chosen');
    if (!star || !base) return null;
    const xs = Array.from(base.x).map(Number), ys = Array.from(base.y).map(Number), names = Array.from(base.text);
    const sx = Array.from(star.x).map(Number), sy = Array.from(star.y).map(Number);
    const at = sx.length === 1 ? names.filter((n, i) => Math.abs(xs[i] - sx[0]) < 1e-9 * Math.max(1, xs[i])
                                                  && Math.abs(ys[i] - sy[0]) < 1e-9 * Math.max(1, ys[i])) : [];
    return {names: names, starred: at};
}"""


def _change_quality_coder_and_check_the_star(page, shot) -> str:  # noqa: ANN001
    """Pick another coder model with evidence in the quality playground (the second coder
    dropdown); wait until the star sits on that model's point, and screenshot the figure."""
    star = page.evaluate(CODER_STAR)
    assert star is not None, "no quality figure with a coder star on the page"
    assert len(star["starred"]) == 1, f"before the change the coder star is on {star['starred']}, not one point"
    dropdown = page.locator(".widget-dropdown", has=page.locator("label:text-is('coder')")).nth(1).locator("select")
    options = dropdown.evaluate("s => Array.from(s.options).map(o => o.textContent)")
    ids = [o.split()[0] for o in options]  # "openai:gpt-5-mini  ($0.25 / $2 per Mtok)"
    current = ids[dropdown.evaluate("s => s.selectedIndex")]
    target = next(i for i in ids if i != current and i.split(":", 1)[-1] in star["names"]
                  and i.split(":", 1)[-1] not in star["starred"])
    dropdown.select_option(index=ids.index(target))
    short = target.split(":", 1)[-1]
    _wait_for(page, f"the coder star on {short}'s point after the change",
              f"(want) => {{ const s = ({CODER_STAR})(); return !!s && s.starred.length === 1 && s.starred[0] === want; }}",
              120_000, arg=short)
    figs = page.locator(".js-plotly-plot")
    for i in range(figs.count()):
        if figs.nth(i).evaluate("e => (e._fullData || []).some(t => t.meta === 'chosen')"):
            figs.nth(i).scroll_into_view_if_needed()
            figs.nth(i).screenshot(path=str(shot.with_name("07_quality_star_after_change.png")))
            break
    return target


def _change_coder_and_check(page, before) -> tuple[str, float]:  # noqa: ANN001
    """Pick another coder model in the first playground; wait for both figures to redraw and check
    that the timeline was recoloured and the routed cost line moved while the baseline did not."""
    timeline_before = before[0][0]
    # the first playground's coder dropdown (the notebook's quality section has a second one)
    dropdown = page.locator(".widget-dropdown", has=page.locator("label:text-is('coder')")).first.locator("select")
    # textContent, not innerText: a <select>'s options are not rendered, so innerText can be ''
    options = dropdown.evaluate("s => Array.from(s.options).map(o => o.textContent)")
    current = options[dropdown.evaluate("s => s.selectedIndex")]
    target = next(o for o in options if o != current and "local:" not in o)
    t0 = time.monotonic()
    # by index: ipywidgets writes labels with non-breaking spaces, which a label match can miss
    dropdown.select_option(index=options.index(target))
    # wait until both figures are redrawn with the new data
    _wait_for(page, "both figures redrawn after the dropdown change (timeline recoloured, routed line moved)",
        f"""(before) => {{
            const p = ({READ_PLOTS})();
            if (!(p[0] && p[0][0] && p[1])) return false;
            const routed = p[1].find(t => t.name === 'routed' && t.type === 'scatter');
            const c = p[0][0].color;
            const recoloured = c.length !== before.color.length || c.some((v, i) => v !== before.color[i]);
            return recoloured && !!routed && routed.y.join() !== before.routed;
        }}""",
        120_000, arg={"color": timeline_before["color"],
                      "routed": ",".join(next(t["y"] for t in before[1] if t["name"] == "routed"))},
    )
    elapsed = time.monotonic() - t0
    after = page.evaluate(READ_PLOTS)
    timeline_after = after[0][0]
    assert timeline_after["color"] != timeline_before["color"]
    # the cost figure's routed line moved too; the all-top baseline did not
    lines_before = {t["name"]: t["y"] for t in before[1] if t["type"] == "scatter"}
    lines_after = {t["name"]: t["y"] for t in after[1] if t["type"] == "scatter"}
    assert lines_after["routed"] != lines_before["routed"]
    assert lines_after["all on the top model"] == lines_before["all on the top model"]
    return target, elapsed


def _wait_for(page, what: str, js: str, timeout_ms: int, arg=None) -> None:  # noqa: ANN001
    """Wait until ``js`` is true; on timeout fail saying which condition never held, and the
    page's state then."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(js, arg=arg, timeout=timeout_ms)
    except PlaywrightTimeout:
        state = page.evaluate(DIAGNOSE)
        plots = page.evaluate(f"() => ({READ_PLOTS})().map(p => p.map(t => [t.name, t.type, t.x.length]))")
        raise AssertionError(f"timed out after {timeout_ms / 1000:.0f} s waiting for {what}; plots {plots}; "
                             f"prompts {state['prompts']}; errors {state['errors']}") from None


def _dismiss_popups(page) -> None:  # noqa: ANN001
    for label in ("No", "Dismiss", "Close"):
        btn = page.locator(f".jp-Notification-Toast button:text-is('{label}')")
        if btn.count():
            btn.first.click()


def _wait_idle(page, timeout_ms: int = 120_000) -> None:  # noqa: ANN001
    """All cells ran: no '[*]' prompt left and the kernel reports idle."""
    page.wait_for_function(
        """() => {
            const prompts = Array.from(document.querySelectorAll('.jp-InputArea-prompt')).map(p => p.textContent);
            const ind = document.querySelector('.jp-Notebook-ExecutionIndicator');
            return prompts.length > 0 && !prompts.some(p => p.includes('*'))
                && prompts.every(p => /\\[\\d+\\]/.test(p) || p.trim() === '' ) && ind && ind.dataset.status === 'idle';
        }""",
        timeout=timeout_ms,
    )
