"""RouteLLM's evaluation outcomes: GPT-4-1106 (strong) vs Mixtral-8x7B (weak).

As RouteLLM evaluates, prompts that overlap its router training data (``contaminated_prompts``,
matched on ``eval_prompt``) are removed: GSM8K 1,319 -> 1,307, MMLU 14,042 -> 14,037,
MT-Bench 80 -> 72 questions (a question goes if either turn is contaminated).

Quality: GSM8K and MMLU correctness as 0/1. MT-Bench: GPT-4's single-answer judgments (1-10)
averaged over the two turns and divided by 10; routing uses the first turn's text, as RouteLLM
does. These tables carry no cost: ``cost`` is NaN, and "cost" in RouteLLM's metrics is the share
of calls sent to the strong model.

Recorded answers: GSM8K keeps both models' answer texts (``responses``, weak then strong
column), what a cascade reads; MT-Bench's first-turn answers are read from the second-turn
judge prompts (the assistant's conversation block, not the reference answer math judges also
see); the MMLU files hold correctness only (``responses=None``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import DatasetError, InvalidRequestError
from ._read import DataDir, read_csv, read_jsonl, require_columns
from .registry import files, get
from .table import OutcomeTable

__all__ = ["load_routellm", "load_routellm_gsm8k", "load_routellm_mmlu", "load_routellm_mt_bench",
           "STRONG", "WEAK"]

STRONG = "gpt-4-1106-preview"
WEAK = "mistralai/Mixtral-8x7B-Instruct-v0.1"
_MODELS = [WEAK, STRONG]  # column 0 weak, column 1 strong


def _contaminated(key: str, data_dir: DataDir, quiet: bool) -> set[str]:
    df = read_jsonl(key, data_dir, quiet=quiet)
    require_columns(df, ["eval_prompt"], key)
    return set(df["eval_prompt"].astype(str))


def _table(name: str, prompts: pd.DataFrame, quality: np.ndarray, key: str, n_before: int,
           responses: np.ndarray | None = None) -> OutcomeTable:
    src = get(key).source
    n = len(prompts)
    return OutcomeTable(
        name=name, prompts=prompts, models=list(_MODELS), quality=quality, cost=np.full((n, 2), np.nan),
        responses=responses,
        origin=f"{src.repo} @ {src.ref} : {get(key).origin_path}", licence=src.licence,
        meta={"strong": STRONG, "weak": WEAK, "n_before_decontamination": n_before},
    )


def _bool_matrix(df: pd.DataFrame, key: str) -> np.ndarray:
    require_columns(df, _MODELS, key)
    q = df[_MODELS]
    if not all(q[c].dtype == bool for c in _MODELS):
        raise DatasetError(f"{key}: correctness columns must be True/False")
    return q.to_numpy(dtype=float)


def load_routellm_gsm8k(data_dir: DataDir = None, quiet: bool = False) -> OutcomeTable:
    key = "outcomes/routellm/gsm8k/gsm8k_responses.csv"
    df = read_csv(key, data_dir, quiet=quiet)
    answer_cols = [f"{m}_response" for m in _MODELS]
    require_columns(df, ["prompt", *answer_cols], key)
    bad = _contaminated("outcomes/routellm/gsm8k/contaminated_prompts.jsonl", data_dir, quiet)
    n0 = len(df)
    df = df[~df["prompt"].isin(bad)].reset_index(drop=True)
    prompts = pd.DataFrame({"id": [f"gsm8k.{i}" for i in df.index], "text": df["prompt"].astype(str),
                            "embed_text": df["prompt"].astype(str), "split": "test", "benchmark": "gsm8k"})
    responses = df[answer_cols].fillna("").astype(str).to_numpy(dtype=object)
    return _table("routellm_gsm8k", prompts, _bool_matrix(df, key), key, n0, responses)


def load_routellm_mmlu(data_dir: DataDir = None, quiet: bool = False) -> OutcomeTable:
    keys = [f.key for f in files("routellm_mmlu") if not f.key.endswith("contaminated_prompts.jsonl")]
    frames = []
    for key in keys:
        df = read_csv(key, data_dir, quiet=quiet)
        require_columns(df, ["prompt", *_MODELS], key)
        _bool_matrix(df, key)
        df["domain"] = key.rsplit("/", 1)[-1][len("mmlu_"):-len(".csv")]
        frames.append(df)
    all_df = pd.concat(frames, ignore_index=True)
    bad = _contaminated("outcomes/routellm/mmlu_responses/_contaminated_prompts.jsonl", data_dir, quiet)
    n0 = len(all_df)
    all_df = all_df[~all_df["prompt"].isin(bad)].reset_index(drop=True)
    prompts = pd.DataFrame({"id": [f"mmlu.{d}.{i}" for i, d in zip(all_df.index, all_df["domain"], strict=True)],
                            "text": all_df["prompt"].astype(str), "embed_text": all_df["prompt"].astype(str),
                            "split": "test", "benchmark": "mmlu", "domain": all_df["domain"]})
    return _table("routellm_mmlu", prompts, all_df[_MODELS].to_numpy(dtype=float), keys[0], n0)


def load_routellm_mt_bench(data_dir: DataDir = None, quiet: bool = False) -> OutcomeTable:
    qkey, jkey = "outcomes/routellm/mt_bench/question.jsonl", "outcomes/routellm/mt_bench/judgements.jsonl"
    q = read_jsonl(qkey, data_dir, quiet=quiet)
    j = read_jsonl(jkey, data_dir, quiet=quiet)
    require_columns(q, ["question_id", "category", "turns"], qkey)
    require_columns(j, ["question_id", "model", "score", "turn"], jkey)
    bad = _contaminated("outcomes/routellm/mt_bench/contaminated_prompts.jsonl", data_dir, quiet)
    n0 = len(q)
    t1, t2 = q["turns"].str[0].astype(str), q["turns"].str[1].astype(str)
    q = q[~(t1.isin(bad) | t2.isin(bad))].reset_index(drop=True)
    scores = j.groupby(["question_id", "model"])["score"].mean().unstack("model")
    missing = [m for m in _MODELS if m not in scores.columns]
    if missing:
        raise DatasetError(f"{jkey}: no judgments for {missing}")
    scores = scores.reindex(q["question_id"])[_MODELS]
    if scores.isna().any().any():
        raise DatasetError(f"{jkey}: some questions lack a judgment for a model")
    quality = scores.to_numpy(dtype=float) / 10.0
    if quality.min() < 0 or quality.max() > 1:
        raise DatasetError(f"{jkey}: judgments outside 1-10")
    first = q["turns"].str[0].astype(str)
    prompts = pd.DataFrame({"id": [f"mt_bench.{i}" for i in q["question_id"]], "text": first, "embed_text": first,
                            "split": "test", "benchmark": "mt_bench", "domain": q["category"]})
    return _table("routellm_mt_bench", prompts, quality, jkey, n0, _mt_bench_answers(j, q["question_id"]))


_CONVERSATION = "<|The Start of Assistant A's Conversation with User|>"


def _first_answer(judge_prompt: str) -> str:
    """The assistant's first-turn answer inside a multi-turn judge prompt (never the reference
    answer a math judge also shows: that block is labelled "Reference answer")."""
    text = str(judge_prompt)
    start = text.find(_CONVERSATION)
    if start < 0:
        return ""
    head = text.find("### Assistant A:\n", start)
    if head < 0:
        return ""
    head += len("### Assistant A:\n")
    end = text.find("\n\n### User:", head)
    return text[head:end if end >= 0 else len(text)].strip()


def _mt_bench_answers(j: pd.DataFrame, question_ids: pd.Series) -> np.ndarray:
    """(n, 2) first-turn answers (weak, strong) read from the second-turn judge prompts."""
    second = j[j["turn"] == 2]
    found = {(int(str(r.question_id)), str(r.model)): _first_answer(str(r.user_prompt)) for r in second.itertuples()}
    return np.array([[found.get((int(qid), m), "") for m in _MODELS] for qid in question_ids], dtype=object)


def load_routellm(benchmark: str, data_dir: DataDir = None, quiet: bool = False) -> OutcomeTable:
    """``benchmark`` in {"gsm8k", "mmlu", "mt_bench"}."""
    loaders = {"gsm8k": load_routellm_gsm8k, "mmlu": load_routellm_mmlu, "mt_bench": load_routellm_mt_bench,
               "mt-bench": load_routellm_mt_bench}
    if benchmark not in loaders:
        raise InvalidRequestError(f"unknown RouteLLM benchmark {benchmark!r}; use gsm8k, mmlu or mt_bench")
    return loaders[benchmark](data_dir, quiet)
