"""Checks of the settings users pass by hand (Client(...), Budget(...)), each naming the value
and what to give instead, so a typo fails at construction and not at the first call."""

from __future__ import annotations

import math
from typing import Any

from .errors import InvalidRequestError

__all__ = ["positive_int", "positive_seconds", "non_negative_number", "check_client_settings"]


def positive_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidRequestError(f"{name} must be a positive int, got {value!r}"
                                  + (f": write {name}={value.strip()}" if isinstance(value, str) else ""))
    return value


def non_negative_number(name: str, value: Any, *, allow_none: bool = False) -> float | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        hint = " (a number, not a string)" if isinstance(value, str) else ""
        raise InvalidRequestError(f"{name} must be a finite number >= 0{hint}, got {value!r}")
    return float(value)


def positive_seconds(name: str, value: Any) -> float:
    """A timeout: a finite number of seconds above zero (0 would mean 'the SDK's default')."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise InvalidRequestError(f"{name} must be a finite number of seconds > 0, got {value!r}")
    return float(value)


def check_client_settings(*, budget_usd: Any, max_concurrency: Any, timeout_s: Any, input_margin: Any) -> None:
    non_negative_number("budget_usd", budget_usd, allow_none=True)
    positive_int("max_concurrency", max_concurrency)
    positive_seconds("timeout_s", timeout_s)
    non_negative_number("input_margin", input_margin)
