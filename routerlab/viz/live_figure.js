// The front end of routerlab's LiveFigure (routerlab/viz/live_figure.py): plotly's own
// FigureWidget code, evaluated once per page and shared by every figure, behind a loader that
// binds at once and keeps the plot at its output's width.
//
// Why not plotly's widget as it is: anywidget gives a model 2 s from its creation to import its
// ESM and finish `initialize`, and drops every later message for a model that missed it (the
// figure stops redrawing). plotly's ESM is its 5 MB bundle, evaluated again for every figure;
// one evaluation holds the page's main thread for 2-4 s on a loaded machine, so under Run All
// figures missed the window. Here the ESM is this small file; the bundle comes as model state
// (`_plotly_bundle`) and is evaluated once, when no figure is between creation and `initialize`.

const PAGE = Symbol.for("routerlab.live_figure"); // per page, across every figure's copy of this module
const QUIET_MS = 400; // the bundle is evaluated once no figure has started loading for this long
const STALE_MS = 2500; // a loader that has not initialized by then is past anywidget's window anyway

const page = (globalThis[PAGE] ??= { bundles: new Map(), loading: new Map(), lastBind: 0, next: 0, views: new WeakMap() });

// Resolves when no figure is between its loader's evaluation and its `initialize`: evaluating
// the bundle then cannot push one of them past anywidget's 2 s.
function quiet() {
  return new Promise((resolve) => {
    const check = () => {
      const now = performance.now();
      for (const [id, since] of page.loading) if (now - since > STALE_MS) page.loading.delete(id);
      if (page.loading.size === 0 && now - page.lastBind >= QUIET_MS) resolve();
      else setTimeout(check, 100);
    };
    setTimeout(check, QUIET_MS);
  });
}

// plotly's widget module, for the plotly version the kernel runs (one evaluation per page).
function plotlyWidgetModule(model) {
  const version = model.get("_plotly_version");
  let mod = page.bundles.get(version);
  if (!mod) {
    const text = model.get("_plotly_bundle");
    mod = quiet().then(async () => {
      const url = URL.createObjectURL(new Blob([text], { type: "text/javascript" }));
      try {
        return rememberViews(await import(/* webpackIgnore: true */ url));
      } finally {
        URL.revokeObjectURL(url);
      }
    });
    page.bundles.set(version, mod);
  }
  return mod;
}

// Each plotly view by its element, so a resize can call the view's own autosizeFigure (which
// leaves a figure with its own layout width alone and reports the new size to Python). This is
// our copy of plotly's module: plotly's own widgets evaluate theirs.
function rememberViews(mod) {
  const render = mod.FigureView.prototype.perform_render;
  mod.FigureView.prototype.perform_render = function () {
    page.views.set(this.el, this);
    return render.call(this);
  };
  return mod;
}

// Autosize the plot whenever its element's width changes (plotly sized it once, at newPlot, and
// fell back to 700 px when the element had no width yet); also once plotly has drawn it.
function followWidth(el, signal) {
  const fit = () => {
    const view = page.views.get(el);
    if (view && el._fullLayout && Math.abs(el._fullLayout.width - el.clientWidth) > 1 && el.clientWidth > 0) {
      view.autosizeFigure();
    }
  };
  const observer = new ResizeObserver(() => requestAnimationFrame(fit));
  observer.observe(el);
  const drawn = (e) => e.detail && e.detail.element === el && fit();
  document.addEventListener("plotlywidget-after-render", drawn);
  signal?.addEventListener("abort", () => {
    observer.disconnect();
    document.removeEventListener("plotlywidget-after-render", drawn);
  });
}

// anywidget calls this once per model: each figure gets its own plotly model code.
export default () => {
  const id = page.next++;
  page.loading.set(id, performance.now());
  let plotly; // plotly's {initialize, render} for this model, once its module is in

  return {
    initialize({ model }) {
      page.loading.delete(id);
      page.lastBind = performance.now();
      // Not awaited: `initialize` returns now, inside anywidget's window. plotly's model code
      // keeps no state of its own that messages before it would have changed (its copies of
      // `_widget_data` are re-read from the model each time), so starting it late loses nothing.
      plotly = plotlyWidgetModule(model).then((mod) => {
        const widget = mod.default();
        widget.initialize({ model });
        return widget;
      });
    },
    async render({ el, signal }) {
      const widget = await plotly;
      if (signal?.aborted) return undefined;
      const remove = widget.render({ el });
      followWidth(el, signal);
      return remove;
    },
  };
};
