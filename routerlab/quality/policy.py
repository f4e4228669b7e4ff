"""Policy search: every assignment of candidate models to tiers, costed and timed with the
vectorized simulation, with each tier's quality evidence attached; the Pareto set over (cost,
wall time, worst tier gap) and "the cheapest assignment whose every tier stays within X points of
the best evidence".

Costs match :func:`routerlab.simulate.simulate` with ``cache="per-model"`` exactly (a test holds
them to it): a call's cached tokens depend only on which tiers share a model (the partition of
tiers an assignment induces; at most 15 for 4 tiers) and on whether the call stayed on its
recorded model, so the cached-token vectors are computed once per partition and each tier's cost
once per (partition, model); an assignment's cost is then a sum of table lookups. Wall time is
linear in the calls' durations along the recorded call graph, so all assignments' end times come
from one batched :func:`routerlab.simulate.chain_ends`.

Quality: a tier's gap is :func:`routerlab.quality.evidence.tier_table`'s ``gap_points`` for the
model (points behind the best candidate on the same benchmark). ``worst_gap`` is the largest gap
over the tiers the workload calls and for which some candidate has evidence; a model without
evidence in such a tier counts as an unbounded gap (it cannot be claimed within X points). In a
tier where fewer than two candidates have evidence (listed in ``no_evidence_tiers``) nothing
ranks the unmeasured ones: they are left out of ``worst_gap``, while a measured gap there still
counts (the classifier tier's one measured model, far below the 95% target, is not "free").
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..catalog import Catalog
from ..errors import InvalidRequestError, RoutingError
from ..latency import LatencyModel
from ..simulate import CANNOT_KNOW, chain_ends, latency_params, prev_in_lane_on_same_model, resolve_model
from ..tiers import TierMap
from ..workloads.workload import Workload
from .evidence import tier_table

#: Six candidates per tier: today's default first, then its main alternatives (the 1,296
#: assignments that notebook 09 and benchmarks/bench_policy_search.py search).
MAIN_ALTERNATIVES: dict[str, list[str]] = {
    "orchestrator": ["anthropic:claude-opus-4-5", "openai:gpt-5", "anthropic:claude-sonnet-4-5", "openai:gpt-4.1",
                     "openai:gpt-5-mini", "openai:gpt-4.1-mini"],
    "classifier": ["anthropic:claude-haiku-4-5", "openai:gpt-4.1-nano", "openai:gpt-4o-mini", "openai:gpt-5-mini",
                   "openai:gpt-4.1-mini", "local:smollm2-135m"],
    "coder": ["anthropic:claude-sonnet-4-5", "anthropic:claude-opus-4-5", "openai:gpt-5", "openai:gpt-5-mini",
              "openai:gpt-4.1", "openai:gpt-4.1-mini"],
    "vision": ["anthropic:claude-haiku-4-5", "openai:gpt-4o-mini", "ollama:llava:7b", "openai:gpt-4.1-mini",
               "openai:gpt-5-mini", "anthropic:claude-sonnet-4-5"],
}

__all__ = ["PolicySearch", "policy_search", "pareto_front", "assignments"]


def assignments(sizes: Sequence[int]) -> np.ndarray:
    """All index tuples of a cartesian product, (prod(sizes), len(sizes)), first column slowest."""
    return np.array(list(itertools.product(*(range(k) for k in sizes))), dtype=np.int64).reshape(-1, len(sizes))


def pareto_front(objectives: np.ndarray) -> np.ndarray:
    """Boolean mask of the rows no other row dominates (every objective minimized; inf allowed).

    Distinct points are swept in lexicographic order: a point can only be dominated by one
    before it, so each is checked against the front kept so far (small) instead of all rows."""
    x = np.asarray(objectives, dtype=float)
    if x.ndim != 2 or not len(x):
        return np.zeros(len(x), dtype=bool)
    uniq, inverse = np.unique(x, axis=0, return_inverse=True)  # sorted lexicographically
    keep = np.zeros(len(uniq), dtype=bool)
    front = np.empty((0, x.shape[1]))
    for i, p in enumerate(uniq):
        # earlier distinct points are <= p in the first objective; one <= everywhere dominates p
        if not (front <= p).all(axis=1).any():
            keep[i] = True
            front = np.vstack([front, p])
    return keep[inverse.reshape(-1)]


@dataclass
class PolicySearch:
    """``frame``: one row per assignment (a column per tier with its model, ``cost_usd``, ``wall_s``,
    ``llm_s``, ``gap_<tier>``, ``worst_gap``, ``pareto``, ``is_default``); ``evidence``: the tier
    table the gaps come from."""

    frame: pd.DataFrame
    tiers: list[str]
    evidence: pd.DataFrame
    no_evidence_tiers: list[str]
    notes: list[str] = field(default_factory=list)
    called_tiers: list[str] = field(default_factory=list)

    def pareto(self) -> pd.DataFrame:
        """The Pareto set, cheapest first; assignments that differ only in tiers the workload
        never calls are one point (the first is kept)."""
        front = self.frame[self.frame["pareto"]].sort_values("cost_usd", kind="stable")
        return front.drop_duplicates(self.called_tiers or None).reset_index(drop=True)

    @property
    def default(self) -> pd.Series | None:
        hit = self.frame[self.frame["is_default"]]
        return None if hit.empty else hit.iloc[0]

    def within(self, points: float) -> pd.Series | None:
        """The cheapest assignment (ties: faster) whose every tier with evidence is within
        ``points`` of that tier's best evidence; None when no assignment is."""
        ok = self.frame[self.frame["worst_gap"] <= points]
        return None if ok.empty else ok.sort_values(["cost_usd", "wall_s"]).iloc[0]

    def label(self, row: pd.Series) -> str:
        return ", ".join(f"{t}={row[t]}" for t in self.tiers)


