"""Redraw a live ``FigureWidget`` in place: one update message, the same traces.

A figure keeps its traces for life: each new trace restyles the next trace of the same type,
traces left over are hidden (``visible=False``), and only a new trace with no trace of its type
left is appended. Deleting and re-adding traces could leave a view blank when it started between
the two (JupyterLab's Run All creates views late, while later cells update the figure); restyle
and relayout set values, so a view that sees one twice, or already holds the new state, ends in
the same picture. The full state a new view starts from is kept current too (``resync_views``):
plotly's front end does not keep it (its model applies updates to a fresh copy each time).
The figures are ``viz.live_figure.LiveFigure``: every update reaches the front end under Run All.
"""


from __future__ import annotations

from typing import Any

from ._spec import Spec

__all__ = ["restyle_in_place", "resync_views", "update_values"]

_FIXED = ("type", "uid")  # a trace's identity: never restyled
_WHOLE = ("template",)  # sent as one value, never path by path


def restyle_in_place(target: Any, new: Any) -> None:
    """Make the ``FigureWidget`` ``target`` show ``new`` (a plotly Figure or a ``{"data",
    "layout"}`` spec from a ``*_spec`` function), keeping its traces (see the module's note).
    Spec values go in as they are, without plotly's validation: that is what keeps it fast."""
    data, layout = _parts(new)
    slots: list[dict[str, Any]] = target._data  # the widget's own trace dicts
    placed: dict[int, Spec] = {}
    appended: list[Spec] = []
    nxt = 0
    for trace in data:
        kind = trace.get("type", "scatter")
        i = next((j for j in range(nxt, len(slots)) if slots[j].get("type", "scatter") == kind), None)
        if i is None:
            appended.append(trace)
            continue
        placed[i], nxt = trace, i + 1
    restyle: dict[str, list[Any]] = {}
    order = list(range(len(slots)))
    for pos, i in enumerate(order):
        want = placed.get(i)
        if want is None:  # left over: hidden, its data kept (no message when already hidden)
            _put(restyle, "visible", pos, len(order), False)
            continue
        have, wanted = _paths(slots[i]), _paths(want)
        for key in (set(have) | set(wanted)) - set(_FIXED):
            _put(restyle, key, pos, len(order), wanted.get(key))  # None removes the property
    have, wanted = _paths(target._layout, whole=_WHOLE), _paths(layout, whole=_WHOLE)
    relayout = {key: wanted.get(key) for key in set(have) | set(wanted)}
    update_values(target, restyle, relayout, order)
    if appended:
        target.add_traces(appended)
    resync_views(target)


def update_values(target: Any, restyle: dict[str, Any], relayout: dict[str, Any], trace_indexes: list[int]) -> None:
    """``plotly_update``: values set in place, unvalidated, sent as one message."""
    target.plotly_update(restyle_data=restyle, relayout_data=relayout, trace_indexes=trace_indexes)


def _paths(d: Spec, prefix: str = "", whole: tuple[str, ...] = ()) -> dict[str, Any]:
    """Nested dicts as dotted paths ("marker.color"), as plotly's own property updates send them:
    a property the new figure lacks is removed on its own, the rest of its container kept."""
    out: dict[str, Any] = {}
    for k, v in d.items():
        key = prefix + k
        if isinstance(v, dict) and v and key not in whole:
            out.update(_paths(v, key + "."))
        else:
            out[key] = _json(v)
    return out


def _json(v: Any) -> Any:
    """Arrays as lists (NaN as null): the update goes as plain JSON, not as binary buffers that
    the front end has to decode back into typed arrays."""
    if hasattr(v, "dtype") and hasattr(v, "tolist"):
        v = v.tolist()
    if isinstance(v, list | tuple):
        return [_json(x) for x in v]
    if isinstance(v, float) and v != v:
        return None
    return v


def _put(restyle: dict[str, list[Any]], key: str, pos: int, n: int, value: Any) -> None:
    from plotly.basedatatypes import Undefined

    restyle.setdefault(key, [Undefined] * n)[pos] = value


def _parts(new: Any) -> tuple[list[Spec], Spec]:
    if isinstance(new, dict):
        return list(new.get("data", [])), dict(new.get("layout", {}))
    return [dict(t) for t in new._data], dict(new._layout)  # a Figure's validated dicts


def resync_views(target: Any) -> None:
    """Keep the widget's full state current too: a view created later starts from it, and
    plotly's front-end model never updates it (each update lands on a fresh deserialized copy of
    ``_widget_data``), so without this a late view would draw the figure as it was opened."""
    # the template is shared, not copied: nothing restyles it, and it is most of the layout
    target._widget_layout = {k: v if k == "template" else _copy(v) for k, v in target._layout.items()}
    target._widget_data = _copy(target._data)


def _copy(v: Any) -> Any:
    """A copy of nested dicts and lists (arrays copied too): the widget mutates its own in place."""
    if isinstance(v, dict):
        return {k: _copy(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_copy(x) for x in v]
    copy = getattr(v, "copy", None)
    return copy() if callable(copy) and hasattr(v, "dtype") else v
