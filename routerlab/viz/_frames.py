"""Shared helpers of the viz modules: plotly import, column checks, number formatting, decision text."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from .._numbers import to_float, usd
from ..errors import DatasetError, MissingDependencyError
from .palette import TIER_ORDER


def _go(widget: bool = False) -> Any:
    """``plotly.graph_objects``; ``widget=True`` also checks anywidget, which FigureWidget needs
    since plotly 6. MissingDependencyError names the extra to install."""
    try:
        import plotly.graph_objects as go
    except ImportError as exc:  # pragma: no cover - plotly is in the lab extra
        raise MissingDependencyError("plotly", "lab") from exc
    if widget:
        try:
            import anywidget  # noqa: F401
        except ImportError as exc:  # pragma: no cover - in the lab extra
            raise MissingDependencyError("anywidget", "lab") from exc
    return go


def _require(frame: Any, columns: Iterable[str], what: str) -> pd.DataFrame:
    if not isinstance(frame, pd.DataFrame):
        raise DatasetError(f"{what} needs a pandas DataFrame, got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DatasetError(
            f"{what}: the frame lacks column(s) {missing}; it has {list(frame.columns)}. "
            "Pass Trace.to_frame() or a simulate() frame, or rename your columns."
        )
    return frame


def _pick(frame: pd.DataFrame, candidates: Sequence[str], what: str, given: str | None = None) -> str:
    """The first of ``candidates`` the frame has (or ``given`` when the caller named one)."""
    if given is not None:
        _require(frame, [given], what)
        return given
    for c in candidates:
        if c in frame.columns:
            return c
    raise DatasetError(
        f"{what}: the frame needs one of the columns {list(candidates)}; it has {list(frame.columns)}"
    )


# One home for loose numbers and money text (routerlab._numbers); the viz modules use these names.
_usd = usd
_num = to_float


def _as_dict(decision: Any) -> dict[str, Any] | None:
    """A decision as a dict, whether stored as a dict, a JSON string or a Decision."""
    if decision is None or (isinstance(decision, float) and math.isnan(decision)):
        return None
    if isinstance(decision, Mapping):
        return dict(decision)
    if isinstance(decision, str):
        try:
            parsed = json.loads(decision)
        except ValueError:
            return {"reason": decision}
        return parsed if isinstance(parsed, dict) else None
    to_dict = getattr(decision, "to_dict", None)
    return to_dict() if callable(to_dict) else None


def _decision_text(decision: Any, max_alternatives: int = 4) -> str:
    d = _as_dict(decision)
    if not d:
        return ""
    parts = []
    head = f"router {d['router']}" if d.get("router") else "decision"
    score, thr = _num(d.get("score")), _num(d.get("threshold"))
    if score is not None and thr is not None:
        head += f": score {score:.3f} {'≥' if score >= thr else '<'} threshold {thr:.3f}"
    elif score is not None:
        head += f": score {score:.3f}"
    if d.get("reason"):
        head += f" ({d['reason']})"
    parts.append(head)
    alts = d.get("alternatives") or []
    if alts:
        shown = []
        for a in list(alts)[:max_alternatives]:
            a = a if isinstance(a, Mapping) else vars(a)
            shown.append(f"{a.get('model')} {_usd(a.get('predicted_cost'))}")
        more = f" +{len(alts) - max_alternatives}" if len(alts) > max_alternatives else ""
        parts.append("alternatives: " + ", ".join(shown) + more)
    return "<br>".join(parts)


def _lane_order(values: Iterable[Any]) -> list[str]:
    seen = {str(v) for v in values}
    known = [t for t in TIER_ORDER if t in seen]
    return known + sorted(seen - set(known))


def _int(x: Any) -> str:
    v = _num(x)
    return "?" if v is None else f"{int(v):,}"


def _policies(frames: Mapping[str, pd.DataFrame] | pd.DataFrame, policy_col: str = "policy") -> dict[str, pd.DataFrame]:
    if isinstance(frames, pd.DataFrame):
        if policy_col in frames.columns:
            return {str(k): g for k, g in frames.groupby(policy_col, sort=False)}
        return {"run": frames}
    if not isinstance(frames, Mapping) or not frames:
        raise DatasetError("cost_comparison needs a DataFrame or a non-empty {policy name: DataFrame} mapping")
    return {str(k): v for k, v in frames.items()}



def usd_log_ticks(lo: float, hi: float) -> tuple[list[float], list[str]]:
    """Ticks for a log USD axis: 1-2-5 steps when the range spans under three decades, whole
    decades otherwise, written as dollars ($0.0005, not plotly's "500μ")."""
    lo, hi = max(float(lo), 1e-12), max(float(hi), 1e-12)
    a, b = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
    steps = (1, 2, 5) if b - a <= 3 else (1,)
    vals = [m * 10.0 ** e for e in range(a, b + 1) for m in steps if lo <= m * 10.0 ** e <= hi]
    if len(vals) < 2:
        vals = [lo, hi]
    return vals, [_usd_tick(v) for v in vals]


def _usd_tick(v: float) -> str:
    digits = max(0, -math.floor(math.log10(v))) if v < 1 else 0
    return f"${v:,.{digits}f}" if v < 1 else f"${v:,.0f}" if v == int(v) else f"${v:,.2f}"


def log_range(values: Iterable[float], pad: float = 0.06) -> list[float]:
    """A log axis range (in log10 units) around the positive values, padded so edge markers and
    their labels stay inside."""
    v = [float(x) for x in values if x is not None and float(x) > 0 and not math.isnan(float(x))]
    if not v:
        return [-4.0, 0.0]
    a, b = math.log10(min(v)), math.log10(max(v))
    span = max(b - a, 0.5)
    return [a - pad * span, b + pad * span]
