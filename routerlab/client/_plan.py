"""Which models one call may use, in fallback order, and whether each one can take the request.

No network and no clock: a plan is built from the request, the catalog and the tiers, so a bad
request (no model named, an unknown id, a missing capability) fails here, before any call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..catalog import Catalog, ModelInfo
from ..errors import InvalidRequestError
from ..tiers import TierMap, check_model_fits
from ..types import Decision, Request

__all__ = ["CallPlan", "plan_call", "check_candidate", "fallback_meta"]


@dataclass
class CallPlan:
    """One request's candidates (in fallback order) and what its trace records carry."""

    request: Request
    candidates: list[ModelInfo]
    tier: str | None
    decision: dict[str, Any] | None
    parent_id: str | None
    task_id: str | None


def plan_call(
    request: Request,
    model: str | None,
    tier: str | None,
    decision: Decision | None,
    parent_id: str | None,
    task_id: str | None,
    *,
    catalog: Catalog,
    tiers: Callable[[], TierMap],
) -> CallPlan:
    """The plan for one call: ``model`` first (when given), then ``tier``'s models not already in."""
    if not isinstance(request, Request):
        raise InvalidRequestError(f"complete() takes a routerlab Request, got {type(request).__name__}")
    if decision is not None:
        model = model or decision.model
        tier = tier or decision.tier
    if model is None and tier is None:
        raise InvalidRequestError("say which model to call: pass model='provider:name' or tier='...'")
    ids: list[str] = []
    if model is not None:
        ids.append(catalog.resolve(model))
    if tier is not None:
        ids += [m for m in tiers()[tier].models if m not in ids]
    return CallPlan(
        request=request,
        candidates=[catalog.get(i) for i in ids],
        tier=tier,
        decision=decision.to_dict() if decision is not None else None,
        parent_id=parent_id,
        task_id=task_id,
    )


def check_candidate(plan: CallPlan, info: ModelInfo, tiers: Callable[[], TierMap]) -> None:
    """Raise CapabilityError when ``info`` cannot take the request (within its tier's limits)."""
    spec = None
    if plan.tier is not None and info.id in tiers()[plan.tier].models:
        spec = tiers()[plan.tier]
    check_model_fits(info, plan.request, spec)


def fallback_meta(plan: CallPlan, info: ModelInfo, why: list[str]) -> dict[str, Any]:
    """What a fallback candidate's records say about the candidates before it."""
    if info is plan.candidates[0]:
        return {}
    return {"fallback_from": plan.candidates[0].id, "fallback_reason": "; ".join(why)}
