"""The attempt walk, written once: candidates in order, retries on each, fallback, budget, records.

It is a generator that does no I/O of its own (the sans-I/O shape of httpx's ``Auth.auth_flow``):
it yields a :class:`Send` when a provider must be called and a :class:`Sleep` when a retry must
wait, and is resumed with the provider's answer or has the provider's exception thrown into it.
:func:`drive` (sync) and :func:`adrive` (async) are the only places that differ: they call
``provider.complete`` / ``time.sleep`` or ``await provider.acomplete`` / ``asyncio.sleep``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Generator
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from ..catalog import ModelInfo
from ..errors import (
    AllModelsFailedError,
    BadResponseError,
    BudgetExceededError,
    CapabilityError,
    ConfigurationError,
    ProviderError,
    RouterlabError,
)
from ..providers.base import Provider
from ..trace import TraceRecord, redact
from ..types import Completion, Request
from ._plan import CallPlan, check_candidate, fallback_meta
from ._pricing import billed_cost, priced
from ._records import attempt_record, count_usage, refused_record

if TYPE_CHECKING:
    from ._client import Client

__all__ = ["Send", "Sleep", "AttemptWalk", "drive", "adrive"]

log = logging.getLogger("routerlab.client")


@dataclass(frozen=True)
class Send:
    """Step: call ``provider`` with ``request`` for ``model_name``; resume with its Completion."""

    provider: Provider
    request: Request
    model_name: str
    timeout_s: float | None


@dataclass(frozen=True)
class Sleep:
    """Step: wait ``seconds`` before the next attempt; resume with None."""

    seconds: float


Flow = Generator["Send | Sleep", Any, Completion]


class AttemptWalk:
    """One call's walk over its plan. ``steps()`` is the flow; the rest is bookkeeping."""

    def __init__(self, client: Client, plan: CallPlan) -> None:
        self.client = client
        self.plan = plan
        self.errors: list[RouterlabError] = []  # one per candidate that failed, in order
        self.why: list[str] = []  # "model: ErrorType", for the next candidate's fallback_reason
        self._pending: list[TraceRecord] = []  # written once we know whether they are final

    def steps(self) -> Flow:
        for info in self.plan.candidates:
            meta = fallback_meta(self.plan, info, self.why)
            skip = self._skip_reason(info)
            if skip is not None:
                self._refuse(info, skip, meta)
                self._failed(info, skip)
                continue
            done = yield from self._attempts(info, meta)
            if done is not None:
                return done
        self._flush(final=True)
        if not self.errors:  # pragma: no cover - a plan always has a candidate
            raise RouterlabError("no model to call")
        raise AllModelsFailedError.of(self.errors, self.why)  # the trace has every step

    def _attempts(self, info: ModelInfo, meta: dict[str, Any]) -> Generator[Send | Sleep, Any, Completion | None]:
        """Up to ``retry.max_attempts`` attempts on one model; None when it gave up."""
        client, policy = self.client, self.client.retry
        provider = client.provider_for(info)
        attempt = 0
        while True:
            attempt += 1
            try:
                res = client.budget.reserve(client.worst_case_cost(self.plan.request, info), label=info.id)
            except BudgetExceededError as exc:
                self._refuse(info, exc, meta)
                self._failed(info, exc)
                return None
            meta = {**meta, "budget_reserved_usd": res.amount}  # the trace shows what the budget held
            t0, p0 = time.time(), time.perf_counter()
            try:
                raw = yield Send(provider, self.plan.request, info.name, client.timeout_s)
            except Exception as exc:
                err = as_provider_error(exc, info)
                self._end_error(info, err, res, t0, p0, attempt, meta)
                if not policy.should_retry(err, attempt):
                    self._failed(info, err)
                    return None
                wait = policy.wait_s(err, attempt)
                log.info("retrying %s after %s (attempt %d, waiting %.2f s)", info.id, type(err).__name__, attempt, wait)
                yield Sleep(wait)
                continue
            except BaseException:
                client.budget.settle(res, 0.0)  # interrupted or cancelled: release the reservation
                raise
            return self._end_ok(info, raw, res, t0, p0, attempt, meta)

    # ---- bookkeeping ---------------------------------------------------------------------------
    def _skip_reason(self, info: ModelInfo) -> RouterlabError | None:
        try:
            check_candidate(self.plan, info, lambda: self.client.tiers)
            self.client.provider_for(info)
        except (CapabilityError, ConfigurationError) as exc:
            return exc
        return None

    def _failed(self, info: ModelInfo, exc: RouterlabError) -> None:
        self.errors.append(exc)
        self.why.append(f"{info.id}: {type(exc).__name__}")

    def _end_ok(self, info: ModelInfo, raw: Completion, res: Any, t0: float, p0: float, attempt: int,
                meta: dict[str, Any]) -> Completion:
        elapsed = time.perf_counter() - p0
        if raw.metadata.get("replay") and raw.latency_s:
            elapsed = raw.latency_s  # replay shows the recorded latency on the timeline
        record = attempt_record(self.plan, info, attempt=attempt, start=t0, end=t0 + elapsed, status="ok",
                                meta={**meta, "stop_reason": raw.stop_reason, "final": True})
        done = priced(info, raw, attempt, record.call_id, meta, elapsed)
        self.client.budget.settle(res, done.cost_usd)
        count_usage(record, done.usage, done.cost_usd, done.ttft_s)
        self._flush()
        self.client.trace.append(record)
        return done

    def _end_error(self, info: ModelInfo, exc: ProviderError, res: Any, t0: float, p0: float, attempt: int,
                   meta: dict[str, Any]) -> None:
        usage = getattr(exc, "usage", None) if isinstance(exc, BadResponseError) else None
        cost = billed_cost(info, usage)
        self.client.budget.settle(res, cost)
        end = t0 + (time.perf_counter() - p0)
        self._flush()
        record = attempt_record(self.plan, info, attempt=attempt, start=t0, end=end, status="error", error=exc,
                                meta=meta)
        if usage is not None:
            count_usage(record, usage, cost)
        self._pending.append(record)

    def _refuse(self, info: ModelInfo, exc: BaseException, meta: dict[str, Any]) -> None:
        self._flush()
        self._pending.append(refused_record(self.plan, info, exc, meta))

    def _flush(self, final: bool = False) -> None:
        for rec in self._pending:
            rec.metadata["final"] = final
            self.client.trace.append(rec)
        self._pending.clear()


