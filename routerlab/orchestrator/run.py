"""The orchestrator: configuration, and the run that builds a report and a task record.

Per-run state and the steps (plan, delegate, review, decide) live in :mod:`.session`'s ``Run``.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .._aio import run_sync
from ..errors import ConfigurationError, RouterlabError
from ..trace import Trace, TraceRecord
from .plan import DEFAULT_KINDS, MAX_SUBTASKS, Limits, PlannedSubtask
from .session import Run, SubtaskResult, _Stop

if TYPE_CHECKING:
    from ..client import Client
    from ..routers.base import Router

__all__ = ["Orchestrator", "SubtaskResult", "RunReport"]


@dataclass
class RunReport:
    """What ``Orchestrator.run`` returns: status and reason, the plan, each subtask's result, calls, cost and the trace."""

    goal: str
    status: str  # done | incomplete | stopped | failed
    reason: str
    plan: list[PlannedSubtask]
    results: dict[str, SubtaskResult]
    summary: str
    cost_usd: float
    calls: int
    wall_s: float
    task_id: str
    trace: Trace

    def accepted(self) -> list[str]:
        return [k for k, r in self.results.items() if r.status == "accepted"]


class Orchestrator:
    """Plan -> delegate -> review -> decide, over a Client; see the module docstring."""

    def __init__(self, client: Client, router: Router | None = None, *, limits: Limits | None = None,
                 max_retries: int = 1, max_rounds: int = 1, orchestrator_tier: str = "orchestrator", kinds: Sequence[str] | None = None,
                 subtask_max_tokens: int = 256, plan_max_tokens: int | None = None,
                 max_subtasks: int = MAX_SUBTASKS, text_max_chars: int = 160) -> None:
        if not hasattr(client, "complete") or not hasattr(client, "tiers"):
            raise ConfigurationError(f"Orchestrator runs over a routerlab Client (Client(budget_usd=...)), "
                                     f"got {type(client).__name__}")
        if limits is not None and not isinstance(limits, Limits):
            hint = ": write Limits(**limits)" if isinstance(limits, Mapping) else ""
            raise ConfigurationError(f"limits must be a Limits(budget_usd=, wall_s=, max_calls=), "
                                     f"got {type(limits).__name__}{hint}")
        self.client = client
        if router is None:
            from ..routers.rules import RuleRouter

            router = RuleRouter(client.tiers)
        self.router = router
        self.limits = limits or Limits()
        self.max_retries = max_retries
        self.max_rounds = max_rounds
        self.tier = orchestrator_tier
        router_kinds = tuple(k for k in DEFAULT_KINDS if k in getattr(router, "kind_tiers", DEFAULT_KINDS))
        self.kinds = tuple(kinds or router_kinds or DEFAULT_KINDS)
        self.subtask_max_tokens = subtask_max_tokens
        # enough for the longest plan the schema allows (a cut-off plan is not JSON): a
        # degenerate small model can spend one token per character
        self.text_max_chars = text_max_chars
        self.plan_max_tokens = plan_max_tokens or 40 + max_subtasks * (text_max_chars * 3 // 2 + 12 * max_subtasks + 60)
        self.max_subtasks = max_subtasks

    # ---- the run -------------------------------------------------------------------------------
    async def arun(self, goal: str, task_id: str | None = None) -> RunReport:
        """Run ``goal`` to a report; each call to arun has its own state, so runs may overlap."""
        run = Run(self, task_id)
        root, start = uuid.uuid4().hex[:16], time.time()
        n_before = len(self.client.trace)
        plan: list[PlannedSubtask] = []
        results: dict[str, SubtaskResult] = {}
        status, reason, summary, context = "incomplete", "", "", ""
        try:
            for round_no in range(1, self.max_rounds + 1):
                plan = await run.plan(goal, round_no, context, root)
                results = {st.id: SubtaskResult(st) for st in plan}
                await run.delegate_all(plan, results, root)
                d = await run.decide(goal, results, round_no, root)
                summary = str(d.get("summary", ""))
                if d.get("done") is True:
                    status, reason = "done", f"goal met after round {round_no}"
                    break
                reason = f"orchestrator judged the goal unmet after round {round_no}"
                context = f"An earlier attempt ended: {summary[:400]}\n"
        except _Stop as stop:
            status, reason = "stopped", str(stop)
        except RouterlabError as exc:
            status, reason = "failed", f"{type(exc).__name__}: {exc}"
        wall = time.monotonic() - run.started
        cost = sum(r.cost_usd for r in self.client.trace.records[n_before:]
                   if r.kind == "call" and r.task_id == run.task_id)
        self.client.trace.append(TraceRecord(
            kind="task", call_id=root, parent_id=None, task_id=run.task_id, start=start, end=time.time(),
            status="ok" if status in ("done", "incomplete") else "error", error=None if status == "done" else reason,
            cost_usd=cost, metadata={"goal": goal, "status": status, "reason": reason, "summary": summary,
                                     "limits": vars(self.limits), "calls": run.calls},
        ))
        return RunReport(goal, status, reason, plan, results, summary, cost, run.calls, wall, run.task_id,
                         self.client.trace)

    def run(self, goal: str, task_id: str | None = None) -> RunReport:
        """Synchronous :meth:`arun` (in a worker thread when an event loop is already running, as in Jupyter)."""
        return run_sync(lambda: self.arun(goal, task_id))


