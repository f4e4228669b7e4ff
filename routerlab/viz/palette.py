"""The colours of every routerlab figure, defined once: one palette for policies, one for models.

A policy keeps its colour from figure to figure: the baseline "all top" is always blue and
"routed" always orange, whether the figure is the demo report, notebook 01 or the playground.
Models draw from a separate, larger palette so a model's colour is never confused with a
policy's. Tiers are lanes (ordered by :data:`TIER_ORDER`), not colours.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable

import numpy as np

# Lanes are drawn top-down in this order; anything else follows alphabetically.
TIER_ORDER = ("orchestrator", "classifier", "coder", "vision", "local")

# Policies: the first two are reserved for the baseline and the routed policy.
POLICY_PALETTE = ("#4C78A8", "#F58518", "#54A24B", "#B279A2", "#72B7B2", "#9D755D", "#EECA3B", "#FF9DA6")
# Names a reader meets in the notebooks and the report, mapped to their fixed slot.
_POLICY_SLOTS = {"all top": 0, "all top model": 0, "all-top": 0, "top": 0, "routed": 1, "as recorded": 0, "by tier": 1,
                 "default tiers": 1}
_FREE_FROM = 2  # other policies start after the reserved two: a new policy never looks like the baseline

# Models: colour-blind friendly and distinct from the policy hues where it matters.
MODEL_PALETTE = (
    "#1F77B4", "#FF7F0E", "#2CA02C", "#9467BD", "#8C564B", "#E377C2",
    "#17BECF", "#BCBD22", "#7F7F7F", "#AEC7E8", "#FFBB78", "#98DF8A",
)

# Cost as colour (timelines): viridis, dark = cheap, bright = dear. Bars get these colours as
# strings (scale_colours), the colour bar the same stops as its scale: plotly.js reads a bar's
# marker.color as a colour while drawing, and warns once per bar when it holds numbers.
COST_SCALE = ("#440154", "#482878", "#3e4989", "#31688e", "#26828e", "#1f9e89", "#35b779", "#6ece58", "#b5de2b",
              "#fde725")

CRITICAL = "#D62728"  # the critical path's outline; also the colour of refused / failed
GOOD, NEUTRAL, MUTED = "#2CA02C", "#4C78A8", "#999"  # chosen / passing / below target
SINGLE_MODEL, HULL, ORACLE = "#555555", "#888888", "#E45756"
# One model answering everything ("mixtral alone") is a single model, drawn in the single models'
# grey as in the cost-quality figures; a second one alone in the same figure takes a lighter grey.
SINGLE_MODEL_SHADES = (SINGLE_MODEL, "#9A9A9A", "#BDBDBD")


def cost_colourscale() -> list[list[float | str]]:
    """:data:`COST_SCALE` as a plotly colorscale (evenly spaced stops), for the colour bar."""
    n = len(COST_SCALE) - 1
    return [[i / n, c] for i, c in enumerate(COST_SCALE)]


def scale_colours(values: Iterable[float], cmin: float, cmax: float) -> list[str]:
    """Each value's colour on :data:`COST_SCALE` between ``cmin`` and ``cmax`` (clipped; NaN at
    the bottom), interpolated between the stops as the colour bar draws them: ``"rgb(r,g,b)"``."""
    v = np.nan_to_num(np.asarray(list(values), dtype=float), nan=cmin)
    t = np.clip((v - cmin) / (cmax - cmin), 0.0, 1.0) if cmax > cmin else np.zeros_like(v)
    stops = np.array([[int(c[i:i + 2], 16) for i in (1, 3, 5)] for c in COST_SCALE], dtype=float)
    pos = np.linspace(0.0, 1.0, len(stops))
    rgb = np.stack([np.interp(t, pos, stops[:, k]) for k in range(3)], axis=-1).round().astype(int)
    return [f"rgb({r},{g},{b})" for r, g, b in rgb]


def _norm(name: object) -> str:
    return " ".join(str(name).lower().replace("_", " ").split())


def policy_colours(names: Iterable[object], *, baseline: object = None) -> dict[str, str]:
    """A colour per policy name: known names ("all top", "routed", "default tiers"...) keep their
    fixed colour, the others take the free colours in the order given, the baseline's and the
    routed policy's last (so "coder on gpt-4.1-mini" beside "default tiers" is not the baseline's blue).
    ``baseline`` names the policy everything is measured against when it is not called "all top"
    (say "GPT-4 alone"): it takes the baseline's blue. Any other "<model> alone" is a single model
    and takes the single models' grey (:data:`SINGLE_MODEL_SHADES`), never a policy's colour."""
    given = list(dict.fromkeys(str(n) for n in names))
    out: dict[str, str] = {}
    used: set[int] = set()
    if baseline is not None and str(baseline) in given:
        out[str(baseline)] = POLICY_PALETTE[0]
        used.add(0)
    alone = [n for n in given if n not in out and _norm(n).endswith(" alone")]
    for k, n in enumerate(alone):
        out[n] = SINGLE_MODEL_SHADES[k % len(SINGLE_MODEL_SHADES)]
    for n in given:
        if n in out:
            continue
        key = _norm(n)
        slot = _POLICY_SLOTS.get(key, 0 if key.startswith(("all to", "all on the top", "all top")) else
                                 1 if key.startswith("routed") else None)
        if slot is not None and slot not in used:
            out[n] = POLICY_PALETTE[slot]
            used.add(slot)
    free = (i for i in [*range(_FREE_FROM, len(POLICY_PALETTE)), *range(_FREE_FROM)] if i not in used)
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
