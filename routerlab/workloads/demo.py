"""The demo's agent task: a real recorded run's first calls, or calls bootstrapped from all runs."""

from __future__ import annotations

from typing import Any

from ..errors import ConfigurationError
from . import load, load_all
from .synthetic import synthetic_agent_task
from .workload import COLUMNS, Workload

__all__ = ["agent_task", "DEFAULT_SESSION"]

# The default task: the first calls of a real Claude Code session (one agent on claude-opus,
# a coherent, growing context, so prompt-cache effects of routing are modelled on real data).
DEFAULT_SESSION = ("claude-code", "8463c716-a2ea-4c14-9efa-87158ebd9f20")


def agent_task(n_calls: int = 50, source: str = "real", seed: int = 0, workloads: dict[str, Any] | None = None) -> Any:
    """The demo's task: ``"real"`` (the first ``n_calls`` calls of a recorded session) or
    ``"synthetic"`` (``n_calls`` calls bootstrapped from all four trajectory formats)."""

    if source == "synthetic":
        return synthetic_agent_task(n_calls, seed=seed, workloads=workloads if workloads is not None else load_all())
    if source != "real":
        raise ConfigurationError(f"task source must be 'real' or 'synthetic', got {source!r}")
    fmt, session = DEFAULT_SESSION
    # Only the recorded session's own file is read (and its licence noted), not all four sets.
    run = (workloads[fmt] if workloads is not None else load(fmt)).task(session)
    if n_calls > len(run):
        raise ConfigurationError(f"the recorded session has {len(run)} calls; ask for at most that many")
    frame = run.frame.iloc[:n_calls].reset_index(drop=True)
    return Workload(frame[list(COLUMNS)], name=f"{fmt} session {session[:8]}, first {n_calls} calls",
                    notes=[f"a real recorded run ({fmt} transcript {session}): real tokens, kinds from the tools it "
                           "called, its recorded gaps between calls"])
