"""The one small interface every router shares: Request -> Decision."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

from ..types import Decision, Request

__all__ = ["Router", "RouteConstraints"]


class RouteConstraints:
    """Per-call routing inputs that are not part of the request itself.

    ``budget_usd`` is what is left to spend on this call; ``latency_target_s`` the time the
    answer should arrive within. Routers consult them when choosing, not after.
    """

    __slots__ = ("budget_usd", "latency_target_s")

    def __init__(self, budget_usd: float | None = None, latency_target_s: float | None = None) -> None:
        self.budget_usd = budget_usd
        self.latency_target_s = latency_target_s

    def __repr__(self) -> str:
        return f"RouteConstraints(budget_usd={self.budget_usd}, latency_target_s={self.latency_target_s})"


class Router(ABC):
    """Decides which model serves a request. A router never calls a provider itself; when it
    needs a model (an LLM classifier, a cascade's verifier) it is given a client."""

    name: str = "router"

    @abstractmethod
    def route(self, request: Request, constraints: RouteConstraints | None = None) -> Decision:
        """Choose a model for one request."""

    def route_batch(
        self, requests: Sequence[Request], constraints: RouteConstraints | None = None
    ) -> list[Decision]:
        """Choose for many; learned routers override this to embed and score in one batch."""
        return [self.route(r, constraints) for r in requests]