def as_provider_error(exc: Exception, info: ModelInfo) -> ProviderError:
    """Provider errors pass through; anything else a provider raised is a (non-retryable) ProviderError."""
    if isinstance(exc, ProviderError):
        return exc
    return ProviderError(
        f"{info.id}: provider raised {type(exc).__name__}: {redact(str(exc))}", provider=info.provider, model=info.id
    )


class _Pump:
    """Feeds a flow its answers; ``step`` is what it asks for next (None once it returned)."""

    def __init__(self, flow: Flow) -> None:
        self.flow = flow
        self.step: Send | Sleep | None = None
        self.value: Any = None
        self._advance(lambda: next(flow))

    def perform(self, do: Callable[[], Any]) -> None:
        """Run ``do`` (the step's work) and resume the flow with its answer or its exception."""
        try:
            answer = do()
        except BaseException as exc:
            self._advance(partial(self.flow.throw, exc))
        else:
            self._advance(partial(self.flow.send, answer))

    async def aperform(self, do: Callable[[], Awaitable[Any]]) -> None:
        """:meth:`perform` for a step whose work is awaited."""
        try:
            answer = await do()
        except BaseException as exc:
            self._advance(partial(self.flow.throw, exc))
        else:
            self._advance(partial(self.flow.send, answer))

    def _advance(self, move: Callable[[], Send | Sleep]) -> None:
        try:
            self.step = move()
        except StopIteration as stop:
            self.step, self.value = None, stop.value


def _sync_work(step: Send | Sleep) -> Any:
    if isinstance(step, Sleep):
        return time.sleep(step.seconds)  # type: ignore[func-returns-value]
    return step.provider.complete(step.request, step.model_name, timeout_s=step.timeout_s)


def _async_work(step: Send | Sleep) -> Awaitable[Any]:
    if isinstance(step, Sleep):
        return asyncio.sleep(step.seconds)
    return step.provider.acomplete(step.request, step.model_name, timeout_s=step.timeout_s)  # type: ignore[no-any-return]


def drive(flow: Flow) -> Completion:
    """Run a flow synchronously: ``provider.complete`` and ``time.sleep``."""
    pump = _Pump(flow)
    while (step := pump.step) is not None:
        pump.perform(lambda: _sync_work(step))  # noqa: B023 - called at once, in this iteration
    return pump.value  # type: ignore[no-any-return]


async def adrive(flow: Flow) -> Completion:
    """Run a flow on the event loop: ``await provider.acomplete`` and ``asyncio.sleep``."""
    pump = _Pump(flow)
    while (step := pump.step) is not None:
        await pump.aperform(lambda: _async_work(step))  # noqa: B023 - awaited at once, in this iteration
    return pump.value  # type: ignore[no-any-return]
