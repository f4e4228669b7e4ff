"""environment.yml (conda) and pyproject.toml (pip) must list the same packages."""

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONDA_NAMES = {"ollama-python": "ollama", "python-kaleido": "kaleido"}


def _name(requirement: str) -> str:
    name = re.split(r"[<>=!~\[; ]", requirement.strip(), maxsplit=1)[0]
    return name.lower().replace("_", "-")


def pyproject_packages() -> set[str]:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = {_name(r) for r in meta["dependencies"]}
    for reqs in meta["optional-dependencies"].values():
        names |= {_name(r) for r in reqs if not r.startswith("routerlab[")}
    return names


def environment_packages() -> set[str]:
    names: set[str] = set()
    in_deps = False
    for line in (ROOT / "environment.yml").read_text().splitlines():
        stripped = line.split("#", 1)[0].rstrip()
        if stripped.startswith("dependencies:"):
            in_deps = True
            continue
        m = re.match(r"^\s*-\s+(.+)$", stripped)
        if not in_deps or not m or m.group(1).strip() in ("pip:", "pip"):
            continue
        item = m.group(1).strip()
        if item.startswith("-e") or item.startswith("python="):
            continue
        names.add(CONDA_NAMES.get(_name(item), _name(item)))
    return names


def test_environment_yml_lists_exactly_the_pyproject_packages():
    pip_side, conda_side = pyproject_packages(), environment_packages()
    assert pip_side - conda_side == set(), f"in pyproject.toml but not environment.yml: {sorted(pip_side - conda_side)}"
    assert conda_side - pip_side == set(), f"in environment.yml but not pyproject.toml: {sorted(conda_side - pip_side)}"


@pytest.mark.parametrize("extra", ["providers", "local", "lab", "ml", "dev", "all"])
def test_every_extra_exists(extra):
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert meta["optional-dependencies"][extra]
