"""Widgets for JupyterLab: pick each tier's model, move a router's threshold or cost weight and
the budget, and watch the figures change in place. The only module that imports ipywidgets.

Figures are plotly ``FigureWidget``s (``viz.live_figure.LiveFigure``, which needs ``anywidget``):
their updates travel as comm messages, so a notebook stays valid under nbval, unlike plots drawn
into an ``ipywidgets.Output``. Everything is also drivable from code: set a control's ``.value`` or call
``Playground.update()``, then read ``Playground.figures`` / ``Playground.frames``.

    pg = Playground(run, tiers=TierMap.default(), threshold=0.5, budget_usd=1.0)
    pg                      # displays controls, a summary line and the figures
    pg.picker.dropdowns["coder"].value = "openai:gpt-4.1-mini"   # figures update
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from . import viz
from ._numbers import usd
from .errors import ConfigurationError, MissingDependencyError
from .simulate import combination_rows, quality_readout
from .tiers import TierMap
from .viz._frames import _go as _plotly
from .viz.live import restyle_in_place, resync_views

__all__ = ["TierPicker", "PlaygroundState", "Playground", "figure_widget", "summarize"]


def _ipywidgets() -> Any:
    try:
        import ipywidgets
    except ImportError as exc:  # pragma: no cover - in the lab extra
        raise MissingDependencyError("ipywidgets", "lab") from exc
    return ipywidgets


def _go() -> Any:
    return _plotly(widget=True)


def figure_widget(fig: Any) -> Any:
    """A live ``FigureWidget`` copy of a plotly figure (or of a ``viz`` ``*_spec`` dict): a
    ``viz.live_figure.LiveFigure``, which draws and keeps redrawing under JupyterLab's Run All
    at its output's width."""
    _go()  # names the missing extra (plotly, anywidget) before the import below needs them
    from .viz.live_figure import LiveFigure

    return LiveFigure(fig)


