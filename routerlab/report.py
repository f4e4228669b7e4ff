"""Execute notebooks into self-contained HTML reports (plotly.js embedded, no CDN script: they open offline).

    python -m routerlab.report notebooks reports          # every notebooks/NN_*.ipynb
    python -m routerlab.report notebooks reports --only 01_quickstart

Each notebook runs in its own ``jupyter nbconvert --execute`` process with
``PLOTLY_RENDERER=plotly_mimetype+notebook``, a per-cell timeout and a whole-notebook timeout;
a run that fails or hangs (nbconvert now and then hangs after a widget cell, and its own
timeout does not fire) is killed with its kernel and tried once more. Widgets do not render
in static HTML; their figures' last state is in the notebook, the reports show static ones.
``reports/index.html`` links every report and says which failed.
"""

from __future__ import annotations

import argparse
import html
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ConfigurationError, MissingDependencyError, RouterlabError

__all__ = ["ReportResult", "export_notebook", "export_all", "main", "RENDERER"]

RENDERER = "plotly_mimetype+notebook"


@dataclass(frozen=True)
class ReportResult:
    notebook: Path
    html: Path | None
    ok: bool
    seconds: float
    attempts: int
    error: str = ""


def _check_nbconvert() -> None:
    try:
        import nbconvert  # noqa: F401
    except ImportError as exc:
        raise MissingDependencyError("nbconvert", "lab") from exc


def _run_once(nb: Path, out_dir: Path, cell_timeout: int, timeout_s: float) -> tuple[bool, str]:
    cmd = [sys.executable, "-m", "jupyter", "nbconvert", "--to", "html", "--execute",
           f"--ExecutePreprocessor.timeout={cell_timeout}", "--ExecutePreprocessor.kernel_name=python3",
           "--output-dir", str(out_dir), str(nb)]
    env = dict(os.environ, PLOTLY_RENDERER=RENDERER)
    # Own process group: on a hang, kill nbconvert and the kernel it started together.
    proc = subprocess.Popen(cmd, cwd=nb.parent, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return False, f"timed out after {timeout_s:.0f} s"
    if proc.returncode != 0:
        tail = "\n".join(out.strip().splitlines()[-15:])
        return False, f"nbconvert exited {proc.returncode}:\n{tail}"
    return True, ""


# nbconvert's lab template loads require.js and MathJax from a CDN, and plotly's notebook renderer
# adds a MathJax <script src> to every figure: offline they only fail (console errors, a wait), and
# the reports need neither (plotly.js is inlined; no LaTeX), so they are taken out.
_CDN_SCRIPT = re.compile(r"""<script\b[^>]*\bsrc=["']https?://[^"']*["'][^>]*>\s*</script>""", re.IGNORECASE)


def _strip_cdn_scripts(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    page.write_text(_CDN_SCRIPT.sub("", text), encoding="utf-8")


def export_notebook(nb: str | os.PathLike[str], out_dir: str | os.PathLike[str], *, cell_timeout: int = 120,
                    timeout_s: float = 600, retries: int = 1) -> ReportResult:
    """Execute one notebook to ``out_dir/<name>.html``; retried ``retries`` times on failure."""
    _check_nbconvert()
    path, out = Path(nb).resolve(), Path(out_dir).resolve()
    if not path.is_file():
        raise ConfigurationError(f"no notebook at {path}")
    out.mkdir(parents=True, exist_ok=True)
    t0, error, attempts = time.monotonic(), "", 0
    for attempts in range(1, retries + 2):
        ok, error = _run_once(path, out, cell_timeout, timeout_s)
        if ok:
            _strip_cdn_scripts(out / (path.stem + ".html"))
            return ReportResult(path, out / (path.stem + ".html"), True, time.monotonic() - t0, attempts)
    return ReportResult(path, None, False, time.monotonic() - t0, attempts, error)


def _index(results: Sequence[ReportResult], out: Path) -> Path:
    rows = []
    for r in results:
        name = html.escape(r.notebook.stem)
        if r.ok and r.html is not None:
            cell = f'<a href="{html.escape(r.html.name)}">{name}</a>'
            status = f"ok in {r.seconds:.0f} s" + (f" (attempt {r.attempts})" if r.attempts > 1 else "")
        else:
            cell, status = name, f"<b>failed</b>: <pre>{html.escape(r.error)}</pre>"
        rows.append(f"<tr><td>{cell}</td><td>{status}</td></tr>")
    page = ("<!doctype html><meta charset='utf-8'><title>routerlab reports</title>"
            "<style>body{font-family:sans-serif;margin:2em}td{padding:.3em 1em;vertical-align:top}</style>"
            "<h1>routerlab notebooks</h1><table>" + "".join(rows) + "</table>")
    index = out / "index.html"
    index.write_text(page, encoding="utf-8")
    return index


def export_all(notebooks: str | os.PathLike[str] = "notebooks", out_dir: str | os.PathLike[str] = "reports", *,
               only: Sequence[str] = (), cell_timeout: int = 120, timeout_s: float = 600,
               retries: int = 1) -> list[ReportResult]:
    """Every ``NN_*.ipynb`` in ``notebooks`` (or those whose stem starts with one of ``only``)."""
    src = Path(notebooks)
    nbs = sorted(p for p in src.glob("[0-9][0-9]_*.ipynb") if not only or any(p.stem.startswith(o) for o in only))
    if not nbs:
        raise ConfigurationError(f"no numbered notebooks (NN_name.ipynb) in {src.resolve()}"
                                 + (f" matching {list(only)}" if only else ""))
    results = []
    for nb in nbs:
        r = export_notebook(nb, out_dir, cell_timeout=cell_timeout, timeout_s=timeout_s, retries=retries)
        print(f"{'ok  ' if r.ok else 'FAIL'} {nb.name} -> {r.html or '-'} ({r.seconds:.0f} s, attempts {r.attempts})"
              + (f"\n     {r.error.splitlines()[0]}" if r.error else ""), flush=True)
        results.append(r)
    print(f"index: {_index(results, Path(out_dir).resolve())}")
    return results


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m routerlab.report", description=__doc__.splitlines()[0])
    ap.add_argument("notebooks", nargs="?", default="notebooks", help="folder of NN_name.ipynb notebooks")
    ap.add_argument("out", nargs="?", default="reports", help="where the HTML reports go")
    ap.add_argument("--only", action="append", default=[], help="notebook name prefix (repeatable)")
    ap.add_argument("--cell-timeout", type=_number(int, 1), default=120, help="seconds per cell")
    ap.add_argument("--timeout", type=_number(float, 1), default=600, help="seconds per notebook before it is killed")
    ap.add_argument("--retries", type=_number(int, 0), default=1, help="extra attempts after a failure or hang")
    a = ap.parse_args(argv)
    try:
        results = export_all(a.notebooks, a.out, only=a.only, cell_timeout=a.cell_timeout, timeout_s=a.timeout,
                             retries=a.retries)
    except RouterlabError as e:  # a wrong folder or --only: the message says what to give, no traceback
        print(f"routerlab.report: {type(e).__name__}: {e}", file=sys.stderr)
        return 2
    return 0 if all(r.ok for r in results) else 1


def _number(kind: type, least: float) -> Callable[[str], Any]:
    """An argparse type: a ``kind`` number >= ``least`` (a timeout of -1 s would kill every notebook)."""
    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a {'whole ' if kind is int else ''}number") from None
        if not value >= least:  # also refuses nan
            raise argparse.ArgumentTypeError(f"give a number >= {least:g}, got {text}")
        return value
    return parse


if __name__ == "__main__":
    sys.exit(main())
