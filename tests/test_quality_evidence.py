"""Quality evidence on the real data: tier table, architect pairs, the 95% rule on SWE-bench
bash-only and tau2, and policy search held to simulate()."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import routerlab as routerlab_pkg
from routerlab.datasets import load_aider, load_swebench_bash_only, load_tau2_leaderboard
from routerlab.errors import RoutingError
from routerlab.quality import agent_rule, tau2_rule
from routerlab.quality.architect import architect_pairs
from routerlab.quality.evidence import NO_EVIDENCE, default_calibration_tables, tier_table
from routerlab.quality.policy import policy_search
from routerlab.simulate import simulate
from routerlab.tiers import TierMap
from routerlab.workloads import Workload
from routerlab.workloads.workload import LLMCall

MIRROR = Path(__file__).resolve().parents[2] / "shared" / "data"
pytestmark = pytest.mark.skipif(not MIRROR.is_dir(), reason="needs ../shared/data beside the checkout")

OPUS, SONNET, GPT5, MINI, HAIKU = ("anthropic:claude-opus-4-5", "anthropic:claude-sonnet-4-5", "openai:gpt-5",
                                   "openai:gpt-5-mini", "anthropic:claude-haiku-4-5")


@pytest.fixture(scope="module")
def table():
    return tier_table(TierMap.default())


def test_tier_table_covers_every_default_model_and_says_no_evidence(table) -> None:
    chosen = table[table["chosen"]].set_index("tier")["catalog_id"].to_dict()
    assert chosen == TierMap.default().as_dict()
    assert (table.loc[table["tier"] == "vision", "benchmark"] == NO_EVIDENCE).all()
    measured = table[table["benchmark"] != NO_EVIDENCE]
    assert measured[["n", "date", "source"]].notna().all().all()
    assert (measured["low"] <= measured["value"]).all() and (measured["value"] <= measured["high"]).all()
    coder = measured[measured["tier"] == "coder"].set_index("catalog_id")
    # every coder gap is against the best candidate on the same benchmark
    for _bench, grp in coder.groupby("benchmark"):
        assert grp["gap_points"].min() >= -1e-9 and grp["best_value"].nunique() == 1


def test_architect_pairs_compare_each_pair_with_its_planner_alone() -> None:
    pairs = architect_pairs(load_aider("architect", MIRROR, quiet=True))
    assert len(pairs) == 15
    ok = pairs["reaches_alone_cheaper"]
    assert ((pairs.loc[ok, "pass_2"] >= pairs.loc[ok, "alone_pass_2"]) & (pairs.loc[ok, "cost_ratio"] < 1)).all()
    assert (pairs["diff_low"] < pairs["diff_points"]).all() and (pairs["diff_points"] < pairs["diff_high"]).all()
    assert pairs.loc[pairs["planner"] == "o1-mini", "small_baseline"].all()  # its solo run had 36 cases


def test_swe_rule_pick_clears_the_bound_and_nothing_cheaper_does() -> None:
    t = load_swebench_bash_only(MIRROR, quiet=True)
    r = agent_rule(t, n_boot=500)
    rows = r.table.set_index("model")
    target = 0.95 * rows.loc[r.best, "rate"]
    assert rows.loc[r.chosen, "lower_bound"] >= target
    cheaper = rows[rows["cost_per_instance"] < rows.loc[r.chosen, "cost_per_instance"]]
    assert (cheaper["lower_bound"] < target).all()
    assert rows.loc[r.paired_chosen, "paired_lower"] >= 0
    assert rows[["benchmark", "n", "date", "source"]].notna().all().all()


def test_demo_prints_each_tiers_evidence_beside_cost() -> None:
    from routerlab.cli import _format_table, run_demo

    out = run_demo(out=None)
    table = out["table"]
    assert table["quality_coder"].str.contains("resolved on swe-bench").all()
    assert table["quality_classifier"].str.endswith("no evidence").all()
    assert "measured quality of each tier's model" in _format_table(table)
    # both policies run opus as the orchestrator: its whole-agent tau2 runs, labelled as not the routed mix
    assert table["measured_combination"].str.contains("claude-opus-4-5 alone as the whole agent").all()
    assert "not this routed mix" in _format_table(table)


def test_tau2_rule_stays_in_one_comparable_group() -> None:
    board = load_tau2_leaderboard(MIRROR, quiet=True)
    res = tau2_rule(board)
    assert set(res["domain"]) <= {"airline", "retail", "telecom", "banking_knowledge"}
    sel = board[(board["tau2_bench_version"] == "1.0.1") & (board["user_simulator"] == "gpt-5.2")
                & (board["submission_type"] == "standard") & (board["modality"] == "text")]
    for r in res.itertuples():
        assert r.entries == (sel["domain"] == r.domain).sum()
        assert r.best_pass_1 == pytest.approx(sel.loc[sel["domain"] == r.domain, "pass_1"].max())
        if r.chosen is not None:
            assert r.chosen_lower >= r.target


def _workload() -> Workload:
    calls = [
        LLMCall("t1", "main", "plan", 4000, 300, 0, OPUS, start=0.0, duration_s=5.0),
        LLMCall("t1", "main", "edit", 6000, 500, 3500, OPUS, start=6.0, duration_s=6.0),
        LLMCall("t1", "main", "search", 6500, 40, 5500, OPUS, start=13.0, duration_s=1.0),
        LLMCall("t1", "main", "edit", 7000, 400, 6000, OPUS, start=15.0, duration_s=4.0),
        LLMCall("t2", "main", "plan", 3000, 200, 0, SONNET, start=0.0, duration_s=3.0),
        LLMCall("t2", "main", "read", 3500, 30, 2500, SONNET, start=4.0, duration_s=1.0),
    ]
    return Workload.from_calls(calls)


def test_policy_search_costs_and_times_match_simulate(table) -> None:
    wl = _workload()
    tiers = set(wl.frame["tier"])
    cands = {t: [OPUS, SONNET, GPT5, MINI] for t in tiers}
    ps = policy_search(wl, cands, evidence=table)
    assert len(ps.frame) == np.prod([ps.frame[t].nunique() for t in ps.tiers]) and ps.frame["is_default"].sum() == 1
    for k in np.random.default_rng(0).choice(len(ps.frame), 12, replace=False):
        row = ps.frame.iloc[k]
        sim = simulate(wl, {t: row[t] for t in ps.tiers})
        assert row["cost_usd"] == pytest.approx(sim.totals["cost_usd"], rel=1e-12)
        assert row["wall_s"] == pytest.approx(sim.totals["wall_s"], rel=1e-12)
    best = ps.within(10)
    if best is not None:
        ok = ps.frame[ps.frame["worst_gap"] <= 10]
        assert best["worst_gap"] <= 10 and best["cost_usd"] == ok["cost_usd"].min()
    front = ps.pareto()
    assert len(front) and front["cost_usd"].is_monotonic_increasing
    with pytest.raises(RoutingError, match="no candidates"):
        policy_search(wl, {"coder": [OPUS]}, evidence=table)


def test_calibration_rows_name_their_table_without_machine_paths(tmp_path: Path) -> None:
    user = tmp_path / "deep" / "calibration_mine.csv"
    user.parent.mkdir()
    user.write_text("candidate,n,correct,accuracy,cost_per_1k_usd\nllm:openai:gpt-4o-mini,40,38,0.95,0.02\n")
    tables = [user, *default_calibration_tables()]
    rows = tier_table(TierMap.default(), calibration_tables=tables)
    rows = rows[rows["benchmark"].str.startswith("routerlab eval set")]
    assert "user file calibration_mine.csv" in set(rows["source"])
    assert not rows["source"].str.contains(str(tmp_path), regex=False).any()
    mine = rows[rows["source"] == "user file calibration_mine.csv"].iloc[0]
    assert (mine["catalog_id"], mine["n"], mine["value"]) == ("openai:gpt-4o-mini", 40, 0.95)


def test_the_shipped_calibration_run_keeps_its_date_and_name_wherever_it_is_installed(tmp_path: Path) -> None:
    import os
    import shutil

    (shipped,) = [p for p in default_calibration_tables() if p.name == "calibration_offline.csv"]
    assert shipped.is_relative_to(Path(routerlab_pkg.__file__).parent / "_data")  # in the package, not the checkout
    copy = tmp_path / "calibration_offline.csv"
    shutil.copy(shipped, copy)
    os.utime(copy, (978307200, 978307200))  # 2001-01-01: a clone, a copy or an install resets the mtime
    rows = tier_table(TierMap.default(), calibration_tables=[shipped, copy])
    rows = rows[rows["benchmark"].str.startswith("routerlab eval set")]
    recorded = set(pd.read_csv(shipped)["date"])
    assert set(rows["date"]) == recorded and "2001-01-01" not in set(rows["date"])
    assert "routerlab's own run: calibration_offline.csv (data/evalset/run_calibration.py)" in set(rows["source"])
