"""Run calibrate() on the project's eval set with every candidate available here.

    .venv/bin/python data/evalset/run_calibration.py [--max-test N] [--out routerlab/_data/evalset/calibration_offline.csv]

The table ships in the package (``routerlab.quality.tier_table()`` reads it, from a checkout or a
plain install alike); each row carries the run's UTC date.

Offline candidates: the keyword baseline, MiniLM embeddings + logistic regression (embedding
cache off, so latency is the real encoder's), both again behind the request predicates
(image attached -> vision, long attached context -> orchestrator), and SmolLM2-135M as an LLM
classifier on the real local llama.cpp server. Remote models join when their API keys are set.
"""

from __future__ import annotations

import argparse
import os
from datetime import UTC, datetime
from pathlib import Path

from routerlab.client import Client
from routerlab.embeddings import Embedder
from routerlab.evalset import load_evalset
from routerlab.routers.calibrate import calibrate
from routerlab.routers.classifier import EmbeddingClassifier, KeywordClassifier, LLMClassifier, PredicateClassifier

REMOTE = {"ANTHROPIC_API_KEY": ["anthropic:claude-haiku-4-5"], "OPENAI_API_KEY": ["openai:gpt-4.1-nano", "openai:gpt-4o-mini"]}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--max-test", type=int, default=None)
    shipped = Path(__file__).resolve().parents[2] / "routerlab" / "_data" / "evalset" / "calibration_offline.csv"
    ap.add_argument("--out", default=str(shipped))
    args = ap.parse_args()
    df = load_evalset()
    client = Client()
    smol = LLMClassifier(client, model="local:smollm2-135m")
    smol.classify("warm-up: start the local server before timing")  # server start is not per-request latency
    encoder = Embedder(cache=False).embed
    candidates: list[tuple[str, object]] = [
        ("keyword", KeywordClassifier()),
        ("minilm+logreg", EmbeddingClassifier(embed=encoder)),
        ("predicates+keyword", PredicateClassifier(KeywordClassifier())),
        ("predicates+minilm+logreg", PredicateClassifier(EmbeddingClassifier(embed=encoder))),
        ("llm:local:smollm2-135m", smol),
    ]
    for env, models in REMOTE.items():
        if os.environ.get(env):
            candidates += [(f"llm:{m}", LLMClassifier(client, model=m)) for m in models]
    result = calibrate(candidates, df, target=0.95, confidence=0.95, method="wilson", max_test=args.max_test)
    print(result.table.to_string(index=False))
    print(result.message)
    table = result.table.assign(date=datetime.now(UTC).date().isoformat())  # the file's mtime does not survive a clone
    table.to_csv(args.out, index=False)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
