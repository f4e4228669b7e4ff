"""Evaluation: the field's metrics (RouteLLM's PGR/APGR/CPT, RouterBench's AIQ), hulls, sweeps,
bootstrap intervals, and the building blocks of the benchmark runs (``routerlab.evaluation.runs``)."""

from __future__ import annotations

from .metrics import (
    accuracy,
    aiq,
    apgr,
    bootstrap_ci,
    cost_to_reach,
    cpt,
    hull_value,
    mean_cost,
    mean_quality,
    nondecreasing_hull,
    oracle_choice,
    pareto_mask,
    pgr,
    roc_auc,
    total_cost,
    within_group_auc,
)
from .sweep import (
    choices_for_weights,
    cost_weight_sweep,
    curve_summary,
    default_cost_weights,
    routellm_thresholds,
    threshold_sweep,
)

__all__ = [
    "accuracy",
    "aiq",
    "apgr",
    "bootstrap_ci",
    "choices_for_weights",
    "cost_to_reach",
    "cost_weight_sweep",
    "cpt",
    "curve_summary",
    "default_cost_weights",
    "hull_value",
    "mean_cost",
    "mean_quality",
    "nondecreasing_hull",
    "oracle_choice",
    "pareto_mask",
    "pgr",
    "roc_auc",
    "routellm_thresholds",
    "threshold_sweep",
    "total_cost",
    "within_group_auc",
]
