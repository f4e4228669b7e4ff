"""Speed of the learned cascade (issue 13): one live decision against the calls it decides on,
the full threshold sweep over the RouterBench pooled test split, and what each code check costs.

    .venv/bin/python benchmarks/bench_cascade_policy.py

- live decision: ``CascadePolicy.decide`` after each step of a replayed run through the Client,
  beside the replayed client call itself (the cheapest a real call can be) in the same run;
- sweep: ``CascadePolicy.simulate`` over 200 cost weights x 945 test prompts with the features
  prepared once (``CascadePolicy.prepare``), with only the agreement tensor given, and from raw answers;
  and with step 0 on (``step0=True``, told the benchmark), features prepared;
- code checks on MBPP answers (11 per prompt): normalised program trees, and the sandboxed
  behavioural run (one child interpreter per prompt), uncached.
"""

from __future__ import annotations

import time

import numpy as np

from routerlab.client import Client
from routerlab.datasets import load_routerbench_zs
from routerlab.providers.replay import ReplayProvider
from routerlab.routers.answer_features import agreement_tensor
from routerlab.routers.cascade_policy import CascadePolicy, default_weights
from routerlab.routers.code_checks import behaviour_agreement, program_agreement
from routerlab.types import Request

STEPS = ["mistral-7b-chat", "mixtral-8x7b-chat", "Yi-34B-Chat", "gpt-4-1106-preview"]


def main() -> None:
    t = load_routerbench_zs(quiet=True)
    tr, te = t.split("train"), t.split("test")
    policy = CascadePolicy(steps=STEPS, cost_weight=0.2).fit_table(tr)
    texts = te.prompts["text"].tolist()

    # live: time each decision and each client call on 200 test prompts
    client = Client(providers={"routerbench": ReplayProvider(te)})
    ids = {m: f"routerbench:{m}" for m in te.models}
    dec, calls = [], []
    for i in range(200):
        req = Request.user(texts[i], metadata={"prompt_id": te.prompts["id"][i]})
        done: list[str] = []
        for model in STEPS:
            t0 = time.perf_counter()
            done.append(client.complete(req, model=ids[model]).text)
            calls.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            stop, _, _ = policy.decide(done, texts[i])
            dec.append(time.perf_counter() - t0)
            if stop:
                break
    d, c = np.array(dec) * 1e3, np.array(calls) * 1e3
    print(f"live decision: median {np.median(d):.3f} ms, p99 {np.quantile(d, 0.99):.3f} ms over {len(d)} decisions; "
          f"replayed client call median {np.median(c):.3f} ms (decision / call {np.median(d) / np.median(c):.2f}x)")

    # sweep over the whole pooled test split
    agree = agreement_tensor(te.responses)
    w = default_weights()
    prep = policy.prepare(None, responses=te.responses, texts=texts, agree=agree)
    for label, kw in (("features prepared", {"prepared": prep}), ("agreement precomputed", {"agree": agree}),
                      ("features from raw answers", {})):
        best = np.inf
        for _ in range(3):
            t0 = time.perf_counter()
            policy.simulate(None, te.quality, te.cost, responses=te.responses, texts=texts, weights=w, **kw)
            best = min(best, time.perf_counter() - t0)
        print(f"sweep of {len(w)} cost weights x {len(te)} prompts ({label}): {best * 1e3:.0f} ms")
        if label == "features prepared":
            best_prepared = best
    # with step 0 (straight to one model from the prompt, told the benchmark): one more vectorised choice
    policy0 = CascadePolicy(steps=STEPS, step0=True).fit_table(tr, agree=agreement_tensor(tr.responses),
                                                               group_by="benchmark")
    g = te.prompts["benchmark"].to_numpy()
    prep0 = policy0.prepare(None, responses=te.responses, texts=texts, agree=agree, groups=g)
    best0 = np.inf
    for _ in range(3):
        t0 = time.perf_counter()
        policy0.simulate(None, te.quality, te.cost, responses=te.responses, texts=texts, weights=w, prepared=prep0)
        best0 = min(best0, time.perf_counter() - t0)
    print(f"sweep of {len(w)} cost weights x {len(te)} prompts with step 0 (features prepared): {best0 * 1e3:.0f} ms "
          f"({best0 / best_prepared:.2f}x the prepared sweep without it)")

    # code checks
    mb = te.benchmark("mbpp").responses
    assert mb is not None
    t0 = time.perf_counter()
    for r in mb[:40]:
        program_agreement(list(r))
    print(f"program check: {(time.perf_counter() - t0) / 40 * 1e3:.1f} ms per prompt (11 answers)")
    t0 = time.perf_counter()
    for r in mb[:10]:
        behaviour_agreement(list(r))
    print(f"behaviour check: {(time.perf_counter() - t0) / 10 * 1e3:.0f} ms per prompt (11 answers, sandboxed, uncached)")
    t0 = time.perf_counter()
    for r in mb[:10]:
        behaviour_agreement(list(r[[6, 7]]))
    print(f"behaviour check, two answers: {(time.perf_counter() - t0) / 10 * 1e3:.0f} ms per prompt")


if __name__ == "__main__":
    main()
