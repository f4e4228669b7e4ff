"""The one small interface every router shares: Request -> Decision."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from ..errors import ConfigurationError
from ..types import Decision, Request

if TYPE_CHECKING:
    from ..datasets.table import OutcomeTable
    from ..embeddings import Embedder

__all__ = ["Router", "RouteConstraints", "EmbeddingRouterMixin"]


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


class EmbeddingRouterMixin:
    """What routers that score prompt embeddings share: a lazily created embedder, and a check
    that routing embeds prompts with the same model the router was fitted on (MiniLM and its
    static distillation are both 384-d, so a mix-up would otherwise route silently wrong)."""

    embedder: Embedder | None

    def _embedder(self) -> Embedder:
        if self.embedder is None:
            from ..embeddings import default_embedder

            self.embedder = default_embedder()
        return self.embedder

    def _embed_table(self, table: OutcomeTable, X: np.ndarray | None) -> tuple[np.ndarray, str | None]:
        """Embeddings of the table's prompts (``X`` if given) and the embedder's id (None if given)."""
        if X is not None:
            return X, None
        emb = self._embedder()
        return emb.embed(table.texts), emb.model_id

    def _embed_requests(self, requests: Sequence[Request]) -> np.ndarray:
        emb = self._embedder()
        fitted = getattr(self, "embedding_model_", None)
        if fitted is not None and fitted != emb.model_id:
            raise ConfigurationError(
                f"{type(self).__name__} was fitted on {fitted} embeddings but routes with {emb.model_id}: "
                f"pass the embedder used for fitting as embedder=")
        return emb.embed([r.text() for r in requests])
