"""routerlab.widgets: controls drive the figures in place, without re-running cells."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("ipywidgets")
pytest.importorskip("anywidget")
pytest.importorskip("plotly")

from routerlab.errors import CapabilityError  # noqa: E402
from routerlab.tiers import TierMap  # noqa: E402
from routerlab.types import Usage  # noqa: E402
from routerlab.widgets import Playground, PlaygroundState, TierPicker  # noqa: E402

# A small fixed task: (tier, input tokens, output tokens), run one call after another.
CALLS = [("orchestrator", 4000, 600), ("classifier", 800, 20), ("coder", 6000, 900), ("classifier", 700, 15),
         ("coder", 7000, 1200), ("orchestrator", 9000, 300)]


def price_run(state: PlaygroundState) -> dict[str, pd.DataFrame]:
    """Price and time the task with the catalog, under the picked tiers and all-on-orchestrator."""
    cat = state.tiers.catalog

    def frame(model_of) -> pd.DataFrame:
        rows, t = [], 0.0
        for i, (tier, tin, tout) in enumerate(CALLS):
            m = cat.get(model_of(tier))
            dur = m.predicted_latency(tout)
            rows.append({"call_index": i, "tier": tier, "model": m.id, "start": t, "end": t + dur,
                         "cost_usd": m.cost(Usage(tin, tout)), "input_tokens": tin, "output_tokens": tout})
            t += dur
        return pd.DataFrame(rows)

    budget = state.budget_usd if state.budget_usd is not None else float("inf")
    routed = frame(lambda tier: state.models[tier])
    routed = routed[routed["cost_usd"].cumsum() <= budget]
    return {"routed": routed, "all top": frame(lambda tier: state.models["orchestrator"])}


def test_tier_picker_offers_only_capable_models_and_swaps():
    tiers = TierMap.default()
    picker = TierPicker(tiers)
    vision = picker.dropdowns["vision"]
    ids = [v for _, v in vision.options]
    assert ids and all(tiers.catalog.get(i).vision for i in ids)
    assert vision.value == tiers.model_for("vision").id
    seen = []
    picker.on_change(lambda tier, model: seen.append((tier, model)))
    other = next(i for i in ids if i != vision.value)
    vision.value = other
    assert tiers.model_for("vision").id == other and seen == [("vision", other)]
    # a text-only model is not offered, and the tier map refuses it anyway
    text_only = next(m.id for m in tiers.catalog if not m.vision)
    assert text_only not in ids
    with pytest.raises(CapabilityError):
        tiers.swap("vision", text_only)


def test_changing_a_dropdown_updates_the_figures_in_place():
    pg = Playground(price_run, TierMap.default())
    timeline, cost = pg.figures["timeline"], pg.figures["cost"]
    before_colour = np.array(timeline.data[0].marker.color)  # colour strings, one per call
    before_total = pg.summary_frame().loc["routed", "cost_usd"]
    coder = pg.picker.dropdowns["coder"]
    cheapest = coder.options[0][1]
    assert cheapest != coder.value
    coder.value = cheapest
    assert pg.updates == 1
    assert pg.figures["timeline"] is timeline and pg.figures["cost"] is cost  # same widgets
    after_colour = np.array(timeline.data[0].marker.color)
    coder_rows = [i for i, (tier, _, _) in enumerate(CALLS) if tier == "coder"]
    assert (before_colour[coder_rows] != after_colour[coder_rows]).all()  # the cheaper calls changed colour
    assert pg.summary_frame().loc["routed", "cost_usd"] < before_total
    assert list(pg.frames["routed"]["model"][coder_rows]) == [cheapest] * len(coder_rows)
    # the cost figure's routed line ends at the new total
    routed_line = next(t for t in cost.data if t.type == "scatter" and t.name == "routed")
    assert routed_line.y[-1] == pytest.approx(pg.frames["routed"]["cost_usd"].sum())
    assert "routed" in pg.summary.value


def test_budget_slider_reruns_with_the_new_budget():
    pg = Playground(price_run, TierMap.default(), budget_usd=10.0, threshold=0.5)
    n_all = len(pg.frames["routed"])
    pg.sliders["budget_usd"].value = 0.011
    assert pg.state.budget_usd == pytest.approx(0.011)
    assert len(pg.frames["routed"]) < n_all
    assert len(pg.figures["timeline"].data[0].y) == len(pg.frames["routed"])
    pg.sliders["threshold"].value = 0.8
    assert pg.state.threshold == pytest.approx(0.8) and pg.updates == 2


def test_a_failing_run_keeps_the_last_figures_and_says_why():
    calls = {"n": 0}

    def flaky(state: PlaygroundState) -> dict[str, pd.DataFrame]:
        calls["n"] += 1
        if calls["n"] > 1:
            raise ValueError("no such policy")
        return price_run(state)

    pg = Playground(flaky, TierMap.default())
    before = len(pg.figures["timeline"].data[0].y)
    pg.update()
    assert pg.error == "ValueError: no such policy" and "no such policy" in pg.summary.value
    assert len(pg.figures["timeline"].data[0].y) == before and pg.updates == 0


def test_custom_figures_and_a_log_cost_weight_slider():
    from routerlab import viz

    def run(state: PlaygroundState) -> dict[str, pd.DataFrame]:
        w = state.cost_weight
        return {"point": pd.DataFrame({"cost": [1.0 / (1.0 + w)], "quality": [0.9 - 0.1 * np.log10(1 + w)]})}

    pg = Playground(run, TierMap.default(), cost_weight=1.0, cost_weight_range=(1e-3, 1e3), picker_tiers=(),
                    figures={"curve": lambda frames: viz.cost_quality({"now": frames["point"]})},
                    summary=lambda frames: f"cost {frames['point']['cost'].iloc[0]:.3f}")
    assert list(pg.figures) == ["curve"] and not pg.picker.dropdowns
    slider = pg.sliders["cost_weight"]
    assert type(slider).__name__ == "FloatLogSlider"
    fig = pg.figures["curve"]
    assert fig.data[0].x[0] == pytest.approx(0.5)
    slider.value = 100.0
    assert pg.figures["curve"] is fig and fig.data[0].x[0] == pytest.approx(1 / 101)
    assert pg.summary.value == "cost 0.010"


def test_summary_counts_refused_calls_as_refused_not_as_served():
    from routerlab.widgets import summarize

    f = pd.DataFrame({"start": [0.0, 1.0, 2.0], "end": [0.5, 1.5, 9.0], "cost_usd": [0.1, 0.2, 0.0],
                      "status": ["ok", "ok", "refused"], "tier": ["coder"] * 3})
    row = summarize({"routed": f}).loc["routed"]
    assert (row["calls"], row["refused"]) == (2, 1)
    assert row["wall_s"] == 1.5  # the refused call's recorded duration is not counted
