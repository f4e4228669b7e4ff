"""The demo's HTML report: every sentence with a number or a direction is computed here from the
run's frames, so the page cannot contradict its own table and figures."""

from __future__ import annotations

import html
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["CACHE_NOTE", "HOW_COMPUTED", "cache_price_note", "write_demo_report", "tier_costs", "cache_findings"]

# The terminal and the page say the same: what the table's columns are and where they come from.
HOW_COMPUTED = ("No model was called. Each call keeps its recorded tokens; cost is the catalog's price for the "
                "model its tier routes to, time is the catalog's latency profile (time to first token + output "
                "tokens / throughput) plus the recorded gaps between calls (tools, user). Wall time runs from a "
                "task's first call to its last call's end, gaps included (summed over tasks); LLM time is the sum "
                "of the calls' own latencies, without the gaps.")

CACHE_NOTE = ("A prompt cache belongs to one model: a call reads from cache at most what its model already saw "
              "earlier in this run (simulate(cache='per-model')). Agents re-send a long, growing context on every "
              "call and providers bill cached input at a fraction of the input price, so a model that is called "
              "rarely, or joins late, pays for fresh context that the all-top model had cached.")


def cache_price_note(tiers: Any) -> str:
    """CACHE_NOTE's "a fraction" as the tiers' own numbers: each model's cached-input price over its
    input price (from the catalog)."""
    ratios: dict[str, float] = {}
    for tier in tiers.names():
        m = tiers.model_for(tier)
        if m.input_price > 0 and m.cached_input_price is not None:
            ratios[_short(m.id)] = m.cached_input_price / m.input_price
    if not ratios:
        return CACHE_NOTE
    shown = ", ".join(f"{name} x{r:.2f}" for name, r in ratios.items())
    return CACHE_NOTE.replace("at a fraction of the input price", f"at a fraction of the input price ({shown} here)")


def _short(model: str) -> str:
    return str(model).split(":", 1)[-1]


def tier_costs(results: dict[str, Any]) -> pd.DataFrame:
    """Per (policy, tier): calls, model(s), cost, input and cached input tokens."""
    rows = []
    for name, r in results.items():
        for tier, g in r.frame.groupby("tier", sort=False, observed=True):
            rows.append({"policy": name, "tier": str(tier), "calls": len(g),
                         "model": ", ".join(sorted({_short(m) for m in g["model"]})),
                         "cost_usd": float(g["cost_usd"].sum()), "input_tokens": int(g["input_tokens"].sum()),
                         "cached_tokens": int(g["cached_tokens"].sum())})
    return pd.DataFrame(rows).set_index(["policy", "tier"])


def _cumulative_lead(a: pd.DataFrame, b: pd.DataFrame) -> float:
    """Share of the calls (in run order) after which ``a``'s cumulative cost is above ``b``'s."""
    ca = a.sort_values("call_index")["cost_usd"].cumsum().to_numpy()
    cb = b.sort_values("call_index")["cost_usd"].cumsum().to_numpy()
    n = min(len(ca), len(cb))
    return float(np.mean(ca[:n] > cb[:n])) if n else 0.0


