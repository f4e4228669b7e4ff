"""FunctionProvider, the shipped test double, and the client's one attempt walk seen through it (no server)."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest
from clientkit import model, offline_client

from routerlab.errors import BadResponseError, InvalidRequestError, ProviderServerError, RateLimitError
from routerlab.providers import FunctionProvider, Provider
from routerlab.types import CompletesRequests, Completion, Request, Usage


def _steps(trace):
    return [(r.model, r.status, r.attempt, r.error_type, r.metadata["final"]) for r in trace.records]


def test_sync_and_async_calls_walk_the_same_attempts():
    tries: Counter[tuple[str, str]] = Counter()

    def flaky(request, model_name):
        tries[(request.text(), model_name)] += 1
        if model_name == "down":
            raise ProviderServerError("down for maintenance", provider="fso", model=model_name, status=503)
        if model_name == "busy" and tries[(request.text(), model_name)] == 1:
            raise RateLimitError("slow down", provider="fsa", model=model_name, status=429, retry_after=0.0)
        return f"{model_name} answers"

    models = [model("fso:down"), model("fsa:busy")]
    tiers = {"work": ("fso:down", "fsa:busy")}
    sync, _ = offline_client(models, flaky, tiers, max_attempts=2, budget_usd=1.0)
    done = sync.complete(Request.user("sync"), tier="work")
    aio, _ = offline_client(models, flaky, tiers, max_attempts=2, budget_usd=1.0)
    adone = asyncio.run(aio.acomplete(Request.user("async"), tier="work"))
    expected = [("fso:down", "error", 1, "ProviderServerError", False),
                ("fso:down", "error", 2, "ProviderServerError", False),
                ("fsa:busy", "error", 1, "RateLimitError", False),
                ("fsa:busy", "ok", 2, None, True)]
    assert _steps(sync.trace) == _steps(aio.trace) == expected
    assert (done.model, done.metadata["attempts"], done.metadata["fallback_from"]) == ("fsa:busy", 2, "fso:down")
    assert (adone.model, adone.metadata["attempts"]) == (done.model, done.metadata["attempts"])
    for c in (sync, aio):
        assert c.budget.reserved == 0 and c.budget.spent == pytest.approx(sum(r.cost_usd for r in c.trace.records))


def test_text_answers_are_checked_like_a_real_providers():
    c, provider = offline_client([model("fso:m")], lambda request, model_name: "", max_attempts=2, budget_usd=1.0)
    with pytest.raises(BadResponseError, match="empty completion"):
        c.complete(Request.user("hi"), model="fso:m")
    assert provider.calls == ["m", "m"]  # retried, as an empty answer is worth another try
    schema = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}
    good = FunctionProvider(lambda request, model_name: '{"n": 3}')
    assert good.complete(Request.user("n?", response_schema=schema), "m").metadata["parsed"] == {"n": 3}
    prose = Request.user("n?", response_schema=schema)
    with pytest.raises(BadResponseError, match="not JSON") as info:
        FunctionProvider(lambda request, model_name: "three").complete(prose, "m")
    assert info.value.usage.output_tokens >= 1  # billed, as a real refused answer is
    assert FunctionProvider(lambda request, model_name: "three", strict=False).complete(prose, "m").text == "three"


def test_async_functions_completions_and_bad_returns():
    async def later(request, model_name):
        await asyncio.sleep(0)
        return Completion("done", Usage(3, 1), model_name, provider="custom")

    p = FunctionProvider(later, delay_s=0.001)
    assert isinstance(p, Provider) and isinstance(p, CompletesRequests)
    assert p.complete(Request.user("a"), "m").usage == Usage(3, 1)
    assert asyncio.run(p.acomplete(Request.user("b"), "m")).text == "done"
    assert p.calls == ["m", "m"] and [r.text() for r, _ in p.requests] == ["a", "b"]
    with pytest.raises(InvalidRequestError, match="return the answer's text or a Completion"):
        FunctionProvider(lambda request, model_name: 42).complete(Request.user("x"), "m")
    with pytest.raises(InvalidRequestError, match="which model"):
        p.complete(Request.user("x"))
    with pytest.raises(InvalidRequestError):
        FunctionProvider("not a function")  # type: ignore[arg-type]
