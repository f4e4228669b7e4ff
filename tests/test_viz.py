"""routerlab.viz: each figure carries the data of the frame it was given."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("plotly")

from routerlab import viz  # noqa: E402
from routerlab.errors import DatasetError  # noqa: E402
from routerlab.trace import Trace, TraceRecord  # noqa: E402
from routerlab.types import Alternative, Decision  # noqa: E402

T0 = 1_700_000_000.0


def _orchestrated_trace() -> pd.DataFrame:
    """plan -> two delegated calls in parallel (the slow one ends last) -> review."""
    tr = Trace()
    dec = Decision(
        model="anthropic:claude-haiku-4-5", tier="classifier", score=0.31, threshold=0.5, router="threshold",
        alternatives=(Alternative("anthropic:claude-opus-4-5", "orchestrator", predicted_cost=0.0123),),
    ).to_dict()
    recs = [
        TraceRecord(kind="plan", call_id="plan", tier="orchestrator", model="anthropic:claude-opus-4-5",
                    start=T0, end=T0 + 3, input_tokens=1000, output_tokens=300, cost_usd=0.0275),
        TraceRecord(kind="call", call_id="fast", parent_id="plan", tier="classifier",
                    model="anthropic:claude-haiku-4-5", start=T0 + 3, end=T0 + 3.5, input_tokens=400,
                    output_tokens=20, cost_usd=0.0005, decision=dec),
        TraceRecord(kind="call", call_id="slow", parent_id="plan", tier="coder",
                    model="anthropic:claude-sonnet-4-5", start=T0 + 3, end=T0 + 9, input_tokens=3000,
                    output_tokens=800, cost_usd=0.021, status="error", error="boom"),
        TraceRecord(kind="review", call_id="review", parent_id=None, tier="orchestrator",
                    model="anthropic:claude-opus-4-5", start=T0 + 9, end=T0 + 11, input_tokens=2000,
                    output_tokens=100, cost_usd=0.0125),
    ]
    for r in recs:
        tr.append(r)
    return tr.to_frame()


def _simulate_frame(n: int = 6, top: bool = False) -> pd.DataFrame:
    tiers = ["orchestrator", "classifier", "coder"] * (n // 3)
    cost = [0.03 if top or t == "orchestrator" else 0.001 for t in tiers]
    return pd.DataFrame({
        "call_index": range(n), "task_id": "t1", "agent": ["main"] * n, "kind": "step", "tier": tiers,
        "model": ["m"] * n, "start": np.arange(n, dtype=float), "end": np.arange(n, dtype=float) + 0.8,
        "cost_usd": cost,
    })


def test_timeline_one_bar_per_call_on_lanes_from_run_start():
    f = _orchestrated_trace()
    fig = viz.timeline(f)
    calls = fig.data[0]
    assert calls.name == "calls" and len(calls.y) == 4
    assert list(calls.y) == ["orchestrator", "classifier", "coder", "orchestrator"]
    np.testing.assert_allclose(np.asarray(calls.base, dtype=float), [0, 3, 3, 9])
    np.testing.assert_allclose(calls.x, [3, 0.5, 6, 2])
    # coloured by cost: the colour bar's colour at each call's cost, as strings plotly.js can read
    assert list(calls.marker.color) == viz.scale_colours(f["cost_usd"], 0.0, calls.marker.cmax)
    assert calls.marker.cmax == pytest.approx(f["cost_usd"].max())
    # orchestrator lane drawn on top (plotly categories run bottom-up)
    assert list(fig.layout.yaxis.categoryarray)[-1] == "orchestrator"
    # the failed call is hatched
    assert list(calls.marker.pattern.shape) == ["", "", "x", ""]


def test_timeline_hover_shows_decision_and_alternative_costs():
    fig = viz.timeline(_orchestrated_trace())
    raw = fig.data[0].hovertext[1]
    assert raw.count("$") < 2  # two dollars read as a TeX formula in plotly.js: written as &#36;
    hover = html.unescape(raw)  # what the reader sees
    assert "claude-haiku-4-5" in hover and "400" in hover
    assert "score 0.310 < threshold 0.500" in hover
    assert "claude-opus-4-5 $0.0123" in hover
    assert "status: error" in fig.data[0].hovertext[2]


def test_timeline_critical_path_follows_the_slow_branch():
    f = _orchestrated_trace()
    assert viz.critical_path(f) == ["plan", "slow", "review"]
    fig = viz.timeline(f)
    cp = [t for t in fig.data if t.name == "critical path"]
    assert len(cp) == 1 and list(cp[0].customdata) == ["plan", "slow", "review"]
    names = [t.name for t in viz.timeline(f, highlight_critical_path=False).data]
    assert names == ["calls", "error (hatched): 1 call"]  # the hatching has its legend entry


def test_critical_path_switches_when_the_other_branch_is_slower():
    f = _orchestrated_trace()
    f.loc[f.call_id == "slow", "end"] = T0 + 4
    f.loc[f.call_id == "fast", "end"] = T0 + 8.5
    assert viz.critical_path(f) == ["plan", "fast", "review"]


def test_timeline_accepts_a_simulate_frame_and_agent_lanes():
    f = _simulate_frame()
    fig = viz.timeline(f)
    shown = [t for t in fig.data if t.visible is not False]
    assert len(shown) == 1 and len(fig.data[0].y) == 6  # no parent ids: no critical path; nothing hatched
    lanes = viz.timeline(f.drop(columns=["tier"]))
    assert set(lanes.data[0].y) == {"main"}


def test_timeline_names_missing_columns():
    with pytest.raises(DatasetError, match=r"\['end'\]"):
        viz.timeline(_simulate_frame().drop(columns=["end"]))
    with pytest.raises(DatasetError, match="tier"):
        viz.timeline(_simulate_frame().drop(columns=["tier", "agent"]))
    with pytest.raises(DatasetError, match="DataFrame"):
        viz.timeline([1, 2, 3])  # type: ignore[arg-type]


def test_cost_comparison_cumulative_and_per_tier_per_policy():
    top, routed = _simulate_frame(top=True), _simulate_frame()
    fig = viz.cost_comparison({"all top": top, "routed": routed})
    lines = [t for t in fig.data if t.type == "scatter"]
    bars = [t for t in fig.data if t.type == "bar"]
    assert [t.name for t in lines] == ["all top", "routed"]
    assert lines[0].y[-1] == pytest.approx(top.cost_usd.sum())
    assert lines[1].y[-1] == pytest.approx(routed.cost_usd.sum())
    assert np.all(np.diff(lines[1].y) >= 0)
    per = dict(zip(bars[1].y, bars[1].x, strict=True))  # one row per tier
    assert per["coder"] == pytest.approx(0.002) and per["orchestrator"] == pytest.approx(0.06)
    both = viz.cost_comparison(pd.concat([top.assign(policy="a"), routed.assign(policy="b")]))
    assert [t.name for t in both.data if t.type == "scatter"] == ["a", "b"]


def test_upper_hull_is_non_decreasing_and_convex():
    cost = [1.0, 2.0, 3.0, 10.0, 5.0]
    quality = [0.5, 0.55, 0.8, 0.7, 0.85]
    hx, hy = viz.upper_hull(cost, quality)
    assert list(hx) == [1.0, 3.0, 5.0, 10.0]  # (2, .55) lies under the hull, (10, .7) is dominated
    assert list(hy) == [0.5, 0.8, 0.85, 0.85]


def test_cost_quality_curve_singles_hull_oracle():
    sweep = pd.DataFrame({"threshold": [0.9, 0.5, 0.1], "cost": [0.1, 0.4, 0.9], "quality": [0.6, 0.75, 0.8]})
    singles = pd.DataFrame({"model": ["a:small", "a:big"], "cost": [0.05, 1.0], "accuracy": [0.55, 0.8]})
    fig = viz.cost_quality({"knn": sweep}, singles, oracle={"cost": 0.04, "quality": 0.95})
    by = {t.name: t for t in fig.data}
    # the router's curve is drawn over the single models and their hull; the oracle last
    assert [t.name for t in fig.data] == ["single models", "convex hull of single models", "knn", "oracle"]
    np.testing.assert_allclose(by["knn"].x, [0.1, 0.4, 0.9])
    assert list(by["single models"].text) == ["small", "big"]
    assert (by["oracle"].x[0], by["oracle"].y[0]) == (0.04, 0.95)
    with pytest.raises(DatasetError, match="quality"):
        viz.cost_quality(sweep.drop(columns=["quality"]))


def test_calibration_highlights_cheapest_whose_lower_bound_clears_target():
    table = pd.DataFrame({
        "candidate": ["keywords", "minilm", "big"], "accuracy": [0.90, 0.98, 0.99], "n": [400, 400, 400],
        "cost_usd": [0.0, 0.0001, 0.01],
    })
    lo, hi = viz.wilson_interval(table.accuracy * table.n, table.n)
    assert lo[1] > 0.95 and lo[0] < 0.95 and np.all(hi > table.accuracy)
    fig = viz.calibration(table, target=0.95)
    assert "minilm" in fig.layout.title.text
    assert list(fig.data[0].marker.color) == ["#999", "#2CA02C", "#4C78A8"]
    assert fig.layout.shapes[0].y0 == 0.95
    none = viz.calibration(table.assign(n=20), target=0.95)
    assert "no candidate" in none.layout.title.text


def test_confusion_matrix_counts():
    fig = viz.confusion_matrix(["a", "a", "b", "c"], ["a", "b", "b", "c"])
    z = np.asarray(fig.data[0].z)
    assert list(fig.data[0].x) == ["a", "b", "c"]
    np.testing.assert_array_equal(z, [[1, 1, 0], [0, 1, 0], [0, 0, 1]])
    assert "0.750" in fig.layout.title.text
    frame = pd.DataFrame({"label": ["x", "y"], "predicted": ["y", "y"]})
    norm = viz.confusion_matrix(frame, normalize=True)
    np.testing.assert_allclose(np.asarray(norm.data[0].z), [[0, 1], [0, 1]])
    with pytest.raises(DatasetError, match="predictions"):
        viz.confusion_matrix(["a"], ["a", "b"])


def test_model_map_from_catalog_frame():
    from routerlab.catalog import Catalog

    cat = Catalog.default().to_frame()
    fig = viz.model_map(cat)
    n = sum(len(t.x) for t in fig.data)
    assert n == len(cat)
    assert fig.layout.xaxis.type == "log"


def test_timeline_of_an_orchestrator_trace_draws_calls_inside_their_spans():
    """task > plan/delegate x2/review spans > calls; the delegates run in parallel."""
    tr = Trace()
    spans = [("task", "task", None, 0, 12), ("plan", "plan", "task", 0, 3), ("delegate", "d1", "task", 3, 5),
             ("delegate", "d2", "task", 3, 9), ("review", "rev", "task", 9, 12)]
    for kind, cid, parent, s, e in spans:
        tr.append(TraceRecord(kind=kind, call_id=cid, parent_id=parent, task_id="t", start=T0 + s, end=T0 + e))
    calls = [("c-plan", "plan", "orchestrator", 0.1, 2.9), ("c-d1", "d1", "classifier", 3.1, 4.9),
             ("c-d2", "d2", "coder", 3.1, 8.9), ("c-rev", "rev", "orchestrator", 9.1, 11.9)]
    for cid, parent, tier, s, e in calls:
        tr.append(TraceRecord(kind="call", call_id=cid, parent_id=parent, task_id="t", tier=tier, model=f"m-{tier}",
                              start=T0 + s, end=T0 + e, cost_usd=0.01))
    f = tr.to_frame()
    fig = viz.timeline(f)
    bars = fig.data[0]
    assert list(bars.customdata) == ["c-plan", "c-d1", "c-d2", "c-rev"]  # calls only
    np.testing.assert_allclose(np.asarray(bars.base, dtype=float), [0.1, 3.1, 3.1, 9.1], atol=1e-6)  # from the task's start
    assert "· delegate ·" in bars.hovertext[2]
    cp = next(t for t in fig.data if t.name == "critical path")
    assert list(cp.customdata) == ["c-plan", "c-d2", "c-rev"]  # the slow delegate set the wall time
    assert len(viz.timeline(f, spans=True).data[0].y) == 9


def test_signal_map_centres_no_signal_and_labels_cells():
    auc = pd.DataFrame([[0.5, 0.71], [np.nan, 0.3]], index=["arc", "mbpp"], columns=["m1", "m2"])
    fig = viz.signal_map(auc)
    h = fig.data[0]
    assert list(h.x) == ["m1", "m2"] and list(h.y) == ["arc", "mbpp"]
    assert h.zmid == 0.5 and h.text[0][1] == "0.71" and h.text[1][0] == ""
    with pytest.raises(DatasetError, match="non-empty"):
        viz.signal_map(pd.DataFrame())


def test_one_policy_palette_whatever_the_order_and_a_stable_model_palette():
    a = viz.policy_colours(["routed", "all top"])
    b = viz.policy_colours(["all top", "routed", "cascade"])
    assert a["routed"] == b["routed"] != a["all top"] == b["all top"]
    assert len(set(b.values())) == 3
    top, routed = _simulate_frame(), _simulate_frame()
    fig = viz.cost_comparison({"routed": routed, "all top": top})
    assert {t.name: t.line.color for t in fig.data if t.type == "scatter"} == a
    one, two = viz.model_colours(["m:a", "m:b"]), viz.model_colours(["m:b", "m:a", "m:c"])
    assert one == {k: two[k] for k in one} and set(one.values()) <= set(viz.MODEL_PALETTE)


def test_timelines_share_one_cost_scale_and_time_axis_and_say_which_model_served():
    cheap, top = _simulate_frame(), _simulate_frame(top=True)
    top["model"] = "p:big"
    top["end"] = top["end"] * 2
    fig = viz.timelines({"routed": cheap, "all top": top}, lanes=["orchestrator", "classifier", "coder", "vision"])
    bars = [t for t in fig.data if t.name == "calls"]
    assert len(bars) == 2 and {b.marker.cmax for b in bars} == {0.03}  # one colour scale
    assert [b.marker.showscale for b in bars] == [True, False]  # and one colour bar
    assert fig.layout.xaxis.range == fig.layout.xaxis2.range and fig.layout.xaxis.range[1] >= top["end"].max()
    assert any("big" in t for t in fig.layout.yaxis2.ticktext)  # the model is named on its lane
    assert sum("no vision calls" in a.text for a in fig.layout.annotations) == 2  # a missing tier says so
    # hatched bars have an explicit colour (plotly.js would take it from the bar colours)
    assert bars[0].marker.pattern.fgcolor == "#222"


def test_cost_quality_labels_do_not_collide_and_the_log_axis_reads_in_dollars():
    # two models at almost the same point (RouterBench's Yi-34B and gpt-3.5): labels must split
    singles = pd.DataFrame({"model": ["yi-34b", "gpt-3.5-turbo", "gpt-4", "mixtral"],
                            "cost": [0.00021, 0.00022, 0.004, 0.0001], "quality": [0.70, 0.705, 0.9, 0.6]})
    now = pd.DataFrame({"cost": [0.0002], "quality": [0.7]})
    fig = viz.cost_quality({"this cost weight": now}, singles, log_x=True)
    pos = list(next(t for t in fig.data if t.name == "single models").textposition)
    assert pos[0] != pos[1]
    assert fig.data[-1].name == "this cost weight" and fig.data[-1].marker.size >= 16  # on top, visible
    ticks = list(fig.layout.xaxis.ticktext)
    assert all(t.startswith("$") for t in ticks) and not any("μ" in t for t in ticks)
    lo, hi = fig.layout.xaxis.range
    assert 10 ** lo < 0.0001 and 10 ** hi > 0.004  # no edge point (or its label) is cut


def test_timeline_colour_bar_ticks_keep_a_fraction_of_a_cent_readable() -> None:
    from routerlab.viz.timeline import _money_ticks

    # the scale's top must not round to $0: two significant digits at any magnitude
    for top in (0.002084, 0.00005, 0.7, 12.0):
        decimals = int(_money_ticks(top)[2:-2])
        assert round(top, decimals) > 0 and abs(round(top, decimals) - top) / top < 0.1
