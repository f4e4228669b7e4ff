"""Learned routers take group features (a prompt's subject, a step's kind): a shrunk per-group
prior plus the embedding's per-prompt residual. Never below knowing the group only, above it
where the embedding carries signal within the groups; unseen groups and no groups fall back."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from routerlab.datasets.table import PROMPT_COLUMNS, OutcomeTable
from routerlab.errors import InvalidRequestError
from routerlab.evaluation.selection import oof_aiq, select_router
from routerlab.routers.predictors import EnsembleRouter, KNNRouter, LogisticRouter
from routerlab.types import Request


def _table(n: int, signal: float, seed: int) -> tuple[np.ndarray, OutcomeTable, np.ndarray]:
    """Two models on 4 groups: the group sets each model's accuracy; ``signal`` of the within-group
    outcome of the cheap model is readable from the embedding, the rest is noise."""
    rng = np.random.default_rng(seed)
    g = rng.integers(0, 4, n)
    X = rng.normal(size=(n, 16)).astype(np.float32)
    X[:, :4] += 3.0 * np.eye(4)[g]  # the embedding also knows the group, roughly
    base_cheap = np.array([0.2, 0.4, 0.6, 0.8])[g]
    p_cheap = np.clip(base_cheap + signal * np.tanh(X[:, 5]), 0, 1)
    cheap = (rng.random(n) < p_cheap).astype(float)
    strong = (rng.random(n) < 0.85).astype(float)
    Q = np.column_stack([cheap, strong])
    C = np.tile([0.1, 1.0], (n, 1))
    cols = {c: [f"p{i}" for i in range(n)] if c in ("id", "text", "embed_text") else "x" for c in PROMPT_COLUMNS}
    prompts = pd.DataFrame({**cols, "subject": [f"s{v}" for v in g]})
    return X, OutcomeTable("synthetic", prompts, ["cheap", "strong"], Q, C), g


def _aiq(router: EnsembleRouter, X: np.ndarray, t: OutcomeTable, groups: np.ndarray | None) -> float:
    return oof_aiq(router.predict_quality(X, groups), router.predict_cost(X) / router.cost_scale_, t.quality, t.cost)


def _task_identity(tr: OutcomeTable, te: OutcomeTable, gtr: np.ndarray, gte: np.ndarray) -> float:
    q = np.stack([tr.quality[gtr == v].mean(axis=0) for v in gte])
    c = np.tile(tr.cost.mean(axis=0) / tr.cost.mean(axis=0).max(), (len(gte), 1))
    return oof_aiq(q, c, te.quality, te.cost)


@pytest.mark.parametrize("signal", [0.0, 0.35])
def test_group_prior_is_never_below_task_identity_and_adds_the_embeddings_signal(signal: float) -> None:
    X, t, g = _table(1600, signal, seed=1)
    tr, te = np.arange(1600) < 1000, np.arange(1600) >= 1000
    ttr, tte = t.select(np.flatnonzero(tr)), t.select(np.flatnonzero(te))
    make = lambda: EnsembleRouter([KNNRouter(k=50, weighted=True), LogisticRouter(C=0.3)])  # noqa: E731
    plain = make().fit(X[tr], ttr.quality, ttr.cost, ttr.models)
    grouped = make().set_params(residual_weight="auto").fit(X[tr], ttr.quality, ttr.cost, ttr.models, groups=g[tr])
    a_group, a_ti = _aiq(grouped, X[te], tte, g[te]), _task_identity(ttr, tte, g[tr], g[te])
    assert a_group >= a_ti - 0.005
    if signal > 0:
        assert a_group > a_ti + 0.005  # the embedding's within-group signal adds to the group prior
        assert grouped.residual_weight_[0] > 0.3
    else:
        assert grouped.residual_weight_[0] < 0.3  # no signal within groups: the residual is shrunk away
    assert a_group >= _aiq(plain, X[te], tte, None) - 0.005


def test_inner_cv_default_is_exactly_task_identity_without_signal_and_adds_the_signal_it_finds() -> None:
    make = lambda: EnsembleRouter([KNNRouter(k=50, weighted=True), LogisticRouter(C=0.3)])  # noqa: E731
    for signal in (0.0, 0.35):
        X, t, g = _table(1600, signal, seed=5)
        tr, te = np.arange(1600) < 1000, np.arange(1600) >= 1000
        ttr, tte = t.select(np.flatnonzero(tr)), t.select(np.flatnonzero(te))
        r = make().fit(X[tr], ttr.quality, ttr.cost, ttr.models, groups=g[tr])  # "cv" for both, the default
        assert set(r.group_cv_scores_) == {"group_strength", "residual_weight"}
        a_group, a_ti = _aiq(r, X[te], tte, g[te]), _task_identity(ttr, tte, g[tr], g[te])
        if signal == 0:
            assert r.group_strength_ == 0 and r.residual_weight_[0] == 0
            task_q = np.stack([ttr.quality[g[tr] == v].mean(axis=0) for v in g[te]])
            np.testing.assert_allclose(r.predict_quality(X[te], g[te]), task_q)  # the task-identity router
        else:
            assert r.residual_weight_[0] > 0 and a_group > a_ti + 0.005
    with pytest.raises(InvalidRequestError, match="residual_weight"):
        KNNRouter(residual_weight="big").fit(X, t.quality, groups=g)
    with pytest.raises(InvalidRequestError, match="group_strength"):
        KNNRouter(group_strength=-1.0).fit(X, t.quality, groups=g)


def test_groups_come_from_table_columns_and_request_kind_or_metadata() -> None:
    X, t, g = _table(300, 0.3, seed=2)
    r = KNNRouter(k=20, group_by="subject", group_cv=0).fit_table(t, X)
    assert set(r.group_sizes_) == {"s0", "s1", "s2", "s3"} and sum(r.group_sizes_.values()) == 300
    assert r.group_priors_["s0"][0] < r.group_priors_["s3"][0]  # the cheap model's accuracy by group
    keys = r._request_groups([Request.user("a", metadata={"subject": "s3"}), Request.user("b")])
    assert list(keys) == ["s3", "None"]
    q_unseen = r.predict_quality(X[:2], ["never-seen", "never-seen"])
    q_none = r.predict_quality(X[:2])  # no groups given: the overall prior, not an error
    np.testing.assert_allclose(q_unseen, q_none)
    by_kind = KNNRouter(k=20, group_by="kind", group_cv=0).fit(X, t.quality, groups=g)
    assert list(by_kind._request_groups([Request.user("x", kind="2")])) == ["2"]
    with pytest.raises(InvalidRequestError, match="not columns"):
        KNNRouter(group_by="topic").fit_table(t, X)
    with pytest.raises(InvalidRequestError, match="groups has 3 rows"):
        KNNRouter().fit(X, t.quality, groups=["a", "b", "c"])


def test_several_group_columns_combine_into_one_key() -> None:
    X, t, g = _table(200, 0.0, seed=3)
    t.prompts["split2"] = np.where(np.arange(200) % 2, "odd", "even")
    r = KNNRouter(k=10, group_by=["subject", "split2"], group_cv=0).fit_table(t, X)
    assert len(r.group_sizes_) == 8 and "s1|odd" in r.group_sizes_


def test_select_router_reports_inner_cv_choices_on_a_small_grid() -> None:
    X, t, g = _table(240, 0.3, seed=4)
    grid = {"knn": {"kNN k=10": lambda: KNNRouter(k=10, weighted=True), "kNN k=40": lambda: KNNRouter(k=40)},
            "logistic": {"logistic C=0.3": lambda: LogisticRouter(C=0.3)}}
    sel = select_router(X, t, groups=g, inner_k=3, outer_k=2, seeds=(0, 1), grid=grid)
    ens = sel.inner[sel.inner["kind"] == "ensemble"]
    assert len(ens) == 3 * (1 + 6)  # {best kNN}, {logistic}, both; without the prior, with it at 6 weights
    assert sel.members == tuple(ens.iloc[0]["members"]) and sel.groups == bool(ens.iloc[0]["groups"])
    assert (sel.inner["kind"] == "task identity").sum() == 1
    assert set(sel.outer["seed"]) == {0, 1} and len(sel.outer) == 4
    assert "outer-CV AIQ" in sel.summary()


def test_aiq_convention_left_of_the_cheapest_point_is_an_option() -> None:
    from routerlab.evaluation.metrics import aiq

    cost, quality = [2.0, 4.0], [0.6, 0.8]  # the curve starts at cost 2 of a [0, 4] range
    zero, flat = aiq(cost, quality, 0.0, 4.0), aiq(cost, quality, 0.0, 4.0, left="flat")
    assert zero == pytest.approx((0.0 * 2 + (0.6 + 0.8) / 2 * 2) / 4)  # routerlab: 0 left of cost 2
    assert flat == pytest.approx((0.6 * 2 + (0.6 + 0.8) / 2 * 2) / 4)  # RouterBench: held at 0.6
    assert aiq([0.0, 4.0], quality, 0.0, 4.0) == aiq([0.0, 4.0], quality, 0.0, 4.0, left="flat")
    with pytest.raises(InvalidRequestError):
        aiq(cost, quality, 0.0, 4.0, left="hold")
