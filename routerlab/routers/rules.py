"""RuleRouter: route by subtask kind and request predicates, over a TierMap.

Order of rules, each one written into ``Decision.reason``:

1. ``request.kind`` -> tier (``KIND_TIERS``; unknown kinds go to ``default_tier``);
2. the request carries images -> the vision tier;
3. within the tier, the first model that can serve the request (vision, output limit,
   context window); when none of the tier's models fits (a long context), the cheapest
   catalog model with the tier's capabilities whose window fits;
4. constraints: over budget -> the cheapest capable model within budget (BudgetExceededError
   when none is); a latency target the choice misses -> the fastest capable model meeting it.

Every decision lists the other capable models as alternatives with predicted worst-case cost
and latency, so a notebook can show what the choice saved.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from ..errors import BudgetExceededError, CapabilityError, RoutingError
from ..kinds import KIND_TIERS  # the one kind -> tier table; re-exported here, its old home
from ..types import Alternative, Decision, Request
from .base import RouteConstraints, Router

if TYPE_CHECKING:
    from ..catalog import ModelInfo
    from ..tiers import TierMap

__all__ = ["RuleRouter", "KIND_TIERS", "pick_model", "request_has_images", "Pick"]



def request_has_images(request: Request) -> bool:
    """Images attached as bytes, or referenced by name in ``metadata["image_refs"]``."""
    return request.has_images or bool(request.metadata.get("image_refs"))


class Pick:
    """The model a tier serves a request with, why, and what else was capable."""

    __slots__ = ("model", "reason", "alternatives")

    def __init__(self, model: ModelInfo, reason: str, alternatives: tuple[Alternative, ...]) -> None:
        self.model = model
        self.reason = reason
        self.alternatives = alternatives


def _fits(model: ModelInfo, request: Request, needs_vision: bool, input_tokens: int) -> bool:
    if needs_vision and not model.vision:
        return False
    if request.max_output_tokens > model.max_output_tokens:
        return False
    return input_tokens + request.max_output_tokens <= model.context_window


_POOLS: dict[tuple[int, str, tuple[str, ...], tuple[str, ...]], tuple[list[ModelInfo], list[ModelInfo]]] = {}


def _pools(tiers: TierMap, tier: str, exclude: tuple[str, ...]) -> tuple[list[ModelInfo], list[ModelInfo]]:
    """(the tier's own models, other catalog models with the tier's capabilities), memoised on
    the tier's current model list so a swap is seen at once."""
    spec = tiers[tier]
    key = (id(tiers.catalog), tier, spec.models, exclude)
    hit = _POOLS.get(key)
    if hit is None:
        own = [tiers.catalog.get(m) for m in spec.models]
        others = [
            m
            for m in tiers.catalog.capable(*spec.requires, min_context=spec.min_context)
            if m.provider not in exclude and m.id not in spec.models
        ]
        hit = _POOLS[key] = (own, others)
        if len(_POOLS) > 256:  # swaps in a long notebook session: keep the memo small
            _POOLS.pop(next(iter(_POOLS)))
    return hit


def pick_model(
    tiers: TierMap,
    tier: str,
    request: Request,
    constraints: RouteConstraints | None = None,
    *,
    exclude_providers: Sequence[str] = ("routerbench",),
    max_alternatives_outside: int = 3,
) -> Pick:
    """Choose the model for ``request`` in ``tier`` (rules 3-4 above). Shared by every router
    that first decides a tier (rules, classifier). ``exclude_providers``: catalog entries that
    cannot be called (the 2023-24 outcome-table models are replayed, not served)."""
    needs_vision = request_has_images(request)
    n_in = request.estimated_input_tokens()
    n_out = request.max_output_tokens
    out_tokens = int(request.metadata.get("expected_output_tokens", n_out))
    tier_models, others = _pools(tiers, tier, tuple(exclude_providers))
    fitting = [m for m in tier_models if _fits(m, request, needs_vision, n_in)]
    wider = [m for m in others if _fits(m, request, needs_vision, n_in)]
    cost = {m.id: m.token_cost(n_in, n_out) for m in (*fitting, *wider)}  # = m.worst_case_cost(request)
    latency = {m.id: m.predicted_latency(out_tokens) for m in (*fitting, *wider)}
    wider.sort(key=lambda m: (cost[m.id], latency[m.id]))
    notes: list[str] = []
    if fitting:
        choice = fitting[0]
        if choice is not tier_models[0]:
            notes.append(f"{tier_models[0].id} cannot serve it ({_why_not(tier_models[0], request, needs_vision, n_in)})")
    elif wider:
        choice = wider[0]
        notes.append(
            f"no {tier} model fits ({_why_not(tier_models[0], request, needs_vision, n_in)}); "
            f"cheapest capable model whose window fits"
        )
    else:
        raise CapabilityError(
            f"no model can serve this {tier} request: needs {n_in:,} input + {n_out:,} output "
            f"tokens{' and vision' if needs_vision else ''}; add a model with a larger window to the catalog"
        )
    pool = fitting + wider
    if constraints is not None and constraints.budget_usd is not None:
        budget = constraints.budget_usd
        if cost[choice.id] > budget:
            affordable = sorted((m for m in pool if cost[m.id] <= budget), key=lambda m: (cost[m.id], latency[m.id]))
            if not affordable:
                cheapest = min(pool, key=lambda m: cost[m.id])
                raise BudgetExceededError(
                    f"no capable {tier} model fits the budget ${budget:.6f}: the cheapest, {cheapest.id}, "
                    f"may cost ${cost[cheapest.id]:.6f}; raise the budget or shorten the request",
                    needed=cost[cheapest.id],
                    remaining=budget,
                )
            notes.append(
                f"{choice.id} may cost ${cost[choice.id]:.6f} > budget ${budget:.6f}: cheapest capable model within budget"
            )
            choice = affordable[0]
            pool = affordable
    if constraints is not None and constraints.latency_target_s is not None:
        target = constraints.latency_target_s
        if latency[choice.id] > target:
            meeting = [m for m in pool if latency[m.id] <= target]
            ranked = sorted(meeting or pool, key=lambda m: (latency[m.id], cost[m.id]))
            verdict = "fastest capable model meeting it" if meeting else "no capable model meets it: fastest one"
            notes.append(f"{choice.id} predicted {latency[choice.id]:.2f}s > target {target:.2f}s: {verdict}")
            choice = ranked[0]
    # Alternatives: the tier's other models, then the cheapest few capable models outside it.
    shown = [m for m in fitting if m is not choice] + [m for m in wider if m is not choice][:max_alternatives_outside]
    alternatives = tuple(
        Alternative(model=m.id, tier=tier, predicted_cost=cost[m.id], predicted_latency_s=latency[m.id]) for m in shown
    )
    return Pick(choice, "; ".join(notes), alternatives)


