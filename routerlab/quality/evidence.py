"""Measured quality per (catalog model, tier), each figure with its benchmark, n, interval, date
and source, and the gap of a tier's model to the best evidence for that tier.

What counts as evidence for a tier:

- **coder**: SWE-bench Verified bash-only resolve rate (whole mini-swe-agent runs, Dec 2025),
  Aider polyglot and Aider's older Python edit board (``pass_2``).
- **orchestrator** (multi-step tool use with a user): tau2-bench pass^1 per domain, and pooled
  over airline + retail + telecom where a model has all three in one comparable group
  (task-weighted mean, n = 278); pass^4 rides along.
- **classifier**: accuracy on the project's eval set for candidates named ``llm:<catalog id>`` in a
  calibration table (the project's own runs, shipped as ``routerlab/_data/evalset/calibration*.csv``
  and written by ``data/evalset/run_calibration.py``, and any table you pass).
- **vision**: nothing measured in the data here: every vision model reads "no evidence".

A model's gap is measured on its *headline* benchmark: the newest benchmark (latest date) on
which it has a row (at one date, the one with the larger n); the best is the best catalog candidate of the same tier on that same
benchmark and comparable group, so no two setups are ever mixed (the classifier tier's
reference is the seed's 95% accuracy target instead: :data:`CLASSIFIER_TARGET`). Where a benchmark has several
rows for one model (reasoning efforts, snapshots) the best-scoring one stands for it and its
label says which. Nothing here multiplies per-step figures into a task success.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from ..catalog import Catalog
from ..config import package_files
from ..datasets import load_aider, load_swebench_bash_only, load_tau2_leaderboard
from ..errors import ConfigurationError, DatasetError
from ..evaluation.intervals import difference_interval, proportion_interval
from ..readouts import MeasuredCombinations
from ..tiers import TierMap

__all__ = ["EVIDENCE_COLUMNS", "NO_EVIDENCE", "CLASSIFIER_TARGET", "tier_evidence", "tier_table", "headline", "default_calibration_tables"]

NO_EVIDENCE = "no evidence"
EVIDENCE_COLUMNS = ["tier", "catalog_id", "benchmark", "group", "metric", "label", "value", "successes", "n", "low",
                    "high", "pass_4", "cost_per_task", "date", "source"]
_POOLED = ("airline", "retail", "telecom")
#: The classifier tier's reference is the seed's rule ("the smallest model that reaches 95%"),
#: not the best measured candidate: one poorly scoring measured model must not define "best".
CLASSIFIER_TARGET = 0.95


def default_calibration_tables() -> list[Path]:
    """The project's own calibration runs, shipped in the package (``_data/evalset/calibration*.csv``),
    so a checkout and a plain install read the same evidence."""
    return package_files("evalset", "calibration", ".csv")


def _rows(tier: str, df: pd.DataFrame, **cols: object) -> pd.DataFrame:
    out = pd.DataFrame({"tier": tier, **{k: (df[v] if isinstance(v, str) and v in df else v) for k, v in cols.items()}})
    return out


def _coder(data_dir: str | None) -> list[pd.DataFrame]:
    parts = []
    swe = load_swebench_bash_only(data_dir, quiet=True)
    m = swe.meta["models"].assign(successes=swe.quality.sum(axis=0), n=len(swe), cost=np.nanmean(swe.cost, axis=0))
    agg = swe.meta["aggregate_only"].assign(n=500, cost=swe.meta["aggregate_only"]["instance_cost_usd"])
    agg["successes"] = (agg["board_resolved"] * 500).round()
    both = pd.concat([m, agg], ignore_index=True)
    both = both[both["catalog_id"].notna()]
    parts.append(_rows("coder", both, catalog_id="catalog_id", benchmark="benchmark", group="bash-only board",
                       metric="resolved", label="model", successes="successes", n="n", cost_per_task="cost",
                       date="date", source="source"))
    for board in ("polyglot", "edit"):
        a = load_aider(board, data_dir, quiet=True)
        a = a[a["catalog_id"].notna() & ~a["architect"]]
        parts.append(_rows("coder", a, catalog_id="catalog_id", benchmark="benchmark", group="single model",
                           metric="pass_2 (two tries)", label="model", successes="passed_2", n="n",
                           cost_per_task="cost_per_case", date="date", source="source"))
    return parts


def _orchestrator(data_dir: str | None) -> list[pd.DataFrame]:
    t = load_tau2_leaderboard(data_dir, quiet=True)
    t = t[t["catalog_id"].notna()].copy()
    t["group"] = t["tau2_bench_version"] + " / sim " + t["user_simulator"] + " / " + t["submission_type"]
    t["label"] = t["model"] + np.where(t["reasoning_effort"].notna(), " (" + t["reasoning_effort"].astype(str) + ")", "")
    t["successes"] = t["pass_1"] * t["n"].astype(float)
    parts = [_rows("orchestrator", t, catalog_id="catalog_id", benchmark="benchmark", group="group", metric="pass^1",
                   label="label", successes="successes", n="n", pass_4="pass_4", cost_per_task="cost", date="date",
                   source="source")]
    three = t[t["domain"].isin(_POOLED)]
    keys = ["catalog_id", "label", "group", "submission"]
    full = three.groupby(keys).filter(lambda g: set(g["domain"]) == set(_POOLED))
    if len(full):
        nf = full["n"].astype(float)
        pooled = full.assign(w4=full["pass_4"] * nf, wc=full["cost"] * nf, nf=nf).groupby(keys).agg(
            successes=("successes", "sum"), n=("nf", "sum"), w4=("w4", "sum"), wc=("wc", "sum"),
            date=("date", "max"), source=("source", "first"), has4=("pass_4", "count"),
            hasc=("cost", "count")).reset_index()
        pooled["pass_4"] = np.where(pooled["has4"] == 3, pooled["w4"] / pooled["n"], np.nan)
        pooled["cost"] = np.where(pooled["hasc"] == 3, pooled["wc"] / pooled["n"], np.nan)
        parts.append(_rows("orchestrator", pooled, catalog_id="catalog_id",
                           benchmark="tau2-bench airline+retail+telecom", group="group", metric="pass^1 (pooled)",
                           label="label", successes="successes", n="n", pass_4="pass_4", cost_per_task="cost",
                           date="date", source="source"))
    return parts


def _table_source(path: Path) -> str:
    """Where a calibration table came from, without this machine's paths: the project's own run by
    its name in the package, any other by its file name."""
    if path.resolve() in {p.resolve() for p in default_calibration_tables()}:
        return f"routerlab's own run: {path.name} (data/evalset/run_calibration.py)"
    return f"user file {path.name}"


def _run_date(cal: pd.DataFrame, path: Path) -> str:
    """The run's date from its ``date`` column (run_calibration.py writes one); an older table without
    it falls back to the file's modification date, which a copy, a clone or an install resets."""
    if "date" in cal.columns and cal["date"].notna().any():
        return str(cal["date"].dropna().iloc[0])
    return pd.Timestamp(os.path.getmtime(path), unit="s").date().isoformat()


