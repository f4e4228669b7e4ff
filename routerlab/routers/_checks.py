"""Argument checks shared by routers, so a bad setting fails where it is set, not as silent routing."""

from __future__ import annotations

import math
from numbers import Real

from ..errors import InvalidRequestError

__all__ = ["check_unit_threshold"]


def check_unit_threshold(value: object, *, owner: str, compared_with: str, hint: str) -> float:
    """``value`` as a float when it is a finite number in [0, 1], else an InvalidRequestError that
    says what was given, what the threshold is compared with, and ``hint`` (what to pass).
    NaN is refused by name: every comparison with it is False, so it would route all one way."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise InvalidRequestError(f"{owner} threshold must be a number in [0, 1] (it is compared with "
                                  f"{compared_with}), got {type(value).__name__} {value!r}: {hint}")
    v = float(value)
    if math.isnan(v) or not 0.0 <= v <= 1.0:
        raise InvalidRequestError(f"{owner} threshold must be in [0, 1] (it is compared with {compared_with}), "
                                  f"got {value!r}: {hint}")
    return v
