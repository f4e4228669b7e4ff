"""Routing overhead of the rule router and the embedding classifier, against plain baselines in the same run.

    .venv/bin/python benchmarks/bench_rules.py

- rule decision (RuleRouter.route, with and without constraints) vs a plain dict lookup
  kind -> model id: both in microseconds per decision;
- embedding classifier (MiniLM int8 ONNX + logistic regression, embedding cache OFF so the
  encoder really runs): one prompt at a time (ms) and batched (prompts/s), vs the keyword
  baseline on the same prompts.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

from routerlab.embeddings import Embedder
from routerlab.evalset import load_evalset, to_requests
from routerlab.routers.base import RouteConstraints
from routerlab.routers.classifier import ClassifierRouter, EmbeddingClassifier, KeywordClassifier, PredicateClassifier
from routerlab.routers.rules import KIND_TIERS, RuleRouter
from routerlab.types import Request


def per_call(fn: Callable[[], object], n: int, repeats: int = 5) -> float:
    """Median over ``repeats`` of the mean seconds per call over ``n`` calls."""
    fn()
    runs = []
    for _ in range(repeats):
        t = time.perf_counter()
        for _ in range(n):
            fn()
        runs.append((time.perf_counter() - t) / n)
    return statistics.median(runs)


def main() -> None:
    router = RuleRouter()
    lookup = {kind: router.tiers.model_for(tier).id for kind, tier in KIND_TIERS.items()}
    req = Request.user("Plan the migration of the billing service, step by step.", kind="plan")
    img = Request.user("Where is the Submit button?", kind="ui_locate", metadata={"image_refs": ("s.png",)})
    tight = RouteConstraints(budget_usd=1e-3, latency_target_s=5.0)

    base = per_call(lambda: lookup[req.kind], 200_000)
    rule = per_call(lambda: router.route(req), 20_000)
    rule_img = per_call(lambda: router.route(img), 20_000)
    rule_c = per_call(lambda: router.route(req, tight), 20_000)
    print("rule decision (median of 5 runs)")
    print(f"  dict lookup kind -> model (baseline): {base * 1e6:8.3f} us")
    print(f"  RuleRouter.route, kind rule:          {rule * 1e6:8.2f} us  ({rule / base:,.0f}x baseline)")
    print(f"  RuleRouter.route, image predicate:    {rule_img * 1e6:8.2f} us  ({rule_img / base:,.0f}x baseline)")
    print(f"  RuleRouter.route, budget + latency:   {rule_c * 1e6:8.2f} us  ({rule_c / base:,.0f}x baseline)")

    df = load_evalset()
    train, test = df[df["split"] == "train"], df[df["split"] == "test"]
    embedder = Embedder(cache=False)
    emb = EmbeddingClassifier(embed=embedder.embed).fit(list(train["text"]), list(train["tier"]))
    kw = KeywordClassifier()
    texts = list(test["text"])
    reqs = to_requests(test)
    emb_router = ClassifierRouter(emb, threshold=0.0)

    def one_at_a_time(fn: Callable[[Any], object], items: list[Any]) -> float:
        t = time.perf_counter()
        for item in items:
            fn(item)
        return (time.perf_counter() - t) / len(items)

    kw_one = one_at_a_time(kw.classify, texts)
    emb_one = one_at_a_time(emb.classify, texts)
    emb_route_one = one_at_a_time(emb_router.route, reqs)
    t = time.perf_counter()
    emb.predict(texts)
    batch_s = time.perf_counter() - t
    t = time.perf_counter()
    emb_router.route_batch(reqs)
    route_batch_s = time.perf_counter() - t
    pred_router = ClassifierRouter(PredicateClassifier(emb), threshold=0.0)
    t = time.perf_counter()
    pred_router.route_batch(reqs)
    pred_batch_s = time.perf_counter() - t
    lengths = sorted(len(x) for x in texts)
    print(f"\nembedding classifier on the {len(texts)} eval-set test prompts "
          f"(median {lengths[len(lengths) // 2]} chars, max {lengths[-1]}), cache off, {embedder.threads} threads")
    print(f"  keyword classify, one at a time (baseline): {kw_one * 1e3:8.3f} ms/prompt")
    print(f"  embedding classify, one at a time:          {emb_one * 1e3:8.2f} ms/prompt ({emb_one / kw_one:,.0f}x baseline)")
    print(f"  ClassifierRouter.route, one at a time:      {emb_route_one * 1e3:8.2f} ms/prompt")
    print(f"  embedding predict, batched (32):            {len(texts) / batch_s:8.0f} prompts/s")
    print(f"  ClassifierRouter.route_batch:               {len(reqs) / route_batch_s:8.0f} prompts/s")
    print(f"  same, predicates first (images/long skip):  {len(reqs) / pred_batch_s:8.0f} prompts/s")


if __name__ == "__main__":
    main()
