"""Loose numbers in, money out: the two helpers every module that reads recorded data or shows a
cost needs (one home, so a trace, a table and a widget print the same figure the same way)."""

from __future__ import annotations

import math
from typing import Any, TypeVar

__all__ = ["to_float", "usd"]

D = TypeVar("D", float, None)


def to_float(x: Any, default: D = None, *, finite: bool = False) -> float | D:  # type: ignore[assignment]
    """``float(x)``, or ``default`` when ``x`` is not a number or is NaN (or not finite, with
    ``finite=True``): recorded data writes "missing" in many ways."""
    try:
        v = float(x)
    except (TypeError, ValueError):
        return default
    if math.isnan(v) or (finite and math.isinf(v)):
        return default
    return v


def usd(x: Any) -> str:
    """A cost as shown to people: ``$0``, ``$0.0123``, ``$0.000150`` (6 places under a cent), ``?``
    for a missing one."""
    v = to_float(x)
    if v is None:
        return "?"
    if v == 0:
        return "$0"
    return f"${v:.4f}" if abs(v) >= 0.01 else f"${v:.6f}"
