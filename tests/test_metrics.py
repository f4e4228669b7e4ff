"""Each metric against a small example worked by hand (numbers in the comments)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from routerlab.errors import InvalidRequestError
from routerlab.evaluation import (
    aiq,
    apgr,
    bootstrap_ci,
    cost_to_reach,
    cost_weight_sweep,
    cpt,
    curve_summary,
    mean_cost,
    mean_quality,
    nondecreasing_hull,
    oracle_choice,
    pareto_mask,
    pgr,
    routellm_thresholds,
    threshold_sweep,
    total_cost,
)

Q = np.array([[1, 0], [0, 1], [1, 1]], dtype=float)
C = np.array([[1, 10], [1, 10], [1, 10]], dtype=float)
# a router's sweep: (cost, quality); (2, .6) lies under the chord (1,.5)-(3,.9); (4, .8) is dominated
PTS_C = np.array([1, 2, 3, 4, 5], dtype=float)
PTS_Q = np.array([0.5, 0.6, 0.9, 0.8, 0.95])


def test_quality_and_cost_of_a_choice() -> None:
    choice = [0, 1, 0]
    assert mean_quality(Q, choice) == 1.0  # (1 + 1 + 1) / 3
    assert total_cost(C, choice) == 12.0  # 1 + 10 + 1
    assert mean_cost(C, choice) == 4.0
    assert mean_quality(Q, [1, 0, 1]) == pytest.approx(1 / 3)
    with pytest.raises(InvalidRequestError):
        mean_quality(Q, [0, 2, 0])
    with pytest.raises(InvalidRequestError):
        mean_quality(Q, [0, 1])


def test_pgr() -> None:
    assert pgr(0.75, 0.5, 1.0) == 0.5
    assert pgr(1.0, 0.5, 1.0) == 1.0
    with pytest.raises(InvalidRequestError):
        pgr(0.5, 0.6, 0.6)


def test_apgr_worked_example() -> None:
    # trapezoids: 0.5*(0.5+0.9)/2 + 0.5*(0.9+1.0)/2 = 0.825; weak area 0.5; gap area 0.5
    assert apgr([0, 0.5, 1], [0.5, 0.9, 1.0], 0.5, 1.0) == pytest.approx((0.825 - 0.5) / 0.5)
    # a random router interpolates linearly between weak and strong: APGR 0.5
    x = np.linspace(0, 1, 11)
    assert apgr(x, 0.6 + 0.3 * x, 0.6, 0.9) == pytest.approx(0.5)
    # order of points does not matter
    assert apgr([1, 0, 0.5], [1.0, 0.5, 0.9], 0.5, 1.0) == pytest.approx(0.65)


def test_cpt_worked_example() -> None:
    share, qual = [0, 0.5, 1], [0.5, 0.9, 1.0]
    # 50% of the gap: 0.75, reached between (0, .5) and (.5, .9): 0.5 * 0.25 / 0.4
    assert cpt(0.5, share, qual, 0.5, 1.0) == pytest.approx(0.3125)
    assert cpt(1.0, share, qual, 0.5, 1.0) == pytest.approx(1.0)
    assert cpt(0.0, share, qual, 0.5, 1.0) == 0.0
    # never reached -> inf
    assert cpt(0.5, [0, 1], [0.5, 0.6], 0.5, 1.0) == float("inf")


def test_hull_worked_example() -> None:
    hull = nondecreasing_hull(PTS_C, PTS_Q)
    np.testing.assert_allclose(hull, [[1, 0.5], [3, 0.9], [5, 0.95]])
    # equal-cost points keep the best; a costlier worse point never enters
    np.testing.assert_allclose(nondecreasing_hull([1, 1, 2], [0.2, 0.4, 0.3]), [[1, 0.4]])


def test_aiq_worked_example() -> None:
    # area: 2*(.5+.9)/2 + 2*(.9+.95)/2 = 1.4 + 1.85 = 3.25 over width 4
    assert aiq(PTS_C, PTS_Q) == pytest.approx(3.25 / 4)
    # flat extension to c_max = 7: + 2 * .95
    assert aiq(PTS_C, PTS_Q, 1, 7) == pytest.approx((3.25 + 1.9) / 6)
    # nothing left of the first point: [0, 1] counts 0
    assert aiq(PTS_C, PTS_Q, 0, 5) == pytest.approx(3.25 / 5, abs=1e-9)
    # a single model: a flat line at its quality
    assert aiq([2.0], [0.7], 2.0, 4.0) == pytest.approx(0.7)


def test_cost_to_reach_and_pareto() -> None:
    assert cost_to_reach(PTS_C, PTS_Q, 0.7) == pytest.approx(2.0)  # 1 + 2 * (0.2 / 0.4)
    assert cost_to_reach(PTS_C, PTS_Q, 0.5) == 1.0
    assert cost_to_reach(PTS_C, PTS_Q, 0.96) == float("inf")
    assert pareto_mask(PTS_C, PTS_Q).tolist() == [True, True, True, False, True]


def test_curve_summary_fractions_of_reference() -> None:
    s = curve_summary(PTS_C, PTS_Q, ref_cost=5.0, ref_quality=0.95, c_min=1, c_max=5)
    assert s["AIQ"] == pytest.approx(0.8125) and s["max_quality"] == 0.95
    # 95% of .95 = .9025 on segment (3,.9)-(5,.95): 3 + 2 * .0025/.05 = 3.1 -> 3.1 / 5
    assert s["cost@95%"] == pytest.approx(0.62)
    assert s["cost@100%"] == pytest.approx(1.0)


def test_oracle_picks_cheapest_correct() -> None:
    q = np.array([[0, 1, 1], [0, 0, 0], [1, 1, 0]], dtype=float)
    c = np.array([[1, 5, 3], [1, 5, 3], [2, 1, 3]], dtype=float)
    assert oracle_choice(q, c).tolist() == [2, 0, 1]


def test_threshold_sweep_worked_example() -> None:
    scores = np.array([0.9, 0.1, 0.5, 0.7])
    qs, qw = np.array([1, 1, 0, 1.0]), np.array([0, 1, 0, 1.0])
    df = threshold_sweep(scores, qs, qw, thresholds=[0.0, 0.6, 1.0], cost_strong=10.0, cost_weak=1.0)
    assert df["strong_share"].tolist() == [1.0, 0.5, 0.0]
    assert df["quality"].tolist() == [0.75, 0.75, 0.5]
    assert df["mean_cost"].tolist() == [10.0, 5.5, 1.0]  # (10 + 1 + 1 + 10) / 4 at 0.6
    # same as routing each threshold one by one
    thr = np.linspace(0, 1, 37)
    fast = threshold_sweep(scores, qs, qw, thresholds=thr)
    slow = [np.where(scores >= t, qs, qw).mean() for t in thr]
    np.testing.assert_allclose(fast["quality"], slow)


def test_routellm_thresholds_span_all_to_none() -> None:
    s = np.arange(11, dtype=float)
    thr = routellm_thresholds(s, num_results=10)
    assert len(thr) == 11 and thr[0] == 0.0
    df = threshold_sweep(s, np.ones(11), np.zeros(11), thresholds=thr)
    assert df["strong_share"].iloc[0] == 1.0 and df["strong_share"].iloc[-1] == 0.0


def test_cost_weight_sweep_moves_from_best_to_cheapest() -> None:
    pq, pc = np.array([[0.5, 0.9]]), np.array([[1.0, 10.0]])
    q, c = np.array([[0.0, 1.0]]), np.array([[1.0, 10.0]])
    df = cost_weight_sweep(pq, pc, q, c, weights=[0.0, 1.0], cost_scale=10.0)
    # w=0: model 1; w=1: .5 - .1 = .4 beats .9 - 1 = -.1 -> model 0
    assert df["quality"].tolist() == [1.0, 0.0] and df["mean_cost"].tolist() == [10.0, 1.0]


def test_bootstrap_ci() -> None:
    x = np.array([0, 1] * 50, dtype=float)
    point, lo, hi = bootstrap_ci(lambda idx: x[idx].mean(), len(x), n_boot=400, seed=1)
    assert point == 0.5 and lo < 0.5 < hi and 0.35 < lo and hi < 0.65
    assert bootstrap_ci(lambda idx: x[idx].mean(), len(x), n_boot=50, seed=1) == \
        bootstrap_ci(lambda idx: x[idx].mean(), len(x), n_boot=50, seed=1)
    const = np.ones(10)
    assert bootstrap_ci(lambda idx: const[idx].mean(), 10, n_boot=20) == (1.0, 1.0, 1.0)


def _tiny_table() -> Any:
    import pandas as pd

    from routerlab.datasets import OutcomeTable

    prompts = pd.DataFrame({"id": list("abcd"), "text": list("abcd"), "embed_text": list("abcd"),
                            "split": "test", "benchmark": "toy"})
    # weak is right on a, b; strong on a, b, c; strong costs 10, weak 1
    q = np.array([[1, 1], [1, 1], [0, 1], [0, 0]], dtype=float)
    c = np.array([[1, 10]] * 4, dtype=float)
    return OutcomeTable("toy", prompts, ["weak", "strong"], q, c)


def test_routerbench_table_on_a_tiny_table() -> None:
    import pandas as pd

    from routerlab.evaluation.runs import routerbench_table

    t = _tiny_table()
    # a router that sends only prompt c to strong: quality .75 at mean cost (1+1+10+1)/4 = 3.25
    curve = pd.DataFrame({"mean_cost": [1.0, 3.25], "quality": [0.5, 0.75]})
    tab = routerbench_table(t, {"r": curve}, reference="strong")
    assert tab.loc["best single (strong)", "max_quality"] == 0.75
    assert tab.loc["zero router (hull of single models)", "AIQ"] == pytest.approx(0.625)  # line from .5 to .75
    assert tab.loc["r", "AIQ"] == pytest.approx((2.25 * 0.625 + 6.75 * 0.75) / 9)
    assert tab.loc["r", "cost@100%"] == pytest.approx(0.325)
    # oracle: weak on a, b (cost 1), strong on c (10), weak on d (nobody right: cheapest) -> 13/4
    assert tab.loc["oracle", "max_quality"] == 0.75 and tab.loc["oracle", "cost@100%"] == pytest.approx(0.325)


def test_kfold_scores_are_out_of_fold_and_apgr_report() -> None:
    from routerlab.evaluation.runs import apgr_report, kfold_scores

    t = _tiny_table()
    X = np.arange(4, dtype=float)[:, None]
    seen: list[set[float]] = []

    class Scorer:  # a test double: remembers its training rows, scores a row by its index
        def fit(self, X: np.ndarray, quality: np.ndarray, models: list[str], cost: np.ndarray) -> Scorer:
            seen.append(set(X[:, 0].tolist()))
            return self

        def score(self, X: np.ndarray) -> np.ndarray:
            assert not set(X[:, 0].tolist()) & seen[-1]  # never scores its own training rows
            return np.array([1.0 if x == 2 else 0.0 for x in X[:, 0]])

    sc = kfold_scores(X, t, Scorer, k=2, seed=0)
    assert sc.tolist() == [0, 0, 1, 0] and len(seen) == 2
    rep = apgr_report(sc, t, "strong", "weak", num_results=4)
    # the curve goes (0, .5) -> (.25, .75) -> (1, .75): perfect routing, APGR = (area - .5) / .25
    assert rep["APGR"] == pytest.approx(((0.25 * 1.25 / 2 + 0.75 * 0.75) - 0.5) / 0.25)
    assert rep["CPT(50%)"] == pytest.approx(0.125)


def test_roc_auc_worked_example_and_within_group() -> None:
    from routerlab.evaluation import roc_auc, within_group_auc

    # positives score 0.9, 0.4; negatives 0.5, 0.1: pairs won 1 + 1 + 0 + 1 = 3 of 4
    assert roc_auc([1, 1, 0, 0], [0.9, 0.4, 0.5, 0.1]) == pytest.approx(0.75)
    assert roc_auc([1, 0], [0.3, 0.3]) == pytest.approx(0.5)  # a tie counts half
    assert np.isnan(roc_auc([1, 1], [0.1, 0.2]))
    # The score knows only the group: it ranks well across groups (group a is mostly right),
    # not at all inside them.
    q = np.array([[1.0], [1.0], [1.0], [0.0], [1.0], [0.0], [0.0], [0.0]])
    p = np.array([[0.9], [0.9], [0.9], [0.9], [0.1], [0.1], [0.1], [0.1]])
    g = np.array(["a"] * 4 + ["b"] * 4)
    assert within_group_auc(p, q, g).tolist() == [[0.5], [0.5]]
    assert roc_auc(q[:, 0], p[:, 0]) == pytest.approx(0.75)  # (1.5 + 9 + 0 + 1.5) / 16 pairs
    with pytest.raises(InvalidRequestError):
        roc_auc([1, 0], [0.5])


def test_group_mean_predictions_know_only_the_group() -> None:
    from routerlab.evaluation.runs import group_mean_predictions

    t = _tiny_table()
    t.prompts["benchmark"] = ["x", "x", "y", "y"]
    train = t.select([0, 2, 3])
    test = t.select([1, 3])
    test.prompts.loc[1, "benchmark"] = "unseen"
    q, c, scale = group_mean_predictions(train, test)
    # prompt b (group x): training saw only a in x -> weak 1, strong 1; an unseen group gets the overall mean
    assert q.tolist() == [[1.0, 1.0], [1 / 3, 2 / 3]]
    assert c.tolist() == [[1.0, 10.0], [1.0, 10.0]] and scale == 10.0
    with pytest.raises(InvalidRequestError):
        group_mean_predictions(train, test, column="nope")
    with pytest.raises(InvalidRequestError):
        group_mean_predictions(train, test.subset_models(["strong", "weak"]))


def test_wilson_interval_matches_scipy_and_the_calibration_bound() -> None:
    from routerlab.evaluation import wilson_interval
    from routerlab.routers.calibrate import wilson_lower

    stats = pytest.importorskip("scipy.stats")
    k, n = np.array([0, 7, 390, 20]), np.array([10, 20, 400, 20])
    low, high = wilson_interval(k, n, 0.90)
    for i in range(len(k)):
        ref = stats.binomtest(int(k[i]), int(n[i])).proportion_ci(0.90, "wilson")
        assert (low[i], high[i]) == pytest.approx((ref.low, ref.high), abs=1e-12)
        assert low[i] == wilson_lower(int(k[i]), int(n[i]), 0.95)  # one-sided 95% = two-sided 90%
    lo0, hi0 = wilson_interval([0.0, 3.5], [0, 10])  # no trials: no information; fractional successes work
    assert (lo0[0], hi0[0]) == (0.0, 1.0) and 0 < lo0[1] < 0.35 < hi0[1] < 1


def test_viz_draws_the_evaluation_statistics() -> None:
    from routerlab import evaluation, viz

    assert viz.upper_hull is evaluation.upper_hull and viz.wilson_interval is evaluation.wilson_interval
    xs, ys = evaluation.upper_hull(PTS_C, PTS_Q)
    hull = nondecreasing_hull(PTS_C, PTS_Q)
    np.testing.assert_allclose(xs[: len(hull)], hull[:, 0])
    assert xs[-1] == max(PTS_C) and ys[-1] == hull[-1, 1]
