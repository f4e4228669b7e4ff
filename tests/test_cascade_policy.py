"""The learned cascade policy (routers.cascade_policy), its answer features and the code checks."""

from __future__ import annotations

import socket
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from routerlab.datasets import OutcomeTable, load_routerbench_zs
from routerlab.errors import InvalidRequestError, RoutingError
from routerlab.routers.answer_features import agreement_tensor, answer_stats, prompt_features, step_features
from routerlab.routers.cascade_policy import CascadePolicy
from routerlab.routers.code_checks import (
    behaviour_agreement,
    code_agreement_tensor,
    entry_function,
    extract_code,
    program_agreement,
)
from routerlab.types import Request

MIRROR = Path(__file__).resolve().parents[2] / "shared" / "data"
GPT4 = "gpt-4-1106-preview"
STEPS = ["mistral-7b-chat", "mixtral-8x7b-chat", GPT4]


def _toy(n: int, seed: int) -> OutcomeTable:
    """Two cheap models and a strong one; when the cheap two agree they are right."""
    rng = np.random.default_rng(seed)
    truth = rng.choice(list("ABCD"), n)
    easy = rng.random(n) < 0.6
    wrong = np.array([{"A": "B", "B": "C", "C": "D", "D": "A"}[t] for t in truth])
    a = np.where(easy, truth, np.where(rng.random(n) < 0.5, truth, wrong))
    b = np.where(easy, truth, np.where(a == truth, wrong, truth))
    c = np.where(rng.random(n) < 0.95, truth, wrong)
    R = np.stack([a, b, c], axis=1).astype(object)
    Q = (R == truth[:, None]).astype(float)
    C = np.tile([0.01, 0.02, 1.0], (n, 1))
    prompts = pd.DataFrame({"id": [str(i) for i in range(n)], "text": [f"question {i}?" for i in range(n)],
                            "embed_text": "", "split": "train", "benchmark": "toy"})
    return OutcomeTable(name="toy", prompts=prompts, models=["a", "b", "c"], quality=Q, cost=C, responses=R)


def test_policy_learns_to_stop_when_cheap_answers_agree_and_pays_every_step() -> None:
    tr, te = _toy(400, 0), _toy(300, 1)
    p = CascadePolicy(steps=[["a", "b"], "c"])
    assert p.fit_table(tr) is p and p.cost_scale_ == pytest.approx(1.0)
    assert all(k.endswith("_") for k in vars(p) if k not in p.get_params())
    sim = p.simulate(None, te.quality, te.cost, responses=te.responses, texts=te.prompts["text"].tolist(),
                     weights=[0.0, 0.2, 100.0])
    agree = te.responses[:, 0] == te.responses[:, 1]
    stopped = sim["step"] == 0
    # at a moderate cost weight the policy stops exactly where the cheap two agree
    assert (stopped[1] == agree).mean() > 0.95
    # what a prompt paid is every model of every step it ran
    assert np.allclose(sim["cost"], np.where(stopped, 0.03, 1.03))
    assert sim["quality"][1].mean() > te.quality[:, 2].mean()  # beats the strong model, far cheaper
    assert sim["cost"][2].mean() <= sim["cost"][1].mean() <= sim["cost"][0].mean()
    prep = p.prepare(None, responses=te.responses, texts=te.prompts["text"].tolist())
    again = p.simulate(None, te.quality, te.cost, responses=te.responses, texts=te.prompts["text"].tolist(),
                       weights=[0.0, 0.2, 100.0], prepared=prep)
    assert all(np.array_equal(sim[k], again[k]) for k in ("quality", "cost", "step", "model"))
    sweep = p.sweep(te, weights=np.array([0.0, 0.2, 100.0]))
    assert np.allclose(sweep["quality"], sim["quality"].mean(axis=1))
    assert np.allclose(sweep["stop@0"] + sweep["stop@1"], 1.0)


def test_latency_is_a_sum_along_the_cascade_or_a_max_within_a_parallel_step() -> None:
    tr = _toy(200, 2)
    L = np.tile([1.0, 2.0, 5.0], (len(tr), 1))
    for parallel, first in ((False, 3.0), (True, 2.0)):
        p = CascadePolicy(steps=[["a", "b"], "c"], parallel=parallel).fit_table(tr)
        sim = p.simulate(None, tr.quality, tr.cost, responses=tr.responses, texts=tr.prompts["text"].tolist(),
                         weights=[0.0, 1000.0], latency=L)
        assert np.allclose(sim["latency"], np.where(sim["step"] == 0, first, first + 5.0))


