"""Where a point's text label goes so that it covers nothing: other labels, points, lines, error bars.

plotly places scatter text at one of nine ``textposition`` values around its point, but has no
collision avoidance. This module only chooses among plotly's own positions (greedy, left to right),
so a label stays attached to its point when the figure is resized or zoomed. Geometry is
estimated in pixels from the axis ranges and the plot area's size; the estimate is deliberately
generous (a narrower plot than the real one), so a label that fits here fits on screen.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

__all__ = ["POSITIONS", "place_labels"]

# Preferred first: above and below keep a label centred on its point.
POSITIONS = ("top center", "bottom center", "middle right", "middle left",
             "top right", "top left", "bottom right", "bottom left")

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in pixels, y up


def place_labels(x: npt.ArrayLike, y: npt.ArrayLike, labels: Sequence[str],
                 xr: Sequence[float], yr: Sequence[float], *,
                 lines: Sequence[tuple[npt.ArrayLike, npt.ArrayLike]] = (),
                 segments: Sequence[tuple[float, float, float, float]] = (),
                 width_px: float = 900, height_px: float = 330, font_px: float = 11,
                 marker_px: float = 9) -> list[str]:
    """A plotly ``textposition`` for each point (``x``, ``y`` in axis units: log10 of the value
    on a log axis; ``xr``, ``yr`` the axis ranges in the same units) such that its label overlaps
    as little as possible of: the labels placed before it, the other points, the polylines in
    ``lines`` (a router's curve), the ``segments`` (``(x0, y0, x1, y1)``, e.g. error bars), and
    the plot's edge. Crossing a line or covering a label costs more than touching a point."""
    sx = width_px / max(float(xr[1]) - float(xr[0]), 1e-12)
    sy = height_px / max(float(yr[1]) - float(yr[0]), 1e-12)
    px = (np.asarray(x, dtype=float) - float(xr[0])) * sx
    py = (np.asarray(y, dtype=float) - float(yr[0])) * sy
    r = marker_px / 2 + 1
    points: list[Box] = [(a - r, b - r, a + r, b + r) for a, b in zip(px, py, strict=True)]
    strokes = _line_boxes(lines, xr, yr, sx, sy) + [  # a segment as a box 3 px wider each side (bar caps)
        ((min(x0, x1) - float(xr[0])) * sx - 3, (min(y0, y1) - float(yr[0])) * sy,
         (max(x0, x1) - float(xr[0])) * sx + 3, (max(y0, y1) - float(yr[0])) * sy) for x0, y0, x1, y1 in segments]
    w_char, h, gap = 0.58 * font_px, 1.3 * font_px, marker_px / 2 + 2
    widths = [w_char * len(str(t)) for t in labels]
    ok = np.isfinite(px) & np.isfinite(py)

    def label_box(i: int, pos: str) -> Box:
        return _box(pos, px[i], py[i], widths[i], h, gap)

    def cost(i: int, pos: str, labels_now: dict[int, Box]) -> float:
        b = label_box(i, pos)
        # cut at the edge: any cut costs, and a deeper cut more (when every place cuts, the least)
        over = max(0.0, -b[0]) + max(0.0, b[2] - width_px) + max(0.0, b[3] - height_px - h / 2) + max(0.0, -h / 2 - b[1])
        near = [(o[0] - 4, o[1] - 2, o[2] + 4, o[3] + 2) for j, o in labels_now.items() if j != i]  # touching reads as one
        # a stroke is sampled every few pixels: lying along a curve costs more than crossing it once
        return (8 * _hits(b, near) + 5 * _hits(b, points[:i] + points[i + 1:]) + _hits(b, strokes)
                + 30 * (over > 0) + over + 0.01 * POSITIONS.index(pos))

    out = [POSITIONS[0]] * len(px)
    boxes: dict[int, Box] = {}
    order = [int(i) for i in np.argsort(px, kind="stable") if ok[i]]
    for sweep in range(3):  # greedy left to right, then two rounds of moving a label given all the others
        moved = False
        for i in order:
            costs = [cost(i, pos, boxes) for pos in POSITIONS]
            best = POSITIONS[int(np.argmin(costs))]
            moved |= sweep > 0 and best != out[i]
            out[i], boxes[i] = best, label_box(i, best)
        if sweep > 0 and not moved:
            break
    return out


def _box(pos: str, cx: float, cy: float, w: float, h: float, gap: float) -> Box:
    """The label's rectangle for a plotly text position (text is centred, or starts/ends, at the point)."""
    vertical, horizontal = pos.split()
    if vertical == "top":
        y0, y1 = cy + gap, cy + gap + h
    elif vertical == "bottom":
        y0, y1 = cy - gap - h, cy - gap
    else:
        y0, y1 = cy - h / 2, cy + h / 2
    side = gap if vertical == "middle" else gap / 2
    if horizontal == "center":
        x0, x1 = cx - w / 2, cx + w / 2
    elif horizontal == "right":
        x0, x1 = cx + side, cx + side + w
    else:
        x0, x1 = cx - side - w, cx - side
    return x0, y0, x1, y1


def _line_boxes(lines: Sequence[tuple[npt.ArrayLike, npt.ArrayLike]], xr: Sequence[float],
                yr: Sequence[float], sx: float, sy: float, step_px: float = 3.0, half_px: float = 3.5) -> list[Box]:
    """Small boxes every few pixels along each polyline: its stroke (and its markers) as obstacles."""
    boxes: list[Box] = []
    for lx, ly in lines:
        ax = (np.asarray(lx, dtype=float) - float(xr[0])) * sx
        ay = (np.asarray(ly, dtype=float) - float(yr[0])) * sy
        keep = np.isfinite(ax) & np.isfinite(ay)
        ax, ay = ax[keep], ay[keep]
        for k in range(len(ax)):
            n = 1 if k == len(ax) - 1 else max(2, int(np.hypot(ax[k + 1] - ax[k], ay[k + 1] - ay[k]) / step_px))
            end = (ax[k], ay[k]) if k == len(ax) - 1 else (ax[k + 1], ay[k + 1])
            for t in np.linspace(0.0, 1.0, n, endpoint=False) if n > 1 else [0.0]:
                a, b = ax[k] + t * (end[0] - ax[k]), ay[k] + t * (end[1] - ay[k])
                boxes.append((a - half_px, b - half_px, a + half_px, b + half_px))
    return boxes


def _hits(b: Box, others: Sequence[Box]) -> int:
    return sum(not (b[2] <= o[0] or o[2] <= b[0] or b[3] <= o[1] or o[3] <= b[1]) for o in others)
