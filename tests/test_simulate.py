"""What-if simulation: catalog re-pricing, order and concurrency, policies side by side."""

from __future__ import annotations

import numpy as np
import pytest

from routerlab.catalog import Catalog
from routerlab.errors import ConfigurationError, RoutingError
from routerlab.latency import LatencyModel, Profile
from routerlab.simulate import chain_ends, compare, simulate, simulate_many
from routerlab.tiers import TierMap
from routerlab.types import Decision, Usage
from routerlab.workloads import Workload, data_dir, load_tau2
from routerlab.workloads.workload import LLMCall

OPUS, HAIKU, SONNET = "anthropic:claude-opus-4-5", "anthropic:claude-haiku-4-5", "anthropic:claude-sonnet-4-5"


@pytest.fixture(scope="module")
def cat() -> Catalog:
    return Catalog.default()


@pytest.fixture(scope="module")
def lat() -> LatencyModel:
    return LatencyModel({OPUS: Profile(3.0, 100.0, "t"), HAIKU: Profile(0.5, 200.0, "t"), SONNET: Profile(1.0, 100.0, "t")})


def _wl() -> Workload:
    c = [
        LLMCall("t", "main", "plan", 1000, 100, 0, OPUS, start=0.0, duration_s=4.0, cost_usd=0.5),
        LLMCall("t", "sub:a", "read", 2000, 50, 1500, HAIKU, start=5.0, duration_s=1.0),
        LLMCall("t", "sub:b", "read", 2000, 50, 0, HAIKU, start=5.5, duration_s=1.0),
        LLMCall("t", "main", "edit", 3000, 200, 2000, OPUS, start=7.0, duration_s=2.0),
    ]
    return Workload.from_calls(c)


def test_repricing_matches_catalog_cost(cat: Catalog, lat: LatencyModel) -> None:
    w = _wl()
    r = simulate(w, f"all:{SONNET}", cat, lat, cache="recorded")
    sonnet = cat.get(SONNET)
    want = [sonnet.cost(Usage(c.input_tokens, c.output_tokens, c.cached_tokens)) for c in w.calls]
    assert r.frame["cost_usd"].to_numpy() == pytest.approx(want)
    assert r.totals["cost_usd"] == pytest.approx(sum(want))
    # worked example by hand: 1,000 fresh in, 2,000 cached, 200 out of the edit call
    p = sonnet
    assert want[3] == pytest.approx((1000 * p.input_price + 2000 * p.cached_input_price + 200 * p.output_price) / 1e6)
    assert p.cached_input_price < p.input_price  # the discount is really applied


def test_cache_hits_lost_when_the_model_changes(cat: Catalog, lat: LatencyModel) -> None:
    w = _wl()
    routed = simulate(w, {"plan": OPUS, "edit": SONNET, "*": HAIKU}, cat, lat)  # default cache="per-model"
    # main lane: plan on opus, then edit on sonnet: the edit's 2,000 cached tokens are now fresh
    assert routed.frame.loc[3, "cached_tokens"] == 0
    assert routed.frame.loc[1, "cached_tokens"] == 1500  # sub-agent kept its recorded model
    none = simulate(w, f"all:{OPUS}", cat, lat, cache="none")
    assert none.frame["cached_tokens"].sum() == 0


def test_per_model_cache_reads_what_the_model_already_saw(cat: Catalog, lat: LatencyModel) -> None:
    # one agent whose context grows: opus, haiku, opus, haiku; every recorded call read a cache
    calls = [LLMCall("t", "main", k, inp, 10, hit, OPUS, start=10.0 * i, duration_s=1.0)
             for i, (k, inp, hit) in enumerate([("plan", 1000, 0), ("read", 2000, 1000), ("plan", 3000, 2000),
                                                 ("read", 4000, 3000)])]
    w = Workload.from_calls(calls)
    routed = {"plan": OPUS, "read": HAIKU}
    per_model = simulate(w, routed, cat, lat).frame["cached_tokens"].tolist()
    # haiku's first call has no cache; opus's second reads the 1,000 tokens its first call sent;
    # haiku's second reads the 2,000 its first call sent
    assert per_model == [0, 0, 1000, 2000]
    assert simulate(w, routed, cat, lat, cache="same-model").frame["cached_tokens"].tolist() == [0, 0, 0, 0]
    assert simulate(w, f"all:{OPUS}", cat, lat).frame["cached_tokens"].tolist() == [0, 1000, 2000, 3000]
    with pytest.raises(ConfigurationError, match="per-model"):
        simulate(w, routed, cat, lat, cache="sometimes")


def test_recorded_policy_keeps_recorded_cost_and_timing(cat: Catalog, lat: LatencyModel) -> None:
    w = _wl()
    r = simulate(w, "as recorded", cat, lat)
    assert r.frame.loc[0, "cost_usd"] == 0.5  # recorded cost wins
    assert r.frame.loc[1, "cost_usd"] == pytest.approx(cat.get(HAIKU).cost(Usage(2000, 50, 1500)))  # priced
    assert r.frame["start"].tolist() == pytest.approx([0.0, 5.0, 5.5, 7.0])
    assert r.frame["end"].tolist() == pytest.approx([4.0, 6.0, 6.5, 9.0])
    assert r.totals["wall_s"] == pytest.approx(9.0)