def summarize(frames: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Per policy: calls served, calls refused (``status == "refused"``: a budget said no; they
    cost nothing and take no time), total cost, wall time (first start to last end of the served
    calls), calls per tier."""
    rows = []
    for name, f in frames.items():
        refused = (f["status"] == "refused").to_numpy() if "status" in f.columns else None
        served = f[~refused] if refused is not None else f
        row: dict[str, Any] = {"policy": name, "calls": len(served), "refused": int(refused.sum()) if refused is not None else 0}
        row["cost_usd"] = float(f["cost_usd"].sum()) if "cost_usd" in f.columns else math.nan
        row["wall_s"] = (float(served["end"].max() - f["start"].min())
                         if {"start", "end"} <= set(f.columns) and len(served) else math.nan)
        if "tier" in f.columns:
            for tier, n in f["tier"].fillna("(none)").value_counts().items():
                row[f"calls_{tier}"] = int(n)
        rows.append(row)
    return pd.DataFrame(rows).set_index("policy")


class TierPicker:
    """One dropdown per tier, offering only the catalog models that have the tier's required
    capabilities and context window (``TierMap.choices``), cheapest first. A change swaps the
    tier's model in the given ``TierMap`` (validated by it) and calls every ``on_change`` hook."""

    def __init__(self, tiers: TierMap | None = None, *, only: Sequence[str] | None = None,
                 extra_choices: Mapping[str, Sequence[str]] | None = None) -> None:
        w = _ipywidgets()
        self.tiers = tiers if tiers is not None else TierMap.default()
        self._hooks: list[Callable[[str, str], None]] = []
        self.dropdowns: dict[str, Any] = {}
        names = list(only) if only is not None else self.tiers.names()
        for name in names:
            current = self.tiers.model_for(name)
            choices = {m.id: m for m in self.tiers.choices(name)}
            for extra in (extra_choices or {}).get(name, ()):
                m = self.tiers.catalog.get(extra)
                choices.setdefault(m.id, m)
            choices.setdefault(current.id, current)
            ordered = sorted(choices.values(), key=lambda m: (m.input_price + m.output_price, m.id))
            options = [(f"{m.id}  (${m.input_price:g} / ${m.output_price:g} per Mtok)", m.id) for m in ordered]
            dd = w.Dropdown(options=options, value=current.id, description=name,
                            style={"description_width": "90px"}, layout=w.Layout(width="460px"))
            dd.observe(self._changed(name), names="value")
            self.dropdowns[name] = dd
        self.widget = w.VBox(list(self.dropdowns.values()))

    def _changed(self, tier: str) -> Callable[[dict[str, Any]], None]:
        def handler(change: dict[str, Any]) -> None:
            self.tiers.swap(tier, change["new"])
            for hook in self._hooks:
                hook(tier, change["new"])
        return handler

    def on_change(self, hook: Callable[[str, str], None]) -> None:
        self._hooks.append(hook)

    @property
    def value(self) -> dict[str, str]:
        return {t: dd.value for t, dd in self.dropdowns.items()}

    def _ipython_display_(self) -> None:  # pragma: no cover - display only
        from IPython.display import display

        display(self.widget)


@dataclass
class PlaygroundState:
    """What the controls say now; ``run`` receives it."""

    tiers: TierMap
    threshold: float | None = None
    cost_weight: float | None = None
    budget_usd: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def models(self) -> dict[str, str]:
        return self.tiers.as_dict()


RunResult = pd.DataFrame | Mapping[str, pd.DataFrame]
FigureFn = Callable[[dict[str, pd.DataFrame]], Any]  # frames -> plotly Figure


class Playground:
    """Controls + live figures over a ``run(state) -> frame or {policy: frame}`` function.

    ``run`` re-routes or re-simulates with the current state (tier models, threshold, cost
    weight, budget) and returns trace/simulate frames. By default the first frame (or the one
    named ``focus``) is drawn as a timeline and all of them side by side as a cost comparison;
    ``figures`` (name -> ``frames -> Figure``, e.g. a ``viz`` function) draws anything else.
    ``quality`` (a ``routerlab.quality.tier_table()`` covering the picker's choices) adds a line
    per tier with the picked model's measured evidence and gap, and a price-vs-evidence figure of
    each tier's candidates, both redrawn on every change.
    Any control change calls ``update()``, which re-runs and redraws the same FigureWidgets in
    place. ``picker_tiers=()`` hides the tier picker; sliders appear for the knobs given a value.
    """

    def __init__(
        self,
        run: Callable[[PlaygroundState], RunResult],
        tiers: TierMap | None = None,
        *,
        threshold: float | None = None,
        threshold_range: tuple[float, float] = (0.0, 1.0),
        cost_weight: float | None = None,
        cost_weight_range: tuple[float, float] = (0.0, 10.0),
        budget_usd: float | None = None,
        budget_range: tuple[float, float] = (0.01, 10.0),
        focus: str | None = None,
        picker_tiers: Sequence[str] | None = None,
        lane: str = "auto",
        figures: Mapping[str, FigureFn] | None = None,
        summary: Callable[[dict[str, pd.DataFrame]], str] | None = None,
        quality: pd.DataFrame | None = None,
    ) -> None:
        w = _ipywidgets()
        self._run = run
        self.focus = focus
        self.lane = lane
        self.state = PlaygroundState(tiers if tiers is not None else TierMap.default(), threshold, cost_weight,
                                     budget_usd)
        self.picker = TierPicker(self.state.tiers, only=picker_tiers)
        self.picker.on_change(lambda _tier, _model: self.update())
        self.sliders: dict[str, Any] = {}
        slider_style = {"style": {"description_width": "90px"}, "layout": w.Layout(width="460px"),
                        "continuous_update": False}
        if threshold is not None:
            lo, hi = threshold_range
            self.sliders["threshold"] = w.FloatSlider(value=threshold, min=lo, max=hi, step=(hi - lo) / 100,
                                                      description="threshold", readout_format=".2f", **slider_style)
        if cost_weight is not None:
            lo, hi = cost_weight_range
            if lo > 0 and hi / lo >= 100:  # weights spanning decades move on a log scale
                self.sliders["cost_weight"] = w.FloatLogSlider(
                    value=cost_weight, min=math.log10(lo), max=math.log10(hi), base=10, description="cost weight",
                    readout_format=".3g", **slider_style)
            else:
                self.sliders["cost_weight"] = w.FloatSlider(
                    value=cost_weight, min=lo, max=hi, step=(hi - lo) / 100, description="cost weight",
                    readout_format=".2f", **slider_style)
        if budget_usd is not None:
            lo, hi = budget_range
            if lo <= 0:
                raise ConfigurationError(f"budget_range must start above 0 (log slider), got {budget_range}")
            self.sliders["budget_usd"] = w.FloatLogSlider(value=budget_usd, min=math.log10(lo), max=math.log10(hi),
                                                          base=10, description="budget $", readout_format=".3f",
                                                          **slider_style)
        for name, s in self.sliders.items():
            s.observe(self._slider_changed(name), names="value")
        self.summary = w.HTML()
        self._summary_fn = summary
        self.quality = quality
        self.quality_readout = w.HTML()
        self._readout: dict[tuple[str, str], dict[str, Any]] = {}
        if quality is not None:  # every candidate's line once, so a change only looks it up
            self._remember_readouts({t: [v for _, v in dd.options] for t, dd in self.picker.dropdowns.items()})
        self._figure_fns: dict[str, FigureFn] = dict(figures) if figures is not None else {
            "timeline": lambda frames: self._timeline(),
            "cost": viz.cost_comparison_spec,
        }

        if not self._figure_fns:
            raise ConfigurationError("a playground needs at least one figure")
        self.frames: dict[str, pd.DataFrame] = {}
        self.updates = 0
        self.error: str | None = None
        self._compute()
        self.figures: dict[str, Any] = {name: figure_widget(fn(self.frames)) for name, fn in self._figure_fns.items()}
        if quality is not None:  # each tier's candidates on price vs evidence; a change only moves the star
            self.figures["quality"] = figure_widget(viz.tier_quality(self._quality_now()))
        controls = [c for c in (self.picker.widget if self.picker.dropdowns else None,
                                w.VBox(list(self.sliders.values())) if self.sliders else None) if c is not None]
        self.widget = w.VBox([w.HBox(controls), self.summary, self.quality_readout, *self.figures.values()])

    # -- running --------------------------------------------------------------------------
    def _slider_changed(self, name: str) -> Callable[[dict[str, Any]], None]:
        def handler(change: dict[str, Any]) -> None:
            setattr(self.state, name, change["new"])
            self.update()
        return handler

    def _compute(self) -> None:
        try:
            out = self._run(self.state)
        except Exception as exc:  # noqa: BLE001 - shown to the user; the last good figures stay
            self.error = f"{type(exc).__name__}: {exc}"
            self.summary.value = f"<b style='color:#c00'>{html.escape(self.error)}</b>"
            if not self.frames:
                raise
            return
        self.error = None
        self.frames = {"run": out} if isinstance(out, pd.DataFrame) else dict(out)
        if not self.frames:
            raise ConfigurationError("the playground's run() returned no frames")
        self.summary.value = self._summary_fn(self.frames) if self._summary_fn else self._summary_html()
        if self.quality is not None:
            self.quality_readout.value = "<br>".join(
                f"<b>{html.escape(str(t))}</b> {html.escape(str(text))}" for t, text in self.quality_frame()["text"].items())

    def quality_frame(self) -> pd.DataFrame:
        """Per tier: the picked model's evidence and gap (``quality_readout``); empty without ``quality``."""
        if self.quality is None:
            return pd.DataFrame(columns=["model", "value", "gap_points", "text"])
        picked = self.state.tiers.as_dict()
        self._remember_readouts({t: [m] for t, m in picked.items() if (t, m) not in self._readout})
        rows = [{"tier": t, **self._readout[(t, m)]} for t, m in picked.items()]
        # a measured combination depends on the whole assignment: read on each change (its text
        # is formatted once, so this stays cheap)
        rows += combination_rows(self.quality, picked)
        return pd.DataFrame(rows, columns=["tier", "model", "value", "gap_points", "text"]).set_index("tier")

    def _remember_readouts(self, options: Mapping[str, Sequence[str]]) -> None:
        """``quality_readout``'s row for each (tier, model) given, a few tiers at a time."""
        assert self.quality is not None
        for k in range(max((len(v) for v in options.values()), default=0)):
            models = {t: list(v)[k] for t, v in options.items() if k < len(v)}
            for tier, row in quality_readout(self.quality, models, combinations=False).iterrows():
                self._readout[(str(tier), row["model"])] = {str(k): v for k, v in row.items()}

    def _quality_now(self) -> pd.DataFrame:
        assert self.quality is not None
        picked = self.state.tiers.as_dict()
        return self.quality.assign(chosen=[picked.get(t) == m for t, m in
                                           zip(self.quality["tier"], self.quality["catalog_id"], strict=True)])

    def _timeline(self) -> Any:
        """One run's timeline, or, with several runs and no ``focus``, all of them on one time
        axis and one cost colour scale (so the policies can be compared at a glance)."""
        if self.focus in self.frames or len(self.frames) == 1:
            name = self.focus if self.focus in self.frames else next(iter(self.frames))
            return viz.timeline_spec(self.frames[name], lane=self.lane, label=name, lanes=self.state.tiers.names())
        return viz.timelines_spec(self.frames, lane=self.lane, lanes=self.state.tiers.names())

    def _summary_html(self) -> str:
        s = summarize(self.frames)
        parts = []
        for name, row in s.iterrows():
            refused = f", <b>{int(row['refused'])} refused</b> by the budget" if row["refused"] else ""
            parts.append(f"<b>{html.escape(str(name))}</b>: {int(row['calls'])} calls{refused}, "
                         f"{usd(row['cost_usd'])}, wall {row['wall_s']:.1f} s")
        return " &nbsp;|&nbsp; ".join(parts)

    def update(self) -> None:
        """Re-run with the current controls and restyle the figures in place."""
        self._compute()
        if self.error is not None:
            return
        for name, fn in self._figure_fns.items():
            restyle_in_place(self.figures[name], fn(self.frames))
        if self.quality is not None:
            viz.highlight_chosen(self.figures["quality"], self._quality_now())
            resync_views(self.figures["quality"])
        self.updates += 1

    def summary_frame(self) -> pd.DataFrame:
        return summarize(self.frames)

    def _ipython_display_(self) -> None:  # pragma: no cover - display only
        from IPython.display import display

        display(self.widget)
