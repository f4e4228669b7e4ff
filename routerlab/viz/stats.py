"""The statistics the figures draw, computed in ``routerlab.evaluation`` (viz only draws them)."""

from __future__ import annotations

from ..evaluation.metrics import upper_hull, wilson_interval

__all__ = ["upper_hull", "wilson_interval"]
