"""Real agent workloads: recorded trajectories -> ordered LLM calls (``Workload``).

Four formats from ``../shared/data/trajectories`` (see that folder's MANIFEST.md):
``load_claude_code``, ``load_mini_swe``, ``load_openhands``, ``load_tau2``; ``load(name)`` picks
by name ("claude-code", "mini-swe-agent", "openhands", "tau2-bench"). Step kinds and their tiers
are documented in ``routerlab.workloads.step_kinds``. ``synthetic_agent_task`` samples a task from
the real trajectories' statistics. ``load_otel(path)`` reads your own agent's OpenTelemetry
GenAI / OpenInference spans (``routerlab.workloads.otel``).
"""

from __future__ import annotations

from pathlib import Path

from ..errors import DatasetError
from ._io import PartialFileWarning, data_dir
from .claude_code import load_claude_code
from .mini_swe import load_mini_swe
from .openhands import load_openhands
from .otel import load_otel
from .step_kinds import KIND_TIERS, KINDS, kind_of_bash, kind_of_tool, tier_of
from .synthetic import synthetic_agent_task
from .tau2 import load_tau2
from .workload import COLUMNS, LLMCall, Workload

__all__ = [
    "Workload", "LLMCall", "COLUMNS", "PartialFileWarning", "data_dir",
    "load", "load_all", "load_claude_code", "load_mini_swe", "load_openhands", "load_tau2", "load_otel",
    "KINDS", "KIND_TIERS", "tier_of", "kind_of_bash", "kind_of_tool", "synthetic_agent_task", "FORMATS",
]

FORMATS = {
    "claude-code": load_claude_code,
    "mini-swe-agent": load_mini_swe,
    "openhands": load_openhands,
    "tau2-bench": load_tau2,
}


def load(name: str, path: str | Path | None = None, strict: bool = False) -> Workload:
    """Load one of the four trajectory formats by name (from the data mirror unless ``path``)."""
    try:
        loader = FORMATS[name]
    except KeyError:
        raise DatasetError(f"unknown workload {name!r}: choose one of {sorted(FORMATS)}") from None
    return loader(path, strict=strict)


def load_all(strict: bool = False) -> dict[str, Workload]:
    """All four real workloads, keyed by name."""
    return {name: fn(None, strict=strict) for name, fn in FORMATS.items()}
