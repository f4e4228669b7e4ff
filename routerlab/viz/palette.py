"""The colours of every routerlab figure, defined once: one palette for policies, one for models.

A policy keeps its colour from figure to figure: the baseline "all top" is always blue and
"routed" always orange, whether the figure is the demo report, notebook 01 or the playground.
Models draw from a separate, larger palette so a model's colour is never confused with a
policy's. Tiers are lanes (ordered by :data:`TIER_ORDER`), not colours.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable

# Lanes are drawn top-down in this order; anything else follows alphabetically.
TIER_ORDER = ("orchestrator", "classifier", "coder", "vision", "local")

# Policies: the first two are reserved for the baseline and the routed policy.
POLICY_PALETTE = ("#4C78A8", "#F58518", "#54A24B", "#B279A2", "#72B7B2", "#9D755D", "#EECA3B", "#FF9DA6")
# Names a reader meets in the notebooks and the report, mapped to their fixed slot.
_POLICY_SLOTS = {"all top": 0, "all top model": 0, "all-top": 0, "top": 0, "routed": 1, "as recorded": 0, "by tier": 1}

# Models: colour-blind friendly and distinct from the policy hues where it matters.
MODEL_PALETTE = (
    "#1F77B4", "#FF7F0E", "#2CA02C", "#9467BD", "#8C564B", "#E377C2",
    "#17BECF", "#BCBD22", "#7F7F7F", "#AEC7E8", "#FFBB78", "#98DF8A",
)

CRITICAL = "#D62728"  # the critical path's outline; also the colour of refused / failed
GOOD, NEUTRAL, MUTED = "#2CA02C", "#4C78A8", "#999"  # chosen / passing / below target
SINGLE_MODEL, HULL, ORACLE = "#555555", "#888888", "#E45756"


def _norm(name: object) -> str:
    return " ".join(str(name).lower().replace("_", " ").split())


def policy_colours(names: Iterable[object]) -> dict[str, str]:
    """A colour per policy name: known names ("all top", "routed", ...) keep their fixed colour,
    the others take the free colours in the order given."""
    given = list(dict.fromkeys(str(n) for n in names))
    out: dict[str, str] = {}
    used: set[int] = set()
    for n in given:
        key = _norm(n)
        slot = _POLICY_SLOTS.get(key, 0 if key.startswith(("all to", "all on the top", "all top")) else
                                 1 if key.startswith("routed") else None)
        if slot is not None and slot not in used:
            out[n] = POLICY_PALETTE[slot]
            used.add(slot)
    free = (i for i in range(len(POLICY_PALETTE)) if i not in used)
    for k, n in enumerate(x for x in given if x not in out):
        i = next(free, None)
        out[n] = POLICY_PALETTE[i if i is not None else k % len(POLICY_PALETTE)]
    return out


def model_colours(models: Iterable[object]) -> dict[str, str]:
    """A colour per model id, the same in every figure: each id hashes to its preferred colour
    (stable across runs and figures); only a clash among the ids given moves one to the next free."""
    out: dict[str, str] = {}
    taken: set[int] = set()
    n = len(MODEL_PALETTE)
    for m in sorted({str(x) for x in models}):
        i = zlib.crc32(m.encode()) % n
        for step in range(n):
            if (i + step) % n not in taken:
                i = (i + step) % n
                break
        taken.add(i)
        if len(taken) == n:
            taken.clear()  # more models than colours: reuse, still deterministically
        out[m] = MODEL_PALETTE[i]
    return out
