"""What-if replay: a recorded workload under another routing policy, re-priced and re-timed.

``simulate(workload, policy)`` keeps every call's recorded tokens and the recorded time between
calls (tool runs, the user, sub-agents), swaps the model each call goes to, and recomputes:

- **cost** with the catalog's prices, vectorized: fresh input x input price + cached input x
  cached price + output x output price (``ModelInfo.cost``). Cache writes are billed at the
  plain input price, as the catalog does (Anthropic bills them 1.25-2x: a lower bound).
  A prompt cache belongs to one model, so routing changes what is cached. ``cache=`` says
  how (``CACHE_DEFAULT`` is set here, once; every caller in routerlab uses it):

  - ``"per-model"`` (**the default**): a call reads from cache at most the context its model
    already saw in this agent's run: ``min(recorded hit, input tokens of the agent's previous
    call on the same model)``. Agent contexts grow as a prefix and a provider keeps one cache
    per model, so that much is still cached (the provider's cache lifetime is not modelled).
  - ``"same-model"``: a pessimistic bound: a hit survives only when the agent's immediately
    previous call went to the same model (a cache lost at every switch).
  - ``"recorded"``: every recorded hit kept (an optimistic bound); ``"none"``: every input
    token fresh.

  The choice matters on cache-heavy runs: on the Claude Code transcripts (97% of input tokens
  cached) the tier policy of ``benchmarks/replay_trajectories.py`` costs 0.59x all-on-the-top-
  model under ``"per-model"`` and 1.44x under ``"same-model"`` (0.46x ``"recorded"``): whether
  routing saves money there depends on how the provider's cache follows model switches, so
  report a cache-heavy comparison under more than one mode.
- **time** with a latency model per model (ttft + output tokens / throughput, see
  ``routerlab.latency``). "As recorded" keeps the recorded durations.
- **order and concurrency**: each call waits for the call it waited for in the recording (the
  one that ended last before it started, ``Workload.pred``) plus the recorded gap; calls that
  overlapped in the recording still overlap, sequential ones stay sequential.

What it cannot know: whether a cheaper model would have produced an answer as good, or the
same number of output tokens, or the same next steps. Every routed call keeps the recorded
tokens and the recorded course of the run. Where the recording has outcomes (tau2-bench
rewards), a task keeps its recorded outcome only if every call stayed on the recorded model;
``SimResult.totals["tasks_outcome_known"]`` counts those, the rest are unknown, not successes.

Policies: ``"as recorded"``; ``"all:<model>"``; a dict ``{kind or tier: model}`` (kinds win,
``"*"`` is the default); a ``TierMap`` (each call's tier -> that tier's model); a router (an
object with ``route(request) -> Decision``, given a text-less ``Request`` carrying the kind
and token counts); or a callable ``f(call) -> model id`` (``call`` is a row with the workload's
columns).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .catalog import Catalog, LatencyProfile, ModelInfo, genai_price
from .errors import ConfigurationError, RoutingError, UnknownModelError
from .latency import LatencyModel
from .readouts import COMBINATION, attached, combination_lines
from .routers.base import Router
from .tiers import TierMap
from .types import Request
from .workloads.workload import Workload

__all__ = ["simulate", "simulate_many", "comparison_table", "compare", "SimResult", "resolve_model", "policy_models", "policy_codes", "Policy", "CANNOT_KNOW",
           "CACHE_MODES", "CACHE_DEFAULT", "chain_ends", "quality_readout", "combination_rows", "latency_params", "prev_in_lane_on_same_model"]

#: A what-if policy: one model id for every call, a kind -> model map, tiers, a router, or a function of the step.
Policy = str | Mapping[str, str] | TierMap | Router | Callable[[Any], str]
RECORDED = ("as recorded", "recorded", "as-recorded")
CACHE_MODES = ("per-model", "same-model", "recorded", "none")
CACHE_DEFAULT = "per-model"  # the one default; what it means and what it moves: module docstring
CANNOT_KNOW = ("The simulation cannot know whether a cheaper model would have succeeded: routed calls keep the "
               "recorded tokens and the recorded course of the run.")
_DATE_SUFFIX = re.compile(r"-\d{8}$")


@dataclass
class SimResult:
    """A simulated run: ``frame`` has one row per call (trace-like); ``totals`` the sums."""

    policy: str
    frame: pd.DataFrame
    totals: dict[str, Any]
    per_task: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    def __repr__(self) -> str:
        t = self.totals
        return (f"SimResult({self.policy!r}: {t['calls']} calls, ${t['cost_usd']:.4f}, wall {t['wall_s']:.1f} s, "
                f"tiers {t['calls_per_tier']})")


# -- models ---------------------------------------------------------------------------------

def _genai_model(model: str, latency: LatencyModel | None) -> ModelInfo | None:
    """A recorded model the catalog lacks, priced from genai-prices' bundled data (no network)."""
    provider, _, name = model.partition(":")
    found = genai_price(name, provider or None)
    if found is None:
        return None
    prof = latency.profile(model) if latency is not None and (latency.fallback or model in latency.profiles) else None
    lat = prof if prof else LatencyProfile(1.0, 50.0, "placeholder")
    return ModelInfo(id=model, input_price=found.input_price, output_price=found.output_price,
                     cached_input_price=found.cached_input_price, context_window=0, max_output_tokens=0, latency=lat,
                     price_source=f"genai-prices bundled snapshot ({provider}/{found.model_id}): not in the routerlab catalog")


