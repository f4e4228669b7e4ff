"""Where a point's text label goes so that it covers nothing: other labels, points, lines, error bars.

plotly places scatter text at one of nine ``textposition`` values around its point, but has no
collision avoidance. This module chooses among plotly's own positions first (greedy, left to
right), so a label stays attached to its point when the figure is resized or zoomed. When every
position covers something (a router's curve runs through the point), the label moves a little
away, to the clearest of a few spots on rings around the point, and a short leader line joins it
to its point: a :class:`Leader`, drawn as a plotly annotation by :func:`leader_annotations`.
Geometry is estimated in pixels from the axis ranges and the plot area's size; the estimate is
deliberately generous (a narrower plot than the real one), so a label that fits here fits on screen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["POSITIONS", "Leader", "leader_annotations", "place_labels", "trace_text"]

# Preferred first: above and below keep a label centred on its point.
POSITIONS = ("top center", "bottom center", "middle right", "middle left",
             "top right", "top left", "bottom right", "bottom left")

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in pixels, y up

# A label off its point: the gap in pixels between the point and the label's box (the leader's
# length), in eight directions, nearest first. Any clear textposition beats any leader.
RINGS_PX = (25.0, 40.0, 60.0)
_ANGLES = tuple(np.deg2rad(a) for a in (90, 270, 0, 180, 45, 135, 315, 225))
_LEADER_COST = 0.5  # more than a clear textposition (< 0.1), less than crossing one stroke (1)


@dataclass(frozen=True)
class Leader:
    """A label placed away from its point, joined to it by a line: the label's centre is ``ax``
    pixels right of and ``ay`` pixels below the point (plotly's annotation ``ax``/``ay``)."""

    ax: float
    ay: float


Placement = str | Leader


def place_labels(x: npt.ArrayLike, y: npt.ArrayLike, labels: Sequence[str],
                 xr: Sequence[float], yr: Sequence[float], *,
                 lines: Sequence[tuple[npt.ArrayLike, npt.ArrayLike]] = (),
                 segments: Sequence[tuple[float, float, float, float]] = (),
                 width_px: float = 900, height_px: float = 330, font_px: float = 11,
                 marker_px: float = 9, leaders: bool = True) -> list[Placement]:
    """A plotly ``textposition`` for each point (``x``, ``y`` in axis units: log10 of the value
    on a log axis; ``xr``, ``yr`` the axis ranges in the same units) such that its label overlaps
    as little as possible of: the labels placed before it, the other points, the polylines in
    ``lines`` (a router's curve), the ``segments`` (``(x0, y0, x1, y1)``, e.g. error bars), and
    the plot's edge. Crossing a line or covering a label costs more than touching a point.
    Where every textposition covers something, a :class:`Leader` (unless ``leaders=False``) when
    a spot a little away is clearer, its leader line counted as covering what it crosses; draw
    those with :func:`trace_text` and :func:`leader_annotations`."""
    sx = width_px / max(float(xr[1]) - float(xr[0]), 1e-12)
    sy = height_px / max(float(yr[1]) - float(yr[0]), 1e-12)
    px = (np.asarray(x, dtype=float) - float(xr[0])) * sx
    py = (np.asarray(y, dtype=float) - float(yr[0])) * sy
    r = marker_px / 2 + 1
    points: list[Box] = [(a - r, b - r, a + r, b + r) for a, b in zip(px, py, strict=True)]
    strokes = _line_boxes(lines, xr, yr, sx, sy) + [  # a segment as a box 3 px wider each side (bar caps)
        ((min(x0, x1) - float(xr[0])) * sx - 3, (min(y0, y1) - float(yr[0])) * sy,
         (max(x0, x1) - float(xr[0])) * sx + 3, (max(y0, y1) - float(yr[0])) * sy) for x0, y0, x1, y1 in segments]
    stroke_arr = np.asarray(strokes, dtype=float).reshape(-1, 4)  # as arrays once: every candidate tests them all
    point_arr = np.asarray(points, dtype=float).reshape(-1, 4)
    w_char, h, gap = 0.58 * font_px, 1.3 * font_px, marker_px / 2 + 2
    widths = [w_char * len(str(t)) for t in labels]
    ok = np.isfinite(px) & np.isfinite(py)

    def label_box(i: int, pos: Placement) -> Box:
        if isinstance(pos, Leader):
            cx, cy = px[i] + pos.ax, py[i] - pos.ay  # plotly's ay points down
            return cx - widths[i] / 2, cy - h / 2, cx + widths[i] / 2, cy + h / 2
        return _box(pos, px[i], py[i], widths[i], h, gap)

    def cost(i: int, pos: Placement, labels_now: dict[int, Box]) -> float:
        b = label_box(i, pos)
        # cut at the edge: any cut costs, and a deeper cut more (when every place cuts, the least)
        over = max(0.0, -b[0]) + max(0.0, b[2] - width_px) + max(0.0, b[3] - height_px - h / 2) + max(0.0, -h / 2 - b[1])
        near = [(o[0] - 4, o[1] - 2, o[2] + 4, o[3] + 2) for j, o in labels_now.items() if j != i]  # touching reads as one
        others = np.delete(point_arr, i, axis=0)
        # a stroke is sampled every few pixels: lying along a curve costs more than crossing it once
        c = 8 * _hits(b, near) + 5 * _hits(b, others) + _hits(b, stroke_arr) + 30 * (over > 0) + over
        if not isinstance(pos, Leader):
            return c + 0.01 * POSITIONS.index(pos)
        # off its point: its own point covered, or a leader crossing something, reads as wrong too
        line = _leader_samples(px[i], py[i], b, r)
        return (c + 5 * _hits(b, [points[i]]) + 8 * _hits_any(line, near) + 5 * _hits_any(line, others)
                + _hits_any(line, stroke_arr) + _LEADER_COST + 0.002 * np.hypot(pos.ax, pos.ay))

    out: list[Placement] = [POSITIONS[0]] * len(px)
    boxes: dict[int, Box] = {}
    order = [int(i) for i in np.argsort(px, kind="stable") if ok[i]]
    for sweep in range(3):  # greedy left to right, then two rounds of moving a label given all the others
        moved = False
        for i in order:
            here: list[Placement] = list(POSITIONS)
            costs = [cost(i, pos, boxes) for pos in here]
            if leaders and min(costs) >= _LEADER_COST:  # nothing clear around the point: look a little away
                away = _leader_offsets(widths[i], h)
                here += away
                costs += [cost(i, pos, boxes) for pos in away]
            best = here[int(np.argmin(costs))]
            moved |= sweep > 0 and best != out[i]
            out[i], boxes[i] = best, label_box(i, best)
        if sweep > 0 and not moved:
            break
    return out


def trace_text(labels: Sequence[str], placed: Sequence[Placement]) -> tuple[list[str], list[str]]:
    """The scatter trace's ``text`` and ``textposition`` for :func:`place_labels`' answer: a label
    drawn by a leader annotation is blank on the trace (keep the names in ``hovertext``)."""
    text = ["" if isinstance(p, Leader) else str(t) for t, p in zip(labels, placed, strict=True)]
    return text, [p if isinstance(p, str) else POSITIONS[0] for p in placed]


def leader_annotations(x: npt.ArrayLike, y: npt.ArrayLike, labels: Sequence[str], placed: Sequence[Placement], *,
                       xref: str = "x", yref: str = "y", font_px: float = 11, colour: str = "#333",
                       marker_px: float = 9) -> list[dict[str, Any]]:
    """The plotly annotations (``layout.annotations``) for the labels :func:`place_labels` moved
    off their points: text at the offset, a thin line (no head) stopping at the marker's edge.
    ``x``, ``y`` in axis units as for :func:`place_labels` (log10 of the value on a log axis:
    plotly places annotations on a log axis by the log)."""
    out: list[dict[str, Any]] = []
    for a, b, t, p in zip(np.asarray(x, dtype=float), np.asarray(y, dtype=float), labels, placed, strict=True):
        if isinstance(p, Leader):
            out.append(dict(x=float(a), y=float(b), xref=xref, yref=yref, text=str(t), showarrow=True, arrowhead=0,
                            ax=round(p.ax, 1), ay=round(p.ay, 1), axref="pixel", ayref="pixel",
                            standoff=marker_px / 2 + 1, arrowwidth=1, arrowcolor=colour, borderpad=0,
                            font=dict(size=font_px, color=colour), bgcolor="rgba(255,255,255,0.7)"))
    return out


def _leader_offsets(w: float, h: float) -> list[Leader]:
    """Label centres on each ring: the box's nearest edge ``RINGS_PX`` from the point."""
    out: list[Leader] = []
    for ring in RINGS_PX:
        for t in _ANGLES:
            ux, uy = float(np.cos(t)), float(np.sin(t))
            # from the centre to the box's edge along the direction, plus the leader's length
            edge = min(w / 2 / abs(ux) if abs(ux) > 1e-9 else np.inf, h / 2 / abs(uy) if abs(uy) > 1e-9 else np.inf)
            d = edge + ring
            out.append(Leader(ax=round(d * ux, 1), ay=round(-d * uy, 1)))
    return out


def _leader_samples(cx: float, cy: float, b: Box, r: float, step_px: float = 3.0) -> list[Box]:
    """Small boxes along the leader, from the marker's edge to the label's box."""
    bx, by = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
    length = float(np.hypot(bx - cx, by - cy))
    out: list[Box] = []
    for d in np.arange(r + 1, length, step_px):
        a, c = cx + (bx - cx) * d / length, cy + (by - cy) * d / length
        if b[0] <= a <= b[2] and b[1] <= c <= b[3]:
            break  # inside the label: the line is drawn from its edge
        out.append((a - 0.5, c - 0.5, a + 0.5, c + 0.5))
    return out


def _hits_any(samples: Sequence[Box], others: Sequence[Box] | np.ndarray) -> int:
    """How many of the obstacles the samples touch (each counted once)."""
    s = np.asarray(samples, dtype=float).reshape(-1, 1, 4)
    o = np.asarray(others, dtype=float).reshape(1, -1, 4)
    touch = (s[..., 2] > o[..., 0]) & (o[..., 2] > s[..., 0]) & (s[..., 3] > o[..., 1]) & (o[..., 3] > s[..., 1])
    return int(np.count_nonzero(touch.any(axis=0)))


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


def _hits(b: Box, others: Sequence[Box] | np.ndarray) -> int:
    o = np.asarray(others, dtype=float).reshape(-1, 4)
    return int(np.count_nonzero((b[2] > o[:, 0]) & (o[:, 2] > b[0]) & (b[3] > o[:, 1]) & (o[:, 3] > b[1])))
