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
from .architect import architect_pairs
from .combination import combination_table, measured_combination
from .evidence import NO_EVIDENCE, tier_evidence, tier_table
from .policy import MAIN_ALTERNATIVES, PolicySearch, pareto_front, policy_search
from .proxies import PROXY_METRIC, classifier_proxies
from .rule import TAU2_GROUP, relative_rule, tau2_rule

__all__ = [
    "AgentRule",
    "CASCADE_NOTE",
    "NO_EVIDENCE",
    "PROXY_METRIC",
    "PolicySearch",
    "TAU2_GROUP",
    "agent_cascade",
    "agent_rule",
    "architect_pairs",
    "cascade_table",
    "classifier_proxies",
    "combination_table",
    "group_router",
    "measured_combination",
    "oracle_headroom",
    "pareto_front",
    "policy_search",
    "MAIN_ALTERNATIVES",
    "relative_rule",
    "rule_by_group",
    "tau2_rule",
    "tier_evidence",
    "tier_table",
]
