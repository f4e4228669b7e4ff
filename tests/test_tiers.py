import pytest

from routerlab import CapabilityError, Image, Request, TierError, UnknownModelError
from routerlab.tiers import TierMap, TierSpec


@pytest.fixture
def tiers():
    return TierMap.default()


def test_four_seed_tiers_with_capable_defaults(tiers):
    assert tiers.names() == ["orchestrator", "classifier", "coder", "vision"]
    assert tiers.model_for("vision").vision
    assert tiers.model_for("coder").code
    # the orchestrator is the priciest default, the classifier among the cheapest
    orch, clf = tiers.model_for("orchestrator"), tiers.model_for("classifier")
    assert orch.output_price > 3 * clf.output_price


def test_swap_at_run_time_keeps_old_model_as_fallback(tiers):
    old = tiers.model_for("coder").id
    spec = tiers.swap("coder", "openai:gpt-4.1-mini")
    assert spec.models[0] == "openai:gpt-4.1-mini"
    assert old in spec.models[1:]
    assert tiers.model_for("coder").id == "openai:gpt-4.1-mini"


def test_text_only_model_refused_for_vision_tier(tiers):
    with pytest.raises(CapabilityError, match="lacks vision"):
        tiers.swap("vision", "local:smollm2-135m")
    assert tiers.model_for("vision").vision  # nothing changed


def test_image_request_refused_on_text_only_model(tiers):
    req = Request.user("what is on this screen?", images=(Image(b"\x89PNG..."),))
    with pytest.raises(CapabilityError, match="cannot read images"):
        tiers.check(req, "local:smollm2-135m")


def test_context_window_too_small_is_refused(tiers):
    long = Request.user("x" * 4 * 10_000)  # about 10k tokens
    with pytest.raises(CapabilityError, match="context window"):
        tiers.check(long, "local:smollm2-135m")
    assert tiers.check(long, "anthropic:claude-haiku-4-5").id == "anthropic:claude-haiku-4-5"


def test_tier_without_model_is_refused():
    with pytest.raises(TierError, match="has no model"):
        TierMap([TierSpec("empty", ())])


def test_unknown_tier_and_unknown_model(tiers):
    with pytest.raises(TierError, match="no tier named 'planner'"):
        tiers.model_for("planner")
    with pytest.raises(UnknownModelError):
        tiers.swap("coder", "openai:gpt-9")


def test_from_mapping_keeps_requirements():
    t = TierMap.from_mapping({"vision": "openai:gpt-4o-mini", "classifier": ["openai:gpt-4.1-nano", "haiku"]})
    assert t["classifier"].models == ("openai:gpt-4.1-nano", "anthropic:claude-haiku-4-5")
    with pytest.raises(CapabilityError):
        TierMap.from_mapping({"vision": "local:smollm2-135m"})
