"""Run notebooks in the real JupyterLab, save them, and check that git would still commit them clean.

    python tools/lab_roundtrip.py                          # every notebook in notebooks/
    python tools/lab_roundtrip.py --only 02 07             # some of them
    python tools/lab_roundtrip.py --shots artifacts/lab    # also screenshot each figure as the lab drew it

What a user does after ``make setup``, done in headless Chromium: open a notebook in JupyterLab
(started with ``make lab``'s flags, read from the Makefile), Run All Cells, wait until every cell
has run and the kernel is idle, save with Ctrl+S. It happens in a temporary ``git clone`` of this
checkout's HEAD (uncommitted changes are not in it; saving dirties nothing here) where
``make setup``'s nbstripout filter is installed. Then, in that clone, it checks:

- every saved notebook holds outputs (the save really wrote what the lab ran);
- ``pytest tests/test_notebooks.py`` passes (the tests that read what git would commit);
- ``git diff`` is empty, and after ``git add notebooks`` nothing is staged and ``git status`` is clean
  (before it, git names each saved notebook: it compares sizes before content).

Exit 0 when all of that holds for every notebook; it prints one line per notebook and per check.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("ROUTERLAB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TOKEN = "routerlab-lab-roundtrip"

# Done when no code cell waits or runs and the kernel is idle; or when a cell failed (Run All
# stops there, so the cells below keep their empty prompt for good).
RUN_STATE = """() => {
    const code = Array.from(document.querySelectorAll('.jp-Notebook .jp-CodeCell'));
    const prompts = code.map(c => (c.querySelector('.jp-InputArea-prompt') || {}).textContent || '');
    const ind = document.querySelector('.jp-Notebook-ExecutionIndicator');
    return {
        cells: code.length,
        ran: prompts.filter(p => /\\[\\d+\\]/.test(p)).length,
        busy: prompts.some(p => p.includes('*')),
        idle: !!ind && ind.dataset.status === 'idle',
        errors: Array.from(document.querySelectorAll('.jp-OutputArea-output[data-mime-type*="error"]'))
            .map(e => e.textContent.slice(0, 300)),
    };
}"""


@dataclass
class Outcome:
    """What happened to one notebook in the lab."""

    name: str
    seconds: float = 0.0  # Run All, until the kernel is idle
    open_seconds: float = 0.0  # opening the notebook page until its kernel is idle
    cells: int = 0
    ran: int = 0
    outputs_saved: int = 0
    figures: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and self.ran == self.cells and self.outputs_saved > 0


def lab_flags(checkout: Path) -> list[str]:
    """``make lab``'s own flags (the Makefile's LAB_QUIET), for a lab started in ``checkout``."""
    text = (checkout / "Makefile").read_text(encoding="utf-8")
    m = re.search(r"^LAB_QUIET\s*=\s*((?:.*\\\n)*.*)$", text, re.M)
    if not m:
        raise RuntimeError("the Makefile defines no LAB_QUIET: which flags does `make lab` use?")
    return m.group(1).replace("\\\n", " ").replace("$(CURDIR)", str(checkout)).split()


def clone_with_filter(src: Path, dest: Path) -> Path:
    """A ``git clone`` of ``src``'s HEAD at ``dest`` with ``make setup``'s notebook filter installed."""
    subprocess.run(["git", "clone", "--quiet", str(src), str(dest)], check=True)
    subprocess.run([sys.executable, "tools/build_notebooks.py", "--install-filter"], cwd=dest, check=True,
                   stdout=subprocess.DEVNULL)
    return dest


def _data_mirror() -> str | None:
    sys.path.insert(0, str(ROOT))
    from routerlab import config

    found = config.data_dir_override() or config.mirror_beside(ROOT, Path.cwd())
    return str(found) if found else None


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _api(url: str, method: str = "GET") -> object:
    req = urllib.request.Request(url, method=method, headers={"Authorization": f"token {TOKEN}"})
    with urllib.request.urlopen(req, timeout=10) as r:
        body = r.read()
    return json.loads(body) if body else None


@contextmanager
def jupyterlab(checkout: Path, home: Path, startup_s: float = 90, root_dir: Path | None = None) -> Iterator[str]:
    """JupyterLab on ``root_dir`` (default ``checkout/notebooks``) at 127.0.0.1, as ``make lab`` starts
    it; yields its URL. The kernel imports the checkout's routerlab and reads this machine's data mirror."""
    env = dict(os.environ, JUPYTERLAB_SETTINGS_DIR=str(home / "settings"), JUPYTER_RUNTIME_DIR=str(home / "runtime"),
               JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"), PYTHONPATH=str(checkout))
    mirror = _data_mirror()
    if mirror:
        env["ROUTERLAB_DATA_DIR"] = mirror
    port = _port()
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", "--ip=127.0.0.1", f"--port={port}",
           f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={root_dir or checkout / 'notebooks'}",
           *lab_flags(checkout)]
    url = f"http://127.0.0.1:{port}"
    with (home / "lab.log").open("w") as log:
        proc = subprocess.Popen(cmd, cwd=checkout, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + startup_s
            while True:
                try:
                    _api(f"{url}/api/status")
                    break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"JupyterLab did not start; its log: {home / 'lab.log'}") from None
                    time.sleep(0.5)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


def _shut_down_kernel(url: str, name: str) -> None:
    sessions = _api(f"{url}/api/sessions")
    for s in sessions if isinstance(sessions, list) else []:
        if Path(s.get("path", "")).name == name:
            _api(f"{url}/api/sessions/{s['id']}", method="DELETE")


def open_notebook(page, url: str, name: str, idle_timeout_s: float = 90) -> None:  # noqa: ANN001
    """Open notebook ``name`` in the lab at ``url`` and wait until its kernel is idle."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    # reset: do not restore the last page's workspace (it would reopen, and rerun, the notebook before)
    page.goto(f"{url}/lab/tree/{name}?token={TOKEN}&reset", timeout=60_000)
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    choose = page.locator(".jp-Dialog button:text-is('Select')")  # the lab may ask which kernel
    try:
        choose.wait_for(timeout=10_000)
        choose.click()
    except PlaywrightTimeout:
        pass
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=idle_timeout_s * 1000)


