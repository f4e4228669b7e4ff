"""The attempt walk, written once: candidates in order, retries on each, fallback, budget, records.

It is a generator that does no I/O of its own (the sans-I/O shape of httpx's ``Auth.auth_flow``):
it yields a :class:`Send` when a provider must be called and a :class:`Sleep` when a retry must
wait, and is resumed with the provider's answer or has the provider's exception thrown into it.
:func:`drive` (sync) and :func:`adrive` (async) are the only places that differ: they call
``provider.complete`` / ``time.sleep`` or ``await provider.acomplete`` / ``asyncio.sleep``.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import threading
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
    ProviderTimeoutError,
    RouterlabError,
)
from ..providers.base import Provider, check_usage
from ..trace import redact
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
    deadline_s: float | None = None  # the attempt's whole wall-clock budget (None: the SDK's timeouts only)


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
        # Every record is written as soon as it is made (a kill loses at most the attempt in
        # flight); it is final when nothing else of this call will follow it.
        self._last = plan.candidates[-1] if plan.candidates else None

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
                raw = yield Send(provider, self.plan.request, info.name, client.timeout_s,
                                 getattr(client, "deadline_s", None))
                if not (raw.metadata.get("recorded_cost") or raw.metadata.get("replay")):
                    # a provider that builds its own Completion skips finish(): check its usage here
                    check_usage(self.plan.request, raw.usage, provider=info.provider, model=info.id)
            except Exception as exc:
                err = as_provider_error(exc, info)
                retry = policy.should_retry(err, attempt)
                self._end_error(info, err, res, t0, p0, attempt, meta, final=not retry and info is self._last)
                if not retry:
                    self._failed(info, err)
                    return None
                wait = policy.wait_s(err, attempt)
                log.info("retrying %s after %s (attempt %d, waiting %.2f s)", info.id, type(err).__name__, attempt, wait)
                try:
                    yield Sleep(wait)
                except BaseException as exc:  # cancelled between attempts: nothing in flight, say so
                    self.client.trace.append(refused_record(
                        self.plan, info, exc, {**meta, "final": True, "cancelled": True, "max_cost_usd": 0.0}))
                    raise
                continue
            except BaseException as exc:
                client.budget.settle(res, 0.0)  # interrupted or cancelled: release the reservation
                self._end_cancelled(info, exc, res, t0, p0, attempt, meta)
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
        self.client.trace.append(record)
        return done

    def _end_error(self, info: ModelInfo, exc: ProviderError, res: Any, t0: float, p0: float, attempt: int,
                   meta: dict[str, Any], *, final: bool) -> None:
        usage = getattr(exc, "usage", None) if isinstance(exc, BadResponseError) else None
        cost = billed_cost(info, usage)
        self.client.budget.settle(res, cost)
        end = t0 + (time.perf_counter() - p0)
        record = attempt_record(self.plan, info, attempt=attempt, start=t0, end=end, status="error", error=exc,
                                meta={**meta, "final": final})
        if usage is not None:
            count_usage(record, usage, cost)
        self.client.trace.append(record)

    def _end_cancelled(self, info: ModelInfo, exc: BaseException, res: Any, t0: float, p0: float, attempt: int,
                       meta: dict[str, Any]) -> None:
        """An attempt cut off by cancellation (``asyncio.wait_for``, Ctrl-C) still leaves its record:
        what it cost is unknown (no final usage event), at most the reservation it held."""
        end = t0 + (time.perf_counter() - p0)
        record = attempt_record(self.plan, info, attempt=attempt, start=t0, end=end, status="error", error=exc,
                                meta={**meta, "final": True, "cancelled": True, "usage_known": False,
                                      "max_cost_usd": res.amount})
        record.error = record.error or f"{type(exc).__name__}: the attempt was cancelled while in flight"
        self.client.trace.append(record)

    def _refuse(self, info: ModelInfo, exc: BaseException, meta: dict[str, Any]) -> None:
        self.client.trace.append(refused_record(self.plan, info, exc, {**meta, "final": info is self._last}))


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


def _deadline_error(step: Send) -> ProviderTimeoutError:
    return ProviderTimeoutError(
        f"{step.model_name}: no complete answer within the {step.deadline_s:g} s deadline (a server trickling "
        "bytes or stalling); raise deadline_s if the model is just slow", model=step.model_name)


def _sync_work(step: Send | Sleep) -> Any:
    if isinstance(step, Sleep):
        return time.sleep(step.seconds)  # type: ignore[func-returns-value]
    if step.deadline_s is None:
        return step.provider.complete(step.request, step.model_name, timeout_s=step.timeout_s)
    return _within_deadline(step)


def _within_deadline(step: Send) -> Any:
    """``provider.complete`` with one wall-clock deadline, whatever the SDK does between reads.

    The SDKs' timeouts are per read, so a server that sends a byte now and then keeps a call
    alive forever. The call runs on a daemon thread (in the caller's context, so tracing spans
    nest); at the deadline the caller gets ProviderTimeoutError and the thread is left to end at
    the SDK's next read timeout or when the server stops (it can no longer touch the result)."""
    box: dict[str, Any] = {}
    done = threading.Event()
    ctx = contextvars.copy_context()

    def run() -> None:
        try:
            box["value"] = ctx.run(step.provider.complete, step.request, step.model_name, timeout_s=step.timeout_s)
        except BaseException as exc:  # handed to the caller's thread below
            box["error"] = exc
        finally:
            done.set()

    threading.Thread(target=run, daemon=True, name=f"routerlab-call-{step.model_name}").start()
    assert step.deadline_s is not None
    if not done.wait(step.deadline_s):
        raise _deadline_error(step)
    if "error" in box:
        raise box["error"]
    return box["value"]


async def _async_work(step: Send | Sleep) -> Any:
    if isinstance(step, Sleep):
        return await asyncio.sleep(step.seconds)
    call = step.provider.acomplete(step.request, step.model_name, timeout_s=step.timeout_s)
    if step.deadline_s is None:
        return await call
    # Not asyncio.wait_for: it waits for the cancelled call to unwind, and an SDK closing a
    # trickling stream may read on until the server stops. The call is cancelled and let go.
    task = asyncio.ensure_future(call)
    try:
        done, _ = await asyncio.wait({task}, timeout=step.deadline_s)
    except BaseException:  # the caller was cancelled: so is the call
        task.cancel()
        task.add_done_callback(_retrieve)
        raise
    if not done:
        task.cancel()
        task.add_done_callback(_retrieve)
        raise _deadline_error(step)
    return task.result()


def _retrieve(task: asyncio.Future[Any]) -> None:
    """Collect a let-go call's outcome so asyncio does not report it as never retrieved."""
    if not task.cancelled():
        task.exception()


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
