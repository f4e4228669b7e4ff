"""Intervals, paired tests and the 95% rule on recorded outcomes (no data mirror needed)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from routerlab.datasets.table import OutcomeTable
from routerlab.errors import InvalidRequestError
from routerlab.evaluation.intervals import difference_interval, mcnemar, paired_bootstrap, proportion_interval
from routerlab.quality import agent_cascade, agent_rule, group_router, oracle_headroom, relative_rule
from routerlab.quality.policy import pareto_front
from routerlab.routers.calibrate import calibrate_outcomes, exact_lower, wilson_lower


def test_interval_sides_are_calibrates_one_sided_bounds() -> None:
    lo, hi = proportion_interval([148, 0, 38.5], [150, 10, 97])
    assert lo[0] == pytest.approx(wilson_lower(148, 150, 0.975))
    assert hi[0] == pytest.approx(1 - wilson_lower(2, 150, 0.975))
    assert lo[1] == pytest.approx(0.0, abs=1e-12) and 0 < hi[1] < 0.35
    assert lo[2] < 38.5 / 97 < hi[2]  # fractional successes (a mean over trials) are fine with Wilson
    elo, _ = proportion_interval(95, 100, method="exact")
    assert float(elo) == pytest.approx(exact_lower(95, 100, 0.975))
    with pytest.raises(InvalidRequestError, match="successes must be in"):
        proportion_interval(5, 4)
    with pytest.raises(InvalidRequestError, match="method must be one of"):
        proportion_interval(1, 4, method="wald")


def test_difference_interval_covers_zero_for_equal_rates_and_not_for_distant_ones() -> None:
    lo, hi = difference_interval(70, 100, 70, 100)
    assert lo < 0 < hi
    lo, hi = difference_interval(90, 100, 50, 100)
    assert 0 < lo < 0.4 < hi


def test_mcnemar_matches_scipys_binomial_test_column_by_column() -> None:
    from scipy.stats import binomtest

    rng = np.random.default_rng(3)
    a, b = rng.random((300, 4)) < 0.5, rng.random(300) < 0.6
    res = mcnemar(a, b)
    for j in range(4):
        x, y = int((a[:, j] & ~b).sum()), int((~a[:, j] & b).sum())
        assert (res["only_a"][j], res["only_b"][j]) == (x, y)
        assert res["p_value"][j] == pytest.approx(binomtest(x, x + y).pvalue)
    assert mcnemar(b, b)["p_value"] == 1.0


def test_paired_bootstrap_resamples_are_shared_and_reproducible() -> None:
    x = np.arange(10.0)
    a = paired_bootstrap(lambda w: np.c_[w @ x, w @ (2 * x)], 10, n_boot=50, seed=1)
    assert a.shape == (50, 2) and np.allclose(a[:, 1], 2 * a[:, 0])  # one resample for both columns
    assert np.array_equal(a, paired_bootstrap(lambda w: np.c_[w @ x, w @ (2 * x)], 10, n_boot=50, seed=1))


def test_calibrate_outcomes_picks_the_cheapest_qualifier_and_never_an_unpriced_one() -> None:
    r = calibrate_outcomes(["big", "small", "free?"], [148, 140, 149], 150, [1e-3, 5e-4, float("nan")], target=0.85)
    assert r.chosen == "small"
    r = calibrate_outcomes(["big", "free?"], [120, 149], 150, [1e-3, float("nan")], target=0.95)
    assert r.chosen is None and "free? would qualify but: cost not recorded" in r.message


def test_relative_rule_targets_share_of_the_best_rate() -> None:
    r = relative_rule(["a", "b"], [90, 60], 100, [2.0, 1.0], share=0.5)
    assert r.target == pytest.approx(0.45) and r.chosen == "b"
    assert r.table["share_of_best"].tolist() == pytest.approx([1.0, 60 / 90])


def _table(q: np.ndarray, c: np.ndarray, groups: list[str]) -> OutcomeTable:
    ids = [f"i{k}" for k in range(len(q))]
    prompts = pd.DataFrame({"id": ids, "text": groups, "embed_text": groups, "split": "all", "benchmark": groups})
    return OutcomeTable("toy", prompts, ["cheap", "mid", "top"], q, c)


def test_agent_rule_oracle_cascade_and_group_router_on_a_toy_table() -> None:
    rng = np.random.default_rng(0)
    n = 400
    groups = ["a"] * 200 + ["b"] * 200
    top = rng.random(n) < 0.8
    cheap = np.where(np.arange(n) < 200, top, rng.random(n) < 0.2)  # as good as top on a, poor on b
    mid = top & (rng.random(n) < 0.97)
    q = np.c_[cheap, mid, top].astype(float)
    c = np.tile([0.01, 0.1, 1.0], (n, 1))
    t = _table(q, c, groups)
    r = agent_rule(t, n_boot=500)
    assert r.best == "top"
    row = r.table.set_index("model")
    assert r.chosen in (None, "mid", "top") and not row.loc["cheap", "qualifies"]
    assert row.loc["top", "only_model"] == 0 and row.loc["top", "only_best"] == 0
    head = oracle_headroom(t)
    assert head["oracle_rate"] == pytest.approx(q.max(axis=1).mean())
    assert head["oracle_cost"] < head["best_cost"]
    casc = agent_cascade(t, ["cheap", "top"])
    ran_top = q[:, 0] == 0
    assert casc["cost_per_instance"] == pytest.approx(0.01 + ran_top.mean() * 1.0)
    assert casc["rate"] == pytest.approx(np.maximum(q[:, 0], q[:, 2]).mean())
    routed = group_router(t, k=4).set_index("router")
    ins = routed.loc["repository router (in-sample)"]
    assert ins["rate"] >= head["best_rate"] and ins["cost_per_instance"] < head["best_cost"]  # cheap serves group a


def test_pareto_front_agrees_with_the_quadratic_definition() -> None:
    rng = np.random.default_rng(0)
    for _ in range(20):
        x = rng.integers(0, 6, (150, 3)).astype(float)
        x[rng.random((150, 3)) < 0.05] = np.inf
        le, lt = (x[:, None] <= x[None]).all(2), (x[:, None] < x[None]).any(2)
        assert np.array_equal(pareto_front(x), ~(le & lt).any(0))