def resolve_model(catalog: Catalog, model: str, latency: LatencyModel | None = None) -> ModelInfo:
    """The catalog entry for ``model``, trying the id, its bare name, and the name without a
    date suffix (``claude-haiku-4-5-20251001``); then genai-prices for a recorded model the
    catalog lacks. UnknownModelError when nothing knows it."""
    name = model.partition(":")[2] or model
    for cand in (model, name, _DATE_SUFFIX.sub("", model), _DATE_SUFFIX.sub("", name)):
        if cand in catalog:
            return catalog.get(cand)
    found = _genai_model(model, latency) or _genai_model(_DATE_SUFFIX.sub("", model), latency)
    if found is None:
        raise UnknownModelError(model)
    return found


# -- policies -------------------------------------------------------------------------------

def _policy_name(policy: Policy) -> str:
    if isinstance(policy, str):
        return policy
    if isinstance(policy, TierMap):
        return "tiers(" + ", ".join(f"{k}={v}" for k, v in policy.as_dict().items()) + ")"
    if isinstance(policy, Mapping):
        return "map(" + ", ".join(f"{k}={v}" for k, v in policy.items()) + ")"
    return str(getattr(policy, "name", None) or getattr(policy, "__name__", type(policy).__name__))


def policy_codes(workload: Workload, policy: Policy, catalog: Catalog) -> tuple[np.ndarray, list[str]]:
    """(code per call, model ids): call i goes to ``ids[codes[i]]`` under ``policy``."""
    f = workload.frame
    c = workload.codes()
    n = len(f)
    if isinstance(policy, str):
        if policy.lower() in RECORDED:
            if f["model"].isna().any():
                unknown = int(f["model"].isna().sum())
                raise ConfigurationError(
                    f"{unknown} calls of workload {workload.name!r} record no model (see its notes), so they cannot "
                    f"be replayed 'as recorded': use a policy that names a model ('all:<model>', a dict, a TierMap)")
            return c["model"], [str(m) for m in c["model_names"]]
        if policy.startswith("all:"):
            return np.zeros(n, dtype=np.int64), [catalog.get(policy[4:]).id]
        raise ConfigurationError(f"unknown policy {policy!r}: use 'as recorded', 'all:<model>', a dict, a TierMap, "
                                 "a router or a callable")
    if isinstance(policy, TierMap):
        tiers = [str(t) for t in c["tier_names"]]
        missing = [t for t in tiers if t not in policy]
        if missing:
            raise RoutingError(f"the TierMap has no tier {missing}; the workload's calls need tiers {sorted(tiers)}")
        lut_ids = [policy.model_for(t).id for t in tiers]
        ids = list(dict.fromkeys(lut_ids))
        lut = np.array([ids.index(m) for m in lut_ids], dtype=np.int64)
        return lut[c["tier"]], ids
    if isinstance(policy, Mapping):
        resolved = {k: catalog.get(v).id for k, v in policy.items()}
        ids = list(dict.fromkeys(resolved.values()))
        by_kind = np.array([ids.index(resolved[k]) if k in resolved else -1 for k in c["kind_names"]], dtype=np.int64)
        by_tier = np.array([ids.index(resolved[t]) if t in resolved else -1 for t in c["tier_names"]], dtype=np.int64)
        codes = by_kind[c["kind"]] if n else np.empty(0, np.int64)
        codes = np.where(codes >= 0, codes, by_tier[c["tier"]] if n else codes)
        if (codes < 0).any():
            if "*" not in resolved:
                left = sorted(set(f["kind"].to_numpy()[codes < 0]))
                stray = sorted(set(resolved) - set(map(str, c["kind_names"])) - set(map(str, c["tier_names"])))
                typo = f"; {stray} name no step kind or tier of this workload (a typo?)" if stray else ""
                raise RoutingError(f"policy maps no model for kinds {left} (nor their tiers); add them or a '*' "
                                   f"default{typo}")
            codes = np.where(codes >= 0, codes, ids.index(resolved["*"]))
        return codes, ids
    models: list[str] = []
    if hasattr(policy, "route"):
        row: Any
        for row in f.itertuples(index=False):
            req = Request.user(f"[{row.kind}]", kind=row.kind, max_output_tokens=max(1, int(row.output_tokens)),
                               metadata={"input_tokens": int(row.input_tokens), "tier": row.tier,
                                         "task_id": row.task_id, "agent": row.agent, "recorded_model": row.model})
            models.append(catalog.get(policy.route(req).model).id)
    elif callable(policy):
        fn: Callable[[Any], Any] = policy
        for row in f.itertuples(index=False):
            m = fn(row)
            models.append(catalog.get(getattr(m, "model", m)).id)
    else:
        raise ConfigurationError(f"policy of type {type(policy).__name__} is not a str, dict, TierMap, router or callable")
    codes, uniques = pd.factorize(np.array(models, dtype=object))
    return codes.astype(np.int64), [str(u) for u in uniques]