# what _classifier reads of a calibration table (run_calibration.py writes these and more)
_CALIBRATION_COLUMNS = ("candidate", "n", "correct", "accuracy", "cost_per_1k_usd")


def _classifier(tables: list[Path], catalog: Catalog) -> list[pd.DataFrame]:
    parts = []
    for path in tables:
        try:
            cal = pd.read_csv(path)
        except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as e:
            raise DatasetError(f"{path}: cannot read the calibration table ({e}); give a CSV written by "
                               "data/evalset/run_calibration.py") from None
        missing = [c for c in _CALIBRATION_COLUMNS if c not in cal.columns]
        if missing:
            raise DatasetError(f"{path}: the calibration table lacks column(s) {missing}; a table written by "
                               f"data/evalset/run_calibration.py has {list(_CALIBRATION_COLUMNS)}")
        llm = cal[cal["candidate"].astype(str).str.startswith("llm:") & cal["accuracy"].notna()].copy()
        llm["catalog_id"] = llm["candidate"].str.removeprefix("llm:")
        llm = llm[llm["catalog_id"].isin([m.id for m in catalog])]
        if len(llm):
            stamp = _run_date(cal, path)
            parts.append(_rows("classifier", llm, catalog_id="catalog_id", benchmark="routerlab eval set (test split)",
                               group=path.name, metric="tier accuracy", label="candidate", successes="correct",
                               n="n", cost_per_task=llm["cost_per_1k_usd"] / 1000, date=stamp, source=_table_source(path)))
    return parts


@lru_cache(maxsize=4)
def _evidence_cached(data_dir: str | None, tables: tuple[str, ...]) -> pd.DataFrame:
    cat = Catalog.default()
    parts = _coder(data_dir) + _orchestrator(data_dir) + _classifier([Path(t) for t in tables], cat)
    ev = pd.concat(parts, ignore_index=True).reindex(columns=EVIDENCE_COLUMNS)
    ev["value"] = ev["successes"].astype(float) / ev["n"].astype(float)
    ev["low"], ev["high"] = proportion_interval(ev["successes"].astype(float), ev["n"].astype(float))
    ev["date"] = ev["date"].astype(str)
    return ev


def tier_evidence(tier: str | None = None, model: str | None = None, data_dir: str | os.PathLike[str] | None = None,
                  calibration_tables: list[str | os.PathLike[str]] | None = None) -> pd.DataFrame:
    """Every evidence row (see :data:`EVIDENCE_COLUMNS`), optionally of one tier and / or model."""
    tables = default_calibration_tables() if calibration_tables is None else [Path(t) for t in calibration_tables]
    ev = _evidence_cached(None if data_dir is None else str(data_dir), tuple(str(t) for t in tables)).copy()
    if tier is not None:
        ev = ev[ev["tier"] == tier]
    if model is not None:
        ev = ev[ev["catalog_id"] == Catalog.default().get(model).id]
    return ev.reset_index(drop=True)


