"""A "realistic 50-call agent task", drawn from real recorded calls (not invented numbers).

``synthetic_agent_task(n_calls, seed)`` bootstraps ``n_calls`` calls from the real trajectories
(by default all four formats pooled, each format weighted equally so the 1,000+ Claude Code
calls do not drown the 105 OpenHands ones): each sampled call keeps its real kind, input /
cached / output tokens and the real gap that preceded it. The calls are then put in the order
of their relative position within their own run (so context grows over the task as it does in
real runs) and laid out one after another as a single-agent task. The recorded model and cost
are dropped: the task is for routing, to be priced by ``routerlab.simulate``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import DatasetError
from .workload import Workload

__all__ = ["synthetic_agent_task", "pooled_calls"]


def pooled_calls(workloads: dict[str, Workload] | None = None) -> pd.DataFrame:
    """All calls of the given workloads (default: the four real ones), with ``format``, ``weight``
    (each format sums to 1) and ``position`` (0..1 within its task)."""
    if workloads is None:
        from . import load_all

        workloads = load_all()
    frames = []
    for name, w in workloads.items():
        f = w.frame.copy()
        if f.empty:
            continue
        f["format"] = name
        f["weight"] = 1.0 / len(f)
        g = f.groupby("task_id", sort=False)["call_index"]
        rank, size = g.rank(method="first") - 1, g.transform("size")
        f["position"] = np.where(size > 1, rank / (size - 1).clip(lower=1), 0.0)
        frames.append(f)
    if not frames:
        raise DatasetError("no calls to sample a synthetic task from")
    return pd.concat(frames, ignore_index=True)


def synthetic_agent_task(n_calls: int = 50, seed: int = 0, workloads: dict[str, Workload] | None = None,
                         pool: pd.DataFrame | None = None) -> Workload:
    """A single-agent task of ``n_calls`` calls bootstrapped from real trajectory calls."""
    if n_calls < 1:
        raise DatasetError(f"n_calls must be >= 1, got {n_calls}")
    p = pool if pool is not None else pooled_calls(workloads)
    rng = np.random.default_rng(seed)
    w = p["weight"].to_numpy()
    idx = rng.choice(len(p), size=n_calls, replace=True, p=w / w.sum())
    s = p.iloc[idx].sort_values("position", kind="stable")
    gaps = s["gap_s"].to_numpy().copy()
    gaps[0] = 0.0
    dur = s["duration_s"].to_numpy()
    starts = np.cumsum(gaps + np.r_[0.0, dur[:-1]])
    frame = pd.DataFrame({
        "task_id": f"synthetic-{seed}",
        "agent": "main",
        "kind": s["kind"].to_numpy(),
        "input_tokens": s["input_tokens"].to_numpy(),
        "output_tokens": s["output_tokens"].to_numpy(),
        "cached_tokens": s["cached_tokens"].to_numpy(),
        "cache_write_tokens": s["cache_write_tokens"].to_numpy(),
        "model": s["model"].to_numpy(),
        "start": starts,
        "duration_s": dur,
        "source": (s["format"] + ":" + s["source"]).to_numpy(),
    })
    return Workload(frame, name=f"synthetic-{n_calls}-calls-seed{seed}", notes=[
        f"bootstrapped from {len(p)} real calls ({', '.join(sorted(p['format'].unique()))}), formats weighted equally",
    ])
