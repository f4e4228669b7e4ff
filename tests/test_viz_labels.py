"""Label placement (routerlab.viz.labels): a point's name goes where it covers no other label,
point, curve or error bar, and is not cut at the plot's edge."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from routerlab.viz.labels import POSITIONS, _box, place_labels

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
