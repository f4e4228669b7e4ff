"""The one place a call happens: pick the provider, check the request, reserve budget, call,
retry, fall back, price, and write one trace record per attempt.

    client = Client(budget_usd=0.50)
    done = client.complete(Request.user("Which workflow fits?"), tier="classifier")
    outcomes = client.run_many(requests, tier="coder")   # one Outcome per request, never lost

Retries (429 honouring Retry-After, 5xx, timeouts, dropped connections, malformed or empty
answers) use ``tenacity``; the SDKs' own retries are switched off so that each attempt is
seen, timed and recorded. When a model keeps failing, lacks a capability, or does not fit the
budget, the next model of the tier is tried and the trace says why.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import math
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from .budget import Budget
from .catalog import Catalog, ModelInfo
from .errors import (
    BadResponseError,
    BudgetExceededError,
    CapabilityError,
    ConfigurationError,
    InvalidRequestError,
    MissingDependencyError,
    ProviderError,
    RateLimitError,
    RouterlabError,
    TransientProviderError,
)
from .outcome import Outcome, outcomes_frame
from .tiers import TierMap, check_model_fits
from .trace import Trace, TraceRecord, redact
from .types import Completion, Decision, Request, Usage

__all__ = ["Client", "Outcome", "RETRYABLE", "outcomes_frame"]

log = logging.getLogger("routerlab.client")

#: Errors worth another attempt on the same model.
RETRYABLE: tuple[type[Exception], ...] = (TransientProviderError, BadResponseError)


@dataclass
class _Plan:
    """One request's candidates (in fallback order) and what the trace should carry."""

    request: Request
    candidates: list[ModelInfo]
    tier: str | None
    decision: dict[str, Any] | None
    parent_id: str | None
    task_id: str | None


