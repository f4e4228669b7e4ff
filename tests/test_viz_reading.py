"""What a reader relies on at a glance, for every viz figure: a title, named axes, value labels
no smaller than a set size, one scale and one time axis where runs are compared, one colour per
policy. Properties of the figure, not pixel positions (the screenshots are looked at by eye:
tools/screenshot_figures.py)."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("plotly")

from viz_samples import FIGURES, every_figure, quality_table, simulate_frame  # noqa: E402

from routerlab import viz  # noqa: E402

# axis titles drawn another way, and why
_SHARED_AXIS_NOTE = {"tier_quality"}  # one price axis title under all the panels (an annotation)


@pytest.mark.parametrize("name", list(FIGURES))
def test_every_figure_has_a_title_and_named_axes(name: str) -> None:
    fig = FIGURES[name]()
    assert (fig.layout.title.text or "").strip(), f"{name} has no title"
    layout = fig.to_plotly_json()["layout"]
    x_titles = [a.get("title", {}).get("text") for k, a in layout.items() if k.startswith("xaxis")]
    y_titles = [a.get("title", {}).get("text") for k, a in layout.items() if k.startswith("yaxis")]
    assert any(y_titles), f"{name}: no y axis says what it shows"
    if name in _SHARED_AXIS_NOTE:
        assert any("USD" in (a.text or "") for a in fig.layout.annotations)
    else:
        assert any(x_titles), f"{name}: no x axis says what it shows"


@pytest.mark.parametrize("name", list(FIGURES))
def test_text_on_bars_keeps_a_readable_size(name: str) -> None:
    """Bar labels shrink to fit their bar; uniformtext sets the floor (below it: hidden, or shown at it)."""
    fig = FIGURES[name]()
    if any(t.type == "bar" and t.text is not None and len(t.text) for t in fig.data):
        assert fig.layout.uniformtext.minsize >= 9 and fig.layout.uniformtext.mode in ("hide", "show")


def test_two_timelines_side_by_side_share_the_colour_range_the_time_axis_and_the_lanes() -> None:
    top, routed = simulate_frame(top=True), simulate_frame()
    fig = every_figure()["timelines"]
    calls = [t for t in fig.data if t.name == "calls"]
    assert len(calls) == 2
    assert {(t.marker.cmin, t.marker.cmax) for t in calls} == {(0.0, 0.03)}
    assert calls[0].marker.colorscale == calls[1].marker.colorscale
    assert fig.layout.xaxis.range == fig.layout.xaxis2.range
    assert fig.layout.xaxis.range[1] >= max(top["end"].max(), routed["end"].max())
    assert fig.layout.xaxis.matches == "x2"  # zoomed together
    assert list(fig.layout.yaxis.tickvals) == list(fig.layout.yaxis2.tickvals)  # same lanes, same order
    assert fig.layout.yaxis.title.text == "tier"
    # each run's panel title in its policy colour, as its line in cost_comparison
    titles = [a for a in fig.layout.annotations if a.text.startswith(("all top:", "routed:"))]
    assert [a.font.color for a in titles] == list(viz.policy_colours(["all top", "routed"]).values())


def test_timeline_names_the_model_on_its_bar_level_and_in_the_lane_label() -> None:
    fig = every_figure()["timeline"]
    calls = fig.data[0]
    assert list(calls.text) == ["claude-opus-4-5", "claude-haiku-4-5", "claude-sonnet-4-5", "claude-opus-4-5"]
    assert calls.textangle == 0  # never turned on its side to fit a narrow bar
    assert calls.textfont.color is None  # plotly picks black or white against each bar's colour
    assert any("claude-sonnet-4-5" in t for t in fig.layout.yaxis.ticktext)


def test_a_short_call_still_names_its_model_in_as_many_letters_as_fit() -> None:
    f = simulate_frame()  # six 0.8 s calls
    f["model"] = "anthropic:claude-haiku-4-5"
    f.loc[5, "end"] = 60.0  # one long call stretches the axis: the others get about 10 px each
    f.loc[0, "end"] = f.loc[0, "start"] + 4.0  # about 50 px: room for "haiku" only
    names = list(viz.timeline(f).data[0].text)
    assert names[5] == "claude-haiku-4-5" and names[0] == "haiku"
    assert set(names) <= {"claude-haiku-4-5", "haiku-4-5", "haiku"}


def test_thin_timeline_bars_show_their_colour_not_a_white_edge() -> None:
    f = simulate_frame()
    f.loc[0, "end"] = f.loc[0, "start"] + 0.001  # a sliver next to 0.8 s calls
    widths = list(viz.timeline(f).data[0].marker.line.width)
    assert widths[0] == 0 and all(w > 0 for w in widths[1:])


def test_hatched_calls_have_a_legend_entry_that_counts_them() -> None:
    fig = every_figure()["timeline"]
    hatch = next(t for t in fig.data if "hatched" in t.name)
    assert hatch.visible is not False and hatch.name == "error (hatched): 1 call"
    assert fig.layout.showlegend
    assert fig.data[0].showlegend is False  # the calls' colour is their cost: the colour bar, not a swatch


def test_cost_comparison_names_each_total_at_its_line_end_and_lays_tiers_out_in_lane_order() -> None:
    runs = {"all top": simulate_frame(top=True), "routed": simulate_frame()}
    fig = viz.cost_comparison(runs)
    lines = [t for t in fig.data if t.type == "scatter"]
    for line, f in zip(lines, runs.values(), strict=True):
        assert line.y[-1] == pytest.approx(f["cost_usd"].sum())
        assert list(line.text[:-1]) == [""] * (len(line.text) - 1)
        assert line.text[-1] == f"${f['cost_usd'].sum():.3g}"
    bars = [t for t in fig.data if t.type == "bar"]
    assert {b.orientation for b in bars} == {"h"}  # one row per tier: labels cannot run into each other
    assert list(fig.layout.yaxis2.categoryarray) == ["orchestrator", "classifier", "coder"]
    assert fig.layout.yaxis2.autorange == "reversed"  # top-down, as the timeline's lanes
    assert fig.layout.xaxis2.range[1] > max(max(b.x) for b in bars)  # room for the value labels


def test_no_text_is_read_as_a_formula() -> None:
    """plotly.js typesets any text with two "$" as TeX (where MathJax is loaded): dollars go."""
    fig = every_figure()["cost_comparison"]
    title = fig.layout.title.text
    assert title.count("$") < 2 and html.unescape(title).startswith("where the money goes: all top $0.18")


def test_one_policy_colour_whatever_the_notebook_calls_the_routed_run() -> None:
    a = viz.policy_colours(["all top", "routed"])
    b = viz.policy_colours(["default tiers", "coder on gpt-4.1-mini"])
    assert b["default tiers"] == a["routed"]
    assert b["coder on gpt-4.1-mini"] not in a.values()  # a new policy never looks like the baseline
    assert len(set(viz.policy_colours(["kNN", "logistic", "MLP"]).values())) == 3


def test_a_model_alone_is_the_baseline_or_a_single_model_never_a_policy_colour() -> None:
    from routerlab.viz.palette import SINGLE_MODEL

    names = ["GPT-4 alone", "mixtral alone", "cascade, prompt-only verifier", "cascade, agreement with Yi-34B"]
    c = viz.policy_colours(names, baseline="GPT-4 alone")
    assert c["GPT-4 alone"] == viz.policy_colours(["all top"])["all top"]  # what everything is measured against
    assert c["mixtral alone"] == SINGLE_MODEL  # the grey of the single models in cost_quality
    routed = viz.policy_colours(["routed"])["routed"]
    assert routed not in c.values() and len(set(c.values())) == 4  # (it wore the routed orange, by order)
    # without a named baseline both are single models, in two greys, and the cascades keep their colours
    plain = viz.policy_colours(names)
    assert plain["GPT-4 alone"] != plain["mixtral alone"] and viz.POLICY_PALETTE[0] not in plain.values()
    assert [plain[n] for n in names[2:]] == [c[n] for n in names[2:]]


def test_tier_quality_lists_models_without_evidence_inside_their_panel_when_it_has_room() -> None:
    t = quality_table()
    extra = pd.DataFrame([{"tier": "classifier", "catalog_id": "local:smollm2-135m", "value": 0.24, "gap_points": 0.0,
                           "low": 0.18, "high": 0.31, "benchmark": "b", "price_in_out": "0/0", "chosen": False}])
    fig = viz.tier_quality(pd.concat([t, extra], ignore_index=True))
    note = next(a for a in fig.layout.annotations if "no evidence" in (a.text or ""))
    assert note.y == 1.0 and note.yanchor == "top"  # over the empty upper part, not under the axis title


def test_architect_arrows_title_counts_the_exercises_from_the_data() -> None:
    fig = every_figure()["architect_arrows"]
    assert "exercises" not in fig.layout.title.text  # the sample frame has no n: no number made up
    pairs = pd.DataFrame({"planner": ["p"], "editor": ["e"], "pass_2": [0.8], "low": [0.7], "high": [0.9],
                          "cost_per_case": [0.1], "alone_pass_2": [0.7], "alone_cost_per_case": [0.2], "n": [np.int64(57)]})
    assert "57 Python exercises" in viz.architect_arrows(pairs).layout.title.text


def test_policy_frontier_draws_today_s_default_in_the_routed_policy_s_colour() -> None:
    fig = every_figure()["policy_frontier"]
    by = {t.name: t for t in fig.data}
    assert by["today's default"].marker.color == viz.policy_colours(["default tiers"])["default tiers"]
    assert by["Pareto (cost, gap)"].line.color not in viz.POLICY_PALETTE  # a frontier, not a policy
