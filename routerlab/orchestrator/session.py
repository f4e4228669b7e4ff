"""One orchestrator run: its own state (task id, clock, calls, budget) and its steps.

An :class:`~routerlab.orchestrator.Orchestrator` holds configuration only; each ``arun`` makes a
:class:`Run`, so one orchestrator can run several goals at once. The run's USD limit is a
:class:`~routerlab.budget.Budget`: each call reserves its worst case before it is sent and settles
what it cost, so concurrent subtasks cannot together pass the limit.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..budget import Budget
from ..errors import BadResponseError, BudgetExceededError, LimitReachedError, RouterlabError
from ..trace import TraceRecord
from ..types import Completion, Decision, Message, Request
from .plan import DECIDE_SCHEMA, ESCALATION, REVIEW_SCHEMA, PlannedSubtask, json_object, parse_plan, plan_schema

if TYPE_CHECKING:
    from .run import Orchestrator

__all__ = ["Run", "SubtaskResult"]


@dataclass
class SubtaskResult:
    """How one planned subtask ended (accepted / failed / skipped / not_run) and its answer; in ``RunReport.results``."""

    subtask: PlannedSubtask
    status: str = "not_run"  # accepted | failed | skipped | not_run
    text: str = ""
    model: str | None = None
    tier: str | None = None
    attempts: int = 0
    verdicts: list[dict[str, Any]] = field(default_factory=list)
    cost_usd: float = 0.0


class _Stop(LimitReachedError):
    """Internal: a limit was reached; carries the reason."""


def _request(key: str, text: str, kind: str, schema: Mapping[str, Any] | None, max_tokens: int,
             system: str | None = None) -> Request:
    return Request(messages=(Message("user", text),), kind=kind, system=system, response_schema=schema,
                   max_output_tokens=max_tokens, metadata={"prompt_id": key}, temperature=0.0)


class Run:
    """The state and steps of one run of ``orch`` (plan -> delegate -> review -> decide)."""

    def __init__(self, orch: Orchestrator, task_id: str | None = None) -> None:
        self.orch = orch
        self.client = orch.client
        self.task_id = task_id or uuid.uuid4().hex[:12]
        self.started = time.monotonic()
        self.calls = 0
        self.budget = Budget(orch.limits.budget_usd)

    # ---- limits and calls ----------------------------------------------------------------------
    def _reserve(self, request: Request, model: str | None, tier: str | None) -> Any:
        """Check the call and time limits and reserve the call's worst case; _Stop when one is reached."""
        lim = self.orch.limits
        if lim.max_calls is not None and self.calls >= lim.max_calls:
            raise _Stop(f"call limit reached ({lim.max_calls} calls)")
        if lim.wall_s is not None and time.monotonic() - self.started >= lim.wall_s:
            raise _Stop(f"wall-time limit reached ({lim.wall_s:g} s)")
        target = model if model is not None else self.client.tiers.model_for(tier or self.orch.tier).id
        need = self.client.worst_case_cost(request, target)
        try:
            return self.budget.reserve(need, label="the next call")
        except BudgetExceededError as exc:
            raise _Stop(f"budget limit: the next call could cost ${need:.4f}, "
                        f"${exc.remaining:.4f} of ${lim.budget_usd:g} left") from None

    async def call(self, request: Request, *, parent: str, model: str | None = None, tier: str | None = None,
                   decision: Decision | None = None) -> Completion:
        reservation = self._reserve(request, model, tier)
        self.calls += 1
        cost = 0.0
        try:
            done: Completion = await self.client.acomplete(request, model=model, tier=tier, decision=decision,
                                                            parent_id=parent, task_id=self.task_id)
            cost = done.cost_usd
        except BudgetExceededError as exc:
            raise _Stop(f"client budget: {exc}") from exc
        finally:
            self.budget.settle(reservation, cost)
        return done

    def span(self, kind: str, span_id: str, parent: str | None, start: float, status: str = "ok",
             error: str | None = None, **meta: Any) -> None:
        self.client.trace.append(TraceRecord(
            kind=kind, call_id=span_id, parent_id=parent, task_id=self.task_id, start=start,
            end=max(time.time(), start), status=status, error=error, metadata=meta,
        ))

    # ---- steps ---------------------------------------------------------------------------------
    async def plan(self, goal: str, round_no: int, context: str, parent: str) -> list[PlannedSubtask]:
        o = self.orch
        span, start = uuid.uuid4().hex[:16], time.time()
        text = (f"Goal: {goal}\n{context}Break the goal into at most {o.max_subtasks} small subtasks. For each give "
                f"an id (s1, s2, ...), a kind ({', '.join(o.kinds)}), short instructions, the ids of earlier "
                "subtasks it needs (depends_on), and an acceptance criterion. Answer in JSON.")
        req = _request(f"plan:{round_no}", text, "plan", plan_schema(o.kinds, o.max_subtasks, o.text_max_chars),
                       o.plan_max_tokens,
                       system="You are the orchestrator: you plan and delegate work to cheaper models.")
        try:
            done = await self.call(req, parent=span, tier=o.tier)
            plan, fixes = parse_plan(done.text, o.kinds, o.max_subtasks)
        except RouterlabError as exc:
            self.span("plan", span, parent, start, status="error", error=str(exc), prompt_key=req.metadata["prompt_id"])
            raise
        self.span("plan", span, parent, start, prompt_key=req.metadata["prompt_id"], response=done.text,
                  model=done.model, fixes=fixes, subtasks=[vars(s) for s in plan])
        return plan

    async def review(self, st: PlannedSubtask, result: str, attempt: int, parent: str) -> dict[str, Any]:
        span, start = uuid.uuid4().hex[:16], time.time()
        text = (f"Subtask: {st.instructions}\nAcceptance criterion: {st.acceptance or 'a useful answer'}\n"
                f"Result:\n{result[:2000]}\n\nDoes the result meet the criterion? verdict accept, retry (try again) "
                "or escalate (needs a stronger model), and a short reason. Answer in JSON.")
        req = _request(f"review:{st.id}:{attempt}", text, "review", REVIEW_SCHEMA, 96)
        done = await self.call(req, parent=span, tier=self.orch.tier)
        try:
            verdict = json_object(done.text, "review")
            if verdict.get("verdict") not in ("accept", "retry", "escalate"):
                raise BadResponseError(f"review verdict {verdict.get('verdict')!r} is not accept/retry/escalate")
        except BadResponseError as exc:
            verdict = {"verdict": "retry", "reason": f"unreadable review: {exc}"}
        self.span("review", span, parent, start, subtask=st.id, attempt=attempt, prompt_key=req.metadata["prompt_id"],
                  response=done.text, model=done.model, verdict=verdict)
        return verdict

    async def run_subtask(self, st: PlannedSubtask, res: SubtaskResult, upstream: Mapping[str, str],
                          parent: str) -> None:
        context = "".join(f"Result of {d}:\n{upstream[d][:1200]}\n\n" for d in st.depends_on if d in upstream)
        tier_override: str | None = None
        feedback = ""
        for attempt in range(1, self.orch.max_retries + 2):
            span, start = uuid.uuid4().hex[:16], time.time()
            req = _request(f"do:{st.id}:{attempt}", f"{context}{st.instructions}{feedback}", st.kind, None,
                           self.orch.subtask_max_tokens)
            if tier_override is None:
                decision = self.orch.router.route(req)
            else:
                m = self.client.tiers.model_for(tier_override)
                decision = Decision(model=m.id, tier=tier_override, reason=f"escalated to {tier_override}",
                                    router="orchestrator")
            res.attempts, res.model, res.tier = attempt, decision.model, decision.tier
            try:
                done = await self.call(req, parent=span, model=decision.model, decision=decision)
            except RouterlabError as exc:
                self.span("delegate", span, parent, start, status="error", error=str(exc), subtask=st.id,
                          attempt=attempt, decision=decision.to_dict())
                if isinstance(exc, _Stop):
                    raise
                res.status = "failed"
                return
            res.text, res.cost_usd = done.text, res.cost_usd + done.cost_usd
            self.span("delegate", span, parent, start, subtask=st.id, attempt=attempt, kind_=st.kind,
                      prompt_key=req.metadata["prompt_id"], response=done.text, model=done.model,
                      decision=decision.to_dict())
            verdict = await self.review(st, done.text, attempt, parent)
            res.verdicts.append(verdict)
            if verdict["verdict"] == "accept":
                res.status = "accepted"
                return
            feedback = f"\n\nA reviewer rejected an earlier answer: {verdict.get('reason', '')}"
            if verdict["verdict"] == "escalate":
                current = tier_override or decision.tier or ""
                tier_override = ESCALATION.get(current, self.orch.tier)
        res.status = "failed"

    async def decide(self, goal: str, results: Mapping[str, SubtaskResult], round_no: int,
                     parent: str) -> dict[str, Any]:
        span, start = uuid.uuid4().hex[:16], time.time()
        lines = "\n".join(f"- {k} ({r.status}): {r.text[:300]}" for k, r in results.items())
        req = _request(f"decide:{round_no}", f"Goal: {goal}\nSubtask results:\n{lines}\n\nIs the goal met? "
                       "Give done (true/false) and a short summary. Answer in JSON.", "decide", DECIDE_SCHEMA, 200)
        done = await self.call(req, parent=span, tier=self.orch.tier)
        try:
            d = json_object(done.text, "decide")
        except BadResponseError as exc:
            d = {"done": False, "summary": f"unreadable decision: {exc}"}
        self.span("decide", span, parent, start, prompt_key=req.metadata["prompt_id"], response=done.text,
                  model=done.model, decision_=d)
        return d

    async def delegate_all(self, plan: list[PlannedSubtask], results: dict[str, SubtaskResult], parent: str) -> None:
        upstream: dict[str, str] = {}
        pending = list(plan)
        while pending:
            ready = [st for st in pending if all(results[d].status == "accepted" for d in st.depends_on)]
            blocked = [st for st in pending if any(results[d].status in ("failed", "skipped") for d in st.depends_on)]
            for st in blocked:
                results[st.id].status = "skipped"
            pending = [st for st in pending if st not in ready and st not in blocked]
            if not ready:
                break
            outcomes = await asyncio.gather(*(self.run_subtask(st, results[st.id], upstream, parent) for st in ready),
                                            return_exceptions=True)
            stop = next((o for o in outcomes if isinstance(o, _Stop)), None)
            for st, o in zip(ready, outcomes, strict=True):
                if isinstance(o, BaseException) and not isinstance(o, (_Stop, RouterlabError)):
                    raise o
                if isinstance(o, RouterlabError) and not isinstance(o, _Stop):
                    results[st.id].status = "failed"  # e.g. its review call failed: not accepted
            upstream.update({st.id: results[st.id].text for st in ready if results[st.id].status == "accepted"})
            if stop is not None:
                raise stop
