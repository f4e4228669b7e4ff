"""The model catalogue as a picture: price of a typical call against its modelled latency."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ._frames import _go, _pick, _require, log_range, usd_log_ticks
from .labels import leader_annotations, place_labels, trace_text
from .palette import MODEL_PALETTE


def model_map(
    frame: pd.DataFrame,
    *,
    output_tokens: int = 500,
    input_tokens: int = 2000,
    title: str | None = None,
) -> Any:
    """Models as points: price of a typical call (``input_tokens`` in, ``output_tokens`` out) against
    its modelled latency (ttft + output / tokens-per-second). Log price axis; vision models are
    diamonds. Local models (price 0) sit at the left edge."""
    go = _go()
    f = _require(frame, ["id"], "model_map").copy()
    pin = _pick(f, ("input_price", "input_per_mtok"), "model_map")
    pout = _pick(f, ("output_price", "output_per_mtok"), "model_map")
    f["call_cost"] = (f[pin].astype(float) * input_tokens + f[pout].astype(float) * output_tokens) / 1e6
    if {"ttft_s", "output_tps"} <= set(f.columns):
        tps = f["output_tps"].astype(float).where(lambda s: s > 0)
        f["latency"] = f["ttft_s"].astype(float) + output_tokens / tps
    else:
        f["latency"] = np.nan
    positive = f.loc[f["call_cost"] > 0, "call_cost"]
    floor = float(positive.min()) / 3 if len(positive) else 1e-6
    x = f["call_cost"].where(f["call_cost"] > 0, floor)
    provider = f["provider"] if "provider" in f.columns else f["id"].astype(str).str.split(":").str[0]
    names = f["id"].astype(str).str.split(":", n=1).str[-1]
    xr = log_range(x)
    lat = f["latency"].to_numpy(dtype=float)
    yr = (0.0, float(np.nanmax(lat)) * 1.12 if np.isfinite(lat).any() else 1.0)
    placed = place_labels(np.log10(x.to_numpy(dtype=float)), lat, list(names), xr, yr,
                          width_px=800, height_px=330, font_px=9, marker_px=10)
    shown, where = (np.array(v, dtype=object) for v in trace_text(list(names), placed))
    fig = go.Figure()
    for i, prov in enumerate(dict.fromkeys(provider)):
        sel = (provider == prov).to_numpy()
        vision = f["vision"].fillna(False).astype(bool).to_numpy()[sel] if "vision" in f.columns else np.zeros(sel.sum(), bool)
        fig.add_trace(go.Scatter(
            name=str(prov), x=x[sel], y=f.loc[sel, "latency"], mode="markers+text", cliponaxis=False,
            text=list(shown[sel]), hovertext=names[sel], textposition=list(where[sel]),
            textfont=dict(size=9), marker=dict(size=10, color=MODEL_PALETTE[i % len(MODEL_PALETTE)],
                                               symbol=["diamond" if v else "circle" for v in vision]),
            customdata=f.loc[sel, "call_cost"],
            hovertemplate="%{hovertext}<br>$%{customdata:.5f} per call<br>%{y:.2f} s<extra></extra>",
        ))
    for note in leader_annotations(np.log10(x.to_numpy(dtype=float)), lat, list(names), placed, font_px=9,
                                   colour="#444", marker_px=10):  # labels no textposition held clear
        fig.add_annotation(**note)
    vals, text = usd_log_ticks(float(positive.min()), float(positive.max())) if len(positive) else ([], [])
    if (f["call_cost"] <= 0).any():  # free models sit at the left edge, at a tick that says so
        vals, text = [floor, *vals], ["$0 (local)", *text]
    fig.update_layout(
        title=title or f"price vs latency of one call ({input_tokens:,} in / {output_tokens:,} out): "
                       "cheaper is left, faster is down (diamonds read images)",
        xaxis=dict(type="log", title="USD per call (log scale)", range=xr, tickvals=vals, ticktext=text,
                   minor=dict(ticks="", showgrid=False)),
        yaxis=dict(title="modelled latency (s)", range=list(yr)), template="plotly_white", height=460,
    )
    return fig
