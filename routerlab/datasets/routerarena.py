"""RouterArena sub10: 809 queries x claude-3-haiku and gemini-2.0-flash, with tokens and cost.

Scores are RouterArena's per-metric scores (mostly 0/1; METEOR is graded and can dip slightly
below 0), kept unchanged. ``benchmark`` is RouterArena's source dataset, ``metric`` its metric.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import DatasetError
from ._read import DataDir, read_csv, read_json, require_columns
from .registry import get
from .table import OutcomeTable

__all__ = ["load_routerarena_sub10", "load_routerarena_prices"]

_KEY = "outcomes/routerarena_sub10/routerarena_sub10_2models.csv"
_COLS = ["global_index", "source", "model", "success", "input_tokens", "output_tokens", "score", "metric",
         "inference_cost_usd", "question"]


def load_routerarena_sub10(data_dir: DataDir = None, quiet: bool = False) -> OutcomeTable:
    df = read_csv(_KEY, data_dir, quiet=quiet)
    require_columns(df, _COLS, _KEY)
    if not df["success"].astype(bool).all():
        df = df[df["success"].astype(bool)]
    models = sorted(df["model"].unique().tolist())

    def wide(col: str) -> pd.DataFrame:
        return df.pivot_table(index="global_index", columns="model", values=col, aggfunc="first")[models]

    score = wide("score")
    if score.isna().any(axis=1).any():
        score = score.dropna()  # a query without an outcome for every model cannot be routed on
        if len(score) == 0:
            raise DatasetError(f"{_KEY}: no query has a score for every model")
    ids = score.index
    first = df.drop_duplicates("global_index").set_index("global_index").loc[ids]
    prompts = pd.DataFrame({"id": ids.astype(str), "text": first["question"].astype(str).to_numpy(),
                            "embed_text": first["question"].astype(str).to_numpy(), "split": "all",
                            "benchmark": first["source"].astype(str).to_numpy(),
                            "metric": first["metric"].astype(str).to_numpy()})
    src = get(_KEY).source
    return OutcomeTable(
        name="routerarena_sub10", prompts=prompts, models=models, quality=score.to_numpy(dtype=float),
        cost=wide("inference_cost_usd").loc[ids].to_numpy(dtype=float),
        input_tokens=wide("input_tokens").loc[ids].to_numpy(dtype=float),
        output_tokens=wide("output_tokens").loc[ids].to_numpy(dtype=float),
        origin=f"{src.repo} @ {src.ref} : cached_results/ (reshaped)", licence=src.licence,
    )


def load_routerarena_prices(data_dir: DataDir = None, quiet: bool = False) -> pd.DataFrame:
    """USD per million input / output tokens for RouterArena's 45 models."""
    key = "outcomes/routerarena_sub10/routerarena_model_cost.json"
    raw = read_json(key, data_dir, quiet=quiet)
    if not isinstance(raw, dict):
        raise DatasetError(f"{key}: expected an object keyed by model")
    rows = {m: {"input_per_m": float(v["input_token_price_per_million"]),
                "output_per_m": float(v["output_token_price_per_million"])} for m, v in raw.items()}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("model").astype(np.float64)