def _check(workload: Workload, candidates: Mapping[str, Sequence[str]], cat: Catalog) -> dict[str, list[str]]:
    if not candidates:
        raise InvalidRequestError("policy_search needs candidate models for at least one tier")
    out = {}
    for tier, models in candidates.items():
        one = [models] if isinstance(models, str) else models  # {"coder": "sonnet"} is one candidate, not five
        ids = list(dict.fromkeys(cat.get(m).id for m in one))
        if not ids:
            raise InvalidRequestError(f"tier {tier!r} has no candidate model")
        out[tier] = ids
    called = set(map(str, workload.codes()["tier_names"]))
    missing = sorted(called - set(out))
    if missing:
        raise RoutingError(f"the workload calls tiers {missing} that have no candidates; add them to candidates")
    return out


@dataclass
class _Grid:
    """The enumeration: tiers, their candidates, every assignment as global model indices."""

    tiers: list[str]
    cands: dict[str, list[str]]
    uniq: list[str]
    glob: list[np.ndarray]  # per tier: candidate index -> index into uniq
    A: np.ndarray  # (K, T) candidate index per tier
    G: np.ndarray  # (K, T) index into uniq
    call_tier: np.ndarray  # (n,) tier index of each call


def _grid(workload: Workload, cands: dict[str, list[str]]) -> _Grid:
    tiers = list(cands)
    c = workload.codes()
    tier_names = [str(t) for t in c["tier_names"]]
    call_tier = np.array([tiers.index(t) if t in tiers else -1 for t in tier_names], dtype=np.int64)[c["tier"]]
    uniq = list(dict.fromkeys(m for t in tiers for m in cands[t]))
    glob = [np.array([uniq.index(m) for m in cands[t]]) for t in tiers]
    A = assignments([len(cands[t]) for t in tiers])
    G = np.stack([glob[j][A[:, j]] for j in range(len(tiers))], axis=1)
    return _Grid(tiers, cands, uniq, glob, A, G, call_tier)


def _costs(workload: Workload, grid: _Grid, infos: list[Any]) -> np.ndarray:
    """Each assignment's cost: cached tokens once per partition of tiers, tier costs looked up."""
    f, c, G, T = workload.frame, workload.codes(), grid.G, len(grid.tiers)
    first_label = np.zeros_like(G)
    for j in range(T):  # label each tier by the first tier that shares its model
        first_label[:, j] = j
        for k in range(j - 1, -1, -1):
            first_label[:, j] = np.where(G[:, k] == G[:, j], k, first_label[:, j])
    parts, part_of = np.unique(first_label, axis=0, return_inverse=True)
    inp = f["input_tokens"].to_numpy(dtype=np.float64)
    out = f["output_tokens"].to_numpy(dtype=np.float64)
    rec_cached = f["cached_tokens"].to_numpy(dtype=np.float64)
    rec_model = np.array([str(m) for m in c["model_names"]], dtype=object)[c["model"]] if len(f) else np.array([])
    first = c["lane_prev"] < 0
    p_in, p_out, p_cached = (np.array([getattr(i, a) for i in infos]) for a in
                             ("input_price", "output_price", "cached_input_price"))
    cost_tab = np.zeros((len(parts), T, len(grid.uniq)))
    for p, labels in enumerate(parts):
        prev = prev_in_lane_on_same_model(c, labels[grid.call_tier])
        capped = np.minimum(rec_cached, np.where(prev >= 0, inp[np.clip(prev, 0, None)], 0.0))
        for j in range(T):
            sel = grid.call_tier == j
            for g in grid.glob[j]:
                keep = first[sel] & (rec_model[sel] == grid.uniq[g])  # a lane's first call on its recorded model
                cached = np.where(keep, rec_cached[sel], capped[sel])
                cost_tab[p, j, g] = ((inp[sel] - cached) * p_in[g] + cached * p_cached[g] + out[sel] * p_out[g]).sum() / 1e6
    cost: np.ndarray = cost_tab[part_of.reshape(-1)[:, None], np.arange(T)[None, :], G].sum(axis=1)
    return cost


