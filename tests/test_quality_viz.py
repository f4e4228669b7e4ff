"""Quality figures and the playground's quality readout, on small hand-made frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("plotly")
pytest.importorskip("ipywidgets")
pytest.importorskip("anywidget")

from routerlab import viz  # noqa: E402
from routerlab.errors import DatasetError  # noqa: E402
from routerlab.simulate import quality_readout  # noqa: E402
from routerlab.tiers import TierMap  # noqa: E402
from routerlab.widgets import Playground  # noqa: E402

OPUS, SONNET, MINI, HAIKU = ("anthropic:claude-opus-4-5", "anthropic:claude-sonnet-4-5", "openai:gpt-5-mini",
                             "anthropic:claude-haiku-4-5")


def _table() -> pd.DataFrame:
    rows = [
        ("coder", OPUS, 0.744, 372, 500, 0.0, OPUS), ("coder", SONNET, 0.706, 353, 500, 3.8, OPUS),
        ("coder", MINI, 0.598, 299, 500, 14.6, OPUS), ("orchestrator", OPUS, 0.856, 238, 278, 0.0, OPUS),
        ("orchestrator", SONNET, 0.774, 215, 278, 8.2, OPUS), ("classifier", HAIKU, np.nan, np.nan, np.nan, np.nan, None),
        ("vision", HAIKU, np.nan, np.nan, np.nan, np.nan, None),
    ]
    t = pd.DataFrame(rows, columns=["tier", "catalog_id", "value", "successes", "n", "gap_points", "best"])
    t["low"], t["high"] = t["value"] - 0.04, t["value"] + 0.04
    t["gap_low"], t["gap_high"] = t["gap_points"] - 5, t["gap_points"] + 5
    t["benchmark"] = np.where(t["value"].isna(), "no evidence", "swe-bench-verified bash-only")
    t["group"], t["metric"], t["date"] = "bash-only board", "resolved", "2025-11-24"
    t["price_in_out"] = t["catalog_id"].map({OPUS: "5/25", SONNET: "3/15", MINI: "0.25/2", HAIKU: "1/5"})
    t["chosen"] = t["catalog_id"].eq(SONNET) & t["tier"].eq("coder") | t["catalog_id"].eq(OPUS) & t["tier"].eq("orchestrator")
    return t


def test_quality_readout_says_no_evidence_and_the_gap() -> None:
    r = quality_readout(_table(), {"coder": SONNET, "classifier": HAIKU, "orchestrator": OPUS})
    assert r.loc["classifier", "text"] == "claude-haiku-4-5: no evidence"
    assert "3.8 pts [-1.2, 8.8] behind claude-opus-4-5" in r.loc["coder", "text"]
    assert "the best evidence for this tier" in r.loc["orchestrator", "text"]


def test_tier_quality_has_a_panel_per_tier_and_the_star_moves() -> None:
    t = _table()
    fig = viz.tier_quality(t)
    assert _starred(fig, "coder") == SONNET and _starred(fig, "orchestrator") == OPUS
    n_traces = len(fig.data)
    t.loc[t["tier"] == "coder", "chosen"] = t["catalog_id"] == MINI
    viz.highlight_chosen(fig, t)
    assert _starred(fig, "coder") == MINI and _starred(fig, "orchestrator") == OPUS
    assert len(fig.data) == n_traces  # the star moved; no trace added or removed
    coder = next(tr for tr in fig.data if tr.name == "coder")
    assert coder.marker.symbol == "circle"  # the candidates keep one style: no per-point arrays to restyle
    t.loc[t["tier"] == "coder", "chosen"] = False  # nothing chosen with evidence: no star
    viz.highlight_chosen(fig, t)
    assert _starred(fig, "coder") is None
    assert any("no evidence" in a.text for a in fig.layout.annotations)
    with pytest.raises(DatasetError, match="lacks column"):
        viz.tier_quality(t.drop(columns=["price_in_out"]))


def _starred(fig, tier: str) -> str | None:
    """The catalog id of the candidate under ``tier``'s star, read from the plotted points."""
    star = next(tr for tr in fig.data if tr.meta == "chosen" and tr.name == f"{tier}: chosen")
    if not len(star.x):
        return None
    base = next(tr for tr in fig.data if tr.name == tier)
    hits = [row[3] for x, y, row in zip(base.x, base.y, base.customdata, strict=True)
            if (x, y) == (star.x[0], star.y[0])]
    assert len(hits) == 1, hits
    return str(hits[0])


def test_architect_arrows_and_policy_frontier_mark_what_they_say() -> None:
    pairs = pd.DataFrame({"planner": ["p", "p"], "editor": ["e1 (diff)", "e2 (whole)"], "pass_2": [0.8, 0.7],
                          "low": [0.7, 0.6], "high": [0.9, 0.8], "cost_per_case": [0.1, 0.05],
                          "alone_pass_2": [0.75, 0.75], "alone_low": [0.65, 0.65], "alone_high": [0.85, 0.85],
                          "alone_cost_per_case": [0.2, 0.2]})
    fig = viz.architect_arrows(pairs)
    assert len(fig.layout.annotations) == 2 and all(a.showarrow for a in fig.layout.annotations)
    frame = pd.DataFrame({"coder": ["a", "b", "c"], "cost_usd": [1.0, 2.0, 3.0], "wall_s": [10.0, 10.0, 10.0],
                          "worst_gap": [10.0, np.inf, 0.0], "pareto": [True, False, True],
                          "is_default": [False, False, True]})
    fig = viz.policy_frontier(frame, ["coder"], within=frame.iloc[0], within_points=10)
    names = [tr.name for tr in fig.data]
    assert "today's default" in names and "cheapest with every tier within 10 points" in names
    assert "1 with an unmeasured model" in fig.layout.title.text


def test_playground_change_moves_the_quality_readout_and_the_star() -> None:
    tiers = TierMap.default()
    t = _table()

    def run(state):
        return pd.DataFrame({"tier": ["coder"], "model": [state.models["coder"]], "start": [0.0], "end": [1.0],
                             "cost_usd": [0.01]})

    pg = Playground(run, tiers, quality=t)
    assert "claude-sonnet-4-5: 70.6%" in pg.quality_readout.value
    pg.picker.dropdowns["coder"].value = MINI
    assert "gpt-5-mini: 59.8%" in pg.quality_readout.value and "14.6 pts" in pg.quality_readout.value
    assert _starred(pg.figures["quality"], "coder") == MINI