def _best_rows(ev: pd.DataFrame) -> pd.DataFrame:
    """One row per (model, benchmark, group): the best-scoring configuration."""
    return ev.sort_values("value", ascending=False).drop_duplicates(["catalog_id", "benchmark", "group"])


def headline(ev: pd.DataFrame) -> pd.DataFrame:
    """Per model, its row on the newest benchmark it has, the larger n first at one date (the
    pooled tau2 row before a single domain); ``ev`` is already one tier's best rows."""
    latest = ev.groupby(["benchmark", "group"])["date"].transform("max")
    return (ev.assign(_latest=latest).sort_values(["_latest", "n", "value"], ascending=False)
            .drop_duplicates("catalog_id").drop(columns="_latest"))


def tier_table(tiers: TierMap | None = None, candidates: dict[str, list[str]] | None = None,
               data_dir: str | os.PathLike[str] | None = None, tau2_group: dict[str, str] | None = None,
               calibration_tables: list[str | os.PathLike[str]] | None = None) -> pd.DataFrame:
    """Per tier and candidate (default: the tier's models, then every catalog model that can serve
    it and has evidence): headline evidence, the best candidate on the same benchmark, and the
    gap in points with its interval; "no evidence" where nothing was measured. ``chosen`` marks
    each tier's first model; ``attrs["combinations"]`` holds :func:`~routerlab.quality.combination_table`
    (measured pairs and whole-agent runs, printed by the readouts; ``routerlab.readouts.attached(table)``
    returns it). ``tau2_group`` limits the orchestrator's tau2 rows to one group
    (default: every group, each compared only within itself). ``calibration_tables``: the
    classifier tier's eval-set runs (``calibrate()`` tables; default the project's own, shipped in the package)."""
    if tiers is not None and not isinstance(tiers, TierMap):
        raise ConfigurationError(f"tiers must be a TierMap (TierMap.default(), TierMap.from_mapping({{...}})), "
                                 f"got {type(tiers).__name__}")
    tm = tiers or TierMap.default()
    ev_all = tier_evidence(data_dir=data_dir, calibration_tables=calibration_tables)
    if tau2_group is not None:
        want = f"{tau2_group['tau2_bench_version']} / sim {tau2_group['user_simulator']} / {tau2_group['submission_type']}"
        ev_all = ev_all[(ev_all["tier"] != "orchestrator") | (ev_all["group"] == want)]
    rows = []
    for spec in tm:
        capable = [m.id for m in tm.choices(spec.name)]
        ev = _best_rows(ev_all[(ev_all["tier"] == spec.name) & ev_all["catalog_id"].isin(capable)])
        cands = list(dict.fromkeys(candidates.get(spec.name, []) if candidates else
                                   [*spec.models, *ev["catalog_id"].drop_duplicates()]))
        heads = headline(ev).set_index("catalog_id")
        for model in cands:
            mid = tm.catalog.get(model).id
            base = {"tier": spec.name, "catalog_id": mid, "chosen": mid == spec.models[0],
                    "price_in_out": f"{tm.catalog.get(mid).input_price:g}/{tm.catalog.get(mid).output_price:g}"}
            if mid not in heads.index:
                rows.append({**base, "benchmark": NO_EVIDENCE})
                continue
            h = heads.loc[[mid]].iloc[0]  # catalog ids are unique in the headline frame
            same = ev[(ev["benchmark"] == h["benchmark"]) & (ev["group"] == h["group"])]
            top = same.sort_values("value", ascending=False).iloc[0]
            if spec.name == "classifier":
                top = pd.Series({"catalog_id": f"target {CLASSIFIER_TARGET:.0%}", "value": CLASSIFIER_TARGET})
                glo, ghi = CLASSIFIER_TARGET - float(h["high"]), CLASSIFIER_TARGET - float(h["low"])
            else:
                dlo, dhi = difference_interval(top["successes"], top["n"], h["successes"], h["n"])
                glo, ghi = float(dlo), float(dhi)
            rows.append({**base, "benchmark": h["benchmark"], "group": h["group"], "metric": h["metric"],
                         "label": h["label"], "value": h["value"], "low": h["low"], "high": h["high"], "n": h["n"],
                         "pass_4": h["pass_4"], "cost_per_task": h["cost_per_task"], "best": top["catalog_id"],
                         "best_value": top["value"], "gap_points": 100 * (top["value"] - h["value"]),
                         "gap_low": 100 * glo, "gap_high": 100 * ghi, "date": h["date"],
                         "source": h["source"]})
    out = pd.DataFrame(rows)
    for col in ("value", "low", "high", "gap_points", "gap_low", "gap_high", "best_value"):
        if col not in out:
            out[col] = np.nan
    from .combination import combination_table  # combination builds on tier_evidence: imported late

    # what quality_readout() prints under the tiers; the holder keeps pandas from copying it on every filter
    out.attrs["combinations"] = MeasuredCombinations(combination_table(data_dir))
    return out
