"""A spending limit shared by concurrent calls: reserve the worst case, settle the actual cost.

A call reserves what it could cost at most before it is sent; if that does not fit in what is
left (limit - spent - reserved) it is refused. Afterwards the reservation is swapped for the
actual cost. So the limit holds however many calls run at once.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

from .errors import BudgetExceededError, InvalidRequestError
from .validation import non_negative_number

__all__ = ["Budget", "Reservation"]


@dataclass(frozen=True)
class Reservation:
    """A worst-case amount held on a Budget for one call in flight; ``Budget.reserve`` returns it, ``settle`` swaps it for the actual cost."""

    amount: float
    label: str = ""


class Budget:
    """USD limit (``None``: unlimited, still counted). Thread-safe; also safe under asyncio."""

    def __init__(self, limit_usd: float | None = None) -> None:
        self.limit_usd = non_negative_number("budget_usd", limit_usd, allow_none=True)
        self._spent = 0.0
        self._reserved = 0.0
        self._peak = 0.0
        self._lock = threading.Lock()

    @property
    def spent(self) -> float:
        return self._spent

    @property
    def reserved(self) -> float:
        return self._reserved

    @property
    def peak_committed(self) -> float:
        """The most ever spent plus reserved at one moment (never above the limit)."""
        return self._peak

    @property
    def remaining(self) -> float:
        if self.limit_usd is None:
            return math.inf
        return max(0.0, self.limit_usd - self._spent - self._reserved)

    def reserve(self, amount: float, label: str = "") -> Reservation:
        if amount < 0 or not math.isfinite(amount):
            raise InvalidRequestError(f"cannot reserve {amount!r} USD")
        with self._lock:
            if self.limit_usd is not None:
                left = self.limit_usd - self._spent - self._reserved
                # a tiny tolerance so float sums of exact fits are not refused
                if amount > left + 1e-12:
                    raise BudgetExceededError(
                        f"{label or 'call'} could cost up to ${amount:.6f} but only ${max(0.0, left):.6f} of the "
                        f"${self.limit_usd:.6f} budget is left: raise budget_usd, lower max_output_tokens, "
                        "or use a cheaper model",
                        needed=amount,
                        remaining=max(0.0, left),
                    )
            self._reserved += amount
            self._peak = max(self._peak, self._spent + self._reserved)
        return Reservation(amount, label)

    def settle(self, reservation: Reservation, actual: float) -> None:
        """Release ``reservation`` and count ``actual`` USD as spent."""
        with self._lock:
            self._reserved = max(0.0, self._reserved - reservation.amount)
            self._spent += max(0.0, actual)
            self._peak = max(self._peak, self._spent + self._reserved)

    def __repr__(self) -> str:
        limit = "unlimited" if self.limit_usd is None else f"${self.limit_usd:.4f}"
        return f"Budget({limit}, spent ${self._spent:.6f}, reserved ${self._reserved:.6f})"
