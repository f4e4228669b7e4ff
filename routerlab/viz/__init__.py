"""Pictures of routing runs: pure functions, a pandas DataFrame in, a plotly Figure out.

Every function takes the frames the rest of routerlab produces and needs only a few of their
columns; a frame that lacks one raises :class:`~routerlab.errors.DatasetError` naming it.

================  ===========================================================================
function          required columns (optional ones in brackets)
================  ===========================================================================
timeline          start, end, model, and a lane column: tier or agent
                  [cost_usd, input_tokens, output_tokens, cached_tokens, ttft_s, decision,
                  status, kind, call_id + parent_id (critical path), call_index, task_id]
cost_comparison   start or call_index, cost_usd [end, tier/agent]; one frame per policy
cost_quality      cost and quality per point (cost / cost_usd / mean_cost, quality /
                  accuracy / mean_quality) [threshold or cost_weight]; singles add model
calibration       candidate (or model / name), accuracy, and ci_low + ci_high or n
                  [lower_bound, cost / cost_per_1k_usd, chosen]: calibrate()'s table works
confusion_matrix  two label sequences, or a frame with true + predicted label columns
architect_arrows  planner, editor, pass_2, low, high, cost_per_case, alone_pass_2, alone_cost_per_case
policy_frontier   cost_usd, wall_s, worst_gap, pareto, is_default and a column per tier
tier_quality      tier, catalog_id, chosen, price_in_out, value, low, high, benchmark [gap_points]
model_map         id, input_price + output_price (or Catalog.to_frame()'s *_per_mtok)
                  [ttft_s, output_tps, vision, provider]
================  ===========================================================================

Both the trace frame (``Trace.to_frame()``: epoch seconds, ``tier``, ``decision`` dicts) and
the simulate frame (``simulate(...)``: ``call_index``, ``agent``, seconds from zero) work.
plotly is imported inside each function, so ``import routerlab`` stays light.

One module per kind of picture; colours come from :mod:`routerlab.viz.palette` only (one palette
for policies, one for models), so a policy or a model looks the same in every figure.
"""

from .classifiers import calibration, confusion_matrix, signal_map
from .costs import cost_comparison, cost_comparison_spec
from .curves import cost_quality
from .models import model_map
from .palette import MODEL_PALETTE, POLICY_PALETTE, TIER_ORDER, model_colours, policy_colours, scale_colours
from .quality import architect_arrows, highlight_chosen, policy_frontier, tier_quality
from .stats import upper_hull, wilson_interval
from .timeline import critical_path, timeline, timeline_spec, timelines, timelines_spec

__all__ = [
    "timeline",
    "timelines",
    "timeline_spec",
    "timelines_spec",
    "cost_comparison",
    "cost_comparison_spec",
    "cost_quality",
    "calibration",
    "confusion_matrix",
    "model_map",
    "signal_map",
    "architect_arrows",
    "policy_frontier",
    "tier_quality",
    "highlight_chosen",
    "critical_path",
    "upper_hull",
    "wilson_interval",
    "TIER_ORDER",
    "POLICY_PALETTE",
    "MODEL_PALETTE",
    "policy_colours",
    "model_colours",
    "scale_colours",
]

