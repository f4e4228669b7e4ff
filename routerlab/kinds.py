"""Request kinds and the tier that serves each: the one kind-to-tier table of routerlab.

A *kind* names what a request asks for (``"plan"``, ``"code_edit"``, ``"screenshot_read"``); a
*tier* names the model class that should serve it (orchestrator / classifier / coder / vision).
Three vocabularies share this table, so replayed workloads, the eval set and live requests
route alike:

- ``STEP_KINDS``: the kinds of the steps of recorded agent runs and of routerlab's own
  orchestrator requests (``routerlab.workloads.step_kinds`` assigns them);
- ``EVALSET_KINDS``: the finer kinds of the labelled eval set (``routerlab.evalset``);
- a few more that only the rule router knows (``decompose``, ``screenshot``, ...).

``KIND_TIERS`` is the whole table; ``tiers_for(kinds)`` is the part for one vocabulary.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["TIERS", "KIND_TIERS", "STEP_KINDS", "EVALSET_KINDS", "tiers_for"]

TIERS: tuple[str, ...] = ("orchestrator", "classifier", "coder", "vision")

KIND_TIERS: dict[str, str] = {
    # orchestrator: planning, judgement, answering the user, long documents
    "plan": "orchestrator",
    "decompose": "orchestrator",
    "review": "orchestrator",
    "decide": "orchestrator",
    "respond": "orchestrator",
    "summarize_long": "orchestrator",
    # classifier: a label or a few fields read off text; reading and searching tool output
    "classify": "classifier",
    "screen_classify": "classifier",
    "intent": "classifier",
    "workflow": "classifier",
    "extract": "classifier",
    "read": "classifier",
    "search": "classifier",
    "summarize": "classifier",  # short tool output; a long document is "summarize_long"
    # coder
    "code": "coder",
    "code_write": "coder",
    "code_edit": "coder",
    "code_debug": "coder",
    "code_command": "coder",
    "edit": "coder",
    "test": "coder",
    "run": "coder",
    # vision
    "vision": "vision",
    "screenshot": "vision",
    "screenshot_read": "vision",
    "ui_locate": "vision",
    "visual_check": "vision",
}

# Steps of recorded agent runs, then the request kinds of routerlab's orchestrator
# (Workload.from_trace_frame); the order is the order users see them in.
STEP_KINDS: tuple[str, ...] = (
    "plan", "review", "respond", "read", "search", "summarize", "edit", "test", "run", "vision",
    "decide", "classify", "extract", "code",
)
EVALSET_KINDS: tuple[str, ...] = (
    "screen_classify", "intent", "workflow", "extract",
    "code_write", "code_edit", "code_debug", "code_command",
    "plan", "review", "summarize_long", "decide",
    "screenshot_read", "ui_locate", "visual_check",
)


def tiers_for(kinds: Iterable[str]) -> dict[str, str]:
    """``{kind: tier}`` for ``kinds``, in their order (each must be in ``KIND_TIERS``)."""
    return {k: KIND_TIERS[k] for k in kinds}
