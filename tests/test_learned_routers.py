"""Learned routers on a small real subset of RouterBench 0-shot (real MiniLM embeddings)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from routerlab.datasets import OutcomeTable, load_routerbench_zs
from routerlab.errors import InvalidRequestError, RoutingError
from routerlab.providers import FunctionProvider
from routerlab.routers.base import RouteConstraints
from routerlab.routers.cascade import (
    AgreementVerifier,
    CascadeRouter,
    LearnedVerifier,
    agreement_confidence,
    noisy_oracle_accepts,
    normalize_answer,
    simulate_cascade,
    verifier_errors,
)
from routerlab.routers.learned import LearnedRouter
from routerlab.routers.predictors import EnsembleRouter, KNNRouter, LogisticRouter, MFRouter, MLPRouter
from routerlab.routers.threshold import ThresholdRouter
from routerlab.types import Completion, Request, Usage

MIRROR = Path(__file__).resolve().parents[2] / "shared" / "data"
pytestmark = pytest.mark.skipif(not MIRROR.is_dir(), reason="needs ../shared/data beside the checkout")
pytest.importorskip("sklearn")
pytest.importorskip("onnxruntime")

GPT4, CHEAP = "gpt-4-1106-preview", "mistral-7b-chat"


def _subset(t: OutcomeTable, per_bench: int, seed: int) -> OutcomeTable:
    rng = np.random.default_rng(seed)
    idx = np.concatenate([rng.choice(np.flatnonzero(t.prompts["benchmark"] == b), per_bench, replace=False)
                          for b in t.benchmarks])
    return t.select(np.sort(idx))


@pytest.fixture(scope="module")
def data() -> dict[str, Any]:
    from routerlab.embeddings import Embedder

    t = load_routerbench_zs(MIRROR, quiet=True)
    tr, te = _subset(t.split("train"), 100, 0), _subset(t.split("test"), 40, 1)
    emb = Embedder()
    return {"tr": tr, "te": te, "Xtr": emb.embed(tr.texts), "Xte": emb.embed(te.texts), "emb": emb}


def _routers() -> list[LearnedRouter]:
    return [KNNRouter(k=10), LogisticRouter(C=0.5), MLPRouter(hidden=(64,), max_iter=200, early_stopping=False), MFRouter(dim=8, epochs=60),
            EnsembleRouter([KNNRouter(k=10), LogisticRouter(C=0.5)])]


@pytest.fixture(scope="module")
def fitted(data: dict[str, Any]) -> list[LearnedRouter]:
    return [r.fit(data["Xtr"], data["tr"].quality, data["tr"].cost, data["tr"].models) for r in _routers()]


@pytest.mark.parametrize("router", _routers(), ids=lambda r: r.name)
def test_unfitted_raises_routing_error(router: LearnedRouter) -> None:
    with pytest.raises(RoutingError, match="not fitted"):
        router.predict_quality(np.zeros((1, 384)))
    with pytest.raises(RoutingError):
        router.route(Request.user("hello"))


def test_fit_returns_self_and_learned_state(data: dict[str, Any]) -> None:
    r = KNNRouter(k=5)
    assert r.fit(data["Xtr"], data["tr"].quality, data["tr"].cost, data["tr"].models) is r
    assert r.models_ == data["tr"].models and r.n_features_in_ == 384
    assert r.get_params()["k"] == 5
    with pytest.raises(InvalidRequestError):
        r.predict_quality(np.zeros((2, 10)))
    with pytest.raises(InvalidRequestError):
        KNNRouter().fit(data["Xtr"], data["tr"].quality[:10])


def test_knn_k1_recalls_training_outcomes(data: dict[str, Any]) -> None:
    r = KNNRouter(k=1).fit(data["Xtr"], data["tr"].quality, data["tr"].cost, data["tr"].models)
    uniq = np.unique(data["Xtr"], axis=0, return_index=True)[1]
    np.testing.assert_array_equal(r.predict_quality(data["Xtr"][uniq]), data["tr"].quality[uniq])


def test_predictions_are_informative(data: dict[str, Any], fitted: list[LearnedRouter]) -> None:
    te = data["te"]
    for r in fitted:
        q = r.predict_quality(data["Xte"])
        assert q.shape == te.quality.shape and q.min() >= 0 and q.max() <= 1
        # held-out: predicted quality is higher where the model really was right
        assert q[te.quality == 1].mean() > q[te.quality == 0].mean() + 0.05, r.name
        c = r.predict_cost(data["Xte"])
        # cost model keeps gpt-4 far above mistral-7b on held-out prompts
        assert (c[:, te.model_index(GPT4)] > 5 * c[:, te.model_index(CHEAP)]).mean() > 0.9


def test_cost_weight_trades_quality_for_cost(data: dict[str, Any], fitted: list[LearnedRouter]) -> None:
    te, X = data["te"], data["Xte"]
    for r in fitted:
        pc = r.predict_cost(X)
        rows = np.arange(len(te))
        prev = np.inf * np.ones(len(te))
        for lam in (0.0, 0.01, 0.1, 1.0, 10.0):
            idx = r.route_arrays(X, cost_weight=lam)
            assert (pc[rows, idx] <= prev + 1e-12).all()  # per prompt, predicted cost never rises with lambda
            prev = pc[rows, idx]
        assert (r.route_arrays(X, cost_weight=1e6) == pc.argmin(axis=1)).all()
        q0 = r.route_arrays(X, cost_weight=0.0)
        assert (q0 == r.predict_quality(X).argmax(axis=1)).all()


def test_quality_target_picks_cheapest_that_reaches_it(data: dict[str, Any], fitted: list[LearnedRouter]) -> None:
    r, X = fitted[1], data["Xte"]
    q, c = r.predict_quality(X), r.predict_cost(X)
    idx = r.route_arrays(X, quality_target=0.7)
    for i, j in enumerate(idx):
        ok = np.flatnonzero(q[i] >= 0.7)
        assert j == (ok[np.argmin(c[i, ok])] if ok.size else q[i].argmax())
    assert (r.route_arrays(X, quality_target=0.0) == c.argmin(axis=1)).all()


def test_route_decision_has_alternatives_and_respects_constraints(data: dict[str, Any]) -> None:
    tr = data["tr"]
    lat = {m: (30.0 if m == GPT4 else 1.0) for m in tr.models}
    r = LogisticRouter(C=0.5, embedder=data["emb"], latencies=lat, tier="coder")
    r.fit(data["Xtr"], tr.quality, tr.cost, tr.models)
    req = Request.user(data["te"].texts[0])
    d = r.route(req)
    assert d.model in tr.models and d.router == "logistic" and d.tier == "coder"
    assert len(d.alternatives) == len(tr.models) - 1 and d.model not in {a.model for a in d.alternatives}
    assert all(a.predicted_cost is not None and a.predicted_quality is not None for a in d.alternatives)
    budget = float(r.predict_cost(data["Xte"][:1])[0].min()) * 1.01
    d_b = r.route(req, RouteConstraints(budget_usd=budget))
    chosen_cost = r.predict_cost(data["Xte"][:1])[0, tr.models.index(d_b.model)]
    assert chosen_cost <= budget and "excluded" in d_b.reason
    d_l = r.route(req, RouteConstraints(latency_target_s=5.0))
    assert d_l.model != GPT4
    batch = r.route_batch([Request.user(t) for t in data["te"].texts[:5]])
    assert [b.model for b in batch] == [r.route(Request.user(t)).model for t in data["te"].texts[:5]]


def test_threshold_router_strong_weak(data: dict[str, Any]) -> None:
    tr, te = data["tr"], data["te"]
    for target in ("win", "gain"):
        r = ThresholdRouter(GPT4, CHEAP, target=target).fit(data["Xtr"], tr.quality, tr.models)
        s = r.score(data["Xte"])
        assert s.shape == (len(te),) and s.min() >= 0 and s.max() <= 1
        assert r.route_arrays(data["Xte"], threshold=0.0).all()
        assert not r.route_arrays(data["Xte"], threshold=1.01).any()
    pr = ThresholdRouter(GPT4, CHEAP, target="predictor", predictor=KNNRouter(k=10))
    pr.fit(data["Xtr"], tr.quality, tr.models, tr.cost)
    d = pr.decide(data["Xte"][:3])
    assert all(x.model in (GPT4, CHEAP) and x.threshold == 0.5 and (x.score >= 0.5) == (x.model == GPT4) for x in d)
    with pytest.raises(RoutingError):
        ThresholdRouter(GPT4, CHEAP).score(data["Xte"])
    with pytest.raises(InvalidRequestError):
        ThresholdRouter("gpt-5", CHEAP).fit(data["Xtr"], tr.quality, tr.models)


def test_simulate_cascade_worked_example() -> None:
    q = np.array([[1, 1, 1], [0, 1, 1], [0, 0, 1.0]])
    c = np.array([[1, 2, 10], [1, 2, 10], [1, 2, 10.0]])
    acc = np.array([[True, True], [False, True], [False, False]])
    qual, paid, stop = simulate_cascade(q, c, [0, 1, 2], acc)
    assert qual.tolist() == [1, 1, 1] and paid.tolist() == [1, 3, 13] and stop.tolist() == [0, 1, 2]


def test_verifier_errors_and_noisy_oracle() -> None:
    e = verifier_errors(np.array([1, 1, 0, 0], bool), np.array([1, 0, 1, 0], bool))
    assert e == {"error_rate": 0.5, "false_accept_rate": 0.5, "false_reject_rate": 0.5, "accept_rate": 0.5}
    truth = np.random.default_rng(0).random(20000) < 0.7
    assert verifier_errors(noisy_oracle_accepts(truth, 0.1, seed=3), truth)["error_rate"] == pytest.approx(0.1, abs=0.01)


def test_learned_verifier_error_rate_is_measurable(data: dict[str, Any], fitted: list[LearnedRouter]) -> None:
    te = data["te"]
    j = te.model_index(CHEAP)
    v = LearnedVerifier(fitted[1], threshold=0.5)
    acc = v.accepts(data["Xte"], [j])[:, 0]
    err = verifier_errors(acc, te.quality[:, j] == 1)
    assert 0 <= err["error_rate"] < 0.5  # better than a coin on held-out prompts


def test_cascade_router_runs_through_a_client() -> None:
    def fake_client() -> FunctionProvider:  # answers by model; .calls records them
        return FunctionProvider(lambda request, model: Completion(
            text="ok" if model == "big" else "??", usage=Usage(1, 1), model=model, provider="x"))

    r = CascadeRouter(["small", "mid", "big"], verifier=lambda req, comp: 1.0 if comp.text == "ok" else 0.0)
    d = r.route(Request.user("q"))
    assert d.model == "small" and [a.model for a in d.alternatives] == ["mid", "big"]
    client = fake_client()
    comp, steps = r.run(Request.user("q"), client)
    assert comp.model == "big" and client.calls == ["small", "mid", "big"] and [s[0] for s in steps] == client.calls
    r2 = CascadeRouter(["small", "big"], verifier=lambda req, comp: 0.9)
    client2 = fake_client()
    assert r2.run(Request.user("q"), client2)[0].model == "small" and client2.calls == ["small"]
    with pytest.raises(InvalidRequestError):
        CascadeRouter(["only"])


def test_simulate_cascade_charges_the_verifier_for_every_checked_step() -> None:
    q = np.array([[1, 1, 1], [0, 1, 1], [0, 0, 1.0]])
    c = np.array([[1, 2, 10], [1, 2, 10], [1, 2, 10.0]])
    acc = np.array([[True, True], [False, True], [False, False]])
    v = np.full((3, 2), 0.5)  # each check costs 0.5
    _, paid, _ = simulate_cascade(q, c, [0, 1, 2], acc, verify_cost=v)
    assert paid.tolist() == [1.5, 4.0, 14.0]  # 1 check, 2 checks, 2 checks (the last step is not checked)
    with pytest.raises(InvalidRequestError):
        simulate_cascade(q, c, [0, 1, 2], acc, verify_cost=np.ones((3, 1)))


def test_normalize_answer_ignores_formatting_not_content() -> None:
    assert normalize_answer("B)\n") == normalize_answer("**b**") == normalize_answer(" 'B'. ") == "b"
    assert normalize_answer("Answer: A") != normalize_answer("Answer: B")
    assert normalize_answer("def f(x):\n    return x") == "def f x return x"
    assert normalize_answer("") == ""


def test_agreement_confidence_on_recorded_answers() -> None:
    r = np.array([["A", "a)", "B"], ["B", "C", "D"], ["", "", ""]], dtype=object)
    assert agreement_confidence(r, 0, [1]).tolist() == [1.0, 0.0, 0.0]  # an empty answer agrees with nothing
    assert agreement_confidence(r, 0, [1, 2]).tolist() == [0.5, 0.0, 0.0]
    for bad in ([], [0], [5]):
        with pytest.raises(InvalidRequestError):
            agreement_confidence(r, 0, bad)


def test_agreement_verifier_on_routerbench_beats_a_coin_on_short_answers() -> None:
    t = load_routerbench_zs(quiet=True).split("test")
    assert t.responses is not None and t.responses.shape == t.quality.shape
    mx, yi = t.model_index("mixtral-8x7b-chat"), t.model_index("Yi-34B-Chat")
    arc = (t.prompts["benchmark"] == "arc-challenge").to_numpy()
    agree = agreement_confidence(t.responses, mx, [yi]) >= 1.0
    right = t.quality[:, mx] == 1
    # On multiple choice, two cheap models that agree are right far more often than mixtral alone.
    assert right[arc & agree].mean() > right[arc].mean() + 0.05
    # Code answers never match word for word, so the verifier escalates them all.
    assert not agree[(t.prompts["benchmark"] == "mbpp").to_numpy()].any()
    assert t.select(np.arange(5)).responses.shape == (5, 11)  # kept by select / subset_models
    assert t.subset_models([GPT4]).responses.shape == (len(t), 1)


def test_agreement_verifier_asks_the_checkers_through_the_client() -> None:
    def fake_client(answers: dict[str, str]) -> FunctionProvider:  # answers by model; .calls records them
        return FunctionProvider(lambda request, model: Completion(
            text=answers[model], usage=Usage(1, 1), model=model, provider="x"))

    client = fake_client({"small": "B", "check1": "b.", "check2": "C", "big": "B"})
    v = AgreementVerifier(client, ["check1", "check2"])
    r = CascadeRouter(["small", "big"], verifier=v, threshold=1.0)
    comp, steps = r.run(Request.user("which?"), client)
    assert steps[0] == ("small", 0.5) and comp.model == "big"
    assert client.calls == ["small", "check1", "check2", "big"]
    client2 = fake_client({"small": "B", "check1": "b"})
    comp2, _ = CascadeRouter(["small", "big"], verifier=AgreementVerifier(client2, ["check1"]),
                             threshold=1.0).run(Request.user("which?"), client2)
    assert comp2.model == "small" and client2.calls == ["small", "check1"]
    with pytest.raises(InvalidRequestError):
        AgreementVerifier(client, [])


def test_routing_refuses_embeddings_from_another_model_than_fitting(data: dict[str, Any]) -> None:
    class Hashing:  # a stand-in embedder: same width as MiniLM, a different model
        model_id, dim = "hashing-test", 384

        def __init__(self, model_id: str = "hashing-test") -> None:
            self.model_id = model_id

        def embed(self, texts: Any, batch_size: int = 32) -> np.ndarray:
            texts = [texts] if isinstance(texts, str) else list(texts)
            rng = [np.random.default_rng(abs(hash(t)) % 2**32) for t in texts]
            X = np.stack([r.normal(size=384) for r in rng]).astype(np.float32)
            return X / np.linalg.norm(X, axis=1, keepdims=True)

    from routerlab.errors import ConfigurationError

    tr = data["tr"]
    for make in (lambda e: KNNRouter(k=5, embedder=e), lambda e: ThresholdRouter(GPT4, CHEAP, embedder=e)):
        r = make(Hashing())
        r.fit_table(tr)
        assert r.embedding_model_ == "hashing-test"
        assert r.route(Request.user("write a sort function")).model in tr.models
        r.embedder = Hashing("another-model")
        with pytest.raises(ConfigurationError, match="fitted on hashing-test"):
            r.route(Request.user("write a sort function"))
        if isinstance(r, KNNRouter):
            r.fit(data["Xtr"], tr.quality, tr.cost, tr.models)
        else:
            r.fit(data["Xtr"], tr.quality, tr.models)
        assert r.embedding_model_ is None  # fitted on the caller's X: nothing to check against


def test_threshold_router_calibrates_its_threshold_to_a_strong_share(data: dict[str, Any]) -> None:
    tr = data["tr"]
    r = ThresholdRouter(GPT4, CHEAP, target="gain").fit(data["Xtr"], tr.quality, tr.models)
    thr = r.calibrate_threshold(data["Xtr"], 0.3)
    assert r.threshold_ == thr and r.threshold == 0.5  # learned state; the parameter stays as given
    assert r.route_arrays(data["Xtr"]).mean() == pytest.approx(0.3, abs=2 / len(tr))
    # the same threshold on prompts it was not set on sends a similar share
    assert 0.1 < r.route_arrays(data["Xte"]).mean() < 0.5
    sent = [d.model for d in r.decide(data["Xtr"])]
    assert sent.count(GPT4) == int(r.route_arrays(data["Xtr"]).sum())
    r.calibrate_threshold(data["Xtr"], 0.0)
    assert not r.route_arrays(data["Xtr"]).any()
    r.calibrate_threshold(data["Xtr"], 1.0)
    assert r.route_arrays(data["Xtr"]).all()
    with pytest.raises(InvalidRequestError):
        r.calibrate_threshold(data["Xtr"], 1.5)