def _time_lead(a: pd.DataFrame, b: pd.DataFrame, points: int = 2000) -> float:
    """Share of the elapsed time (seconds from each run's start) during which ``a``'s cumulative
    cost is above ``b``'s."""
    def curve(f: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        g = f.sort_values("end")
        return (g["end"] - f["start"].min()).to_numpy(dtype=float), g["cost_usd"].cumsum().to_numpy(dtype=float)

    (ta, ca), (tb, cb) = curve(a), curve(b)
    grid = np.linspace(0.0, max(ta.max(initial=0), tb.max(initial=0)), points)
    va = np.r_[0.0, ca][np.searchsorted(ta, grid, side="right")]
    vb = np.r_[0.0, cb][np.searchsorted(tb, grid, side="right")]
    return float(np.mean(va > vb))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _tier_sentence(tier: str, r: pd.Series, a: pd.Series) -> str:
    """One tier on the same model under both policies: its cost routed vs all-top, and the cached
    tokens behind the difference. "Same" is what the page shows: equal to the cent's hundredth."""
    cost_r, cost_a = f"${r['cost_usd']:.4f}", f"${a['cost_usd']:.4f}"
    if cost_r == cost_a:
        head = f"The {tier} tier runs the same model ({r['model']}) under both policies and costs the same ({cost_r})."
    else:
        more = r["cost_usd"] > a["cost_usd"]
        head = (f"The {tier} tier runs the same model ({r['model']}) under both policies, "
                f"{'yet costs more' if more else 'and costs less'} routed ({cost_r}) than all-top ({cost_a}).")
    cr, ca = int(r["cached_tokens"]), int(a["cached_tokens"])
    read = (f" Its {_plural(int(r['calls']), 'call')} read {cr:,} of {int(r['input_tokens']):,} input tokens from "
            f"cache routed, {ca:,} all-top")
    if cr < ca:
        why = (": routed, the model saw only its own calls earlier in the run, not the other tiers' calls in "
               "between, so its cache held less of the context.")
    else:
        why = f": its cache held {'as much' if cr == ca else 'more'} of the context routed."
    return head + read + why


def cache_findings(results: dict[str, Any]) -> list[str]:
    """Sentences that explain the cost difference per tier, each computed from the frames: where
    the same model costs more routed than all-top, how many cached tokens it lost. Every direction
    word ("more", "sooner", "below") is chosen from the numbers it sits beside."""
    names = list(results)
    top, routed = names[0], names[-1]
    t = tier_costs(results)
    out = []
    for tier in t.loc[routed].index:
        if tier not in t.loc[top].index:
            continue
        r, a = t.loc[(routed, tier)], t.loc[(top, tier)]
        if r["model"] != a["model"]:
            continue
        out.append(_tier_sentence(str(tier), r, a))
    fr, fa = results[routed].frame, results[top].frame
    lead = _cumulative_lead(fr, fa)
    tlead = _time_lead(fr, fa)
    sentence = f"Counted call by call, routed's cumulative cost is above all-top's for {lead:.0%} of the run"
    if lead > 0:
        sentence += " (a model pays for fresh context the first time it is called)"
    sentence += f"; on the clock it is above for {tlead:.0%} of the seconds"
    sooner = results[routed].totals["llm_s"] < results[top].totals["llm_s"]
    if tlead > lead and sooner:
        sentence += ", because routed calls answer sooner, so the same spending comes earlier"
    end_r, end_a = fr["cost_usd"].sum(), fa["cost_usd"].sum()
    where = "level with" if f"{end_r:.4f}" == f"{end_a:.4f}" else ("below" if end_r < end_a else "above")
    out.append(f"{sentence}. It ends {where} all-top: ${end_r:.4f} vs ${end_a:.4f}.")
    return out


def _cache_heading(results: dict[str, Any]) -> str:
    """The section's heading names the tiers that cost more routed on the same model, if any."""
    names = list(results)
    t = tier_costs(results)
    dearer = [tier for tier in t.loc[names[-1]].index if tier in t.loc[names[0]].index
              and t.loc[(names[-1], tier), "model"] == t.loc[(names[0], tier), "model"]
              and round(t.loc[(names[-1], tier), "cost_usd"], 4) > round(t.loc[(names[0], tier), "cost_usd"], 4)]
    if not dearer:
        return "The prompt cache: what routing does to it"
    return f"Why the {' and '.join(dearer)} tier costs more when routed, on the same model: the prompt cache"


def _tier_table(results: dict[str, Any]) -> str:
    t = tier_costs(results).reset_index()
    t["cached share"] = (t["cached_tokens"] / t["input_tokens"].where(t["input_tokens"] > 0)).map("{:.0%}".format)
    t["cost_usd"] = t["cost_usd"].map("${:.4f}".format)
    for c in ("input_tokens", "cached_tokens"):
        t[c] = t[c].map("{:,}".format)
    t = t.rename(columns={"cost_usd": "cost", "input_tokens": "input tokens", "cached_tokens": "cached input tokens"})
    return str(t.to_html(index=False, border=0, classes="tiers", escape=True))


def write_demo_report(path: Path, task: Any, table_text: str, results: dict[str, Any], tiers: Any) -> Path:
    """Write the self-contained HTML report (plotly.js embedded once)."""
    from . import viz

    path.parent.mkdir(parents=True, exist_ok=True)
    names = list(results)
    top, routed = names[0], names[-1]
    frames = {name: r.frame for name, r in results.items()}
    cost_r, cost_a = frames[routed]["cost_usd"].sum(), frames[top]["cost_usd"].sum()
    wall = {n: float(r.totals["wall_s"]) for n, r in results.items()}  # the table's own wall time
    headline = (f"{html.escape(routed)}: ${cost_r:.4f} vs ${cost_a:.4f} {html.escape(top)} "
                f"(cost x{cost_r / cost_a:.2f}), wall time {wall[routed]:.0f} s vs {wall[top]:.0f} s "
                f"(x{wall[routed] / wall[top]:.2f}).")
    figs = [
        viz.timelines(frames, lanes=list(tiers.names()),
                      title="Every call on one time axis and one cost colour scale: which tier and model served it"),
        viz.cost_comparison(frames, title="Where the money goes: cumulative cost over the run and cost per tier"),
    ]
    plots = "".join(fig.to_html(full_html=False, include_plotlyjs=(i == 0), default_width="100%",
                                config={"responsive": True}) for i, fig in enumerate(figs))
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in list(results[routed].notes) + list(task.notes))
    findings = "".join(f"<p>{html.escape(s)}</p>" for s in cache_findings(results))
    body = (
        "<h1>routerlab demo: all to the top model vs routed by tier</h1>"
        f"<p class='lead'>{headline}</p>"
        f"<p>Task: {html.escape(task.name)}. Tiers: {html.escape(repr(tiers))}.</p>"
        f"<pre>{html.escape(table_text)}</pre><p>{html.escape(HOW_COMPUTED)}</p>"
        f"<h2>{html.escape(_cache_heading(results))}</h2><p>{html.escape(cache_price_note(tiers))}</p>{findings}"
        f"{_tier_table(results)}"
        f"<h2>What this computed</h2><ul>{notes}</ul>"
        "<p class='hint'>Hover a bar for its model, tokens (cached ones too), cost and latency.</p>" + plots
    )
    style = ("body{font-family:sans-serif;max-width:1400px;margin:auto;padding:0 1em}"
             ".lead{font-size:1.15em;font-weight:bold}.hint{color:#666}"
             "table.tiers{border-collapse:collapse;margin:1em 0}"
             "table.tiers td,table.tiers th{padding:.25em .8em;text-align:right;border-bottom:1px solid #ddd}")
    # written beside and renamed over: a full disk or an interrupt never leaves half a report in place of the last one
    part = path.with_name(f".{path.name}.part")
    try:
        part.write_text(f"<!doctype html><html><head><meta charset='utf-8'><title>routerlab demo</title>"
                        f"<style>{style}</style></head><body>{body}</body></html>", encoding="utf-8")
        os.replace(part, path)
    finally:
        part.unlink(missing_ok=True)
    return path
