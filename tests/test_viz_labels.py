"""Label placement (routerlab.viz.labels): a point's name goes where it covers no other label,
point, curve or error bar, and is not cut at the plot's edge."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from routerlab.viz.labels import POSITIONS, Leader, _box, leader_annotations, place_labels, trace_text

pytest.importorskip("plotly")


def _boxes(x, y, labels, pos, xr, yr, width_px=900, height_px=330, font_px=11, marker_px=9):
    sx, sy = width_px / (xr[1] - xr[0]), height_px / (yr[1] - yr[0])
    return [_box(p, (a - xr[0]) * sx, (b - yr[0]) * sy, 0.58 * font_px * len(t), 1.3 * font_px, marker_px / 2 + 2)
            for a, b, t, p in zip(x, y, labels, pos, strict=True)]


def _overlap(a, b) -> bool:
    return not (a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1])


def test_a_crowd_of_points_gets_labels_that_do_not_overlap_each_other():
    x = np.array([0.0, 0.05, 0.10, 0.15, 0.5])  # 37 px apart: labels 40-100 px wide
    y = np.array([0.50, 0.52, 0.50, 0.52, 0.9])
    labels = ["model-a-long-name", "model-b", "model-c-long", "model-d", "far away"]
    pos = place_labels(x, y, labels, (-0.2, 1.0), (0.0, 1.0))
    assert set(pos) <= set(POSITIONS)
    boxes = _boxes(x, y, labels, pos, (-0.2, 1.0), (0.0, 1.0))
    assert not any(_overlap(boxes[i], boxes[j]) for i in range(len(boxes)) for j in range(i + 1, len(boxes)))


def test_a_label_moves_off_a_curve_that_runs_just_above_its_point():
    line = (np.linspace(0, 1, 20), np.full(20, 0.53))  # a router's curve 0.03 above the point
    pos = place_labels([0.5], [0.5], ["Yi-34B-Chat"], (0, 1), (0, 1), lines=[line])
    assert pos == ["bottom center"]
    assert place_labels([0.5], [0.5], ["Yi-34B-Chat"], (0, 1), (0, 1)) == ["top center"]  # free: the default


def test_a_label_at_the_edge_is_not_cut_and_avoids_an_error_bar():
    pos = place_labels([0.99], [0.5], ["gpt-4-1106-preview"], (0, 1), (0, 1))
    assert pos[0].endswith("left")  # the right edge is 1 px away
    # an interval bar through the point: a label to its side, not across the bar above or below
    side = place_labels([0.5], [50.0], ["gpt-5"], (0, 1), (-5, 105), segments=[(0.5, 35.0, 0.5, 65.0)])
    assert side[0].startswith("middle")


def test_cost_quality_keeps_single_model_labels_off_the_router_curve():
    sweep = pd.DataFrame({"cost": np.geomspace(1e-4, 4e-3, 30), "quality": np.linspace(0.6, 0.9, 30) + 0.02})
    singles = pd.DataFrame({"model": ["m-on-curve"], "cost": [sweep["cost"].iloc[15]],
                            "quality": [sweep["quality"].iloc[15] - 0.025]})
    from routerlab import viz

    fig = viz.cost_quality({"router": sweep}, singles, log_x=True)
    pos = next(t for t in fig.data if t.name == "single models").textposition
    assert not pos[0].startswith("top")  # the curve runs just above the point


def _crossed_everywhere():
    """A point with router curves 10 px above, through and 10 px below it (330 px over 0-1): every
    textposition around it lies on a curve."""
    xs = np.linspace(0, 1, 40)
    return [(xs, np.full(40, v)) for v in (0.47, 0.5, 0.53)]


def test_a_label_every_textposition_of_which_is_crossed_goes_on_a_leader_to_a_clear_spot():
    lines = _crossed_everywhere()
    for pos in POSITIONS:  # the premise: no textposition is clear of the curves
        b = _boxes([0.5], [0.5], ["Yi-34B-Chat"], [pos], (0, 1), (0, 1))[0]
        assert any(b[1] < 330 * v < b[3] for v in (0.47, 0.5, 0.53)), pos
    placed = place_labels([0.5], [0.5], ["Yi-34B-Chat"], (0, 1), (0, 1), lines=lines)
    assert isinstance(placed[0], Leader)
    assert place_labels([0.5], [0.5], ["Yi-34B-Chat"], (0, 1), (0, 1), lines=lines, leaders=False)[0] in POSITIONS
    (note,) = leader_annotations([0.5], [0.5], ["Yi-34B-Chat"], placed)
    assert (note["x"], note["y"], note["text"]) == (0.5, 0.5, "Yi-34B-Chat")  # the line ends on its point
    assert note["showarrow"] and note["arrowhead"] == 0 and note["axref"] == "pixel"
    # the label's box (centred at ax px right of, ay px below the point) crosses none of the curves
    w, h = 0.58 * 11 * len("Yi-34B-Chat"), 1.3 * 11
    cx, cy = 450 + note["ax"], 165 - note["ay"]
    assert not any(cy - h / 2 - 3.5 < 330 * v < cy + h / 2 + 3.5 for v in (0.47, 0.5, 0.53))
    assert 0 <= cx - w / 2 and cx + w / 2 <= 900 and 0 <= cy - h / 2 and cy + h / 2 <= 330  # inside the plot
    assert 25 <= np.hypot(note["ax"], note["ay"]) <= 60 + w  # near its point: the nearest ring that is clear
    text, where = trace_text(["Yi-34B-Chat"], placed)
    assert text == [""] and where[0] in POSITIONS  # not drawn twice


def test_cost_quality_draws_a_crossed_label_as_an_annotation_on_the_log_axis():
    xs = np.geomspace(1e-4, 1e-2, 40)
    sweeps = {f"router {k}": pd.DataFrame({"cost": xs, "quality": np.full(40, q)})
              for k, q in enumerate((0.685, 0.70, 0.715))}
    singles = pd.DataFrame({"model": ["p:Yi-34B-Chat", "p:far"], "cost": [1e-3, 1e-2], "quality": [0.70, 0.95]})
    from routerlab import viz

    fig = viz.cost_quality(sweeps, singles, log_x=True)
    tr = next(t for t in fig.data if t.name == "single models")
    assert list(tr.text) == ["", "far"] and list(tr.hovertext) == ["Yi-34B-Chat", "far"]  # hover still names it
    (note,) = [a for a in fig.layout.annotations if a.text == "Yi-34B-Chat"]
    # plotly places an annotation on a log axis by the log of the value
    assert note.x == pytest.approx(-3.0) and note.y == pytest.approx(0.70) and note.showarrow
