"""Plans and their checks: the JSON schemas the orchestrator's calls answer in, and the parser
that turns a plan into subtasks (dropping dependencies that would deadlock or cycle)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import BadResponseError
from ..validation import non_negative_number, positive_int, positive_seconds

__all__ = ["DEFAULT_KINDS", "ESCALATION", "MAX_SUBTASKS", "plan_schema", "PLAN_SCHEMA", "REVIEW_SCHEMA",
           "DECIDE_SCHEMA", "Limits", "PlannedSubtask", "parse_plan", "json_object"]

DEFAULT_KINDS = ("classify", "extract", "summarize", "code", "vision", "plan")
ESCALATION = {"classifier": "coder", "vision": "orchestrator", "coder": "orchestrator"}
MAX_SUBTASKS = 6


def plan_schema(kinds: Sequence[str] = DEFAULT_KINDS, max_subtasks: int = MAX_SUBTASKS,
                text_max_chars: int = 160) -> dict[str, Any]:
    """The JSON schema a plan must follow (llama.cpp turns it into a grammar, so plans parse).
    Ids are ``s1..sN`` and dependencies can only name them; strings are length-capped because a
    small model can repeat itself until ``max_output_tokens`` cuts the JSON."""
    ids = [f"s{i}" for i in range(1, max_subtasks + 1)]
    return {
        "type": "object",
        "properties": {
            "subtasks": {
                "type": "array", "minItems": 1, "maxItems": max_subtasks,
                "items": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "string", "enum": ids},
                        "kind": {"type": "string", "enum": list(kinds)},
                        "instructions": {"type": "string", "minLength": 1, "maxLength": text_max_chars},
                        "depends_on": {"type": "array", "items": {"type": "string", "enum": ids},
                                       "maxItems": max(0, max_subtasks - 1)},
                        "acceptance": {"type": "string", "maxLength": max(20, text_max_chars // 2)},
                    },
                    "required": ["id", "kind", "instructions", "depends_on", "acceptance"],
                    "additionalProperties": False,
                },
            }
        },
        "required": ["subtasks"],
        "additionalProperties": False,
    }


PLAN_SCHEMA = plan_schema()
REVIEW_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"verdict": {"type": "string", "enum": ["accept", "retry", "escalate"]},
                   "reason": {"type": "string", "maxLength": 200}},
    "required": ["verdict", "reason"],
    "additionalProperties": False,
}
DECIDE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"done": {"type": "boolean"}, "summary": {"type": "string", "maxLength": 400}},
    "required": ["done", "summary"],
    "additionalProperties": False,
}


@dataclass(frozen=True)
class Limits:
    """Stop before a call that would pass any of these. ``None``: no limit."""

    budget_usd: float | None = None
    wall_s: float | None = None
    max_calls: int | None = None

    def __post_init__(self) -> None:  # a typo fails here, not as a run that stops at once or never
        non_negative_number("Limits.budget_usd", self.budget_usd, allow_none=True)
        if self.wall_s is not None:
            positive_seconds("Limits.wall_s", self.wall_s)
        if self.max_calls is not None:
            positive_int("Limits.max_calls", self.max_calls)


@dataclass(frozen=True)
class PlannedSubtask:
    """One subtask of a parsed plan: id, kind, instruction and the subtasks it depends on; ``parse_plan`` returns them."""

    id: str
    kind: str
    instructions: str
    depends_on: tuple[str, ...] = ()
    acceptance: str = ""


def parse_plan(text: str, kinds: Sequence[str] = DEFAULT_KINDS,
               max_subtasks: int = MAX_SUBTASKS) -> tuple[list[PlannedSubtask], list[str]]:
    """Subtasks from the planner's JSON, and what had to be fixed (kept in the plan span)."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadResponseError(f"plan is not JSON ({exc.msg} at column {exc.colno}): {text[:120]!r}") from exc
    items = doc.get("subtasks") if isinstance(doc, dict) else None
    if not isinstance(items, list) or not items:
        raise BadResponseError(f"plan has no subtasks: {text[:120]!r}")
    fixes: list[str] = []
    out: list[PlannedSubtask] = []
    seen: set[str] = set()
    if len(items) > max_subtasks:
        fixes.append(f"kept the first {max_subtasks} of {len(items)} subtasks")
    for n, it in enumerate(items[:max_subtasks]):
        if not isinstance(it, dict):
            raise BadResponseError(f"plan subtask {n} is not an object")
        sid = str(it.get("id") or f"s{n + 1}").strip() or f"s{n + 1}"
        if sid in seen:
            fixes.append(f"duplicate id {sid!r} renamed s{n + 1}")
            sid = f"s{n + 1}"
        kind = str(it.get("kind", ""))
        if kind not in kinds:
            fixes.append(f"{sid}: unknown kind {kind!r} -> {kinds[0]}")
            kind = kinds[0]
        deps = []
        for d in it.get("depends_on") or []:
            if str(d) in seen:
                deps.append(str(d))
            else:  # unknown, self or later subtask: would deadlock or cycle
                fixes.append(f"{sid}: dropped dependency {d!r} (not an earlier subtask)")
        instructions = str(it.get("instructions") or "").strip()
        if not instructions:
            fixes.append(f"{sid}: empty instructions; dropped")
            continue
        seen.add(sid)
        out.append(PlannedSubtask(sid, kind, instructions, tuple(dict.fromkeys(deps)), str(it.get("acceptance") or "")))
    if not out:
        raise BadResponseError("plan has no usable subtasks")
    return out, fixes


def json_object(text: str, schema_name: str) -> dict[str, Any]:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadResponseError(f"{schema_name} answer is not JSON: {text[:120]!r}") from exc
    if not isinstance(doc, dict):
        raise BadResponseError(f"{schema_name} answer is not a JSON object: {text[:120]!r}")
    return doc


