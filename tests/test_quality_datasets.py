"""Quality loaders: Aider boards, tau2-bench leaderboard, SWE-bench bash-only as an OutcomeTable,
and the alias table that ties their model names to catalog ids."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from routerlab.catalog import Catalog
from routerlab.datasets import alias_table, load_aider, load_swebench_bash_only, load_tau2_leaderboard, unmapped
from routerlab.datasets.aliases import catalog_ids
from routerlab.datasets.swebench import repository
from routerlab.errors import InvalidRequestError

MIRROR = Path(__file__).resolve().parents[2] / "shared" / "data"
needs_mirror = pytest.mark.skipif(not MIRROR.is_dir(), reason="needs ../shared/data beside the checkout")


def test_every_alias_points_at_a_catalog_model() -> None:
    cat = Catalog.default()
    missing = [cid for cid in alias_table()["catalog_id"] if cid not in cat]
    assert missing == []


def test_alias_matching_is_exact_and_unknown_names_stay_na() -> None:
    ids, variants = catalog_ids("aider", pd.Series(["GPT-5 (HIGH) ", "gpt-5 (ultra)", None]))
    assert ids.iloc[0] == "openai:gpt-5" and variants.iloc[0] == "reasoning high"
    assert ids.iloc[1:].isna().all()
    with pytest.raises(InvalidRequestError, match="source must be one of"):
        catalog_ids("lmarena", pd.Series(["x"]))


@needs_mirror
def test_aider_polyglot_rates_counts_and_unrecorded_costs() -> None:
    df = load_aider("polyglot", MIRROR, quiet=True)
    assert len(df) == 69 and df["pass_2"].between(0, 1).all()
    assert (df["passed_2"] - df["pass_2"] * df["n"]).abs().max() <= 1  # counts agree with rates
    assert df["total_cost"].isna().sum() == 18  # 0 / missing = not recorded, never free
    gpt41 = df[df["model"] == "gpt-4.1"].iloc[0]
    assert gpt41["catalog_id"] == "openai:gpt-4.1" and gpt41["passed_2"] == 118
    assert len(unmapped(df)) == df["catalog_id"].isna().sum() > 0  # kept and reported, not dropped
    assert {"benchmark", "n", "date", "source"} <= set(df.columns) and df["source"].str.contains("5dc9490b").all()


@needs_mirror
def test_aider_architect_pairs_and_baselines() -> None:
    df = load_aider("architect", MIRROR, quiet=True)
    assert len(df) == 20 and df["architect"].sum() == 15
    assert df.loc[~df["architect"], "editor_model"].isna().all()
    with pytest.raises(InvalidRequestError, match="board must be one of"):
        load_aider("lmarena", MIRROR)


@needs_mirror
def test_tau2_keeps_the_setup_columns_and_normalizes_versions() -> None:
    df = load_tau2_leaderboard(MIRROR, quiet=True)
    assert df["pass_1"].notna().all() and df["pass_1"].between(0, 1).all()
    assert "v0.1.3" not in set(df["tau2_bench_version"])  # "v0.1.3" and "0.1.3" are one version
    assert {"custom", "standard", "unspecified"} <= set(df["submission_type"])
    assert not (df["cost"] == 0).any()  # 0.0 means not reported
    opus = df[(df["catalog_id"] == "anthropic:claude-opus-4-5") & (df["domain"] == "retail")].iloc[0]
    assert opus["tau2_bench_version"] == "1.0.1" and opus["user_simulator"] == "gpt-5.2"
    assert opus["n"] == 114 and abs(opus["pass_1"] - 0.7961) < 1e-9
    assert not df.loc[df["submission"] == "qwen3-max_qwen_2025-10-30", "in_manifest"].any()


@needs_mirror
def test_swebench_bash_only_is_an_outcome_table_that_matches_its_board() -> None:
    t = load_swebench_bash_only(MIRROR, quiet=True)
    models = t.meta["models"]
    assert t.quality.shape == (500, len(models)) and list(models["model"]) == t.models
    assert np.abs(t.quality.sum(axis=0) - models["board_resolved"] * 500).max() <= 1
    assert np.isfinite(t.cost).all() and t.meta["api_calls"].shape == t.quality.shape
    assert t.benchmark("django/django").quality.shape[0] == 231
    assert "Claude 3.7 Sonnet (20250219)" in set(t.meta["inconsistent"]["model"])
    assert len(t.meta["aggregate_only"]) == 6
    assert load_swebench_bash_only(MIRROR, quiet=True, keep_inconsistent=True).n_models == t.n_models + 1
    assert repository("scikit-learn__scikit-learn-10297") == "scikit-learn/scikit-learn"
