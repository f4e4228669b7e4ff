"""Measured whole combinations beside a tier assignment: the Aider architect/editor pair when
(orchestrator, coder) is one, whole-agent tau2 and SWE-bench runs, "no measured combination"
otherwise; in measured_combination(), quality_readout(), compare() and the playground."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from routerlab.datasets import load_aider, load_swebench_bash_only, load_tau2_leaderboard
from routerlab.errors import InvalidRequestError, UnknownModelError
from routerlab.quality import combination_table, measured_combination, tier_table
from routerlab.readouts import COMBINATION, NO_COMBINATION, MeasuredCombinations, attached, combination_lines
from routerlab.simulate import quality_readout
from routerlab.tiers import TierMap

MIRROR = Path(__file__).resolve().parents[2] / "shared" / "data"
needs_mirror = pytest.mark.skipif(not MIRROR.is_dir(), reason="needs ../shared/data beside the checkout")
GPT4O, MINI4O, OPUS, SONNET = "openai:gpt-4o", "openai:gpt-4o-mini", "anthropic:claude-opus-4-5", "anthropic:claude-sonnet-4-5"


def _aider_pair(planner: str, editor: str) -> pd.Series:
    runs = load_aider("architect", MIRROR, quiet=True)
    hit = runs[runs["architect"] & (runs["catalog_id"] == planner) & (runs["editor_catalog_id"] == editor)]
    assert len(hit) == 1
    return hit.iloc[0]


@needs_mirror
@pytest.mark.parametrize("model", [GPT4O, MINI4O])
def test_same_model_architect_pair_is_found_with_its_planner_alone(model) -> None:
    got = measured_combination({"orchestrator": model, "coder": model}, MIRROR)
    pair = got[got["kind"] == "architect + editor pair"]
    raw = _aider_pair(model, model)
    assert len(pair) == 1
    r = pair.iloc[0]
    assert r["value"] == pytest.approx(raw["passed_2"] / raw["n"]) and r["n"] == raw["n"]
    assert r["low"] < r["value"] < r["high"] and r["diff_low"] < 0 < r["diff_high"]
    assert f"{r['value']:.1%}" in r["text"] and "this pair, measured" in r["text"]
    assert r[["benchmark", "date", "source"]].notna().all()


@needs_mirror
def test_an_unmeasured_pair_gets_no_pair_and_no_invented_figure() -> None:
    # gpt-4o planning with a gpt-4o-mini editor was never run, and neither model has a whole-agent row in its tier
    got = measured_combination({"orchestrator": GPT4O, "coder": MINI4O, "classifier": MINI4O}, MIRROR)
    assert got.empty
    assert combination_lines(combination_table(MIRROR), {"orchestrator": GPT4O, "coder": MINI4O}) == [NO_COMBINATION]
    # gpt-4o as the coder has its SWE-bench whole-agent row (aggregate-only on the board)
    solo = measured_combination({"orchestrator": MINI4O, "coder": GPT4O}, MIRROR)
    assert list(solo["kind"]) == ["whole agent on SWE-bench bash-only"] and solo.iloc[0]["n"] == 500


@needs_mirror
def test_whole_agent_rows_carry_domain_n_and_pass4_intervals_from_the_boards() -> None:
    got = measured_combination(TierMap.default(), MIRROR)
    tau = got[got["kind"] == "whole agent on tau2-bench"]
    board = load_tau2_leaderboard(MIRROR, quiet=True)
    mine = board[(board["catalog_id"] == OPUS) & (board["modality"] == "text")]
    assert len(tau) == len(mine) and set(tau["domain"]) == set(mine["domain"])
    four = tau.dropna(subset=["pass_4"])
    assert ((four["pass_4_low"] <= four["pass_4"]) & (four["pass_4"] <= four["pass_4_high"])).all()
    assert (four["pass_4"] <= four["value"] + 1e-9).all()  # right 4 times in a row is never likelier than once
    swe = got[got["kind"] == "whole agent on SWE-bench bash-only"].iloc[0]
    t = load_swebench_bash_only(MIRROR, quiet=True)
    assert swe["coder"] == SONNET and swe["n"] == len(t)
    assert swe["value"] == pytest.approx(t.quality[:, t.meta["models"]["catalog_id"].eq(SONNET).fillna(False).to_numpy(dtype=bool)].mean())
    assert got["scope"].str.contains("not this routed mix").sum() == len(got)  # no pair among the defaults


def test_bad_assignment_says_what_to_pass() -> None:
    with pytest.raises(InvalidRequestError, match="TierMap or a"):
        measured_combination(["openai:gpt-4o"], table=pd.DataFrame())  # type: ignore[arg-type]
    with pytest.raises(UnknownModelError):
        measured_combination({"orchestrator": "no-such-model"}, table=pd.DataFrame())


def _combos() -> pd.DataFrame:
    """Two hand-made rows: a pair (gpt-4o plans, gpt-4o edits) and an opus whole-agent run."""
    rows = {"kind": ["architect + editor pair", "whole agent on tau2-bench"], "orchestrator": [GPT4O, OPUS],
            "coder": [GPT4O, pd.NA], "scope": "s", "benchmark": ["aider", "tau2-bench"], "domain": [pd.NA, "airline"],
            "group": "g", "metric": "m", "label": "l", "value": [0.75, 0.84], "low": [0.67, 0.71],
            "high": [0.82, 0.92], "n": [133, 50], "pass_4": [np.nan, 0.7], "pass_4_low": [np.nan, 0.56],
            "pass_4_high": [np.nan, 0.81], "cost_per_task": [0.046, np.nan], "alone_value": [0.714, np.nan],
            "alone_low": [0.63, np.nan], "alone_high": [0.78, np.nan], "diff_low": [-6.8, np.nan],
            "diff_high": [14.3, np.nan], "alone_cost_per_task": [0.029, np.nan], "date": "2024-09-25"}
    return pd.DataFrame(rows)


def test_readout_adds_the_measured_pair_only_when_both_tiers_match() -> None:
    t = pd.DataFrame({"tier": ["coder"], "catalog_id": [GPT4O], "value": [np.nan]})
    t.attrs["combinations"] = MeasuredCombinations(_combos())
    assert attached(t[t["tier"] == "coder"]) is not None  # survives filtering, shared not copied
    r = quality_readout(t, {"orchestrator": GPT4O, "coder": GPT4O})
    lines = list(r.loc[[COMBINATION], "text"])
    assert len(lines) == 1 and "gpt-4o plans + gpt-4o edits" in lines[0] and "75.0% [67.0%, 82.0%]" in lines[0]
    assert "gpt-4o alone 71.4%" in lines[0] and "[-6.8, +14.3] pts" in lines[0]
    r = quality_readout(t, {"orchestrator": GPT4O, "coder": MINI4O})
    assert list(r.loc[[COMBINATION], "text"]) == [NO_COMBINATION]
    r = quality_readout(t, {"orchestrator": OPUS, "coder": MINI4O})
    assert "airline 84.0%" in r.loc[COMBINATION, "text"] and "pass^4 70.0% [56.0%, 81.0%]" in r.loc[COMBINATION, "text"]
    t.attrs = {}
    assert COMBINATION not in quality_readout(t, {"coder": GPT4O}).index  # no table attached: nothing claimed


@needs_mirror
def test_playground_shows_the_pair_when_the_user_picks_it() -> None:
    pytest.importorskip("ipywidgets")
    pytest.importorskip("plotly")
    pytest.importorskip("anywidget")
    from routerlab.widgets import Playground

    tiers = TierMap.default()
    table = tier_table(tiers, candidates={"orchestrator": [OPUS, GPT4O, MINI4O], "coder": [SONNET, GPT4O, MINI4O]},
                       data_dir=MIRROR)

    def run(state):
        return pd.DataFrame({"tier": ["coder"], "model": [state.models["coder"]], "start": [0.0], "end": [1.0],
                             "cost_usd": [0.01]})

    pg = Playground(run, tiers, quality=table)
    assert "plans +" not in pg.quality_readout.value
    pg.picker.dropdowns["orchestrator"].value = MINI4O
    pg.picker.dropdowns["coder"].value = MINI4O
    raw = _aider_pair(MINI4O, MINI4O)
    assert "gpt-4o-mini plans + gpt-4o-mini edits (this pair, measured)" in pg.quality_readout.value
    assert f"{raw['passed_2'] / raw['n']:.1%}" in pg.quality_readout.value
    pg.picker.dropdowns["orchestrator"].value = GPT4O  # gpt-4o plans, gpt-4o-mini edits: never measured
    assert "plans +" not in pg.quality_readout.value and NO_COMBINATION in pg.quality_readout.value


@needs_mirror
def test_classifier_proxies_are_labelled_proxies_and_cover_no_current_candidate() -> None:
    from routerlab.datasets import load_routerbench_zs
    from routerlab.quality import MAIN_ALTERNATIVES, PROXY_METRIC, classifier_proxies

    p = classifier_proxies(MIRROR)
    assert (p["metric"] == PROXY_METRIC).all() and "not the routerlab eval set" in PROXY_METRIC
    assert not set(MAIN_ALTERNATIVES["classifier"]) & set(p["catalog_id"].dropna())  # today's candidates: uncovered
    assert p["catalog_id"].isna().sum() == 2  # RouterArena's claude-3-haiku and gemini-2.0-flash: kept, reported
    rb = load_routerbench_zs(MIRROR, quiet=True)
    arc = (rb.prompts["benchmark"] == "arc-challenge").to_numpy()
    row = p[(p["model"] == "gpt-3.5-turbo-1106") & p["benchmark"].str.contains("ARC")].iloc[0]
    assert row["classifier_choice"] and row["n"] == arc.sum()
    assert row["value"] == pytest.approx(rb.quality[arc, rb.models.index("gpt-3.5-turbo-1106")].mean())
    assert ((p["low"] < p["value"]) & (p["value"] < p["high"])).all()
    assert set(classifier_proxies(MIRROR, only_choices=True)["catalog_id"]) == set(
        p.loc[p["classifier_choice"], "catalog_id"])
