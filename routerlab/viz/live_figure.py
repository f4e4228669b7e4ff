"""``LiveFigure``: a plotly ``FigureWidget`` that draws, and keeps redrawing, under JupyterLab's
Run All, at the width of its output.

Its front end (``live_figure.js``, this package's own) runs plotly's FigureWidget code, read at
run time from the installed plotly's package data and sent as the model's ``_plotly_bundle``:
evaluated once per page and shared by every figure, after each figure's model has bound. With
plotly's own ESM every figure evaluated the 5 MB bundle again, and a model that took more than
anywidget's 2 s to bind dropped every later message (a blank or frozen figure). The comm opens
with the figure's traces and layout (plotly's opens with empty ones and sends them next), so a
view created at any time starts from the whole figure. Updates are plotly's own messages.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import plotly
import plotly.graph_objects as go
import traitlets

__all__ = ["LiveFigure", "loader_js", "plotly_widget_bundle"]

_LOADER = Path(__file__).with_name("live_figure.js")


@cache
def loader_js() -> str:
    """The ESM anywidget imports for each figure: our loader, a few KB."""
    return _LOADER.read_text(encoding="utf-8")


@cache
def plotly_widget_bundle() -> str:
    """plotly's own widget bundle (``widgetbundle.js`` in the installed plotly's package data)."""
    return (Path(plotly.__file__).parent / "package_data" / "widgetbundle.js").read_text(encoding="utf-8")


class LiveFigure(go.FigureWidget):  # type: ignore[misc]
    """A ``FigureWidget`` (the same Python API) with routerlab's front end; see the module note."""

    _esm = traitlets.Unicode().tag(sync=True)
    _plotly_bundle = traitlets.Unicode().tag(sync=True)
    _plotly_version = traitlets.Unicode(plotly.__version__).tag(sync=True)

    @traitlets.default("_esm")
    def _loader_default(self) -> str:
        return loader_js()

    @traitlets.default("_plotly_bundle")
    def _bundle_default(self) -> str:
        return plotly_widget_bundle()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # ipywidgets opens the comm inside the first base __init__, before plotly has read the
        # figure; held until the end, it opens with the traces and layout set below
        object.__setattr__(self, "_hold_open", True)
        super().__init__(*args, **kwargs)
        object.__setattr__(self, "_hold_open", False)
        self.open()

    def open(self) -> None:
        if not getattr(self, "_hold_open", False):
            super().open()
