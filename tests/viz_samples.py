"""One drawing of every routerlab.viz figure function, on small hand-made frames shaped like the
ones the notebooks pass: what the colour-property test and the browser console test look at."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from routerlab import viz
from routerlab.catalog import Catalog
from routerlab.trace import Trace, TraceRecord
from routerlab.types import Alternative, Decision

T0 = 1_700_000_000.0
OPUS, SONNET, MINI, HAIKU = ("anthropic:claude-opus-4-5", "anthropic:claude-sonnet-4-5", "openai:gpt-5-mini",
                             "anthropic:claude-haiku-4-5")


def trace_frame() -> pd.DataFrame:
    """plan -> two parallel delegated calls (one failed, hatched) -> review: a critical path and a hatch."""
    tr = Trace()
    rows = [("plan", "plan", None, "orchestrator", OPUS, 0, 3, 0.0275, "ok"),
            ("call", "fast", "plan", "classifier", HAIKU, 3, 3.5, 0.0005, "ok"),
            ("call", "slow", "plan", "coder", SONNET, 3, 9, 0.021, "error"),
            ("review", "review", "plan", "orchestrator", OPUS, 9, 11, 0.0125, "ok")]
    # a hover with two dollar amounts (its cost and an alternative's): plotly.js reads "$...$" as TeX
    decision = Decision(model=HAIKU, tier="classifier", score=0.31, threshold=0.5, router="threshold",
                        alternatives=(Alternative(OPUS, "orchestrator", predicted_cost=0.0123),)).to_dict()
    for kind, cid, parent, tier, model, s, e, cost, status in rows:
        tr.append(TraceRecord(kind=kind, call_id=cid, parent_id=parent, tier=tier, model=model, start=T0 + s,
                              end=T0 + e, input_tokens=1000, output_tokens=200, cost_usd=cost, status=status,
                              decision=decision if cid == "fast" else None))
    return tr.to_frame()


def simulate_frame(top: bool = False) -> pd.DataFrame:
    tiers = ["orchestrator", "classifier", "coder"] * 2
    return pd.DataFrame({
        "call_index": range(6), "task_id": "t1", "agent": "main", "kind": "step", "tier": tiers,
        "model": [OPUS if top or t == "orchestrator" else MINI for t in tiers],
        "start": np.arange(6, dtype=float), "end": np.arange(6, dtype=float) + (1.6 if top else 0.8),
        "cost_usd": [0.03 if top or t == "orchestrator" else 0.001 for t in tiers],
    })


def quality_table() -> pd.DataFrame:
    rows = [("coder", OPUS, 0.744, 0.0), ("coder", SONNET, 0.706, 3.8), ("coder", MINI, 0.598, 14.6),
            ("orchestrator", OPUS, 0.856, 0.0), ("orchestrator", SONNET, 0.774, 8.2),
            ("classifier", HAIKU, np.nan, np.nan)]
    t = pd.DataFrame(rows, columns=["tier", "catalog_id", "value", "gap_points"])
    t["low"], t["high"] = t["value"] - 0.04, t["value"] + 0.04
    t["benchmark"] = np.where(t["value"].isna(), "no evidence", "swe-bench-verified bash-only")
    t["price_in_out"] = t["catalog_id"].map({OPUS: "5/25", SONNET: "3/15", MINI: "0.25/2", HAIKU: "1/5"})
    t["chosen"] = t["catalog_id"].eq(SONNET) & t["tier"].eq("coder") | t["catalog_id"].eq(OPUS) & t["tier"].eq(
        "orchestrator")
    return t


def _cost_quality() -> Any:
    sweep = pd.DataFrame({"threshold": [0.9, 0.5, 0.1], "cost": [0.001, 0.004, 0.009], "quality": [0.6, 0.75, 0.8]})
    singles = pd.DataFrame({"model": ["a:small", "a:mid", "a:big"], "cost": [0.0005, 0.003, 0.01],
                            "accuracy": [0.55, 0.7, 0.8]})
    return viz.cost_quality({"routed": sweep}, singles, oracle={"cost": 0.0004, "quality": 0.95}, log_x=True)


def _architect_arrows() -> Any:
    return viz.architect_arrows(pd.DataFrame({
        "planner": ["p", "p"], "editor": ["e1 (diff)", "e2 (whole)"], "pass_2": [0.8, 0.7], "low": [0.7, 0.6],
        "high": [0.9, 0.8], "cost_per_case": [0.1, 0.05], "alone_pass_2": [0.75, 0.75], "alone_low": [0.65, 0.65],
        "alone_high": [0.85, 0.85], "alone_cost_per_case": [0.2, 0.2]}))


def _policy_frontier() -> Any:
    frame = pd.DataFrame({"coder": ["a", "b", "c", "d"], "cost_usd": [1.0, 2.0, 3.0, 1.5],
                          "wall_s": [10.0, 12.0, 9.0, 11.0], "worst_gap": [10.0, np.inf, 0.0, 12.0],
                          "pareto": [True, False, True, False], "is_default": [False, False, True, False]})
    return viz.policy_frontier(frame, ["coder"], within=frame.iloc[0], within_points=10)


FIGURES: dict[str, Callable[[], Any]] = {
    "timeline": lambda: viz.timeline(trace_frame()),
    "timeline (simulate frame)": lambda: viz.timeline(simulate_frame()),
    "timelines": lambda: viz.timelines({"all top": simulate_frame(top=True), "routed": simulate_frame()},
                                       lanes=["orchestrator", "classifier", "coder", "vision"]),
    "cost_comparison": lambda: viz.cost_comparison({"all top": simulate_frame(top=True), "routed": simulate_frame()}),
    "cost_quality": _cost_quality,
    "calibration": lambda: viz.calibration(pd.DataFrame({
        "candidate": ["keywords", "minilm", "big"], "accuracy": [0.90, 0.98, 0.99], "n": [400, 400, 400],
        "cost_usd": [0.0, 0.0001, 0.01]}), target=0.95),
    "confusion_matrix": lambda: viz.confusion_matrix(["a", "a", "b", "c"], ["a", "b", "b", "c"]),
    "signal_map": lambda: viz.signal_map(pd.DataFrame([[0.5, 0.71], [np.nan, 0.3]], index=["arc", "mbpp"],
                                                      columns=["m1", "m2"])),
    "model_map": lambda: viz.model_map(Catalog.default().to_frame()),
    "architect_arrows": _architect_arrows,
    "policy_frontier": _policy_frontier,
    "tier_quality": lambda: viz.tier_quality(quality_table()),
}


def every_figure() -> dict[str, Any]:
    """Each figure function drawn once: {name: plotly Figure}."""
    return {name: draw() for name, draw in FIGURES.items()}