def _why_not(model: ModelInfo, request: Request, needs_vision: bool, n_in: int) -> str:
    if needs_vision and not model.vision:
        return "no vision"
    if request.max_output_tokens > model.max_output_tokens:
        return f"max output {model.max_output_tokens:,}"
    return f"{n_in:,} input tokens exceed its {model.context_window:,}-token window"


class RuleRouter(Router):
    """Kind and predicate rules over a TierMap. ``RuleRouter()`` uses the default tiers.

    A request's kind picks its tier (``kind_tiers``, else ``default_tier``); a request carrying
    images goes to the ``vision`` tier when there is one; the tier's model is then picked by
    ``pick_model`` (capabilities, context window, constraints).

    Parameters
    ----------
    tiers : TierMap or None, default=None
        The tiers and their models; None: ``TierMap.default()``.
    kind_tiers : mapping of kind -> tier name, or None, default=None
        Which tier serves each ``Request.kind``; None: ``KIND_TIERS``.
    default_tier : str, default="orchestrator"
        The tier of a kind with no rule (keyword-only).
    images_to_vision : bool, default=True
        Send requests with images to the ``vision`` tier (keyword-only).

    Attributes
    ----------
    tiers : TierMap
        The tiers used (the default map when None was given).
    kind_tiers : dict of str -> str
        A copy of the kind rules.
    default_tier, images_to_vision
        As given.
    name : str
        ``"rules"``, the ``router`` field of each Decision.
    """

    name = "rules"

    def __init__(
        self,
        tiers: TierMap | None = None,
        kind_tiers: Mapping[str, str] | None = None,
        *,
        default_tier: str = "orchestrator",
        images_to_vision: bool = True,
    ) -> None:
        if tiers is None:
            from ..tiers import TierMap

            tiers = TierMap.default()
        self.tiers = tiers
        self.kind_tiers = dict(KIND_TIERS if kind_tiers is None else kind_tiers)
        self.default_tier = default_tier
        self.images_to_vision = images_to_vision
        for t in {default_tier, *self.kind_tiers.values()}:
            if t not in tiers:
                raise RoutingError(f"rule names tier {t!r}, which the TierMap lacks; tiers: {tiers.names()}")

    def tier_for(self, request: Request) -> tuple[str, str]:
        """(tier, reason) from the kind and the image predicate."""
        tier = self.kind_tiers.get(request.kind)
        reason = f"kind {request.kind!r} -> {tier}" if tier else f"kind {request.kind!r} has no rule -> {self.default_tier}"
        tier = tier or self.default_tier
        if self.images_to_vision and tier != "vision" and "vision" in self.tiers and request_has_images(request):
            reason += "; request carries images -> vision"
            tier = "vision"
        return tier, reason

    def route(self, request: Request, constraints: RouteConstraints | None = None) -> Decision:
        tier, reason = self.tier_for(request)
        pick = pick_model(self.tiers, tier, request, constraints)
        if pick.reason:
            reason += "; " + pick.reason
        return Decision(
            model=pick.model.id,
            tier=tier,
            reason=reason,
            alternatives=pick.alternatives,
            router=self.name,
        )
