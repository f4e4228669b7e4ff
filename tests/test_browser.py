"""The playground in a real browser: JupyterLab headless on 127.0.0.1, Debian's Chromium driven
by Playwright. Run all cells, change a tier dropdown, and check the plotted data changed."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "07_playground.ipynb"
CHROMIUM = os.environ.get("ROUTERLAB_CHROMIUM", "/usr/bin/chromium")
# Flags that work for Debian's chromium in a container (see DESIGN.md).
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TOKEN = "routerlab-browser-test"

# The plotted values, read from plotly's own parsed data (plotly 7 ships arrays base64-encoded,
# so the DOM/JSON spec is not readable; _fullData holds the decoded arrays).
READ_PLOTS = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(el =>
    (el._fullData || []).map(t => ({
        name: t.name, type: t.type,
        x: Array.from(t.x || []).map(Number), y: Array.from(t.y || []).map(String),
        color: Array.isArray(t.marker && t.marker.color) || ArrayBuffer.isView(t.marker && t.marker.color)
            ? Array.from(t.marker.color).map(Number) : [],
    })))"""


DIAGNOSE = """() => ({
    prompts: Array.from(document.querySelectorAll('.jp-InputArea-prompt')).map(p => p.textContent),
    indicator: (document.querySelector('.jp-Notebook-ExecutionIndicator') || {}).outerHTML,
    plots: document.querySelectorAll('.js-plotly-plot').length,
    errors: Array.from(document.querySelectorAll('.jp-OutputArea-output[data-mime-type*=error]')).map(e => e.textContent),
})"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_http(url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"JupyterLab did not answer at {url}")
        time.sleep(0.3)


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
    env = dict(os.environ, JUPYTERLAB_SETTINGS_DIR=str(home / "settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"), JUPYTER_RUNTIME_DIR=str(home / "runtime"),
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    port = _free_port()
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
           f"--IdentityProvider.token={TOKEN}", "--allow-root", f"--ServerApp.root_dir={work}",
           # the flags `make lab` uses: no news / update pop-ups (checked below)
           f"--LabApp.app_settings_dir={ROOT / 'tools' / 'lab'}", "--LabApp.news_url=None",
           "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    log = (home / "lab.log").open("w")
    proc = subprocess.Popen(cmd, cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_http(f"http://127.0.0.1:{port}/api/status?token={TOKEN}", timeout=60)
        yield {"url": f"http://127.0.0.1:{port}", "home": home}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def _screenshot_path(tmp_path: Path) -> Path:
    out = os.environ.get("ROUTERLAB_ARTIFACTS")
    base = Path(out) if out else ROOT / "artifacts"
    try:
        base.mkdir(parents=True, exist_ok=True)
        return base / "browser_playground.png"
    except OSError:
        return tmp_path / "browser_playground.png"


def test_playground_dropdown_changes_the_plotted_data(lab, tmp_path: Path) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
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
            page.goto(f"{lab['url']}/lab/tree/{NOTEBOOK.name}?token={TOKEN}", timeout=60_000)
            page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
            # JupyterLab may ask which kernel to start; take the notebook's own (python3).
            select = page.locator(".jp-Dialog button:text-is('Select')")
            try:
                select.wait_for(timeout=10_000)
                select.click()
            except PlaywrightTimeout:
                pass
            page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)
            _dismiss_popups(page)
            _run_playground_then_the_rest(page)
            _wait_idle(page)
            news = page.locator(".jp-Notification-Toast", has_text="official Jupyter news")
            assert news.count() == 0, "JupyterLab's news pop-up is shown: the lab flags of `make lab` do not hide it"
            before = page.evaluate(READ_PLOTS)
            timeline_before = before[0][0]
            assert timeline_before["type"] == "bar" and len(timeline_before["x"]) == 50

            target, elapsed = _change_coder_and_check(page, before)
            shot = _screenshot_path(tmp_path)
            page.screenshot(path=str(shot), full_page=True)
            figs = page.locator(".js-plotly-plot")  # every figure on its own, for a reader to look at
            for i in range(figs.count()):
                figs.nth(i).scroll_into_view_if_needed()
                figs.nth(i).screenshot(path=str(shot.with_name(f"07_playground_fig{i + 1}.png")))
            print(f"\nscreenshot: {shot}\ncoder -> {target!r}: figures re-rendered {elapsed:.2f} s after the change")
        except Exception:
            fail = _screenshot_path(tmp_path).with_name("browser_failure.png")
            page.screenshot(path=str(fail), full_page=True)
            state = page.evaluate(DIAGNOSE)
            print(f"\nfailure screenshot: {fail}\npage state: {state}\nconsole: {console[:20]}")
            raise
        finally:
            ctx.close()


FIRST_DRAWN = f"""() => {{
    const p = ({READ_PLOTS})();
    return p.length >= 2 && p[0].length > 0 && p[0][0].type === 'bar' && p[0][0].x.length === 50
        && p[1].some(t => t.name === 'routed' && t.type === 'scatter')
        && p[1].some(t => t.name === 'all on the top model' && t.type === 'scatter');
}}"""


def _run_playground_then_the_rest(page) -> None:  # noqa: ANN001
    """Run the playground's cell, wait until its figures are drawn (what the assertions read: the
    timeline's 50 bars and both cost lines), then run every cell below it.

    Not Run All at once: when later cells update a FigureWidget while its view is still being
    created, plotly's view can start between deleting the old traces and adding the new ones and
    stay blank (seen in 1 of 5 loaded runs; an open defect of the widget, issue 12). This test is
    about what a dropdown change does to figures on screen, so it lets them reach the screen first."""
    page.click(".jp-Notebook .jp-Cell >> nth=0")
    page.keyboard.press("Shift+Enter")  # the title (markdown)
    page.keyboard.press("Shift+Enter")  # the playground
    _wait_for(page, "the first playground's timeline (50 bars) and cost lines", FIRST_DRAWN, 180_000)
    page.click(".lm-MenuBar-itemLabel:text-is('Run')")
    page.click(".lm-Menu-itemLabel:text-is('Run Selected Cell and All Below')")
    _wait_for(page, "every figure of the notebook", f"() => ({READ_PLOTS})().length >= 7", 180_000)


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
    # Traces are replaced whole, so a plot is briefly empty mid-update: wait until both
    # figures are redrawn with new data.
    _wait_for(page, "both figures redrawn after the dropdown change (timeline recoloured, routed line moved)",
        f"""(before) => {{
            const p = ({READ_PLOTS})();
            if (!(p[0] && p[0][0] && p[1])) return false;
            const routed = p[1].find(t => t.name === 'routed' && t.type === 'scatter');
            const c = p[0][0].color;
            const recoloured = c.length !== before.color.length
                || c.some((v, i) => Math.abs(v - before.color[i]) > 1e-12);
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
