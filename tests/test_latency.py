"""The latency model: fitted from real llmperf requests, catalog profiles, vectorized predict."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from routerlab.catalog import Catalog
from routerlab.errors import DatasetError, UnknownModelError
from routerlab.latency import LatencyModel, Profile, fit_llmperf, fit_observations
from routerlab.workloads import data_dir

LLMPERF = data_dir() / "latency" / "llmperf_requests_flat.csv"
needs_data = pytest.mark.skipif(not LLMPERF.exists(), reason="shared data mirror not present")


@needs_data
def test_llmperf_fit_drops_error_rows_and_keeps_sources() -> None:
    fit = fit_llmperf()
    raw = pd.read_csv(LLMPERF)
    ok = raw[raw["error_code"].isna()]
    assert fit["n"].sum() <= len(ok) < len(raw)
    groq = fit.set_index("id").loc["llmperf:groq/llama-2-70b"]
    g = ok[(ok["provider"] == "groq")]
    assert groq["ttft_s"] == pytest.approx(g["ttft_s"].median())
    # groq was by far the fastest decoder in that leaderboard
    assert groq["output_tps"] == fit["output_tps"].max()
    assert fit["source"].str.contains("27aa9b6a").all()


@needs_data
def test_predict_is_ttft_plus_tokens_over_throughput_vectorized() -> None:
    lm = LatencyModel.from_llmperf()
    p = lm.profile("llmperf:together/llama-2-70b")
    got = lm.predict(np.array(["llmperf:together/llama-2-70b", "llmperf:groq/llama-2-70b"] * 3), [0, 100, 200, 0, 5, 9])
    assert got[0] == pytest.approx(p.ttft_s)
    assert got[2] == pytest.approx(p.ttft_s + 200 / p.output_tps)
    assert got.shape == (6,)
    assert "fallback" in lm.profile("no:such-model").source


def test_catalog_profiles_win_and_unknown_without_fallback_raises() -> None:
    cat = Catalog.default()
    lm = LatencyModel.from_catalog(cat)
    opus = cat.get("anthropic:claude-opus-4-5")
    assert lm.predict("anthropic:claude-opus-4-5", 450) == pytest.approx(opus.latency.predict(450))
    assert lm.profile("anthropic:claude-opus-4-5").source == opus.latency.source
    with pytest.raises(UnknownModelError):
        lm.predict(["nope:model"], [1])
    merged = LatencyModel(profiles={"anthropic:claude-opus-4-5": Profile(9.0, 1.0, "x")}).merged(lm)
    assert merged.profile("anthropic:claude-opus-4-5").ttft_s == opus.latency.ttft_s


def test_fit_observations_recovers_throughput() -> None:
    out = np.array([10, 50, 100, 200])
    prof = fit_observations("local:smollm2-135m", [0.1] * 4, out, 0.1 + out / 40.0)
    assert prof.output_tps == pytest.approx(40.0) and prof.ttft_s == pytest.approx(0.1)
    with pytest.raises(DatasetError):
        fit_observations("m", [], [], [])