def test_order_and_concurrency_respected(cat: Catalog, lat: LatencyModel) -> None:
    r = simulate(_wl(), f"all:{OPUS}", cat, lat)
    f = r.frame
    d = 3.0 + np.array([100, 50, 50, 200]) / 100.0
    assert f["end"].tolist() == pytest.approx([d[0], d[0] + 1 + d[1], d[0] + 1.5 + d[2], d[0] + 1.5 + d[2] + 0.5 + d[3]])
    # the two sub-agents overlapped in the recording and still overlap
    assert f.loc[2, "start"] < f.loc[1, "end"]
    # the main agent's edit still waits for the later sub-agent
    assert f.loc[3, "start"] >= f.loc[2, "end"]
    assert r.totals["llm_s"] == pytest.approx(d.sum())


def test_all_top_vs_routed_on_real_tau2(cat: Catalog) -> None:
    if not (data_dir() / "trajectories").exists():
        pytest.skip("shared data mirror not present")
    w = load_tau2()
    policies = {"top": f"all:{OPUS}", "routed": {"orchestrator": OPUS, "classifier": HAIKU, "coder": SONNET}}
    df = compare(w, policies, cat, cache="recorded")
    assert df.loc["routed", "cost_usd"] < df.loc["top", "cost_usd"]
    assert df.loc["routed", "calls_classifier"] == (w.frame["tier"] == "classifier").sum()
    res = simulate_many(w, policies, cat, cache="recorded")
    assert res["top"].totals["tasks_outcome_known"] == 0  # rerouted: recorded rewards no longer apply
    assert "50 of 50 tasks had calls rerouted: their outcome under this policy is unknown." in res["top"].notes
    rec = simulate(w, "as recorded", cat)
    assert rec.totals["tasks_outcome_known"] == 50 and rec.totals["successes_known"] == 36
    assert rec.totals["cost_usd"] == pytest.approx(w.frame["cost_usd"].sum())


def test_policy_forms(cat: Catalog, lat: LatencyModel) -> None:
    w = _wl()
    tm = TierMap.from_mapping({"orchestrator": OPUS, "classifier": HAIKU, "coder": SONNET}, cat)
    assert simulate(w, tm, cat, lat).frame["model"].tolist() == [OPUS, HAIKU, HAIKU, SONNET]
    assert simulate(w, lambda c: HAIKU if c.kind == "read" else OPUS, cat, lat).frame["model"].tolist() == [
        OPUS, HAIKU, HAIKU, OPUS]

    class KindRouter:
        name = "kind-router"

        def route(self, request, constraints=None):  # noqa: ANN001, ANN201
            return Decision(model=HAIKU if request.kind == "read" else SONNET)

    assert simulate(w, KindRouter(), cat, lat).policy == "kind-router"
    with pytest.raises(RoutingError, match="edit"):
        simulate(w, {"plan": OPUS, "read": HAIKU}, cat, lat)
    with pytest.raises(ConfigurationError):
        simulate(w, "cheapest please", cat, lat)


def test_chain_ends_matches_a_loop() -> None:
    rng = np.random.default_rng(0)
    n = 2000
    pred = np.array([-1] + [int(rng.integers(-1, i)) for i in range(1, n)])
    wgt = rng.random(n)
    loop = np.zeros(n)
    for i in range(n):
        loop[i] = wgt[i] + (loop[pred[i]] if pred[i] >= 0 else 0.0)
    assert chain_ends(pred, wgt) == pytest.approx(loop)


def test_seed_arithmetic_50_calls_top_vs_small(cat: Catalog) -> None:
    """The seed's back-of-envelope: 50 sequential calls at 3 s vs 0.5 s -> 2.5 min vs 25 s; the
    cost ratio is the catalog's price ratio (opus-4-5 vs haiku-4-5: 5x on every token class)."""
    calls = [LLMCall("seed", "main", "edit", 4000, 300, 1000, OPUS, start=float(i), duration_s=1.0) for i in range(50)]
    w = Workload.from_calls(calls)
    fixed = LatencyModel({OPUS: Profile(3.0, 1e12, "seed: 3 s per call"), HAIKU: Profile(0.5, 1e12, "seed: 0.5 s")})
    top = simulate(w, f"all:{OPUS}", cat, fixed)
    small = simulate(w, f"all:{HAIKU}", cat, fixed, cache="recorded")
    assert top.totals["wall_s"] == pytest.approx(150.0)  # 2.5 minutes: calls stay sequential
    assert small.totals["wall_s"] == pytest.approx(25.0)
    o, h = cat.get(OPUS), cat.get(HAIKU)
    assert top.totals["cost_usd"] / small.totals["cost_usd"] == pytest.approx(
        (3000 * o.input_price + 1000 * o.cached_input_price + 300 * o.output_price)
        / (3000 * h.input_price + 1000 * h.cached_input_price + 300 * h.output_price))