def policy_models(workload: Workload, policy: Policy, catalog: Catalog) -> np.ndarray:
    """The model id each call goes to under ``policy`` (object array, one per call)."""
    codes, ids = policy_codes(workload, policy, catalog)
    return np.array(ids, dtype=object)[codes]


# -- timing ---------------------------------------------------------------------------------

def chain_ends(pred: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """end[i] = weight[i] + end[pred[i]] (0 where pred is -1), for ``pred[i] < i``, vectorized.
    ``weight`` may be (n, K): K weightings of one call graph at once (policy search).

    Runs of calls where each waits for the one just before (``pred[i] == i - 1``) are summed
    with one cumulative sum; the few runs (tasks, sub-agent branches) are then linked by
    pointer jumping: log2(depth) NumPy passes over runs instead of a Python loop over calls."""
    w = np.asarray(weight, dtype=float)
    n = len(w)
    if n == 0:
        return w.copy()
    pred = np.asarray(pred, dtype=np.int64)
    head = np.r_[True, pred[1:] != np.arange(n - 1)]  # a run starts where the call does not wait for i-1
    seg = np.cumsum(head) - 1
    heads = np.flatnonzero(head)
    cs = np.cumsum(w, axis=0)
    local = cs - (cs[heads] - w[heads])[seg]  # sum of the run up to and including i
    base_pred = pred[heads]
    has = base_pred >= 0
    total = np.where(has if w.ndim == 1 else has[:, None], local[np.clip(base_pred, 0, None)], 0.0)
    ptr = np.where(has, seg[np.clip(base_pred, 0, None)], -1)
    while True:
        live = np.flatnonzero(ptr >= 0)
        if live.size == 0:
            break
        p = ptr[live]
        add, nxt = total[p], ptr[p]
        total[live] += add
        ptr[live] = nxt
    return local + total[seg]


def simulate(workload: Workload, policy: Policy = "as recorded", catalog: Catalog | None = None,
             latency: LatencyModel | None = None, cache: str = CACHE_DEFAULT) -> SimResult:
    """Replay ``workload`` under ``policy``; see the module docstring for what is modelled."""
    if not isinstance(workload, Workload):
        hint = ": wrap a frame of calls as Workload(frame)" if isinstance(workload, pd.DataFrame) else ""
        raise ConfigurationError(f"simulate replays a Workload, got {type(workload).__name__}{hint}")
    if cache not in CACHE_MODES:
        raise ConfigurationError(f"cache must be one of {', '.join(map(repr, CACHE_MODES))}, got {cache!r}")
    cat = catalog or Catalog.default()
    lat = latency or LatencyModel.default(cat)
    f, c = workload.frame, workload.codes()
    recorded = isinstance(policy, str) and policy.lower() in RECORDED
    codes, uniques = policy_codes(workload, policy, cat)
    infos = [resolve_model(cat, m, lat) for m in uniques]
    notes = [CANNOT_KNOW, *(note for note in workload.notes if note.startswith("cache:"))]
    notes += [f"{i.id}: {i.price_source}" for i in infos if "not in the routerlab catalog" in i.price_source]
    # which calls kept their recorded model (their recorded outcome still applies)
    rec_names = {str(m): i for i, m in enumerate(c["model_names"])}
    rec_of_unique = np.array([rec_names.get(m, -1) for m in uniques], dtype=np.int64)
    unchanged = rec_of_unique[codes] == c["model"] if len(f) else np.zeros(0, bool)

    cached = _cached_tokens(f, c, codes, unchanged, cache, recorded)
    cost, dur, ttft = _cost_and_duration(f, codes, infos, lat, cached, recorded)
    end = chain_ends(f["pred"].to_numpy(), f["gap_s"].to_numpy(dtype=np.float64) + dur)
    frame = _call_frame(f, c, codes, uniques, end - dur, end, ttft, cached, cost)
    per_task, totals = _per_task_and_totals(c, codes, uniques, f["outcome"].to_numpy(), cost, dur, end, unchanged)
    if totals["tasks_with_outcome"] and totals["tasks_outcome_known"] < totals["tasks_with_outcome"]:
        notes.append(f"{totals['tasks_with_outcome'] - totals['tasks_outcome_known']} of {totals['tasks_with_outcome']} "
                     "tasks had calls rerouted: their outcome under this policy is unknown.")
    notes.append("Wall time sums each task's wall time (tasks as independent runs); it includes recorded gaps "
                 "(tool runs, users, sub-agents' own work) that routing does not change.")
    return SimResult(_policy_name(policy), frame, totals, per_task, notes)


def _cached_tokens(f: pd.DataFrame, c: dict[str, np.ndarray], codes: np.ndarray, unchanged: np.ndarray,
                   cache: str, recorded: bool) -> np.ndarray:
    """Input tokens read from the prompt cache under the policy (see CACHE_MODES)."""
    cached = f["cached_tokens"].to_numpy(dtype=np.float64)
    if cache == "none":
        return np.zeros(len(f))
    if recorded:
        return cached
    if cache == "same-model":
        prev = c["lane_prev"]
        same_as_prev = (prev >= 0) & (codes[np.clip(prev, 0, None)] == codes)
        first_unchanged = (prev < 0) & unchanged
        # a recorded hit survives only where the cache it read was built on the same model
        return np.where(same_as_prev | first_unchanged, cached, 0.0)
    if cache == "per-model":
        inp = f["input_tokens"].to_numpy(dtype=np.float64)
        prev_same = prev_in_lane_on_same_model(c, codes)
        seen = np.where(prev_same >= 0, inp[np.clip(prev_same, 0, None)], 0.0)
        first_unchanged = (c["lane_prev"] < 0) & unchanged
        return np.where(first_unchanged, cached, np.minimum(cached, seen))
    return cached


def _cost_and_duration(f: pd.DataFrame, codes: np.ndarray, infos: list[ModelInfo], lat: LatencyModel,
                       cached: np.ndarray, recorded: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(cost USD, duration s, time to first token s) per call; a recorded policy keeps what was recorded."""
    inp = f["input_tokens"].to_numpy(dtype=np.float64)
    out = f["output_tokens"].to_numpy(dtype=np.float64)
    p_in = np.array([i.input_price for i in infos])[codes]
    p_out = np.array([i.output_price for i in infos])[codes]
    p_cached = np.array([i.cached_input_price for i in infos])[codes]
    cost = ((inp - cached) * p_in + cached * p_cached + out * p_out) / 1e6
    if recorded:
        rec = f["cost_usd"].to_numpy()
        return np.where(np.isfinite(rec), rec, cost), f["duration_s"].to_numpy(dtype=np.float64), np.full(len(f), np.nan)
    ttft_u, tps_u = latency_params(infos, lat)
    ttft = ttft_u[codes]
    return cost, ttft + out / tps_u[codes], ttft


def _call_frame(f: pd.DataFrame, c: dict[str, np.ndarray], codes: np.ndarray, uniques: list[str], start: np.ndarray,
                end: np.ndarray, ttft: np.ndarray, cached: np.ndarray, cost: np.ndarray) -> pd.DataFrame:
    """One trace-like row per simulated call."""
    def cat_col(col: str) -> pd.Categorical:  # categoricals from the cached codes: no string copies
        return pd.Categorical.from_codes(c[col], categories=pd.Index(c[col + "_names"]))

    return pd.DataFrame({
        "call_index": f["call_index"].to_numpy(), "task_id": cat_col("task_id"), "agent": cat_col("agent"),
        "kind": cat_col("kind"), "tier": cat_col("tier"),
        "model": pd.Categorical.from_codes(codes, categories=pd.Index(uniques)),
        "recorded_model": cat_col("model"), "start": start, "end": end, "ttft_s": ttft,
        "input_tokens": f["input_tokens"].to_numpy(), "output_tokens": f["output_tokens"].to_numpy(),
        "cached_tokens": cached.astype(np.int64), "cost_usd": cost,
    })


def _per_task_and_totals(c: dict[str, np.ndarray], codes: np.ndarray, uniques: list[str], outcome: np.ndarray,
                         cost: np.ndarray, dur: np.ndarray, end: np.ndarray,
                         unchanged: np.ndarray) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Per task (calls, cost, wall and LLM time, whether its outcome still applies) and the run's totals."""
    n, ts = len(codes), c["task_start"]
    if n:
        per_task = pd.DataFrame({
            "calls": np.diff(np.r_[ts, n]), "cost_usd": np.add.reduceat(np.nan_to_num(cost), ts),
            "wall_s": np.maximum.reduceat(end, ts), "llm_s": np.add.reduceat(dur, ts),
            "unchanged": np.minimum.reduceat(unchanged.astype(np.int8), ts).astype(bool),
            "recorded_outcome": outcome[ts],
        }, index=pd.Index(c["task_id_names"], name="task_id"))
    else:
        per_task = pd.DataFrame(columns=["calls", "cost_usd", "wall_s", "llm_s", "unchanged", "recorded_outcome"])
    known = per_task["unchanged"].astype(bool) & per_task["recorded_outcome"].notna()
    tier_counts = np.bincount(c["tier"], minlength=len(c["tier_names"])) if n else np.zeros(0, np.int64)
    model_counts = np.bincount(codes, minlength=len(uniques)) if n else np.zeros(len(uniques), np.int64)
    totals: dict[str, Any] = {
        "calls": n,
        "tasks": len(per_task),
        "cost_usd": float(np.nansum(cost)),
        "cost_unknown_calls": int(np.isnan(cost).sum()),
        "wall_s": float(per_task["wall_s"].sum()),
        "llm_s": float(dur.sum()),
        "calls_per_tier": {str(t): int(k) for t, k in zip(c["tier_names"], tier_counts, strict=True) if k},
        "calls_per_model": {m: int(k) for m, k in zip(uniques, model_counts, strict=True) if k},
        "tasks_with_outcome": int(per_task["recorded_outcome"].notna().sum()),
        "tasks_outcome_known": int(known.sum()),
        "successes_known": int((per_task["recorded_outcome"][known] > 0).sum()),
    }
    return per_task, totals


def prev_in_lane_on_same_model(c: dict[str, np.ndarray], codes: np.ndarray) -> np.ndarray:
    """For each call, the agent's latest earlier call on the same model (-1: none)."""
    n = len(codes)
    lane = c["task_id"] * (int(c["agent"].max(initial=0)) + 1) + c["agent"]
    key = lane * (int(codes.max(initial=0)) + 1) + codes
    order = np.argsort(key, kind="stable")  # stable: calls stay in run order within a key
    prev = np.full(n, -1, dtype=np.int64)
    same = np.r_[False, key[order][1:] == key[order][:-1]] if n else np.zeros(0, bool)
    prev[order[same]] = order[np.flatnonzero(same) - 1]
    return prev


def latency_params(infos: list[ModelInfo], lat: LatencyModel) -> tuple[np.ndarray, np.ndarray]:
    ttft, tps = [], []
    for info in infos:
        if info.id in lat.profiles:
            p = lat.profiles[info.id]
        elif info.latency and info.latency.output_tps and info.latency.output_tps > 0:
            p = info.latency
        else:
            p = lat.profile(info.id)
        ttft.append(p.ttft_s)
        tps.append(p.output_tps)
    return np.array(ttft), np.array(tps)


def simulate_many(workload: Workload, policies: Mapping[str, Policy], catalog: Catalog | None = None,
                  latency: LatencyModel | None = None, cache: str = CACHE_DEFAULT) -> dict[str, SimResult]:
    """``simulate`` under each named policy (one catalog and latency model for all)."""
    if not isinstance(policies, Mapping) or not policies:
        raise ConfigurationError("give the policies as a non-empty mapping of name -> policy, e.g. "
                                 "{'all top': 'all:anthropic:claude-opus-4-5', 'routed': TierMap.default()}")
    cat = catalog or Catalog.default()
    lat = latency or LatencyModel.default(cat)
    return {name: simulate(workload, p, cat, lat, cache) for name, p in policies.items()}


def compare(workload: Workload, policies: Mapping[str, Policy], catalog: Catalog | None = None,
            latency: LatencyModel | None = None, cache: str = CACHE_DEFAULT,
            quality: pd.DataFrame | None = None) -> pd.DataFrame:
    """Policies side by side: cost, wall time, LLM time, calls per tier, and how each compares
    with the first policy. ``df.attrs["results"]`` keeps the SimResults (``simulate_many``
    returns them alone). ``quality``: a tier-evidence table (``routerlab.quality.tier_table()``)
    adds, per tier the workload calls, the model's measured evidence and its gap to the best
    (``quality_<tier>`` text, ``gap_<tier>`` points; "no evidence" where nothing was measured)
    and, when the table carries measured combinations (``tier_table()``'s do), what was measured
    of the policy's models as a whole (``measured_combination``: lines joined by " | ")."""
    if quality is not None and not (isinstance(quality, pd.DataFrame)
                                    and {"tier", "catalog_id", "value"} <= set(quality.columns)):
        raise ConfigurationError("quality must be a tier-evidence table: pass routerlab.quality.tier_table(tiers)")
    results = simulate_many(workload, policies, catalog, latency, cache)
    df = comparison_table(results)
    if quality is not None:
        for name, r in results.items():
            served = r.frame.groupby("tier", observed=True)["model"].agg(lambda m: m.value_counts().index[0])
            readout = quality_readout(quality, {str(t): str(m) for t, m in served.items()})
            for tier, row in readout[readout.index != COMBINATION].iterrows():
                df.loc[name, f"quality_{tier}"] = row["text"]
                df.loc[name, f"gap_{tier}"] = row["gap_points"]
            if (readout.index == COMBINATION).any():
                df.loc[name, "measured_combination"] = " | ".join(readout.loc[[COMBINATION], "text"])
    df.attrs["results"] = results
    return df


def quality_readout(table: pd.DataFrame, models: Mapping[str, str], *, combinations: bool = True) -> pd.DataFrame:
    """Per tier in ``models`` ({tier: model id}): that model's row of a tier-evidence table
    (``routerlab.quality.tier_table()``) and one line of text saying what was measured, on
    what, with its interval and the gap to the tier's best evidence, or "no evidence". When the
    table carries ``attrs["combinations"]`` (``tier_table()`` attaches them), rows indexed
    :data:`COMBINATION` follow: the measured whole combinations the assignment realises (an
    architect/editor pair, whole-agent runs), or "no measured combination"; ``combinations=False``
    leaves them out (they depend on the whole assignment, not on one tier's model)."""
    rows = []
    for tier, model in models.items():
        hit = table[(table["tier"] == tier) & (table["catalog_id"] == model)]
        r = hit.iloc[0] if len(hit) else None
        short = model.split(":", 1)[-1]
        if r is None or pd.isna(r.get("value")):
            rows.append({"tier": tier, "model": model, "value": np.nan, "gap_points": np.nan,
                         "text": f"{short}: no evidence"})
            continue
        text = (f"{short}: {r['value']:.1%} [{r['low']:.1%}, {r['high']:.1%}] {r['metric']} on {r['benchmark']} "
                f"({r['group']}, n={int(r['n'])}, {r['date']})")
        if r["gap_points"] > 0.05:
            text += (f", {r['gap_points']:.1f} pts [{r['gap_low']:.1f}, {r['gap_high']:.1f}] behind "
                     f"{str(r['best']).split(':', 1)[-1]}")
        else:
            text += ", the best evidence for this tier" if tier != "classifier" else ", at or above the 95% target"
        rows.append({"tier": tier, "model": model, "value": r["value"], "gap_points": r["gap_points"], "text": text})
    if combinations:
        rows += combination_rows(table, models)
    return pd.DataFrame(rows, columns=["tier", "model", "value", "gap_points", "text"]).set_index("tier")


def combination_rows(table: pd.DataFrame, models: Mapping[str, str]) -> list[dict[str, Any]]:
    """:func:`quality_readout`'s rows indexed :data:`COMBINATION` for the assignment ``models``;
    none when ``table`` carries no ``attrs["combinations"]`` (``tier_table()`` attaches them)."""
    combos = attached(table)
    if combos is None:
        return []
    return [{"tier": COMBINATION, "model": "", "value": np.nan, "gap_points": np.nan, "text": line}
            for line in combination_lines(combos, models)]


def comparison_table(results: Mapping[str, SimResult]) -> pd.DataFrame:
    """One row per SimResult: the totals, plus cost and wall time relative to the first."""
    rows = []
    for name, r in results.items():
        t = r.totals
        row = {"policy": name, "cost_usd": t["cost_usd"], "wall_s": t["wall_s"], "llm_s": t["llm_s"],
               "calls": t["calls"], "tasks_outcome_known": t["tasks_outcome_known"]}
        row.update({f"calls_{k}": v for k, v in sorted(t["calls_per_tier"].items())})
        rows.append(row)
    df = pd.DataFrame(rows).set_index("policy")
    base = df.iloc[0]
    df["cost_x_first"] = df["cost_usd"] / base["cost_usd"] if base["cost_usd"] else np.nan
    df["wall_x_first"] = df["wall_s"] / base["wall_s"] if base["wall_s"] else np.nan
    df.attrs["note"] = CANNOT_KNOW
    return df