def _times(workload: Workload, grid: _Grid, infos: list[Any], lat: LatencyModel) -> tuple[np.ndarray, np.ndarray]:
    """(wall, LLM seconds) per assignment: all call durations at once, one batched chain_ends."""
    f, c = workload.frame, workload.codes()
    ttft_u, tps_u = latency_params(infos, lat)
    M = grid.G[:, grid.call_tier].T  # (n, K) model of each call under each assignment
    dur = ttft_u[M] + f["output_tokens"].to_numpy(dtype=np.float64)[:, None] / tps_u[M]
    end = chain_ends(f["pred"].to_numpy(), f["gap_s"].to_numpy(dtype=np.float64)[:, None] + dur)
    wall = np.maximum.reduceat(end, c["task_start"], axis=0).sum(axis=0) if len(f) else np.zeros(len(grid.A))
    return wall, dur.sum(axis=0)


def _gaps(frame: pd.DataFrame, grid: _Grid, ev: pd.DataFrame, called: set[str]) -> list[str]:
    """Add ``gap_<tier>`` and ``worst_gap`` to ``frame``; return the tiers nothing ranks."""
    gap_of = {(r.tier, r.catalog_id): r.gap_points for r in ev.itertuples()}
    no_ev, scored = [], []
    for j, t in enumerate(grid.tiers):
        g = np.array([gap_of.get((t, m), np.nan) for m in grid.cands[t]], dtype=float)
        frame[f"gap_{t}"] = g[grid.A[:, j]]
        if t not in called:
            continue
        if np.isfinite(g).sum() >= 2:  # a ranking exists: an unmeasured model cannot be claimed within X
            scored.append(np.where(np.isfinite(g), g, np.inf)[grid.A[:, j]])
        else:  # nothing to rank against: a measured gap still counts, an unmeasured model is left out
            no_ev.append(t)
            scored.append(g[grid.A[:, j]])
    frame["worst_gap"] = np.fmax.reduce(scored, axis=0) if scored else np.nan
    return no_ev


def policy_search(workload: Workload, candidates: Mapping[str, Sequence[str]], *, default: TierMap | None = None,
                  catalog: Catalog | None = None, latency: LatencyModel | None = None,
                  evidence: pd.DataFrame | None = None) -> PolicySearch:
    """Enumerate every tier assignment of ``candidates`` ({tier: [model, ...]}), cost and time it on
    ``workload`` (as ``simulate(workload, {tier: model})``), attach quality gaps, mark the Pareto
    set and ``default`` (``TierMap.default()``; its models join the candidates if missing)."""
    cat = catalog or Catalog.default()
    lat = latency or LatencyModel.default(cat)
    dm = (default or TierMap.default()).as_dict()
    cands = _check(workload, candidates, cat)
    for tier in cands:  # today's default is always one of the assignments, so it can be marked
        if tier in dm and dm[tier] not in cands[tier]:
            cands[tier].insert(0, dm[tier])
    grid = _grid(workload, cands)
    infos = [resolve_model(cat, m, lat) for m in grid.uniq]
    cost = _costs(workload, grid, infos)
    wall, llm = _times(workload, grid, infos, lat)
    ev = evidence if evidence is not None else tier_table(default or TierMap.default(), candidates=cands)
    frame = pd.DataFrame({t: np.array(cands[t], dtype=object)[grid.A[:, j]] for j, t in enumerate(grid.tiers)})
    frame["cost_usd"], frame["wall_s"], frame["llm_s"] = cost, wall, llm
    c = workload.codes()
    counts = np.bincount(c["tier"], minlength=len(c["tier_names"]))
    called = {str(t) for t, k in zip(c["tier_names"], counts, strict=True) if k}
    no_ev = _gaps(frame, grid, ev, called)
    frame["pareto"] = pareto_front(np.c_[cost, wall, np.nan_to_num(frame["worst_gap"].to_numpy(), nan=0.0)])
    frame["is_default"] = np.logical_and.reduce([frame[t] == dm.get(t) for t in grid.tiers])
    notes = [CANNOT_KNOW, "gaps are per tier, from benchmarks of that tier's work; no task success is derived from them"]
    return PolicySearch(frame, grid.tiers, ev, no_ev, notes, [t for t in grid.tiers if t in called])
