"""Latency per model: ``seconds = ttft_s + output_tokens / output_tps``.

Where the figures come from (each profile keeps its ``source``):

- the catalog's ``LatencyProfile`` of a model (``LatencyModel.from_catalog``), which is what
  ``routerlab.simulate`` uses for catalog models;
- measured requests: ``fit_llmperf`` fits one profile per provider x model from the llmperf
  leaderboard's 2,845 requests (ray-project/llmperf-leaderboard @ 27aa9b6a, Dec 2023, 550
  input / 150 output tokens, 5 concurrent): error rows dropped, ttft = median first-token time,
  throughput = median of (output tokens - 1) / (end-to-end - ttft) per request. Their ids are
  ``llmperf:<provider>/llama-2-<size>``. They describe Llama-2 on 2023 hosting, not today's
  models: use them as a latency *model*, not as truth;
- your own measurements (``fit_observations``, e.g. from a trace of the local model).

Input length is not modelled (prefill is folded into ttft at the measured prompt size).
Profiles are the catalog's ``LatencyProfile`` (``Profile`` is the same class).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .catalog import LatencyProfile
from .datasets import data_dirs
from .errors import DatasetError, UnknownModelError

__all__ = ["Profile", "LatencyModel", "fit_llmperf", "fit_observations", "LLMPERF_FILE"]

LLMPERF_FILE = "latency/llmperf_requests_flat.csv"
_LLMPERF_ORIGIN = "ray-project/llmperf-leaderboard @ 27aa9b6a, Dec 2023"


# One latency profile type for the whole kit: the catalog's (validated there).
Profile = LatencyProfile


def fit_llmperf(path: str | Path | None = None) -> pd.DataFrame:
    """One row per provider x model from the llmperf per-request CSV (error rows dropped):
    ``id, provider, model, n, ttft_s, output_tps, itl_s, source``."""
    return _fit_llmperf_file(_llmperf_key(path)).copy()


def _llmperf_key(path: str | Path | None) -> tuple[str, int, int]:
    """The file and its version: fitted once per version (simulate() without a latency model
    asks for the fit on every call, a playground on every change)."""
    p = Path(path) if path is not None else data_dirs()[0][0] / LLMPERF_FILE
    if not p.exists():
        raise DatasetError(f"llmperf latency file not found at {p}: set ROUTERLAB_DATA_DIR to the data mirror")
    st = p.stat()
    return str(p.resolve()), st.st_mtime_ns, st.st_size


@functools.lru_cache(maxsize=4)
def _llmperf_profiles(key: tuple[str, int, int]) -> tuple[dict[str, Profile], Profile]:
    fit = _fit_llmperf_file(key)
    profs = {str(r["id"]): Profile(float(r["ttft_s"]), float(r["output_tps"]), str(r["source"]))
             for r in fit.to_dict("records")}
    pooled = Profile(float(fit["ttft_s"].median()), float(fit["output_tps"].median()),
                     f"{_LLMPERF_ORIGIN}: median over {len(fit)} provider x model fits (fallback)")
    return profs, pooled


@functools.lru_cache(maxsize=4)
def _fit_llmperf_file(key: tuple[str, int, int]) -> pd.DataFrame:
    p = Path(key[0])
    df = pd.read_csv(p)
    need = {"provider", "llama2_size", "error_code", "ttft_s", "end_to_end_latency_s", "number_output_tokens"}
    if not need <= set(df.columns):
        raise DatasetError(f"{p}: missing columns {sorted(need - set(df.columns))}")
    ok = df[df["error_code"].isna() & (df["number_output_tokens"] > 1) & (df["end_to_end_latency_s"] > df["ttft_s"])]
    ok = ok.assign(tps=(ok["number_output_tokens"] - 1) / (ok["end_to_end_latency_s"] - ok["ttft_s"]))
    g = ok.groupby(["provider", "llama2_size"], sort=True)
    out = g.agg(n=("tps", "size"), ttft_s=("ttft_s", "median"), output_tps=("tps", "median")).reset_index()
    out["itl_s"] = 1.0 / out["output_tps"]
    out["model"] = "llama-2-" + out["llama2_size"].astype(str)
    out["id"] = "llmperf:" + out["provider"] + "/" + out["model"]
    dropped = len(df) - len(ok)
    out["source"] = [f"{_LLMPERF_ORIGIN}: {r.provider} {r.model}, median of {r.n} ok requests "
                     f"({dropped} error rows in the file dropped)" for r in out.itertuples()]
    return out[["id", "provider", "model", "n", "ttft_s", "output_tps", "itl_s", "source"]]


def fit_observations(model: str, ttft_s: Sequence[float], output_tokens: Sequence[int],
                     latency_s: Sequence[float], source: str = "measured") -> Profile:
    """A profile from your own calls: median ttft, and throughput from a least-squares fit of
    (latency - ttft) on output tokens through the origin."""
    t, o, lat = (np.asarray(x, dtype=float) for x in (ttft_s, output_tokens, latency_s))
    if len(t) == 0 or not (len(t) == len(o) == len(lat)):
        raise DatasetError(f"fit_observations({model!r}) needs equal, non-empty sequences")
    decode = np.clip(lat - t, 0.0, None)
    denom = float(np.dot(o, o))
    per_token = float(np.dot(o, decode) / denom) if denom > 0 else 0.0
    if per_token <= 0:
        raise DatasetError(f"fit_observations({model!r}): no decode time to fit throughput from")
    return Profile(float(np.median(t)), 1.0 / per_token, f"{source}: {len(t)} calls of {model}")


class LatencyModel:
    """Profiles keyed by model id, vectorized: ``predict(model_ids, output_tokens) -> seconds``.

    A model without a profile uses ``fallback`` when one is set (its source says so), else
    raises UnknownModelError."""

    def __init__(self, profiles: Mapping[str, Profile] | None = None, fallback: Profile | None = None) -> None:
        self.profiles: dict[str, Profile] = dict(profiles or {})
        self.fallback = fallback

    def __repr__(self) -> str:
        return f"LatencyModel({len(self.profiles)} profiles, fallback={self.fallback is not None})"

    @classmethod
    def from_catalog(cls, catalog: Iterable[Any], fallback: Profile | None = None) -> LatencyModel:
        profs: dict[str, Profile] = {}
        for m in catalog:
            lp = getattr(m, "latency", None)
            if lp is not None and float(getattr(lp, "output_tps", 0.0) or 0.0) > 0:
                profs[m.id] = Profile(float(lp.ttft_s), float(lp.output_tps), str(getattr(lp, "source", "catalog")))
        return cls(profs, fallback)

    @classmethod
    def from_llmperf(cls, path: str | Path | None = None) -> LatencyModel:
        profs, pooled = _llmperf_profiles(_llmperf_key(path))
        return cls(profs, pooled)

    @classmethod
    def default(cls, catalog: Iterable[Any] | None = None, llmperf_path: str | Path | None = None) -> LatencyModel:
        """Catalog profiles first, then the llmperf fits; the llmperf pooled median as fallback
        (when the llmperf file is missing: catalog profiles only, no fallback)."""
        try:
            base = cls.from_llmperf(llmperf_path)
        except DatasetError:
            base = cls()
        if catalog is not None:
            base = base.merged(cls.from_catalog(catalog))
        return base

    @classmethod
    def from_trace(cls, frame: Any, min_calls: int = 3, fallback: Profile | None = None) -> LatencyModel:
        """Profiles fitted from your own calls: a trace DataFrame (``Trace.to_frame()``) with
        ``kind``, ``model``, ``status``, ``ttft_s``, ``output_tokens``, ``start``, ``end``. Models
        with fewer than ``min_calls`` ok calls are left out. A missing ttft counts as 0 (all of
        the latency is then put on decoding: a lower bound on throughput)."""
        f = frame[(frame["kind"] == "call") & (frame["status"] == "ok") & (frame["output_tokens"] > 0)]
        profs: dict[str, Profile] = {}
        for model, g in f.groupby("model"):
            if len(g) < min_calls:
                continue
            ttft = pd.to_numeric(g["ttft_s"], errors="coerce").fillna(0.0).to_numpy()
            try:
                profs[str(model)] = fit_observations(str(model), ttft, g["output_tokens"].to_numpy(),
                                                     (g["end"] - g["start"]).to_numpy(), source="fitted from a trace")
            except DatasetError:
                continue
        return cls(profs, fallback)

    def merged(self, other: LatencyModel) -> LatencyModel:
        """Profiles of both; ``other`` wins on the same id and supplies the fallback if it has one."""
        return LatencyModel({**self.profiles, **other.profiles}, other.fallback or self.fallback)

    def with_profile(self, model: str, profile: Profile) -> LatencyModel:
        return LatencyModel({**self.profiles, model: profile}, self.fallback)

    def profile(self, model: str) -> Profile:
        p = self.profiles.get(model)
        if p is not None:
            return p
        if self.fallback is not None:
            return self.fallback
        raise UnknownModelError(model, sorted(self.profiles)[:5])

    def params(self, models: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """(ttft_s, output_tps) arrays for a short list of distinct model ids."""
        profs = [self.profile(m) for m in models]
        return (np.array([p.ttft_s for p in profs], dtype=float), np.array([p.output_tps for p in profs], dtype=float))

    def predict(self, model_ids: Sequence[str] | np.ndarray | str, output_tokens: Any) -> np.ndarray:
        """Seconds per call: ttft + output_tokens / throughput, broadcast over arrays."""
        out = np.asarray(output_tokens, dtype=float)
        if isinstance(model_ids, str):
            ttft, tps = self.params([model_ids])
            return ttft[0] + out / tps[0]
        codes, uniques = pd.factorize(np.asarray(model_ids, dtype=object))
        ttft, tps = self.params([str(u) for u in uniques])
        return ttft[codes] + out / tps[codes]

    def ttft(self, model_ids: Sequence[str] | np.ndarray) -> np.ndarray:
        codes, uniques = pd.factorize(np.asarray(model_ids, dtype=object))
        return self.params([str(u) for u in uniques])[0][codes]

    def table(self) -> pd.DataFrame:
        """Every profile with its source, for display."""
        rows = [{"model": k, "ttft_s": p.ttft_s, "output_tps": p.output_tps, "source": p.source}
                for k, p in self.profiles.items()]
        return pd.DataFrame(rows, columns=["model", "ttft_s", "output_tps", "source"])
