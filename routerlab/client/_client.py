"""The Client: configuration, providers and planning, shared by its sync and async faces.

``complete`` and ``acomplete`` build the same :class:`~._flow.AttemptWalk` and differ only in the
driver that calls the provider (``drive`` / ``adrive``), as httpx's ``Client`` and
``AsyncClient`` share ``BaseClient`` and differ in how they send.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from .._aio import run_sync
from ..budget import Budget
from ..catalog import Catalog, ModelInfo
from ..errors import ConfigurationError, InvalidRequestError, RouterlabError
from ..outcome import Outcome
from ..providers.base import Provider
from ..tiers import TierMap
from ..trace import Trace
from ..types import Completion, Decision, Request
from ..validation import check_client_settings, positive_seconds
from ._batch import gather_outcomes, progress_bar
from ._flow import AttemptWalk, adrive, drive
from ._plan import CallPlan, plan_call
from ._pricing import worst_case_cost
from ._records import unplanned_record
from ._retry import RetryPolicy

__all__ = ["Client"]

log = logging.getLogger("routerlab.client")

#: How long past ``timeout_s`` an attempt may run in all, unless ``deadline_s`` says otherwise.
DEADLINE_GRACE_S = 30.0

_RETRY_KNOBS = ("max_attempts", "backoff_s", "max_backoff_s", "max_retry_after_s")


class Client:
    """Calls models by id or by tier, with retries, fallback, a budget and a trace.

    ``providers`` maps a model-id prefix (``anthropic``, ``openai``, ``ollama``, ``local``,
    ``replay`` or your own, e.g. ``routerbench``) to a :class:`~routerlab.providers.Provider`;
    missing ones are made on first use (``local`` starts the in-process llama.cpp server).
    ``retry`` is a :class:`RetryPolicy`; the keywords ``max_attempts``, ``backoff_s``,
    ``max_backoff_s`` and ``max_retry_after_s`` still work (deprecated: pass ``retry=``).
    When every candidate fails the client raises :class:`~routerlab.errors.AllModelsFailedError`,
    which is also an instance of the last candidate's error class.
    """

    def __init__(
        self,
        catalog: Catalog | None = None,
        tiers: TierMap | None = None,
        trace: Trace | None = None,
        budget_usd: float | None = None,
        max_concurrency: int = 8,
        timeout_s: float = 60.0,
        providers: Mapping[str, Provider] | None = None,
        *,
        retry: RetryPolicy | None = None,
        max_attempts: int | None = None,
        backoff_s: float | None = None,
        max_backoff_s: float | None = None,
        max_retry_after_s: float | None = None,
        input_margin: float = 2.0,
        progress_min: int = 20,
        span_exporter: Any = None,
        deadline_s: float | None = None,
    ) -> None:
        check_client_settings(budget_usd=budget_usd, max_concurrency=max_concurrency, timeout_s=timeout_s,
                              input_margin=input_margin)
        if catalog is not None and not isinstance(catalog, Catalog):
            raise ConfigurationError(f"catalog must be a Catalog (Catalog.default(), Catalog.from_csv(path)), "
                                     f"got {type(catalog).__name__} {catalog!r}")
        if tiers is not None and not isinstance(tiers, TierMap):
            raise ConfigurationError(f"tiers must be a TierMap: TierMap.from_mapping({{'coder': 'openai:gpt-4.1'}}) "
                                     f"builds one from a dict, got {type(tiers).__name__}")
        knobs = {k: v for k, v in zip(_RETRY_KNOBS, (max_attempts, backoff_s, max_backoff_s, max_retry_after_s),
                                      strict=True) if v is not None}
        if knobs:
            warnings.warn(f"Client({', '.join(f'{k}=' for k in knobs)}) is deprecated: pass "
                          f"retry=RetryPolicy({', '.join(f'{k}=...' for k in knobs)})", DeprecationWarning, stacklevel=2)
        self.retry: RetryPolicy = replace(retry or RetryPolicy(), **knobs) if knobs else retry or RetryPolicy()  # type: ignore[arg-type]
        self.catalog = catalog or (tiers.catalog if tiers is not None else Catalog.default())
        self._tiers = tiers
        self.trace = trace if trace is not None else Trace()
        if span_exporter is not None:  # an OpenTelemetry SpanExporter: each subtask's spans as it ends
            from ..trace_otel import SpanHook

            self.trace.on_append(SpanHook(span_exporter))
        self.budget = Budget(budget_usd)
        self.max_concurrency = max_concurrency
        self.timeout_s = timeout_s
        # timeout_s bounds each read (the SDKs' own timeout); deadline_s bounds a whole attempt,
        # first byte sent to last byte read, so a server trickling bytes cannot hold a call forever.
        # The default leaves room for a first call's SDK import and connection set-up.
        self.deadline_s = timeout_s + DEADLINE_GRACE_S if deadline_s is None else positive_seconds("deadline_s", deadline_s)
        # chars/4 can undercount real tokens; reserving twice the estimate keeps the limit safe
        self.input_margin = input_margin
        self.progress_min = progress_min
        self._providers: dict[str, Provider] = dict(providers or {})

    def __repr__(self) -> str:
        return f"Client({len(self.trace)} trace records, {self.budget!r}, providers={sorted(self._providers)})"

    # the retry knobs as they were (read-only views of ``retry``)
    max_attempts = property(lambda self: self.retry.max_attempts)
    backoff_s = property(lambda self: self.retry.backoff_s)
    max_backoff_s = property(lambda self: self.retry.max_backoff_s)
    max_retry_after_s = property(lambda self: self.retry.max_retry_after_s)

    @property
    def tiers(self) -> TierMap:
        if self._tiers is None:
            self._tiers = TierMap.default(self.catalog)
        return self._tiers

    # ---- providers -----------------------------------------------------------------------------
    def provider_for(self, model: ModelInfo) -> Provider:
        """The provider serving ``model`` (made on first use when none was given)."""
        prefix = model.provider
        if prefix not in self._providers:
            from ..providers import default_provider

            self._providers[prefix] = default_provider(prefix, timeout_s=self.timeout_s)
        return self._providers[prefix]

    def set_provider(self, prefix: str, provider: Provider) -> None:
        self._providers[prefix] = provider

    def worst_case_cost(self, request: Request, model: str | ModelInfo) -> float:
        """What the budget reserves for one attempt: the input-token bound, all output tokens."""
        info = self.catalog.get(model)
        return worst_case_cost(request, info, self._providers.get(info.provider), self.input_margin)

    # ---- one call ------------------------------------------------------------------------------
    def _walk(self, request: Request, model: str | None, tier: str | None, decision: Decision | None,
              parent_id: str | None, task_id: str | None) -> AttemptWalk:
        """Plan the call (no network), or leave one refused record saying why there is nothing to call."""
        try:
            plan: CallPlan = plan_call(request, model, tier, decision, parent_id, task_id,
                                       catalog=self.catalog, tiers=lambda: self.tiers)
        except RouterlabError as exc:
            self.trace.append(unplanned_record(request, model, tier, decision, parent_id, task_id, exc))
            raise
        return AttemptWalk(self, plan)

    def complete(
        self,
        request: Request,
        model: str | None = None,
        tier: str | None = None,
        *,
        decision: Decision | None = None,
        parent_id: str | None = None,
        task_id: str | None = None,
    ) -> Completion:
        """Call ``model`` (or ``tier``'s models in order) and return the priced Completion."""
        return drive(self._walk(request, model, tier, decision, parent_id, task_id).steps())

    async def acomplete(
        self,
        request: Request,
        model: str | None = None,
        tier: str | None = None,
        *,
        decision: Decision | None = None,
        parent_id: str | None = None,
        task_id: str | None = None,
    ) -> Completion:
        """Async twin of :meth:`complete`."""
        return await adrive(self._walk(request, model, tier, decision, parent_id, task_id).steps())

    # ---- batches -------------------------------------------------------------------------------
    async def arun_many(
        self,
        requests: Iterable[Request],
        model: str | None = None,
        tier: str | None = None,
        *,
        decisions: Sequence[Decision | None] | None = None,
        progress: bool | None = None,
        task_id: str | None = None,
    ) -> list[Outcome]:
        """Run every request (at most ``max_concurrency`` at once); one Outcome each, in order."""
        reqs = list(requests)
        if decisions is not None and len(decisions) != len(reqs):
            raise InvalidRequestError(f"{len(decisions)} decisions for {len(reqs)} requests: give one per request")

        async def call(i: int, req: Request) -> Completion:
            d = decisions[i] if decisions is not None else None
            return await self.acomplete(req, model, tier, decision=d, task_id=task_id)

        return await gather_outcomes(reqs, call, max_concurrency=self.max_concurrency,
                                     bar=progress_bar(len(reqs), progress, self.progress_min))

    def run_many(
        self,
        requests: Iterable[Request],
        model: str | None = None,
        tier: str | None = None,
        *,
        decisions: Sequence[Decision | None] | None = None,
        progress: bool | None = None,
        task_id: str | None = None,
    ) -> list[Outcome]:
        """Sync :meth:`arun_many`; inside Jupyter's running loop it runs on a worker thread."""
        async def batch() -> list[Outcome]:
            try:
                return await self.arun_many(requests, model, tier, decisions=decisions, progress=progress,
                                            task_id=task_id)
            finally:  # the loop run_sync made ends here: close the async HTTP pools on it first
                await self._aclose_providers()

        return run_sync(batch)

    async def _aclose_providers(self) -> None:
        for provider in list(self._providers.values()):
            aclose = getattr(provider, "aclose", None)
            if aclose is not None:
                try:
                    await aclose()
                except Exception:  # a pool that fails to close must not turn a finished batch into an error
                    log.debug("closing %r failed", provider, exc_info=True)
