"""The orchestrator: the top tier plans, delegates subtasks to cheaper models through a router,
reviews each result against its acceptance criteria, and decides whether it is done.

    orch = Orchestrator(Client(), limits=Limits(budget_usd=0.50, wall_s=120, max_calls=30))
    report = orch.run("Sort these 40 support tickets by urgency and draft replies for the top 3")
    report.results, report.status, report.trace.to_frame(), critical_path(report.trace.to_frame())

1. **plan**: one call to the orchestrator tier with a JSON schema (``PLAN_SCHEMA``): subtasks
   with a kind, instructions, dependencies and acceptance criteria. Unknown dependencies and
   dependencies on later subtasks (cycles) are dropped, and the plan span says so.
2. **delegate**: every subtask whose dependencies are accepted goes through the router
   (default: ``RuleRouter``, by kind) to a model; independent subtasks run concurrently.
3. **review**: the orchestrator tier judges each result (``REVIEW_SCHEMA``): accept, retry (same
   model, with the reviewer's reason), or escalate (next stronger tier: classifier / vision ->
   coder -> orchestrator). Subtasks depending on one that failed are skipped.
4. **decide**: a last orchestrator call summarises and says whether the goal is met; with
   ``max_rounds > 1`` an unmet goal is planned again with what was learned.

Limits (``Limits``: USD budget, wall seconds, number of model calls) are checked before every
call; hitting one stops cleanly: no new calls, the report says which limit and what was done.

Every model call goes through ``routerlab.client.Client`` (which writes the call records);
the orchestrator adds span records to the same trace: ``task`` (the run) > ``plan`` /
``delegate`` / ``review`` / ``decide`` > the calls, linked by ``parent_id``. Spans carry the
prompts' keys and the answers, so ``replay_client(trace)`` rebuilds a client that answers
every call as recorded: the run is reproducible from its trace.
"""

from __future__ import annotations

from .plan import (
    DECIDE_SCHEMA,
    DEFAULT_KINDS,
    ESCALATION,
    MAX_SUBTASKS,
    PLAN_SCHEMA,
    REVIEW_SCHEMA,
    Limits,
    PlannedSubtask,
    parse_plan,
    plan_schema,
)
from .run import Orchestrator, RunReport, SubtaskResult
from .tracetools import critical_path, replay_client

__all__ = [
    "Orchestrator", "Limits", "PlannedSubtask", "SubtaskResult", "RunReport", "PLAN_SCHEMA", "REVIEW_SCHEMA",
    "DECIDE_SCHEMA", "DEFAULT_KINDS", "ESCALATION", "MAX_SUBTASKS", "plan_schema", "parse_plan", "critical_path",
    "replay_client",
]