def run_and_save(context, url: str, notebook: Path, timeout_s: float, shots: Path | None) -> Outcome:  # noqa: ANN001
    """Open ``notebook`` in the lab, Run All Cells, wait for the end, save with Ctrl+S."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    out = Outcome(notebook.name)
    t_open = time.monotonic()
    page = context.new_page()
    try:
        open_notebook(page, url, notebook.name)
        t0 = time.monotonic()
        page.click(".lm-MenuBar-itemLabel:text-is('Run')")
        page.click(".lm-Menu-itemLabel:text-is('Run All Cells')")
        try:
            page.wait_for_function(f"""() => {{ const s = ({RUN_STATE})();
                return s.idle && !s.busy && (s.ran === s.cells || s.errors.length > 0); }}""",
                timeout=timeout_s * 1000, polling=500)
        except PlaywrightTimeout:
            out.errors.append(f"not done after {timeout_s:.0f} s")
        out.seconds = time.monotonic() - t0
        out.open_seconds = t0 - t_open
        state = page.evaluate(RUN_STATE)
        out.cells, out.ran = state["cells"], state["ran"]
        out.errors += state["errors"]
        mtime = notebook.stat().st_mtime_ns
        page.click(".jp-Notebook .jp-Cell >> nth=0")  # focus the notebook (command mode), then save
        page.keyboard.press("Escape")
        page.keyboard.press("Control+s")
        try:
            page.wait_for_function("""() => !document.querySelector('.lm-TabBar-tab.jp-mod-current.jp-mod-dirty')""",
                                   timeout=30_000)
            deadline = time.monotonic() + 30
            while notebook.stat().st_mtime_ns == mtime and time.monotonic() < deadline:
                time.sleep(0.2)
        except PlaywrightTimeout:
            out.errors.append("the save did not finish within 30 s")
        if notebook.stat().st_mtime_ns == mtime:
            out.errors.append("Ctrl+S did not write the file")
        saved = json.loads(notebook.read_text(encoding="utf-8"))
        out.outputs_saved = sum(len(c.get("outputs", [])) for c in saved["cells"] if c["cell_type"] == "code")
        figures = page.locator(".js-plotly-plot")
        out.figures = figures.count()
        if shots is not None:
            for i in range(out.figures):
                figures.nth(i).scroll_into_view_if_needed()
                figures.nth(i).screenshot(path=str(shots / f"{notebook.stem}_lab_fig{i + 1}.png"))
    finally:
        _shut_down_kernel(url, notebook.name)
        page.close()
    return out


def check_clone(checkout: Path) -> list[str]:
    """Failures of the committed-form checks in ``checkout``: the notebook tests and git status."""
    problems = []
    env = dict(os.environ, PYTHONPATH=str(checkout))
    tests = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_notebooks.py"],
                           cwd=checkout, env=env, capture_output=True, text=True)
    print(f"pytest tests/test_notebooks.py in the clone: {tests.stdout.strip().splitlines()[-1]}")
    if tests.returncode:
        problems.append("tests/test_notebooks.py failed:\n" + tests.stdout[-3000:])
    diff = _git(checkout, "diff", "--stat")
    print(f"git diff in the clone: {diff or '(empty)'}")
    if diff:
        problems.append(f"git would commit changes after saving:\n{diff}")
    # git compares sizes before content: a saved notebook is bigger than its index entry, so
    # `git status` names it (" M") though the filtered content is unchanged (nbstripout issue #65).
    # `git add` records the new size and stages nothing; then the status is clean.
    phantom = _git(checkout, "status", "--porcelain")
    _git(checkout, "add", "--all", "notebooks")
    staged, status = _git(checkout, "diff", "--cached", "--stat"), _git(checkout, "status", "--porcelain")
    print(f"git status before `git add notebooks`: {len(phantom.splitlines())} notebooks listed (size changed, "
          f"content not); after it: {status or '(clean)'}, staged: {staged or '(nothing)'}")
    if staged or status:
        problems.append(f"after `git add notebooks` git has changes:\n{staged}\n{status}")
    return problems


def _git(checkout: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=checkout, capture_output=True, text=True, check=True).stdout.strip()


def roundtrip(only: list[str], timeout_s: float = 900, shots: Path | None = None,
              keep: bool = False) -> tuple[list[Outcome], list[str]]:
    """Run, save and check the notebooks numbered ``only`` (all when empty): what happened to each
    notebook, and the committed-form checks that failed in the clone (none: all passed)."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise FileNotFoundError(f"no Chromium at {CHROMIUM}: apt-get install -y chromium (or set ROUTERLAB_CHROMIUM)")
    t0 = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="routerlab-lab-"))
    checkout = clone_with_filter(ROOT, tmp / "routerlab")
    wanted = [nb for nb in sorted((checkout / "notebooks").glob("[0-9][0-9]_*.ipynb")) if not only or nb.name[:2] in only]
    if shots is not None:
        shots.mkdir(parents=True, exist_ok=True)
    print(f"clone of HEAD with the nbstripout filter: {checkout} ({time.monotonic() - t0:.0f} s)")
    outcomes = []
    with jupyterlab(checkout, tmp) as url, sync_playwright() as pw:
        print(f"JupyterLab answers at 127.0.0.1 ({time.monotonic() - t0:.0f} s)")
        browser = pw.chromium.launch_persistent_context(str(tmp / "chromium"), executable_path=CHROMIUM,
                                                        headless=True, args=CHROMIUM_FLAGS,
                                                        viewport={"width": 1400, "height": 1000})
        try:
            for nb in wanted:
                o = run_and_save(browser, url, nb, timeout_s, shots)
                outcomes.append(o)
                print(f"{o.name}: {'ok  ' if o.ok else 'FAIL'} opened in {o.open_seconds:.0f} s, "
                      f"{o.ran}/{o.cells} code cells ran in {o.seconds:.0f} s, "
                      f"saved with {o.outputs_saved} outputs, {o.figures} figures"
                      + "".join(f"\n    {e}" for e in o.errors))
        finally:
            browser.close()
    t_check = time.monotonic()
    problems = check_clone(checkout)
    print(f"checks in the clone took {time.monotonic() - t_check:.0f} s; {time.monotonic() - t0:.0f} s in all")
    for p in problems:
        print(p)
    if keep:
        print(f"kept: {tmp}")
    else:
        subprocess.run(["rm", "-rf", str(tmp)], check=False)
    bad = [o.name for o in outcomes if not o.ok]
    print(f"{len(outcomes) - len(bad)}/{len(outcomes)} notebooks ran and saved; committed-form checks "
          + ("passed" if not problems else "FAILED"))
    return outcomes, problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="*", default=[], help="notebook numbers (e.g. 02 07); default: all")
    ap.add_argument("--timeout", type=float, default=900, help="seconds a notebook's Run All may take")
    ap.add_argument("--shots", type=Path, help="write each figure as the lab drew it here (e.g. artifacts/lab)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary clone (its path is printed)")
    a = ap.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a timeout still stops the lab and its kernels
    try:
        outcomes, problems = roundtrip(a.only, a.timeout, a.shots, a.keep)
    except FileNotFoundError as e:
        print(e, file=sys.stderr)
        return 2
    return 1 if problems or not all(o.ok for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