class Client:
    """Calls models by id or by tier, with retries, fallback, a budget and a trace.

    ``providers`` maps a model-id prefix (``anthropic``, ``openai``, ``ollama``, ``local``,
    ``replay`` or your own, e.g. ``routerbench``) to a provider object; missing ones are made on
    first use (``local`` starts the in-process llama.cpp server).
    """

    def __init__(
        self,
        catalog: Catalog | None = None,
        tiers: TierMap | None = None,
        trace: Trace | None = None,
        budget_usd: float | None = None,
        max_concurrency: int = 8,
        timeout_s: float = 60.0,
        providers: Mapping[str, Any] | None = None,
        *,
        max_attempts: int = 3,
        backoff_s: float = 0.5,
        max_backoff_s: float = 8.0,
        max_retry_after_s: float = 30.0,
        input_margin: float = 2.0,
        progress_min: int = 20,
    ) -> None:
        if max_concurrency < 1:
            raise InvalidRequestError(f"max_concurrency must be >= 1, got {max_concurrency}")
        if max_attempts < 1:
            raise InvalidRequestError(f"max_attempts must be >= 1, got {max_attempts}")
        self.catalog = catalog or (tiers.catalog if tiers is not None else Catalog.default())
        self._tiers = tiers
        self.trace = trace if trace is not None else Trace()
        self.budget = Budget(budget_usd)
        self.max_concurrency = max_concurrency
        self.timeout_s = timeout_s
        self.max_attempts = max_attempts
        self.backoff_s = backoff_s
        self.max_backoff_s = max_backoff_s
        self.max_retry_after_s = max_retry_after_s
        # chars/4 can undercount real tokens; reserving twice the estimate keeps the limit safe
        self.input_margin = input_margin
        self.progress_min = progress_min
        self._providers: dict[str, Any] = dict(providers or {})

    def __repr__(self) -> str:
        return f"Client({len(self.trace)} trace records, {self.budget!r}, providers={sorted(self._providers)})"

    @property
    def tiers(self) -> TierMap:
        if self._tiers is None:
            self._tiers = TierMap.default(self.catalog)
        return self._tiers

    # ---- providers -----------------------------------------------------------------------------
    def provider_for(self, model: ModelInfo) -> Any:
        prefix = model.provider
        if prefix not in self._providers:
            from .providers import default_provider

            self._providers[prefix] = default_provider(prefix, timeout_s=self.timeout_s)
        return self._providers[prefix]

    def set_provider(self, prefix: str, provider: Any) -> None:
        self._providers[prefix] = provider

    # ---- planning (no network) -----------------------------------------------------------------
    def _plan(
        self,
        request: Request,
        model: str | None,
        tier: str | None,
        decision: Decision | None,
        parent_id: str | None,
        task_id: str | None,
    ) -> _Plan:
        if not isinstance(request, Request):
            raise InvalidRequestError(f"complete() takes a routerlab Request, got {type(request).__name__}")
        if decision is not None:
            model = model or decision.model
            tier = tier or decision.tier
        if model is None and tier is None:
            raise InvalidRequestError("say which model to call: pass model='provider:name' or tier='...'")
        ids: list[str] = []
        if model is not None:
            ids.append(self.catalog.resolve(model))
        if tier is not None:
            ids += [m for m in self.tiers[tier].models if m not in ids]
        return _Plan(
            request=request,
            candidates=[self.catalog.get(i) for i in ids],
            tier=tier,
            decision=decision.to_dict() if decision is not None else None,
            parent_id=parent_id,
            task_id=task_id,
        )

    def _plan_or_record(
        self,
        request: Request,
        model: str | None,
        tier: str | None,
        decision: Decision | None,
        parent_id: str | None,
        task_id: str | None,
    ) -> _Plan:
        """Plan, or leave one refused record saying why there was nothing to call."""
        try:
            return self._plan(request, model, tier, decision, parent_id, task_id)
        except RouterlabError as exc:
            now = time.time()
            self.trace.append(
                TraceRecord(
                    kind="call",
                    model=model or (decision.model if decision else None),
                    tier=tier or (decision.tier if decision else None),
                    parent_id=parent_id,
                    task_id=task_id,
                    subtask_id=request.id if isinstance(request, Request) else None,
                    start=now,
                    end=now,
                    decision=decision.to_dict() if decision is not None else None,
                    attempt=0,
                    status="refused",
                    error=redact(str(exc)),
                    error_type=type(exc).__name__,
                    metadata={"final": True},
                )
            )
            raise

    def _check(self, plan: _Plan, info: ModelInfo) -> None:
        spec = self.tiers[plan.tier] if plan.tier is not None and info.id in self.tiers[plan.tier].models else None
        check_model_fits(info, plan.request, spec)

    def worst_case_cost(self, request: Request, model: str | ModelInfo) -> float:
        """What the budget reserves for one attempt: margin x estimated input, all output tokens.

        A provider that knows the price in advance (replay: the recorded cost) may raise it
        through an optional ``quote(request, model_name)`` method.
        """
        info = self.catalog.get(model)
        inputs = math.ceil(request.estimated_input_tokens() * self.input_margin)
        worst = info.cost(Usage(inputs, request.max_output_tokens))
        quote = getattr(self._providers.get(info.provider), "quote", None)
        known = quote(request, info.name) if quote is not None else None
        return max(worst, known) if known is not None else worst

    # ---- recording -----------------------------------------------------------------------------
    def _record(
        self,
        plan: _Plan,
        info: ModelInfo,
        *,
        attempt: int,
        start: float,
        end: float,
        status: str,
        completion: Completion | None = None,
        error: BaseException | None = None,
        meta: Mapping[str, Any] | None = None,
    ) -> TraceRecord:
        c = completion
        return TraceRecord(
            kind="call",
            model=info.id,
            tier=plan.tier,
            provider=info.provider,
            parent_id=plan.parent_id,
            task_id=plan.task_id,
            subtask_id=plan.request.id,
            start=start,
            end=max(end, start),
            ttft_s=c.ttft_s if c else None,
            input_tokens=c.usage.input_tokens if c else 0,
            output_tokens=c.usage.output_tokens if c else 0,
            cached_tokens=c.usage.cached_tokens if c else 0,
            cost_usd=c.cost_usd if c else 0.0,
            decision=plan.decision,
            attempt=attempt,
            retries=max(0, attempt - 1),
            status=status,
            error=redact(str(error)) if error is not None else None,
            error_type=type(error).__name__ if error is not None else None,
            metadata={"kind": plan.request.kind, **(meta or {})},
        )

    def _priced(self, info: ModelInfo, raw: Completion, attempt: int, call_id: str, meta: Mapping[str, Any]) -> Completion:
        recorded = bool(raw.metadata.get("recorded_cost"))
        cost = raw.cost_usd if recorded else info.cost(raw.usage)
        return replace(
            raw,
            model=info.id,
            provider=info.provider,
            cost_usd=cost,
            metadata={**raw.metadata, **meta, "attempts": attempt, "call_id": call_id},
        )

    def _wait_s(self, state: Any) -> float:
        exc = state.outcome.exception() if state.outcome is not None else None
        if isinstance(exc, RateLimitError) and exc.retry_after is not None:
            return min(exc.retry_after, self.max_retry_after_s)
        # full-jitter exponential backoff: spreads retries of many concurrent calls
        import random

        cap = min(self.max_backoff_s, self.backoff_s * (2 ** (state.attempt_number - 1)))
        return random.uniform(0, cap)

    def _retrying_kwargs(self) -> dict[str, Any]:
        import tenacity

        return {
            "stop": tenacity.stop_after_attempt(self.max_attempts),
            "wait": self._wait_s,
            "retry": tenacity.retry_if_exception_type(RETRYABLE),
            "reraise": True,
            "before_sleep": lambda s: log.info(
                "retrying after %s (attempt %d)", type(s.outcome.exception()).__name__, s.attempt_number
            ),
        }

    # ---- one attempt ---------------------------------------------------------------------------
    def _begin(self, plan: _Plan, info: ModelInfo) -> tuple[Any, float, float]:
        reservation = self.budget.reserve(self.worst_case_cost(plan.request, info), label=info.id)
        return reservation, time.time(), time.perf_counter()

    def _end_ok(self, plan: _Plan, info: ModelInfo, raw: Completion, res: Any, t0: float, p0: float,
                attempt: int, meta: dict[str, Any], pending: list[TraceRecord]) -> Completion:
        elapsed = time.perf_counter() - p0
        if raw.metadata.get("replay") and raw.latency_s:
            elapsed = raw.latency_s  # replay shows the recorded latency on the timeline
        rec_meta = {**meta, "stop_reason": raw.stop_reason, "final": True}
        record = self._record(plan, info, attempt=attempt, start=t0, end=t0 + elapsed, status="ok", meta=rec_meta)
        done = self._priced(info, raw, attempt, record.call_id, meta)
        done = replace(done, latency_s=elapsed if raw.metadata.get("replay") else raw.latency_s or elapsed)
        self.budget.settle(res, done.cost_usd)
        record.input_tokens, record.output_tokens = done.usage.input_tokens, done.usage.output_tokens
        record.cached_tokens, record.cost_usd, record.ttft_s = done.usage.cached_tokens, done.cost_usd, done.ttft_s
        self._flush(pending)
        self.trace.append(record)
        return done

    def _end_error(self, plan: _Plan, info: ModelInfo, exc: BaseException, res: Any, t0: float, p0: float,
                   attempt: int, meta: dict[str, Any], pending: list[TraceRecord]) -> None:
        # An answer refused after it arrived (empty, off its schema) was billed: count its usage.
        # Otherwise the usage of a failed call is unknown (no final usage event): nothing is spent.
        usage = getattr(exc, "usage", None) if isinstance(exc, BadResponseError) else None
        cost = info.cost(usage) if usage is not None else 0.0
        self.budget.settle(res, cost)
        end = t0 + (time.perf_counter() - p0)
        self._flush(pending)
        record = self._record(plan, info, attempt=attempt, start=t0, end=end, status="error", error=exc, meta=meta)
        if usage is not None:
            record.input_tokens, record.output_tokens = usage.input_tokens, usage.output_tokens
            record.cached_tokens, record.cost_usd = usage.cached_tokens, cost
        pending.append(record)

    def _refuse(self, plan: _Plan, info: ModelInfo, exc: BaseException, meta: dict[str, Any],
                pending: list[TraceRecord]) -> None:
        now = time.time()
        self._flush(pending)
        pending.append(self._record(plan, info, attempt=0, start=now, end=now, status="refused", error=exc, meta=meta))

    def _flush(self, pending: list[TraceRecord], final: bool = False) -> None:
        for rec in pending:
            rec.metadata["final"] = final
            self.trace.append(rec)
        pending.clear()

    # ---- the fallback walk (sync and async share everything but the call itself) -----------
    def _skip_reason(self, plan: _Plan, info: ModelInfo) -> RouterlabError | None:
        try:
            self._check(plan, info)
            self.provider_for(info)
        except (CapabilityError, ConfigurationError) as exc:
            return exc
        return None

    def _fallback_meta(self, plan: _Plan, info: ModelInfo, why: list[str]) -> dict[str, Any]:
        if info is plan.candidates[0]:
            return {}
        return {"fallback_from": plan.candidates[0].id, "fallback_reason": "; ".join(why)}

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
        import tenacity

        plan = self._plan_or_record(request, model, tier, decision, parent_id, task_id)
        errors: list[RouterlabError] = []
        why: list[str] = []
        pending: list[TraceRecord] = []
        for info in plan.candidates:
            meta = self._fallback_meta(plan, info, why)
            skip = self._skip_reason(plan, info)
            if skip is not None:
                self._refuse(plan, info, skip, meta, pending)
                errors.append(skip)
                why.append(f"{info.id}: {type(skip).__name__}")
                continue
            provider = self.provider_for(info)
            try:
                for attempt in tenacity.Retrying(**self._retrying_kwargs()):
                    with attempt:
                        n = attempt.retry_state.attempt_number
                        try:
                            res, t0, p0 = self._begin(plan, info)
                        except BudgetExceededError as exc:
                            self._refuse(plan, info, exc, meta, pending)
                            raise
                        try:
                            raw = provider.complete(request, info.name, timeout_s=self.timeout_s)
                        except Exception as exc:
                            err = _as_provider_error(exc, info)
                            self._end_error(plan, info, err, res, t0, p0, n, meta, pending)
                            raise err from None
                        except BaseException:
                            self.budget.settle(res, 0.0)  # interrupted: release the reservation
                            raise
                        return self._end_ok(plan, info, raw, res, t0, p0, n, meta, pending)
            except (ProviderError, BudgetExceededError) as exc:
                errors.append(exc)
                why.append(f"{info.id}: {type(exc).__name__}")
        self._flush(pending, final=True)
        raise errors[-1]  # what ended the subtask; the trace has every step

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
        import tenacity

        plan = self._plan_or_record(request, model, tier, decision, parent_id, task_id)
        errors: list[RouterlabError] = []
        why: list[str] = []
        pending: list[TraceRecord] = []
        for info in plan.candidates:
            meta = self._fallback_meta(plan, info, why)
            skip = self._skip_reason(plan, info)
            if skip is not None:
                self._refuse(plan, info, skip, meta, pending)
                errors.append(skip)
                why.append(f"{info.id}: {type(skip).__name__}")
                continue
            provider = self.provider_for(info)
            try:
                async for attempt in tenacity.AsyncRetrying(**self._retrying_kwargs()):
                    with attempt:
                        n = attempt.retry_state.attempt_number
                        try:
                            res, t0, p0 = self._begin(plan, info)
                        except BudgetExceededError as exc:
                            self._refuse(plan, info, exc, meta, pending)
                            raise
                        try:
                            raw = await provider.acomplete(request, info.name, timeout_s=self.timeout_s)
                        except Exception as exc:
                            err = _as_provider_error(exc, info)
                            self._end_error(plan, info, err, res, t0, p0, n, meta, pending)
                            raise err from None
                        except BaseException:
                            self.budget.settle(res, 0.0)  # cancelled: release the reservation
                            raise
                        return self._end_ok(plan, info, raw, res, t0, p0, n, meta, pending)
            except (ProviderError, BudgetExceededError) as exc:
                errors.append(exc)
                why.append(f"{info.id}: {type(exc).__name__}")
        self._flush(pending, final=True)
        raise errors[-1]  # what ended the subtask; the trace has every step

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
        sem = asyncio.Semaphore(self.max_concurrency)
        bar = self._bar(len(reqs), progress)

        async def one(i: int, req: Request) -> Outcome:
            async with sem:
                try:
                    d = decisions[i] if decisions is not None else None
                    done = await self.acomplete(req, model, tier, decision=d, task_id=task_id)
                    return Outcome(req, completion=done)
                except RouterlabError as exc:
                    return Outcome(req, error=exc)
                except Exception as exc:  # a bug must not lose the subtask: keep it as a typed failure
                    return Outcome(req, error=RouterlabError(f"{type(exc).__name__}: {redact(str(exc))}"))
                finally:
                    if bar is not None:
                        bar.update(1)

        try:
            return list(await asyncio.gather(*(one(i, r) for i, r in enumerate(reqs))))
        finally:
            if bar is not None:
                bar.close()

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
        coro_fn: Callable[[], Any] = lambda: self.arun_many(  # noqa: E731
            requests, model, tier, decisions=decisions, progress=progress, task_id=task_id
        )
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return asyncio.run(coro_fn())
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(lambda: asyncio.run(coro_fn())).result()

    def _bar(self, n: int, progress: bool | None) -> Any:
        if progress is False or (progress is None and n < self.progress_min):
            return None
        try:
            from tqdm.auto import tqdm
        except ImportError as exc:
            if progress:
                raise MissingDependencyError("tqdm", "providers") from exc
            return None
        return tqdm(total=n, desc="subtasks", unit="call")


def _as_provider_error(exc: Exception, info: ModelInfo) -> ProviderError:
    """Provider errors pass through; anything else a provider raised is a (non-retryable) ProviderError."""
    if isinstance(exc, ProviderError):
        return exc
    return ProviderError(
        f"{info.id}: provider raised {type(exc).__name__}: {redact(str(exc))}", provider=info.provider, model=info.id
    )