def test_policy_rejects_bad_steps_and_unfitted_use() -> None:
    tr = _toy(60, 3)
    with pytest.raises(InvalidRequestError, match="at least two"):
        CascadePolicy(steps=["a"]).fit_table(tr)
    with pytest.raises(InvalidRequestError, match="lacks"):
        CascadePolicy(steps=["a", "zzz"]).fit_table(tr)
    with pytest.raises(InvalidRequestError, match="two steps"):
        CascadePolicy(steps=["a", ["a", "c"]]).fit_table(tr)
    with pytest.raises(RoutingError, match="not fitted"):
        CascadePolicy(steps=["a", "c"]).decide(["A"], "q?")
    with pytest.raises(InvalidRequestError, match="embed_dims"):
        CascadePolicy(steps=["a", "c"], embed_dims=4).fit_table(tr)


def test_step_features_read_pairwise_agreement_and_answer_format() -> None:
    R = np.array([["B", "b.", "C"], ["", "A", "A"]], dtype=object)
    A = agreement_tensor(R)
    assert A[0, 0, 1] == 1 and A[0, 0, 2] == 0 and A[1, 0, 0] == 0  # an empty answer agrees with nothing
    F = step_features(A, answer_stats(R), prompt_features(["x", "y"]), [0, 1, 2])
    assert F.shape[0] == 2 and F[0, 0] == 1 and F[1, 2] == 1  # pairs (0,1), (0,2), (1,2)


# ---- code checks ---------------------------------------------------------------------------------
SUM_A = "Here you go:\n```python\ndef total(xs):\n    \"\"\"Sum.\"\"\"\n    s = 0\n    for x in xs:\n        s += x\n    return s\n\nprint(total([1, 2, 3]))\n```"
SUM_B = "```python\ndef add_all(values):\n    acc = 0\n    for v in values:\n        acc += v\n    return acc\n```"
SUM_C = "```python\ndef my_sum(nums):\n    return sum(nums)\n```\nExample: my_sum([4, 5])"
MAX_D = "```python\ndef biggest(nums):\n    return max(nums)\n```"


def test_program_agreement_ignores_names_docstrings_and_examples() -> None:
    code = extract_code(SUM_A)
    assert code is not None and "print" not in code and entry_function(code) == "total"
    A = program_agreement([SUM_A, SUM_B, SUM_C, "no code here"])
    assert A[0, 1] == 1 and A[0, 2] == 0 and np.isnan(A[0, 3])


def test_behaviour_agreement_runs_candidates_on_shared_generated_inputs() -> None:
    B = behaviour_agreement([SUM_A, SUM_B, SUM_C, MAX_D])
    assert B[0, 1] == 1 and B[0, 2] == 1 and B[1, 2] == 1  # same behaviour, different programs
    assert B[0, 3] == 0 and B[3, 3] == 1


def test_sandbox_blocks_the_network_and_bounds_time_and_memory() -> None:
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)
    port = srv.getsockname()[1]
    def serve() -> None:
        try:
            for _ in range(4):
                srv.accept()
        except OSError:  # closed when the test ends
            pass

    threading.Thread(target=serve, daemon=True).start()
    try:
        net = f"```python\nimport socket\ndef f(x):\n    socket.create_connection(('127.0.0.1', {port}), timeout=1)\n    return x\n```"
        same = "```python\ndef g(x):\n    return x\n```"
        spin = "```python\ndef h(x):\n    while True:\n        pass\n```"
        hog = "```python\ndef k(x):\n    b = bytearray(2 << 30)\n    return x\n```"
        B = behaviour_agreement([net, same, spin, hog], call_timeout_s=0.2)
    finally:
        srv.close()
    assert B[0, 1] == 0  # with the network open, f would behave like g
    assert np.isnan(B[2, 3]) and B[1, 2] == 0  # spin times out, hog hits the memory limit: both raise


