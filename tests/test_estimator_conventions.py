"""The routers follow scikit-learn's conventions: keyword-only parameters (old positional calls
warn), members cloned not fitted, learned state in ``*_`` attributes, get/set/clone."""

from __future__ import annotations

import inspect
import warnings

import numpy as np
import pytest

from routerlab.errors import InvalidRequestError
from routerlab.routers._params import clone
from routerlab.routers.cascade import AgreementVerifier, CascadeRouter, LearnedVerifier
from routerlab.routers.predictors import EnsembleRouter, KNNRouter, LogisticRouter, MFRouter, MLPRouter
from routerlab.routers.rules import RuleRouter
from routerlab.routers.threshold import ThresholdRouter

ESTIMATORS = (KNNRouter, LogisticRouter, MLPRouter, MFRouter, EnsembleRouter, ThresholdRouter)


def _data(n: int = 60, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 8)).astype(np.float32)
    Q = np.column_stack([(X[:, 0] > 0), (X[:, 1] > 0.5), np.ones(n)]).astype(float)
    Q[0, 2] = 0.0
    return X, Q, np.tile([0.1, 1.0, 3.0], (n, 1))


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_parameters_after_the_first_are_keyword_only_and_documented(cls: type) -> None:
    params = list(inspect.signature(cls).parameters.values())
    first_kw = 2 if cls is ThresholdRouter else 1
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params[first_kw:])
    doc = inspect.getdoc(cls) or ""
    assert "Parameters\n----------" in doc and "Attributes\n----------" in doc
    for p in params:  # every parameter named in the Parameters section
        assert p.name in doc, (cls.__name__, p.name)


@pytest.mark.parametrize("cls", (CascadeRouter, LearnedVerifier, AgreementVerifier, RuleRouter))
def test_routers_and_verifiers_document_their_parameters_and_attributes(cls: type) -> None:
    doc = inspect.getdoc(cls) or ""
    assert "Parameters\n----------" in doc and "Attributes\n----------" in doc, cls.__name__
    params, attrs = doc.split("Parameters\n----------")[1].split("Attributes\n----------")
    for p in inspect.signature(cls).parameters:  # each named in both sections
        assert p in params and p in attrs, (cls.__name__, p)


def test_old_positional_calls_still_work_with_a_future_warning() -> None:
    with pytest.warns(FutureWarning, match="weighted=..."):
        r = KNNRouter(7, True)
    assert r.k == 7 and r.weighted is True
    with pytest.warns(FutureWarning, match="threshold=..."):
        t = ThresholdRouter("a", "b", 0.7)
    assert t.threshold == 0.7
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        KNNRouter(7, weighted=True)  # the supported spelling is silent
    with pytest.raises(TypeError, match="positional"):
        KNNRouter(1, *([None] * len(inspect.signature(KNNRouter).parameters)))


def test_ensemble_fits_clones_and_leaves_its_members_untouched() -> None:
    X, Q, C = _data()
    members = [KNNRouter(k=5), LogisticRouter(C=0.5)]
    e = EnsembleRouter(members).fit(X, Q, C, ["a", "b", "c"])
    assert all(not hasattr(m, "models_") for m in members)  # the user's objects were not fitted
    assert [type(m) for m in e.members_] == [KNNRouter, LogisticRouter]
    assert all(fitted is not given for fitted, given in zip(e.members_, members, strict=True))
    assert e.members_[0].k == 5 and e.members_[1].C == 0.5
    q = e.predict_quality(X)
    assert q.shape == (60, 3) and ((q >= 0) & (q <= 1)).all()


def test_clone_copies_parameters_not_fitted_state() -> None:
    X, Q, C = _data()
    r = KNNRouter(k=3, weighted=True, tier="coder").fit(X, Q, C)
    c = clone(r)
    assert c.get_params() == r.get_params() and not hasattr(c, "X_")
    nested = clone(ThresholdRouter("a", "b", target="predictor", predictor=r))
    assert nested.predictor is not r and nested.predictor.get_params() == r.get_params()
    assert r.set_params(k=4) is r and r.k == 4
    with pytest.raises(InvalidRequestError, match="not a parameter"):
        r.set_params(n_neighbors=4)


def test_calibrated_threshold_is_learned_state() -> None:
    X, Q, _ = _data()
    pred = KNNRouter(k=5)
    t = ThresholdRouter("a", "b", target="predictor", predictor=pred).fit(X, Q, ["a", "b", "c"])
    assert not hasattr(pred, "models_")  # the predictor given is cloned, not fitted
    assert t.threshold_ == t.threshold == 0.5
    thr = t.calibrate_threshold(X, 0.25)
    assert t.threshold_ == thr and t.threshold == 0.5
    assert t.route_arrays(X).mean() == pytest.approx(0.25, abs=0.1)
    assert all(d.threshold == thr for d in t.decide(X[:3]))
