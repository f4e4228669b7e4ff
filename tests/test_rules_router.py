"""RuleRouter: kind and predicate rules, constraints, and the alternatives it reports."""

from __future__ import annotations

import pytest

from routerlab.catalog import Catalog
from routerlab.errors import BudgetExceededError, RoutingError
from routerlab.routers.base import RouteConstraints
from routerlab.routers.rules import RuleRouter
from routerlab.tiers import TierMap, TierSpec
from routerlab.types import Decision, Image, Request

PNG = Image(b"\x89PNG\r\n\x1a\n fake bytes are enough for routing", "image/png")


@pytest.fixture(scope="module")
def tiers() -> TierMap:
    return TierMap.default(Catalog.default())


@pytest.fixture()
def router(tiers) -> RuleRouter:
    return RuleRouter(tiers.copy())


def _capable(tiers: TierMap, tier: str, request: Request) -> list:
    """Every callable catalog model that can serve ``request`` in ``tier``, computed independently."""
    spec = tiers[tier]
    out = []
    for m in tiers.catalog.capable(*spec.requires):
        if m.provider == "routerbench":
            continue
        if m.id not in spec.models and m.context_window < spec.min_context:
            continue
        if request.has_images and not m.vision:
            continue
        if request.estimated_input_tokens() + request.max_output_tokens > m.context_window:
            continue
        out.append(m)
    return out


@pytest.mark.parametrize(
    ("kind", "tier"),
    [("plan", "orchestrator"), ("review", "orchestrator"), ("code_edit", "coder"), ("intent", "classifier"),
     ("screen_classify", "classifier"), ("screenshot_read", "vision")],
)
def test_kind_picks_the_tier_and_its_preferred_model(router, tiers, kind, tier):
    d = router.route(Request.user("do the thing", kind=kind))
    assert d.tier == tier
    assert d.model == tiers.model_for(tier).id
    assert repr(kind) in d.reason and d.router == "rules"


def test_unknown_kind_goes_to_the_default_tier_and_says_so(router):
    d = router.route(Request.user("hello", kind="haiku-writing"))
    assert d.tier == "orchestrator" and "no rule" in d.reason


def test_images_go_to_a_vision_capable_model(router, tiers):
    for req in (Request.user("which screen is this?", kind="intent", images=(PNG,)),
                Request.user("which screen is this?", metadata={"image_refs": ("s.png",)})):
        d = router.route(req)
        assert d.tier == "vision" and tiers.catalog.get(d.model).vision
        assert "images" in d.reason


def test_images_reach_a_vision_model_even_when_the_tier_prefers_a_blind_one(tiers):
    t = TierMap([TierSpec("coder", ("ollama:qwen2.5-coder:7b", "openai:gpt-4.1-mini"), frozenset({"code"}))], tiers.catalog)
    r = RuleRouter(t, {"code_debug": "coder"}, default_tier="coder")
    text_only = r.route(Request.user("fix the bug in this trace", kind="code_debug"))
    assert text_only.model == "ollama:qwen2.5-coder:7b"
    d = r.route(Request.user("fix the bug in this screenshot", kind="code_debug", images=(PNG,)))
    assert d.tier == "coder" and d.model == "openai:gpt-4.1-mini"
    assert "no vision" in d.reason


def test_long_context_goes_to_a_model_whose_window_fits(router, tiers):
    req = Request.user("summarise the attached corpus", kind="summarize_long", metadata={"input_tokens": 300_000})
    d = router.route(req)
    model = tiers.catalog.get(d.model)
    assert model.context_window >= 300_000 + req.max_output_tokens
    assert tiers.model_for("orchestrator").context_window < 300_000  # the rule really had to act
    assert "window" in d.reason


def test_alternatives_carry_predicted_cost_and_latency_from_the_catalog(router, tiers):
    req = Request.user("plan the migration " * 50, kind="plan", max_output_tokens=2000)
    d = router.route(req)
    assert d.alternatives and all(a.model != d.model for a in d.alternatives)
    for a in d.alternatives:
        info = tiers.catalog.get(a.model)
        assert a.predicted_cost == pytest.approx(info.worst_case_cost(req), rel=1e-12)
        assert a.predicted_latency_s == pytest.approx(info.predicted_latency(2000))
    # the tier's own fallbacks come first
    assert [a.model for a in d.alternatives[:2]] == list(tiers["orchestrator"].models[1:3])


def test_over_budget_takes_the_cheapest_capable_model_within_budget(router, tiers):
    req = Request.user("plan a product launch " * 40, kind="plan", max_output_tokens=1500)
    preferred = tiers.model_for("orchestrator")
    budget = preferred.worst_case_cost(req) / 10
    d = router.route(req, RouteConstraints(budget_usd=budget))
    chosen = tiers.catalog.get(d.model)
    costs = {m.id: m.worst_case_cost(req) for m in _capable(tiers, "orchestrator", req)}
    assert chosen.worst_case_cost(req) <= budget
    assert costs[d.model] == min(costs.values())
    assert "budget" in d.reason


def test_budget_no_model_can_meet_raises_with_the_figures(router):
    req = Request.user("write the parser", kind="code_write")
    with pytest.raises(BudgetExceededError) as info:
        router.route(req, RouteConstraints(budget_usd=0.0))
    assert info.value.needed > info.value.remaining == 0.0


def test_latency_target_takes_the_fastest_capable_model_meeting_it(router, tiers):
    req = Request.user("decide the next step", kind="decide", max_output_tokens=400)
    preferred = tiers.model_for("orchestrator")
    target = preferred.predicted_latency(400) / 2
    d = router.route(req, RouteConstraints(latency_target_s=target))
    lat = {m.id: m.predicted_latency(400) for m in _capable(tiers, "orchestrator", req)}
    assert lat[d.model] <= target and lat[d.model] == min(lat.values())
    assert "target" in d.reason


def test_constraints_that_the_preferred_model_meets_change_nothing(router, tiers):
    req = Request.user("classify", kind="intent")
    d = router.route(req, RouteConstraints(budget_usd=10.0, latency_target_s=600))
    assert d.model == tiers.model_for("classifier").id


def test_a_swapped_tier_is_seen_at_once(router):
    req = Request.user("write a function", kind="code_write")
    before = router.route(req).model
    router.tiers.swap("coder", "openai:gpt-4.1-mini")
    after = router.route(req).model
    assert before != after == "openai:gpt-4.1-mini"


def test_rules_naming_a_missing_tier_are_refused(tiers):
    with pytest.raises(RoutingError, match="tier 'research'"):
        RuleRouter(tiers, {"plan": "research"})


def test_decisions_round_trip_and_batch_matches_single(router):
    reqs = [Request.user("plan", kind="plan"), Request.user("look", kind="ui_locate", images=(PNG,))]
    batch = router.route_batch(reqs)
    assert [d.model for d in batch] == [router.route(r).model for r in reqs]
    d = batch[1]
    assert Decision.from_dict(d.to_dict()) == d


def test_kind_table_agrees_with_the_eval_set_and_the_workload_step_kinds():
    from routerlab.evalset import KIND_TO_TIER
    from routerlab.routers.rules import KIND_TIERS
    from routerlab.workloads.step_kinds import KIND_TIERS as STEP_KIND_TIERS

    for table in (KIND_TO_TIER, STEP_KIND_TIERS):
        assert {k: KIND_TIERS.get(k) for k in table} == dict(table)
