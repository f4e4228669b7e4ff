"""RouterBench 0-shot subset (RouterDC's train/test split): 3 benchmarks x 11 models.

Prompts are stored as Python list literals; ``text`` is the decoded prompt. Every ARC-Challenge
and Winogrande prompt begins with the same five worked examples ("... Answer:\\nB\\n\\n"), so
``embed_text`` keeps only the final question block: embedding the shared preamble would make
all prompts of a benchmark look alike. MBPP prompts are used whole.

Each model's recorded answer (``<model>|model_response``) is kept in ``responses``.

Rows whose outcome is missing for any model (20 ARC train, 8 ARC test) are dropped, leaving
2,205 train and 945 test prompts.
"""

from __future__ import annotations

import ast
import re

import numpy as np
import pandas as pd

from ..errors import DatasetError, InvalidRequestError
from ._read import DataDir, read_csv, require_columns
from .registry import get
from .table import OutcomeTable

__all__ = ["load_routerbench_zs", "ROUTERBENCH_ZS_BENCHMARKS", "final_question"]

#: file stem -> benchmark name in the table
ROUTERBENCH_ZS_BENCHMARKS = {"arc_challenge": "arc-challenge", "mbpp": "mbpp", "winograde": "winogrande"}
_SHOT_END = re.compile(r"Answer:\s*[A-E]\s*\n\n")


def final_question(prompt: str) -> str:
    """The last question block of a few-shot prompt (everything after the last worked answer)."""
    return _SHOT_END.split(prompt)[-1].strip()


def _decode(raw: str) -> list[str]:
    try:
        val = ast.literal_eval(raw)
    except (ValueError, SyntaxError):
        return [raw]
    if isinstance(val, list) and all(isinstance(x, str) for x in val):
        return val
    return [str(val)]


def _responses(df: pd.DataFrame, models: list[str], key: str) -> np.ndarray:
    cols = [f"{m}|model_response" for m in models]
    require_columns(df, cols, key)
    out = np.empty((len(df), len(models)), dtype=object)
    for j, col in enumerate(cols):
        out[:, j] = ["\n".join(_decode(str(r))) for r in df[col]]
    return out


def _load_one(stem: str, split: str, data_dir: DataDir, quiet: bool) -> tuple[pd.DataFrame, list[str], list[str]]:
    key = f"outcomes/routerbench_zs/{stem}_{split}.csv"
    df = read_csv(key, data_dir, quiet=quiet)
    require_columns(df, ["sample_id", "prompt", "eval_name"], key)
    cost_cols = [c for c in df.columns if c.endswith("|total_cost")]
    models = [c.split("|")[0] for c in cost_cols]
    require_columns(df, models, key)
    if not models:
        raise DatasetError(f"{key}: no '<model>|total_cost' columns")
    return df, models, cost_cols


def load_routerbench_zs(data_dir: DataDir = None, benchmarks: list[str] | None = None,
                        splits: tuple[str, ...] = ("train", "test"), quiet: bool = False) -> OutcomeTable:
    """Load the RouterBench 0-shot subset as one table (``split`` and ``benchmark`` columns).

    ``benchmarks``: file stems or names (``arc_challenge``/``arc-challenge``, ``mbpp``,
    ``winograde``/``winogrande``); default all three.
    """
    names = {**{k: k for k in ROUTERBENCH_ZS_BENCHMARKS}, **{v: k for k, v in ROUTERBENCH_ZS_BENCHMARKS.items()}}
    stems = list(ROUTERBENCH_ZS_BENCHMARKS) if benchmarks is None else []
    for b in benchmarks or []:
        if b not in names:
            raise InvalidRequestError(f"unknown RouterBench benchmark {b!r}; use one of {sorted(names)}")
        stems.append(names[b])
    for s in splits:
        if s not in ("train", "test"):
            raise InvalidRequestError(f"unknown split {s!r}; RouterBench 0-shot has 'train' and 'test'")

    frames, qual, cost, resp = [], [], [], []
    models: list[str] | None = None
    for stem in stems:
        for split in splits:
            df, cols, cost_cols = _load_one(stem, split, data_dir, quiet)
            if models is None:
                models = cols
            elif sorted(cols) != sorted(models):
                raise DatasetError(f"outcomes/routerbench_zs/{stem}_{split}.csv: model set differs from the others")
            q = df[models].to_numpy(dtype=float)
            c = df[[f"{m}|total_cost" for m in models]].to_numpy(dtype=float)
            keep = ~np.isnan(q).any(axis=1) & ~np.isnan(c).any(axis=1)
            df = df.loc[keep]
            texts = [_decode(str(p)) for p in df["prompt"]]
            few_shot = stem != "mbpp"
            frames.append(pd.DataFrame({
                "id": df["sample_id"].astype(str).to_numpy(),
                "text": ["\n\n".join(t) for t in texts],
                "embed_text": [final_question(t[-1]) if few_shot else "\n\n".join(t) for t in texts],
                "split": split,
                "benchmark": ROUTERBENCH_ZS_BENCHMARKS[stem],
            }))
            qual.append(q[keep])
            cost.append(c[keep])
            resp.append(_responses(df, models, key=f"outcomes/routerbench_zs/{stem}_{split}.csv"))
    assert models is not None
    prompts = pd.concat(frames, ignore_index=True)
    # A few sample_ids repeat inside a file; keep the rows, make ids unique.
    dup = prompts.groupby("id").cumcount()
    prompts["id"] = np.where(dup > 0, prompts["id"] + "#" + dup.astype(str), prompts["id"])
    src = get(f"outcomes/routerbench_zs/{stems[0]}_{splits[0]}.csv").source
    quality = np.vstack(qual)
    if not np.isin(quality, (0.0, 1.0)).all():
        raise DatasetError("routerbench_zs: scores outside {0, 1}")
    short = [m.rsplit("/", 1)[-1] for m in models]
    return OutcomeTable(
        name="routerbench_zs", prompts=prompts, models=short, quality=quality, cost=np.vstack(cost),
        responses=np.vstack(resp),
        origin=f"{src.repo} @ {src.ref} : datasets/routerbench_zs/", licence=src.licence,
        meta={"columns": dict(zip(short, models, strict=True)), "reference_model": "gpt-4-1106-preview"},
    )
