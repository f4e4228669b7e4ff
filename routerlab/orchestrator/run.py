"""The orchestrator's run loop: plan -> delegate (concurrently) -> review -> decide, with limits."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .._aio import run_sync
from ..errors import BadResponseError, BudgetExceededError, LimitReachedError, RouterlabError
from ..trace import Trace, TraceRecord
from ..types import Completion, Decision, Message, Request
from .plan import (
    DECIDE_SCHEMA,
    DEFAULT_KINDS,
    ESCALATION,
    MAX_SUBTASKS,
    REVIEW_SCHEMA,
    Limits,
    PlannedSubtask,
    json_object,
    parse_plan,
    plan_schema,
)

__all__ = ["Orchestrator", "SubtaskResult", "RunReport"]


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


class _Stop(LimitReachedError):
    """Internal: a limit was reached; carries the reason."""


class Orchestrator:
    """Plan -> delegate -> review -> decide, over a Client; see the module docstring."""

    def __init__(self, client: Any, router: Any = None, *, limits: Limits | None = None, max_retries: int = 1,
                 max_rounds: int = 1, orchestrator_tier: str = "orchestrator", kinds: Sequence[str] | None = None,
                 subtask_max_tokens: int = 256, plan_max_tokens: int | None = None,
                 max_subtasks: int = MAX_SUBTASKS, text_max_chars: int = 160) -> None:
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
        # enough for the longest plan the schema allows (a cut-off plan is not JSON)
        # enough for the longest plan the schema allows (a cut-off plan is not JSON): a
        # degenerate small model can spend one token per character
        self.text_max_chars = text_max_chars
        self.plan_max_tokens = plan_max_tokens or 40 + max_subtasks * (text_max_chars * 3 // 2 + 12 * max_subtasks + 60)
        self.max_subtasks = max_subtasks

    # ---- limits and calls ----------------------------------------------------------------------
    def _check(self, request: Request, model: str | None, tier: str | None) -> None:
        lim = self.limits
        if lim.max_calls is not None and self._calls >= lim.max_calls:
            raise _Stop(f"call limit reached ({lim.max_calls} calls)")
        if lim.wall_s is not None and time.monotonic() - self._t0 >= lim.wall_s:
            raise _Stop(f"wall-time limit reached ({lim.wall_s:g} s)")
        if lim.budget_usd is not None:
            target = model or self.client.tiers.model_for(tier).id
            need = self.client.worst_case_cost(request, target)
            if self._spent + self._reserved + need > lim.budget_usd:
                raise _Stop(f"budget limit: the next call could cost ${need:.4f}, "
                            f"${lim.budget_usd - self._spent - self._reserved:.4f} of ${lim.budget_usd:g} left")

    async def _call(self, request: Request, *, parent: str, model: str | None = None, tier: str | None = None,
                    decision: Decision | None = None) -> Completion:
        self._check(request, model, tier)
        self._calls += 1
        need = self.client.worst_case_cost(request, model or self.client.tiers.model_for(tier).id)
        self._reserved += need
        try:
            done: Completion = await self.client.acomplete(request, model=model, tier=tier, decision=decision,
                                                            parent_id=parent, task_id=self._task_id)
        except BudgetExceededError as exc:
            raise _Stop(f"client budget: {exc}") from exc
        finally:
            self._reserved -= need
        self._spent += done.cost_usd
        return done

    def _span(self, kind: str, span_id: str, parent: str | None, start: float, status: str = "ok",
              error: str | None = None, **meta: Any) -> None:
        self.client.trace.append(TraceRecord(
            kind=kind, call_id=span_id, parent_id=parent, task_id=self._task_id, start=start,
            end=max(time.time(), start), status=status, error=error, metadata=meta,
        ))

    def _request(self, key: str, text: str, kind: str, schema: Mapping[str, Any] | None, max_tokens: int,
                 system: str | None = None) -> Request:
        return Request(messages=(Message("user", text),), kind=kind, system=system, response_schema=schema,
                       max_output_tokens=max_tokens, metadata={"prompt_id": key}, temperature=0.0)

    # ---- steps ---------------------------------------------------------------------------------
    async def _plan(self, goal: str, round_no: int, context: str, parent: str) -> list[PlannedSubtask]:
        span, start = uuid.uuid4().hex[:16], time.time()
        text = (f"Goal: {goal}\n{context}Break the goal into at most {self.max_subtasks} small subtasks. For each give "
                f"an id (s1, s2, ...), a kind ({', '.join(self.kinds)}), short instructions, the ids of earlier "
                "subtasks it needs (depends_on), and an acceptance criterion. Answer in JSON.")
        req = self._request(f"plan:{round_no}", text, "plan", plan_schema(self.kinds, self.max_subtasks, self.text_max_chars),
                            self.plan_max_tokens,
                            system="You are the orchestrator: you plan and delegate work to cheaper models.")
        try:
            done = await self._call(req, parent=span, tier=self.tier)
            plan, fixes = parse_plan(done.text, self.kinds, self.max_subtasks)
        except RouterlabError as exc:
            self._span("plan", span, parent, start, status="error", error=str(exc), prompt_key=req.metadata["prompt_id"])
            raise
        self._span("plan", span, parent, start, prompt_key=req.metadata["prompt_id"], response=done.text,
                   model=done.model, fixes=fixes, subtasks=[vars(s) for s in plan])
        return plan

    async def _review(self, st: PlannedSubtask, result: str, attempt: int, parent: str) -> dict[str, Any]:
        span, start = uuid.uuid4().hex[:16], time.time()
        text = (f"Subtask: {st.instructions}\nAcceptance criterion: {st.acceptance or 'a useful answer'}\n"
                f"Result:\n{result[:2000]}\n\nDoes the result meet the criterion? verdict accept, retry (try again) "
                "or escalate (needs a stronger model), and a short reason. Answer in JSON.")
        req = self._request(f"review:{st.id}:{attempt}", text, "review", REVIEW_SCHEMA, 96)
        done = await self._call(req, parent=span, tier=self.tier)
        try:
            verdict = json_object(done.text, "review")
            if verdict.get("verdict") not in ("accept", "retry", "escalate"):
                raise BadResponseError(f"review verdict {verdict.get('verdict')!r} is not accept/retry/escalate")
        except BadResponseError as exc:
            verdict = {"verdict": "retry", "reason": f"unreadable review: {exc}"}
        self._span("review", span, parent, start, subtask=st.id, attempt=attempt, prompt_key=req.metadata["prompt_id"],
                   response=done.text, model=done.model, verdict=verdict)
        return verdict

    async def _run_subtask(self, st: PlannedSubtask, res: SubtaskResult, upstream: Mapping[str, str],
                           parent: str) -> None:
        context = "".join(f"Result of {d}:\n{upstream[d][:1200]}\n\n" for d in st.depends_on if d in upstream)
        tier_override: str | None = None
        feedback = ""
        for attempt in range(1, self.max_retries + 2):
            span, start = uuid.uuid4().hex[:16], time.time()
            req = self._request(f"do:{st.id}:{attempt}", f"{context}{st.instructions}{feedback}", st.kind, None,
                                self.subtask_max_tokens)
            if tier_override is None:
                decision = self.router.route(req)
            else:
                m = self.client.tiers.model_for(tier_override)
                decision = Decision(model=m.id, tier=tier_override, reason=f"escalated to {tier_override}",
                                    router="orchestrator")
            res.attempts, res.model, res.tier = attempt, decision.model, decision.tier
            try:
                done = await self._call(req, parent=span, model=decision.model, decision=decision)
            except RouterlabError as exc:
                if isinstance(exc, _Stop):
                    self._span("delegate", span, parent, start, status="error", error=str(exc), subtask=st.id,
                               attempt=attempt, decision=decision.to_dict())
                    raise
                self._span("delegate", span, parent, start, status="error", error=str(exc), subtask=st.id,
                           attempt=attempt, decision=decision.to_dict())
                res.status = "failed"
                return
            res.text, res.cost_usd = done.text, res.cost_usd + done.cost_usd
            self._span("delegate", span, parent, start, subtask=st.id, attempt=attempt, kind_=st.kind,
                       prompt_key=req.metadata["prompt_id"], response=done.text, model=done.model,
                       decision=decision.to_dict())
            verdict = await self._review(st, done.text, attempt, parent)
            res.verdicts.append(verdict)
            if verdict["verdict"] == "accept":
                res.status = "accepted"
                return
            feedback = f"\n\nA reviewer rejected an earlier answer: {verdict.get('reason', '')}"
            if verdict["verdict"] == "escalate":
                current = tier_override or decision.tier or ""
                tier_override = ESCALATION.get(current, self.tier)
        res.status = "failed"

    async def _decide(self, goal: str, results: Mapping[str, SubtaskResult], round_no: int, parent: str) -> dict[str, Any]:
        span, start = uuid.uuid4().hex[:16], time.time()
        lines = "\n".join(f"- {k} ({r.status}): {r.text[:300]}" for k, r in results.items())
        req = self._request(f"decide:{round_no}", f"Goal: {goal}\nSubtask results:\n{lines}\n\nIs the goal met? "
                            "Give done (true/false) and a short summary. Answer in JSON.", "decide", DECIDE_SCHEMA, 200)
        done = await self._call(req, parent=span, tier=self.tier)
        try:
            d = json_object(done.text, "decide")
        except BadResponseError as exc:
            d = {"done": False, "summary": f"unreadable decision: {exc}"}
        self._span("decide", span, parent, start, prompt_key=req.metadata["prompt_id"], response=done.text,
                   model=done.model, decision_=d)
        return d

    # ---- the run -------------------------------------------------------------------------------
    async def arun(self, goal: str, task_id: str | None = None) -> RunReport:
        self._task_id = task_id or uuid.uuid4().hex[:12]
        self._t0, self._calls, self._spent, self._reserved = time.monotonic(), 0, 0.0, 0.0
        root, start = uuid.uuid4().hex[:16], time.time()
        n_before = len(self.client.trace)
        plan: list[PlannedSubtask] = []
        results: dict[str, SubtaskResult] = {}
        status, reason, summary, context = "incomplete", "", "", ""
        try:
            for round_no in range(1, self.max_rounds + 1):
                plan = await self._plan(goal, round_no, context, root)
                results = {st.id: SubtaskResult(st) for st in plan}
                await self._delegate_all(plan, results, root)
                d = await self._decide(goal, results, round_no, root)
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
        wall = time.monotonic() - self._t0
        new = self.client.trace.records[n_before:]
        cost = sum(r.cost_usd for r in new if r.kind == "call")
        self.client.trace.append(TraceRecord(
            kind="task", call_id=root, parent_id=None, task_id=self._task_id, start=start, end=time.time(),
            status="ok" if status in ("done", "incomplete") else "error", error=None if status == "done" else reason,
            cost_usd=cost, metadata={"goal": goal, "status": status, "reason": reason, "summary": summary,
                                     "limits": vars(self.limits), "calls": self._calls},
        ))
        return RunReport(goal, status, reason, plan, results, summary, cost, self._calls, wall, self._task_id,
                         self.client.trace)

    async def _delegate_all(self, plan: list[PlannedSubtask], results: dict[str, SubtaskResult], parent: str) -> None:
        upstream: dict[str, str] = {}
        pending = [st for st in plan]
        while pending:
            ready = [st for st in pending if all(results[d].status == "accepted" for d in st.depends_on)]
            blocked = [st for st in pending if any(results[d].status in ("failed", "skipped") for d in st.depends_on)]
            for st in blocked:
                results[st.id].status = "skipped"
            pending = [st for st in pending if st not in ready and st not in blocked]
            if not ready:
                break
            outcomes = await asyncio.gather(*(self._run_subtask(st, results[st.id], upstream, parent) for st in ready),
                                            return_exceptions=True)
            stop = next((o for o in outcomes if isinstance(o, _Stop)), None)
            for st, o in zip(ready, outcomes, strict=True):
                if isinstance(o, BaseException) and not isinstance(o, (_Stop, RouterlabError)):
                    raise o
                if isinstance(o, RouterlabError) and not isinstance(o, _Stop):
                    results[st.id].status = "failed"  # e.g. its review call failed: not accepted
                elif isinstance(o, _Stop) and results[st.id].status == "not_run":
                    results[st.id].status = "not_run"
            upstream.update({st.id: results[st.id].text for st in ready if results[st.id].status == "accepted"})
            if stop is not None:
                raise stop

    def run(self, goal: str, task_id: str | None = None) -> RunReport:
        """Synchronous :meth:`arun` (in a worker thread when an event loop is already running, as in Jupyter)."""
        return run_sync(lambda: self.arun(goal, task_id))