def test_code_agreement_tensor_caches_atomically_and_recovers_a_bad_file(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setenv("ROUTERLAB_CACHE_DIR", str(tmp_path))
    R = np.array([[SUM_A, SUM_B, MAX_D], ["A", "B", "A"]], dtype=object)
    T = code_agreement_tensor(R)
    assert T[0, 0, 1] == 1 and T[0, 0, 2] == 0 and np.isnan(T[1]).all()
    files = list((tmp_path / "code_checks").rglob("*.json"))
    assert len(files) == 1 and not list((tmp_path / "code_checks").rglob("*.tmp"))
    files[0].write_text("{not json")
    assert np.array_equal(code_agreement_tensor(R), T, equal_nan=True)
    assert files[0].read_text().startswith("{\"program\"")
    with pytest.raises(InvalidRequestError, match="check"):
        code_agreement_tensor(R, check="tests")
    merged = agreement_tensor(R, code_agreement=T)
    assert merged[0, 0, 1] == 1 and merged[1, 0, 2] == 1  # code by behaviour, labels by text


# ---- on RouterBench, live through the client ----------------------------------------------------------
@pytest.fixture(scope="module")
def rb() -> dict[str, Any]:
    if not MIRROR.is_dir():
        pytest.skip("needs ../shared/data beside the checkout")
    t = load_routerbench_zs(MIRROR, quiet=True, benchmarks=["arc-challenge", "winogrande"])
    tr, te = t.split("train"), t.split("test")
    rng = np.random.default_rng(0)
    tr = tr.select(np.sort(rng.choice(len(tr), 600, replace=False)))
    te = te.select(np.sort(rng.choice(len(te), 30, replace=False)))
    return {"tr": tr, "te": te, "policy": CascadePolicy(steps=STEPS, cost_weight=0.2).fit_table(tr)}


def test_live_run_through_the_client_matches_the_replayed_simulation(rb: dict[str, Any]) -> None:
    from routerlab.client import Client
    from routerlab.providers.replay import ReplayProvider

    te, p = rb["te"], rb["policy"]
    sim = p.simulate(None, te.quality, te.cost, responses=te.responses, texts=te.prompts["text"].tolist())
    client = Client(providers={"routerbench": ReplayProvider(te)})
    ids = {m: f"routerbench:{m}" for m in te.models}
    for i in range(len(te)):
        n_before = len(client.trace.records)
        req = Request.user(te.prompts["text"][i], metadata={"prompt_id": te.prompts["id"][i]})
        run = p.run(req, client, model_ids=ids)
        called = [r.model for r in client.trace.records[n_before:]]
        k = int(sim["step"][0, i])
        assert called == [ids[m] for m in STEPS[:k + 1]]  # the models the policy chose, in its order
        assert run.completion.model.endswith(te.models[sim["model"][0, i]])
        assert run.cost_usd == pytest.approx(sim["cost"][0, i])  # every call paid, checkers included
    assert len(np.unique(sim["step"][0])) > 1  # it stops at different steps for different prompts


def test_live_run_against_the_local_server_pays_the_real_call(rb: dict[str, Any], local_server: Any) -> None:
    from routerlab.client import Client
    from routerlab.providers.replay import ReplayProvider

    te, p = rb["te"], rb["policy"]
    client = Client(providers={"routerbench": ReplayProvider(te)})
    ids = {m: f"routerbench:{m}" for m in te.models} | {STEPS[0]: "local:smollm2-135m"}
    req = Request.user(te.prompts["embed_text"][0] + "\nAnswer with one letter.", max_output_tokens=4,
                       metadata={"prompt_id": te.prompts["id"][0]})
    run = p.run(req, client, model_ids=ids)
    models = [r.model for r in client.trace.records]
    assert models[0] == "local:smollm2-135m" and models == [ids[m] for m in STEPS[:len(models)]]
    assert run.completions[0].latency_s > 0 and client.trace.records[0].latency_s > 0  # a real call, timed
    assert len(run.values) == len(run.steps) and all(((v >= 0) & (v <= 1)).all() for v in run.values)


def test_cascade_evaluation_builds_candidates_selects_on_train_and_bootstraps() -> None:
    from routerlab.evaluation.cascades import (
        candidate_steps,
        cascade_curve,
        curve_bootstrap,
        escalation_errors,
        select_steps,
    )

    tr, te = _toy(300, 4), _toy(200, 5)
    cands = candidate_steps(tr, ks=(1, 2))
    # the best cheap model (b), then the cheapest of all leading: strongest last, cheapest first
    assert cands == [["b", "c"], ["a", "b", "c"]]
    steps, scores = select_steps(tr, [["a", "c"], ["a", "b", "c"]], k=2)
    assert steps == ["a", "b", "c"] and len(scores) == 2  # only the second sees two answers agree
    curve, sim = cascade_curve(CascadePolicy(steps=steps).fit_table(tr), te)
    ci = curve_bootstrap(sim, te, "c", n_boot=50).set_index("statistic")
    assert (ci["ci_low"] <= ci["estimate"]).all() and (ci["estimate"] <= ci["ci_high"]).all()
    assert ci.loc["best quality at <= 50% of its cost", "estimate"] > ci.loc["c quality", "estimate"]
    wi = int(np.argmin(np.abs(curve["mean_cost"].to_numpy() - 0.4)))
    err = escalation_errors(sim, te, wi)
    assert err["false_accept_rate"] < 0.1 and 0 < err["accept_rate"] < 1
    with pytest.raises(InvalidRequestError, match="no model costs"):
        candidate_steps(tr, cheap_share=0.001)


def _two_tasks(n: int, seed: int) -> OutcomeTable:
    """The toy task plus a 'hard' task on which the cheap models agree on a wrong answer."""
    easy, hard = _toy(n, seed), _toy(n, seed + 100)
    R = hard.responses.copy()
    truth = R[:, 2].copy()
    R[:, 0] = R[:, 1] = np.where(truth == "A", "B", "A")  # agree, and wrong
    Q = hard.quality.copy()
    Q[:, :2] = 0.0
    prompts = pd.concat([easy.prompts, hard.prompts.assign(benchmark="hard", id=lambda d: "h" + d["id"])])
    return OutcomeTable(name="two", prompts=prompts, models=easy.models, quality=np.vstack([easy.quality, Q]),
                        cost=np.vstack([easy.cost, hard.cost]), responses=np.vstack([easy.responses, R]))


def test_step0_goes_straight_to_the_strong_model_where_the_task_says_cheap_answers_mislead() -> None:
    from routerlab.evaluation import aiq

    tr, te = _two_tasks(300, 6), _two_tasks(200, 7)
    texts = te.prompts["text"].tolist()
    hard = (te.prompts["benchmark"] == "hard").to_numpy()
    p = CascadePolicy(steps=[["a", "b"], "c"], step0=True).fit_table(tr, group_by="benchmark")
    plain = CascadePolicy(steps=[["a", "b"], "c"]).fit_table(tr, group_by="benchmark")
    w = np.array([0.0, 0.2, 100.0])
    sim = p.simulate(None, te.quality, te.cost, responses=te.responses, texts=texts, weights=w,
                     groups=te.prompts["benchmark"])
    direct = sim["step"] == -1
    # at a moderate weight: straight to c on the hard task (paying c alone), the cascade on the easy one
    assert direct[1, hard].mean() > 0.95 and (sim["model"][1, hard] == 2).all() and direct[1, ~hard].mean() < 0.05
    assert np.allclose(sim["cost"][1, hard], 1.0)
    assert sim["quality"][1, hard].mean() > 0.9
    score = {}
    for name, policy in (("step0", p), ("plain", plain)):  # step 0 dominates the cascade alone
        curve = policy.sweep(te, weights=np.concatenate(([0.0], np.logspace(-3, 2, 40))), group_by="benchmark")
        score[name] = aiq(curve["mean_cost"], curve["quality"], 0.01, 1.0)
    assert score["step0"] > score["plain"] + 0.01
    assert "direct" in p.sweep(te, weights=w, group_by="benchmark").columns
    # live step 0 agrees with the replay
    p.cost_weight = 0.2
    for i in (0, len(te) - 1):
        first = p.first_move(texts[i], group=te.prompts["benchmark"][i])
        assert (first is not None) == bool(direct[1, i]) and (first is None or first == sim["model"][1, i])
    # ... and live: a prompt sent straight to c makes exactly one call, to c (a recording stand-in client)
    from types import SimpleNamespace

    i = int(np.flatnonzero(direct[1])[0])
    calls: list[str] = []

    class _Recorder:
        def complete(self, request: Request, model: str | None = None, **kw: Any) -> Any:
            calls.append(str(model))
            return SimpleNamespace(text=te.responses[i, te.model_index(str(model))], model=model, cost_usd=1.0,
                                   latency_s=0.1)

    run = p.run(Request.user(texts[i]), _Recorder(), group=te.prompts["benchmark"][i])
    assert calls == ["c"] and run.steps == [["c"]] and run.cost_usd == 1.0
    with pytest.raises(InvalidRequestError, match="groups"):
        p.simulate(None, te.quality, te.cost, responses=te.responses, texts=texts)
    with pytest.raises(InvalidRequestError, match="group_by"):
        p.sweep(te, group_by="subject")
