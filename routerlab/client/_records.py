"""Building the trace records of one call: one per attempt, one per refusal.

Records are made here and appended by the attempt walk; a record is final when it is the last
one its call will write (the call's outcome), so a reader can tell the outcome from the steps.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from ..catalog import ModelInfo
from ..trace import TraceRecord, redact
from ..types import Completion, Decision, Request, Usage
from ._plan import CallPlan

__all__ = ["attempt_record", "refused_record", "unplanned_record", "count_usage"]


def attempt_record(
    plan: CallPlan,
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
    """The record of one attempt on ``info`` (``attempt`` 0: refused before sending)."""
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


def refused_record(plan: CallPlan, info: ModelInfo, error: BaseException, meta: Mapping[str, Any]) -> TraceRecord:
    """A candidate refused before anything was sent (capability, configuration, budget)."""
    now = time.time()
    return attempt_record(plan, info, attempt=0, start=now, end=now, status="refused", error=error, meta=meta)


def unplanned_record(
    request: Any,
    model: str | None,
    tier: str | None,
    decision: Decision | None,
    parent_id: str | None,
    task_id: str | None,
    error: BaseException,
) -> TraceRecord:
    """The one final record of a call that could not be planned (nothing to call)."""
    now = time.time()
    return TraceRecord(
        kind="call",
        model=_text(model or (decision.model if decision else None)),
        tier=_text(tier or (decision.tier if decision else None)),
        parent_id=parent_id,
        task_id=task_id,
        subtask_id=request.id if isinstance(request, Request) else None,
        start=now,
        end=now,
        decision=decision.to_dict() if decision is not None else None,
        attempt=0,
        status="refused",
        error=redact(str(error)),
        error_type=type(error).__name__,
        metadata={"final": True},
    )


def count_usage(record: TraceRecord, usage: Usage, cost_usd: float, ttft_s: float | None = None) -> None:
    """Put what an attempt was billed for on its record."""
    record.input_tokens, record.output_tokens = usage.input_tokens, usage.output_tokens
    record.cached_tokens, record.cost_usd = usage.cached_tokens, cost_usd
    if ttft_s is not None:
        record.ttft_s = ttft_s


def _text(value: Any) -> str | None:
    """A refused call's model or tier as the trace can hold it (the caller may have passed a wrong type)."""
    return value if value is None or isinstance(value, str) else repr(value)
