"""Quality beside cost: measured evidence per (catalog model, tier), the orchestrator pattern on
Aider's architect runs, the 95% rule on agent benchmarks, and policy search over tier assignments."""

from __future__ import annotations

from .agents import (
    CASCADE_NOTE,
    AgentRule,
    agent_cascade,
    agent_rule,
    cascade_table,
    group_router,
    oracle_headroom,
    rule_by_group,
)
from .rule import TAU2_GROUP, relative_rule, tau2_rule

__all__ = [
    "AgentRule",
    "CASCADE_NOTE",
    "TAU2_GROUP",
    "agent_cascade",
    "agent_rule",
    "cascade_table",
    "group_router",
    "oracle_headroom",
    "relative_rule",
    "rule_by_group",
    "tau2_rule",
]
