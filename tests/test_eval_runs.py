"""Cross-validation building blocks of routerlab.evaluation.runs on tiny hand-made tables."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from routerlab.datasets import OutcomeTable
from routerlab.errors import InvalidRequestError
from routerlab.evaluation.runs import kfold_predictions, out_of_fold, stratified_folds


def _table() -> OutcomeTable:
    """8 prompts in two topics: 'cheap' is right on topic a only, 'pricey' on both (costs 1 and 4)."""
    n = 8
    topic = np.array(list("aaaabbbb"))
    prompts = pd.DataFrame({"id": [str(i) for i in range(n)], "text": list("abcdefgh"),
                            "embed_text": list("abcdefgh"), "split": "all", "benchmark": topic})
    q = np.column_stack([(topic == "a").astype(float), np.ones(n)])
    c = np.array([[1.0, 4.0]] * n)
    return OutcomeTable("toy", prompts, ["cheap", "pricey"], q, c)


def test_stratified_folds_balance_each_group_and_the_folds() -> None:
    groups = np.array(["x"] * 7 + ["y"] * 5 + ["z"] * 2 + ["w"])
    folds = stratified_folds(groups, k=3, seed=0)
    assert folds.shape == (15,) and set(folds.tolist()) == {0, 1, 2}
    assert np.bincount(folds).tolist() == [5, 5, 5]
    for g in np.unique(groups):
        per_fold = np.bincount(folds[groups == g], minlength=3)
        assert per_fold.max() - per_fold.min() <= 1, g
    assert (stratified_folds(groups, 3, seed=0) == folds).all()  # reproducible
    assert any((stratified_folds(groups, 3, seed=s) != folds).any() for s in range(1, 5))


def test_stratified_folds_reject_bad_input() -> None:
    with pytest.raises(InvalidRequestError):
        stratified_folds(["a", "b"], k=5)
    with pytest.raises(InvalidRequestError):
        stratified_folds(["a"] * 10, k=1)


def test_out_of_fold_never_predicts_a_row_it_trained_on() -> None:
    folds = np.array([0, 1, 2, 0, 1, 2, 0])
    calls: list[tuple[set[int], set[int]]] = []

    def fit_predict(tr: np.ndarray, te: np.ndarray) -> np.ndarray:
        calls.append((set(tr.tolist()), set(te.tolist())))
        return np.column_stack([te, np.full(len(te), len(tr))])  # (row id, training size)

    out = out_of_fold(folds, fit_predict)
    assert len(calls) == 3
    for tr, te in calls:
        assert not tr & te and tr | te == set(range(7))
    assert out[:, 0].tolist() == list(range(7))  # each row predicted once, in place
    assert out[:, 1].tolist() == [4, 5, 5, 4, 5, 5, 4]


def test_out_of_fold_rejects_a_wrong_prediction_count_and_a_single_fold() -> None:
    with pytest.raises(InvalidRequestError, match="2 test rows"):
        out_of_fold([0, 1, 0, 1], lambda tr, te: np.zeros(len(te) + 1))
    with pytest.raises(InvalidRequestError, match="at least 2 folds"):
        out_of_fold([0, 0, 0], lambda tr, te: np.zeros(len(te)))


def test_kfold_predictions_learn_from_other_folds_only() -> None:
    from routerlab.routers.predictors import KNNRouter

    t = _table()
    # one direction per topic, so a prompt's nearest neighbours are its own topic's other prompts
    X = np.array([[1.0, 0.0]] * 4 + [[0.0, 1.0]] * 4)
    folds = stratified_folds(t.prompts["benchmark"], k=2, seed=0)
    q, c = kfold_predictions(X, t, lambda: KNNRouter(k=2), folds)
    assert q.shape == c.shape == (8, 2)
    np.testing.assert_allclose(q, t.quality)  # held-out prompts get their topic's outcomes
    np.testing.assert_allclose(c, np.array([[0.25, 1.0]] * 8), atol=1e-6)  # cost / most expensive mean

    seen: list[set[int]] = []

    class Spy(KNNRouter):  # a real kNN that also checks what it is asked to predict
        def fit(self, X: np.ndarray, quality: np.ndarray, cost: Any = None, models: Any = None) -> Spy:
            seen.append({int(i) for i in X[:, 0]})
            super().fit(X, quality, cost, models)
            return self

        def predict_quality(self, X: np.ndarray) -> np.ndarray:
            assert not {int(i) for i in X[:, 0]} & seen[-1]
            return super().predict_quality(X)

    ids = np.column_stack([np.arange(8.0), np.ones(8)])  # column 0 names the row
    kfold_predictions(ids, t, lambda: Spy(k=1), folds)
    assert len(seen) == 2 and seen[0] | seen[1] == set(range(8)) and not seen[0] & seen[1]
    with pytest.raises(InvalidRequestError, match="rows"):
        kfold_predictions(X[:5], t, lambda: KNNRouter(k=1), folds)
