"""llmperf leaderboard latencies (Dec 2023): per-request rows and per provider x model summaries.

Failed requests (``error_code`` set: HTTP 429, timeouts) are filtered out by default. Treat the
numbers as a latency model (time to first token + inter-token latency x output tokens), not as
today's truth.
"""

from __future__ import annotations

import pandas as pd

from ..errors import DatasetError
from ._read import DataDir, read_csv, read_json, require_columns
from .registry import files

__all__ = ["load_llmperf", "load_llmperf_summaries"]

_KEY = "latency/llmperf_requests_flat.csv"
_COLS = ["provider", "llama2_size", "model", "request_idx", "error_code", "inter_token_latency_s", "ttft_s",
         "end_to_end_latency_s", "number_input_tokens", "number_output_tokens"]


def load_llmperf(data_dir: DataDir = None, include_failed: bool = False, quiet: bool = False) -> pd.DataFrame:
    """One row per request: provider, llama2_size, model, ttft_s, inter_token_latency_s,
    end_to_end_latency_s, request_output_throughput_token_per_s, token counts.

    ``include_failed=False`` drops requests with an ``error_code`` or missing latencies.
    """
    df = read_csv(_KEY, data_dir, quiet=quiet)
    require_columns(df, _COLS, _KEY)
    df = df.drop(columns=[c for c in ("GEN_TEXT",) if c in df.columns])
    if not include_failed:
        ok = df["error_code"].isna() & df[["ttft_s", "end_to_end_latency_s", "inter_token_latency_s"]].notna().all(axis=1)
        df = df[ok & (df["number_output_tokens"] > 0)]
        df = df.drop(columns=["error_code", "error_msg"], errors="ignore")
    return df.reset_index(drop=True)


def load_llmperf_summaries(data_dir: DataDir = None, quiet: bool = False) -> pd.DataFrame:
    """One row per provider x model summary JSON (the ``results_*`` fields, flattened)."""
    rows = []
    for f in files("llmperf"):
        if not f.key.startswith("latency/llmperf_summary/"):
            continue
        raw = read_json(f.key, data_dir, quiet=quiet)
        if not isinstance(raw, dict) or "model" not in raw:
            raise DatasetError(f"{f.key}: not an llmperf summary")
        provider, size = f.key.rsplit("/", 1)[-1].removesuffix(".json").split("_", 1)
        rows.append({"provider": provider, "llama2_size": size,
                     **{k: v for k, v in raw.items() if not isinstance(v, (dict, list))}})
    return pd.DataFrame(rows)
