"""A workload: the ordered LLM calls of one or more recorded agent runs, as rows of a DataFrame.

Each row is one call: which task and agent made it, what it was for (``kind``, see
``step_kinds``), its tokens, the model that answered and what it cost, and when it ran.
Storage is columnar (pandas) so that a million calls re-simulate with NumPy; ``calls`` gives the
same rows as ``LLMCall`` objects for reading.

Timing is kept as recorded, plus two derived columns that say how calls depended on each other
in the recording (what ``routerlab.simulate`` replays):

- ``pred``: index of the call this one waited for: within the same task, the call whose
  recorded end was the latest at or before this call's recorded start (-1: none, the call
  starts the task or overlapped everything before it).
- ``gap_s``: recorded time between that call's end and this call's start (tool runs, the
  user, sub-agents' own work), or the offset from the task's first start when ``pred`` is -1.
- ``concurrency``: calls of the task in flight when this one started, itself included (1:
  it ran alone).

So calls that overlapped in the recording keep overlapping when their latencies change, and
calls that ran one after another stay sequential.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DatasetError, InvalidRequestError
from .step_kinds import tier_of

__all__ = ["LLMCall", "Workload", "COLUMNS"]


@dataclass(frozen=True)
class LLMCall:
    """One recorded LLM call. ``input_tokens`` counts every prompt token (cached and
    cache-written ones included); ``cached_tokens`` were read from the prompt cache;
    ``cache_write_tokens`` were written to it (Anthropic bills these above the input price).
    ``cost_usd`` is what the recording says the call cost (NaN when it says nothing).
    ``output_partial`` marks a lower bound (streamed transcripts). ``outcome`` is the run's
    recorded success (tau2 reward, 1/0), NaN when unknown. ``model`` is None when the
    recording does not say which model answered."""

    task_id: str
    agent: str
    kind: str
    input_tokens: int
    output_tokens: int
    cached_tokens: int
    model: str | None
    start: float
    duration_s: float
    cost_usd: float = float("nan")
    cache_write_tokens: int = 0
    output_partial: bool = False
    outcome: float = float("nan")
    tools: str = ""
    source: str = ""


COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(LLMCall))
_REQUIRED = COLUMNS[:9]  # the fields without defaults
_INT_COLS = ("input_tokens", "output_tokens", "cached_tokens", "cache_write_tokens")
_FLOAT_COLS = ("start", "duration_s", "cost_usd", "outcome")
_KNOWN_TOKENS = ("input_tokens", "output_tokens")
_TIMES = ("start", "duration_s")


class Workload:
    """Ordered LLM calls with their recorded dependencies. Build with ``Workload.from_calls``
    or ``Workload(frame)``; read ``.frame`` (DataFrame) or ``.calls`` (LLMCall list)."""

    def __init__(self, frame: pd.DataFrame, name: str = "workload", notes: Sequence[str] = ()) -> None:
        if not isinstance(frame, pd.DataFrame):
            raise InvalidRequestError(
                f"Workload takes a pandas DataFrame with one row per call (columns {list(_REQUIRED)}), got "
                f"{type(frame).__name__}; from LLMCall objects use Workload.from_calls(calls)")
        missing = [c for c in _REQUIRED if c not in frame.columns]
        if missing:
            raise DatasetError(f"workload {name!r} lacks columns {missing}; give at least {list(_REQUIRED)}")
        self.name = name
        self.notes = list(notes)
        self.frame = _normalise(frame, name)
        self._codes: dict[str, np.ndarray] | None = None

    @classmethod
    def from_calls(cls, calls: Iterable[LLMCall], name: str = "workload", notes: Sequence[str] = ()) -> Workload:
        rows = [asdict(c) for c in calls]
        frame = pd.DataFrame(rows, columns=list(COLUMNS)) if rows else pd.DataFrame({c: [] for c in COLUMNS})
        return cls(frame, name=name, notes=notes)

    @classmethod
    def from_trace_frame(cls, frame: pd.DataFrame, name: str = "trace") -> Workload:
        """The ok ``call`` records of a routerlab trace (``Trace.to_frame()``) as a workload, so a
        run of your own can be replayed under other policies. The kind is the request's kind
        (``metadata["kind"]``); the agent is the kind of the span the call hangs under."""
        f = frame[(frame["kind"] == "call") & (frame["status"] == "ok")]
        if f.empty:
            raise DatasetError(f"trace {name!r} has no ok call records to replay")
        span_kind = dict(zip(frame["call_id"], frame["kind"], strict=False))
        meta = f["metadata"].map(lambda m: m if isinstance(m, dict) else {})
        out = pd.DataFrame({
            "task_id": f["task_id"].fillna("run").astype(str),
            "agent": f["parent_id"].map(span_kind).fillna("main").astype(str),
            "kind": meta.map(lambda m: str(m.get("kind", "respond"))),
            "input_tokens": f["input_tokens"], "output_tokens": f["output_tokens"],
            "cached_tokens": f["cached_tokens"], "model": f["model"].astype(str),
            "start": f["start"], "duration_s": (f["end"] - f["start"]).clip(lower=0),
            "cost_usd": f["cost_usd"], "source": name + ":" + f["call_id"].astype(str),
        })
        return cls(out.reset_index(drop=True), name=name, notes=[f"from trace {name}: {len(out)} calls"])

    @classmethod
    def concat(cls, workloads: Sequence[Workload], name: str | None = None) -> Workload:
        """One workload of several. Task ids are namespaced by source (``<workload name>/<task id>``;
        a repeated name gets ``#<position>``), so tasks that share an id in different sources
        (tau2's airline and retail both have ``18#0``) stay separate tasks."""
        names = [w.name for w in workloads]
        prefixes = [n if names.count(n) == 1 else f"{n}#{i}" for i, n in enumerate(names)]
        frames = [w.frame[list(COLUMNS)].assign(task_id=p + "/" + w.frame["task_id"].astype(str))
                  for w, p in zip(workloads, prefixes, strict=True)]
        notes = [n for w in workloads for n in w.notes]
        return cls(pd.concat(frames, ignore_index=True), name=name or "+".join(w.name for w in workloads), notes=notes)

    # -- integer views, computed once: what a vectorized replay needs ------------------------
    def codes(self) -> dict[str, np.ndarray]:
        """Integer codes of the string columns (``task``, ``kind``, ``tier``, ``model``, with the
        names in ``<col>_names``), task boundaries (``task_start`` offsets; tasks are
        contiguous) and ``lane_prev`` (previous call of the same task and agent, -1 if none)."""
        if self._codes is None:
            f = self.frame
            out: dict[str, np.ndarray] = {}
            for col in ("task_id", "kind", "tier", "model", "agent"):
                c, names = pd.factorize(f[col], sort=False)  # a call with no recorded model: -1
                out[col] = c.astype(np.int64)
                out[col + "_names"] = np.asarray(names, dtype=object)
            t = out["task_id"]
            out["task_start"] = np.flatnonzero(np.r_[True, t[1:] != t[:-1]]) if len(t) else np.empty(0, np.int64)
            lane = t * (int(out["agent"].max(initial=0)) + 1) + out["agent"]
            order = np.argsort(lane, kind="stable")
            prev = np.full(len(t), -1, dtype=np.int64)
            same = np.r_[False, lane[order][1:] == lane[order][:-1]]
            prev[order[same]] = order[np.flatnonzero(same) - 1]
            out["lane_prev"] = prev
            self._codes = out
        return self._codes

    # -- views ------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.frame)

    def __repr__(self) -> str:
        return f"Workload({self.name!r}, {len(self)} calls, {self.frame['task_id'].nunique()} tasks)"

    @property
    def calls(self) -> list[LLMCall]:
        recs = self.frame[list(COLUMNS)].to_dict("records")
        return [LLMCall(**{k: _py(v) for k, v in r.items()}) for r in recs]  # type: ignore[arg-type]

    @property
    def tasks(self) -> list[str]:
        return list(dict.fromkeys(self.frame["task_id"]))

    def task(self, task_id: str) -> Workload:
        """The calls of one task, as their own workload."""
        sub = self.frame[self.frame["task_id"] == task_id]
        if sub.empty:
            raise DatasetError(f"workload {self.name!r} has no task {task_id!r}; tasks: {self.tasks[:5]}...")
        return Workload(sub[list(COLUMNS)].reset_index(drop=True), name=f"{self.name}/{task_id}", notes=self.notes)

    def summary(self) -> pd.DataFrame:
        """Per task: calls, agents, tokens, recorded cost and wall time, main model."""
        f = self.frame
        g = f.groupby("task_id", sort=False)
        out = pd.DataFrame({
            "calls": g.size(),
            "agents": g["agent"].nunique(),
            "input_tokens": g["input_tokens"].sum(),
            "cached_tokens": g["cached_tokens"].sum(),
            "output_tokens": g["output_tokens"].sum(),
            "recorded_cost_usd": g["cost_usd"].sum(min_count=1),
            "recorded_wall_s": g["end"].max() - g["start"].min(),
            "model": g["model"].agg(lambda s: s.value_counts(dropna=False).index[0]),
            "outcome": g["outcome"].first(),
        })
        return out


def _py(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v


def _numbers(f: pd.DataFrame, col: str, name: str) -> pd.Series:
    """``f[col]`` as floats; a value that is there but is not a number is an error naming its rows."""
    raw = f[col]
    values = pd.to_numeric(raw, errors="coerce").astype(np.float64)
    _refuse(f, values.isna() & raw.notna(), name, col, "holds values that are not numbers", raw)
    return values


def _refuse(f: pd.DataFrame, bad: pd.Series, name: str, col: str, what: str, shown: pd.Series) -> None:
    if bad.any():
        rows = np.flatnonzero(bad.to_numpy())
        first = [_py(shown.iloc[i]) for i in rows[:3]]
        raise DatasetError(f"workload {name!r}: column {col!r} {what} in {len(rows)} of {len(f)} rows "
                           f"(rows {rows[:5].tolist()}: {first}); fix or drop those rows")


def _normalise(frame: pd.DataFrame, name: str = "workload") -> pd.DataFrame:
    f = frame.copy()
    defaults: dict[str, Any] = {"cost_usd": np.nan, "cache_write_tokens": 0, "output_partial": False,
                                "outcome": np.nan, "tools": "", "source": ""}
    for col, val in defaults.items():
        if col not in f.columns:
            f[col] = val
    for col in _INT_COLS:
        values = _numbers(f, col, name)
        if col in _KNOWN_TOKENS:  # cache counts a recording does not give are 0; a call's own tokens are not
            _refuse(f, values.isna(), name, col, "is empty (NaN)", f[col])
        _refuse(f, np.isinf(values) | (values.fillna(0) % 1 != 0), name, col, "holds counts that are not whole numbers",
                f[col])
        f[col] = values.fillna(0).astype(np.int64)
    for col in _FLOAT_COLS:
        f[col] = _numbers(f, col, name)
    for col in _TIMES:  # NaN or inf here would turn every later time of the task into NaN
        _refuse(f, ~np.isfinite(f[col]), name, col, "is not a finite number of seconds", f[col])
    for col in ("task_id", "agent", "kind", "tools", "source"):
        f[col] = f[col].astype(str)
    f["model"] = f["model"].map(lambda m: None if m is None or (isinstance(m, float) and np.isnan(m)) else str(m))
    f["output_partial"] = f["output_partial"].astype(bool)
    if (f[list(_INT_COLS)] < 0).any().any():
        raise DatasetError("workload has negative token counts")
    if (f["cached_tokens"] > f["input_tokens"]).any():
        raise DatasetError("workload has cached_tokens above input_tokens: input_tokens must include cached ones")
    f["duration_s"] = f["duration_s"].clip(lower=0.0)
    # Keep task order of first appearance, then recorded start within the task.
    task_order = pd.Categorical(f["task_id"], categories=list(dict.fromkeys(f["task_id"])), ordered=True)
    f["_t"] = task_order.codes
    f["_i"] = np.arange(len(f))
    f = f.sort_values(["_t", "start", "_i"], kind="stable").reset_index(drop=True)
    f["end"] = f["start"] + f["duration_s"]
    f["tier"] = [tier_of(k) for k in f["kind"]] if len(f) < 10_000 else f["kind"].map(_tier_map(f["kind"]))
    pred, gap, inflight = dependencies(f["_t"].to_numpy(), f["start"].to_numpy(), f["end"].to_numpy())
    f["pred"] = pred
    f["gap_s"] = gap
    f["concurrency"] = inflight
    f.insert(0, "call_index", np.arange(len(f), dtype=np.int64))
    return f.drop(columns=["_t", "_i"])


def _tier_map(kinds: pd.Series) -> dict[str, str]:
    return {k: tier_of(k) for k in kinds.unique()}


def dependencies(task: np.ndarray, start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For calls sorted by (task, start): the predecessor of each (latest recorded end at or before
    its start, same task, earlier in order; -1 if none), the recorded gap before it, and how many
    calls of its task were in flight when it started (itself included)."""
    n = len(start)
    if n == 0:
        return np.empty(0, np.int64), np.empty(0, np.float64), np.empty(0, np.int64)
    task = task.astype(np.int64)
    first = np.r_[True, task[1:] != task[:-1]]
    t0 = np.maximum.accumulate(np.where(first, np.arange(n), 0))  # index of the task's first call
    base = start[t0]
    rel_s, rel_e = start - base, end - base
    span = float(max(rel_e.max(), rel_s.max(), 0.0)) + 1.0
    key_e = task * span + rel_e
    key_s = task * span + rel_s
    order = np.lexsort((np.arange(n), key_e))
    sorted_e = key_e[order]
    pos = np.searchsorted(sorted_e, key_s, side="right") - 1
    pred = np.where(pos >= 0, order[np.clip(pos, 0, None)], -1)
    # Same task, and strictly earlier in start order (guards zero-length calls).
    bad = (pred >= 0) & ((task[np.clip(pred, 0, None)] != task) | (pred >= np.arange(n)))
    if bad.any():  # rare: fall back to the previous call of the task when it ended in time
        idx = np.nonzero(bad)[0]
        prev = idx - 1
        ok = (prev >= 0) & (task[np.clip(prev, 0, None)] == task[idx]) & (end[np.clip(prev, 0, None)] <= start[idx])
        pred[idx] = np.where(ok, prev, -1)
    gap = np.where(pred >= 0, start - end[np.clip(pred, 0, None)], rel_s)
    # earlier tasks' starts and ends both fall below the key, so they cancel in the difference
    started_before = np.searchsorted(np.sort(key_s), key_s, side="left")
    ended_by = np.searchsorted(sorted_e, key_s, side="right")
    inflight = started_before - ended_by + 1
    return pred.astype(np.int64), np.maximum(gap, 0.0), np.maximum(inflight, 1).astype(np.int64)
