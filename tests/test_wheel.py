"""`pip install routerlab` from a built wheel works: what the package reads at run time ships in it.

The wheel is built from a copy of the package (so the checkout stays clean) by setuptools' PEP 517
hook in the running environment (offline: no build isolation), and installed into a fresh venv in a
temporary directory. That venv borrows the third-party dependencies (numpy, pandas, genai-prices)
from this environment's site-packages through a .pth line, which adds the directory without
running its .pth files, so an editable routerlab there is not picked up. The check runs from a
working directory outside the checkout with no PYTHONPATH and no ROUTERLAB_* overrides.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

import routerlab
from routerlab.evalset import load_evalset
from routerlab.types import Usage

ROOT = Path(__file__).resolve().parents[1]

CHECK = """
import json, routerlab
from routerlab.evalset import load_evalset
from routerlab.types import Usage
df = load_evalset()
print(json.dumps({
    "file": routerlab.__file__,
    "table": routerlab.cost_of("routerbench:gpt-4-1106-preview", Usage(1000, 500)),
    "genai": routerlab.cost_of("sonnet", Usage(1000, 500)),
    "rows": len(df),
    "test_rows": int((df["split"] == "test").sum()),
}))
"""


def _run(args: list[str], **kw: object) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(args, capture_output=True, text=True, timeout=120, **kw)  # type: ignore[call-overload]
    assert proc.returncode == 0, f"{' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc  # type: ignore[no-any-return]


def _build_wheel(tmp: Path) -> Path:
    src = tmp / "src"
    shutil.copytree(ROOT / "routerlab", src / "routerlab", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, src / name)
    # The PEP 517 hook pip would call, without pip's start-up (the build is most of this test's time).
    _run([sys.executable, "-c", f"from setuptools import build_meta; build_meta.build_wheel({str(tmp / 'dist')!r})"],
         cwd=src)
    (wheel,) = (tmp / "dist").glob("routerlab-*.whl")
    return wheel


def _fresh_venv(tmp: Path, wheel: Path) -> Path:
    venv = tmp / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / "bin" / "python"
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps", "--no-index",
          str(wheel)])
    purelib = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip())
    (purelib / "_routerlab_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, str], Path]:
    """(tmp dir, the fresh venv's python, an environment without overrides, a working directory
    outside the checkout) for the wheel built from this checkout."""
    tmp = tmp_path_factory.mktemp("wheel")
    wheel = _build_wheel(tmp)
    names = zipfile.ZipFile(wheel).namelist()
    assert "routerlab/_data/catalog/models.csv" in names and "routerlab/_data/evalset/agent_requests.csv" in names
    shipped = {p.relative_to(ROOT).as_posix() for p in (ROOT / "routerlab" / "_data").rglob("*") if p.is_file()}
    assert shipped <= set(names), sorted(shipped - set(names))  # every run-time file, not only these two
    assert "routerlab/viz/live_figure.js" in names  # the live figures' front end (read when a figure opens)
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)  # the MIT text travels with the code
    python = _fresh_venv(tmp, wheel)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH" and not k.startswith("ROUTERLAB_")}
    away = tmp / "elsewhere"
    away.mkdir()
    return tmp, python, env, away


def test_a_built_wheel_prices_a_call_and_loads_the_eval_set_outside_the_checkout(installed) -> None:
    tmp_path, python, env, away = installed
    got = json.loads(_run([str(python), "-c", CHECK], cwd=away, env=env).stdout)

    assert Path(got["file"]).is_relative_to(tmp_path / "venv"), got["file"]  # the installed copy, not the checkout
    assert got["table"] == routerlab.cost_of("routerbench:gpt-4-1106-preview", Usage(1000, 500)) > 0
    assert got["genai"] == routerlab.cost_of("sonnet", Usage(1000, 500)) > 0
    here = load_evalset()
    assert got["rows"] == len(here) and got["test_rows"] == int((here["split"] == "test").sum())


# What a notebook does first, from the installed copy: tiers, a swap, a replay, the quality table
# (the packaged alias table maps the mirror's model names to catalog ids), the learned-router data.
NOTEBOOK = """
import json, routerlab
from routerlab import TierMap, compare
from routerlab.quality import tier_table
from routerlab.workloads.demo import agent_task
tiers = TierMap.default()
tiers.swap("coder", "openai:gpt-4.1-mini")
table = compare(agent_task(20), {"top": "all:anthropic:claude-opus-4-5", "routed": tiers}, quality=tier_table(tiers))
ev = tier_table(TierMap.default())
print(json.dumps({"cost": table["cost_usd"].tolist(), "coder": table.loc["routed", "quality_coder"],
                  "evidence_rows": len(ev)}))
"""


def _mirror() -> Path:
    from routerlab.datasets import data_dirs

    mirror = data_dirs()[0][0]
    if not (mirror / "trajectories").is_dir():
        pytest.skip(f"no data mirror at {mirror}: the demo replays a recorded session from it")
    return mirror


def test_the_installed_command_runs_the_demo_and_a_notebooks_first_calls_outside_the_checkout(installed) -> None:
    from routerlab.cli import run_demo

    tmp_path, python, env, away = installed
    env = {**env, "ROUTERLAB_DATA_DIR": str(_mirror()), "ROUTERLAB_QUIET": "1"}
    out = away / "demo.html"
    done = _run([str(tmp_path / "venv" / "bin" / "routerlab"), "demo", "--out", str(out)], cwd=away, env=env)
    here = run_demo(out=None)["table"]
    assert f"{here['cost_usd'].iloc[-1]:.4f}" in done.stdout and "routed by tier" in done.stdout
    html = out.read_text()
    assert html.startswith("<!doctype html>") and "routed by tier: 50 calls" in html
    assert str(ROOT) not in html  # nothing of the checkout (a path, a file) is in the installed run's report

    got = json.loads(_run([str(python), "-c", NOTEBOOK], cwd=away, env=env).stdout)
    assert got["cost"][1] < got["cost"][0] and "gpt-4.1-mini" in got["coder"]
    assert got["evidence_rows"] == len(tier_table_here())


def tier_table_here():  # the same table read from the checkout
    from routerlab.quality import tier_table
    from routerlab.tiers import TierMap

    return tier_table(TierMap.default())
