"""Loaders give one OutcomeTable type, with the documented prompt counts and cleaning."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from routerlab.datasets import (
    OutcomeTable,
    load_llmperf,
    load_llmperf_summaries,
    load_routellm,
    load_routerarena_sub10,
    load_routerbench_zs,
)
from routerlab.datasets.routerbench import final_question
from routerlab.errors import InvalidRequestError

MIRROR = Path(__file__).resolve().parents[2] / "shared" / "data"
pytestmark = pytest.mark.skipif(not MIRROR.is_dir(), reason="needs ../shared/data beside the checkout")


@pytest.fixture(scope="module")
def rb() -> OutcomeTable:
    return load_routerbench_zs(MIRROR, quiet=True)


def test_routerbench_splits_and_models(rb: OutcomeTable) -> None:
    assert len(rb.split("test")) == 945 and len(rb.split("train")) == 2205  # rows with missing outcomes dropped
    assert rb.n_models == 11 and "gpt-4-1106-preview" in rb.models
    assert rb.benchmarks == ["arc-challenge", "mbpp", "winogrande"]
    assert set(np.unique(rb.quality)) == {0.0, 1.0}
    assert (rb.cost > 0).all()
    assert rb.prompts["id"].is_unique
    # gpt-4 is the most expensive model on average, mistral-7b among the cheapest
    assert rb.mean_cost().idxmax() in ("gpt-4-1106-preview", "claude-v2")


def test_routerbench_embed_text_drops_the_shared_worked_examples(rb: OutcomeTable) -> None:
    arc = rb.benchmark("arc-challenge")
    texts = arc.texts
    assert all(t.endswith("Answer:") for t in texts)
    assert all(t.count("Answer:") == 1 for t in texts)  # only the final question block
    assert len(set(texts)) > 0.95 * len(texts)
    full = arc.prompts["text"].iloc[0]
    assert full.count("Answer:") == 6 and full.endswith(texts[0])
    mbpp = rb.benchmark("mbpp")
    assert (mbpp.prompts["text"] == mbpp.prompts["embed_text"]).all()


def test_final_question_on_a_small_example() -> None:
    p = "Q1?\nA) x\nB) y\nAnswer:\nA\n\nQ2?\nA) x\nB) y\nAnswer:\nB\n\nQ3?\nA) x\nB) y\nAnswer:"
    assert final_question(p) == "Q3?\nA) x\nB) y\nAnswer:"


def test_select_split_subset_models(rb: OutcomeTable) -> None:
    t = rb.split("test").subset_models(["gpt-4-1106-preview", "mistral-7b-chat"])
    assert t.quality.shape == (945, 2)
    np.testing.assert_array_equal(t.quality[:, 0], rb.split("test").quality[:, rb.model_index("gpt-4-1106-preview")])
    with pytest.raises(InvalidRequestError):
        rb.split("dev")
    with pytest.raises(InvalidRequestError):
        rb.model_index("gpt-5")
    long = t.to_frame()
    assert len(long) == 945 * 2 and set(long.columns) >= {"id", "model", "quality", "cost"}


@pytest.mark.parametrize("bench,n,n_before", [("gsm8k", 1307, 1319), ("mt_bench", 72, 80)])
def test_routellm_decontaminated(bench: str, n: int, n_before: int) -> None:
    t = load_routellm(bench, MIRROR, quiet=True)
    assert len(t) == n and t.meta["n_before_decontamination"] == n_before
    assert t.models[t.model_index(t.meta["strong"])] == "gpt-4-1106-preview"
    assert np.isnan(t.cost).all()  # RouteLLM records no cost
    assert t.quality.min() >= 0 and t.quality.max() <= 1
    # the strong model is better on average, as in the RouteLLM paper
    assert t.quality[:, t.model_index(t.meta["strong"])].mean() > t.quality[:, t.model_index(t.meta["weak"])].mean()


def test_routellm_mmlu_all_subjects() -> None:
    t = load_routellm("mmlu", MIRROR, quiet=True)
    assert len(t) == 14037 and t.prompts["domain"].nunique() == 57
    with pytest.raises(InvalidRequestError):
        load_routellm("hellaswag", MIRROR)


def test_mt_bench_quality_is_mean_judgment_over_turns_div_10() -> None:
    import pandas as pd

    t = load_routellm("mt_bench", MIRROR, quiet=True)
    j = pd.read_json(MIRROR / "outcomes/routellm/mt_bench/judgements.jsonl", lines=True)
    qid = int(t.prompts["id"].iloc[0].split(".")[1])
    want = j[(j.question_id == qid) & (j.model == "gpt-4-1106-preview")].score.mean() / 10
    assert t.quality[0, t.model_index("gpt-4-1106-preview")] == pytest.approx(want)


def test_routerarena_has_tokens_and_cost() -> None:
    t = load_routerarena_sub10(MIRROR, quiet=True)
    assert len(t) == 809 and t.n_models == 2
    assert t.input_tokens is not None and (t.input_tokens > 0).all()
    assert (t.cost > 0).all()


def test_llmperf_failed_rows_filtered() -> None:
    ok = load_llmperf(MIRROR, quiet=True)
    everything = load_llmperf(MIRROR, include_failed=True, quiet=True)
    assert len(everything) == 2845 and len(ok) < len(everything)
    assert "error_code" not in ok.columns and everything["error_code"].notna().sum() == len(everything) - len(ok)
    assert (ok["ttft_s"] > 0).all() and (ok["end_to_end_latency_s"] >= ok["ttft_s"]).all()
    s = load_llmperf_summaries(MIRROR, quiet=True)
    assert len(s) == 19 and {"provider", "llama2_size", "results_ttft_s_mean"} <= set(s.columns)


def test_routerarena_prices() -> None:
    from routerlab.datasets import load_routerarena_prices

    p = load_routerarena_prices(MIRROR, quiet=True)
    assert len(p) == 45 and p.loc["gpt-4.1", "input_per_m"] == 2.0 and (p >= 0).all().all()


def test_routellm_gsm8k_keeps_both_recorded_answers_aligned_with_their_scores() -> None:
    import pandas as pd

    t = load_routellm("gsm8k", MIRROR, quiet=True)
    assert t.responses is not None and t.responses.shape == (1307, 2)
    raw = pd.read_csv(MIRROR / "outcomes/routellm/gsm8k/gsm8k_responses.csv")
    row = raw[raw["prompt"] == t.prompts["text"].iloc[0]].iloc[0]
    for j, m in enumerate(t.models):
        assert t.responses[0, j] == row[f"{m}_response"] and t.quality[0, j] == float(row[m])
    assert load_routellm("mmlu", MIRROR, quiet=True).responses is None  # correctness only


def test_routellm_mt_bench_reads_each_models_first_answer_never_the_reference() -> None:
    import pandas as pd

    t = load_routellm("mt_bench", MIRROR, quiet=True)
    assert t.responses is not None and t.responses.shape == (72, 2) and (t.responses != "").all()
    assert (t.responses[:, 0] != t.responses[:, 1]).mean() > 0.9  # one extraction task has the same answer twice
    j = pd.read_json(MIRROR / "outcomes/routellm/mt_bench/judgements.jsonl", lines=True)
    math = j[(j.turn == 2) & j.judge.astype(str).str.contains("math")]
    # the reference answer a math judge sees (its first turn), in full: never what a model answered
    refs = {int(r.question_id): r.user_prompt.split("### Reference answer:\n", 1)[1].split("\n\n### User:")[0].strip()
            for r in math.itertuples()}
    ids = [int(i.split(".")[1]) for i in t.prompts["id"]]
    assert refs and all(a != refs[i] for i, row in zip(ids, t.responses, strict=True) if i in refs for a in row)
