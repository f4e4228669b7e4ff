"""`import routerlab` stays light: no SDK, plotly, ipywidgets or scikit-learn, and no side effects."""

import json
import subprocess
import sys

HEAVY = ("anthropic", "openai", "ollama", "plotly", "ipywidgets", "sklearn", "onnxruntime", "xllamacpp", "pandas")


def test_import_is_light():
    code = (
        "import sys, time, json; t = time.perf_counter(); import routerlab; "
        "dt = time.perf_counter() - t; "
        f"print(json.dumps({{'dt': dt, 'heavy': [m for m in {HEAVY!r} if m in sys.modules]}}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    result = json.loads(out.stdout)
    assert result["heavy"] == []  # import time itself is measured in benchmarks/bench_import.py


def test_lazy_names_resolve():
    import routerlab

    assert routerlab.Catalog.__name__ == "Catalog"
    assert routerlab.TierMap.__name__ == "TierMap"
    assert "Trace" in dir(routerlab)
    for name in routerlab.__all__:
        assert getattr(routerlab, name) is not None, name


def test_every_concrete_router_is_importable_from_routers() -> None:
    import routerlab.routers as routers
    from routerlab.routers import KNNRouter, RuleRouter
    from routerlab.routers.base import Router
    from routerlab.routers.predictors import KNNRouter as Direct

    assert KNNRouter is Direct and issubclass(RuleRouter, Router)
    for name in routers.__all__:
        assert getattr(routers, name) is not None, name
    concrete = {c.__name__ for c in _all_subclasses(Router)
                if c.__module__.startswith("routerlab.routers.") and not c.__name__.startswith("_")}
    assert concrete <= set(routers.__all__), sorted(concrete - set(routers.__all__))


def test_routers_package_is_light():
    code = f"import sys, json, routerlab.routers; print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []  # each router loads on first use


def _all_subclasses(cls: type) -> set[type]:
    out = set(cls.__subclasses__())
    for sub in list(out):
        out |= _all_subclasses(sub)
    return out


def test_every_exception_and_core_dataclass_says_when_it_appears():
    import dataclasses

    import routerlab
    from routerlab import errors
    from routerlab.budget import Reservation
    from routerlab.orchestrator.run import RunReport, SubtaskResult

    for name in errors.__all__:
        cls = getattr(errors, name)
        own = cls.__dict__.get("__doc__")
        assert own and own.strip(), f"{name} has no docstring of its own"
    core = [getattr(routerlab, n) for n in ("Completion", "ModelInfo", "TierSpec", "Request", "Usage", "Decision",
                                           "Alternative", "Message", "TraceRecord", "LatencyProfile")]
    for cls in [*core, RunReport, SubtaskResult, Reservation]:
        assert dataclasses.is_dataclass(cls) and (cls.__dict__.get("__doc__") or "").strip(), cls.__name__
        assert not cls.__doc__.startswith(cls.__name__ + "("), f"{cls.__name__}: only the generated docstring"


def test_stray_builtin_errors_joined_the_tree():
    import pytest

    from routerlab import Catalog, ConfigurationError
    from routerlab.providers.ollama_bridge import OllamaBridge

    model = Catalog.default().get("sonnet")
    with pytest.raises(ValueError, match="unknown capability") as caught:
        model.has("telepathy")
    assert isinstance(caught.value, ConfigurationError)
    with pytest.raises(RuntimeError, match="not running") as caught2:
        _ = OllamaBridge(upstream="http://127.0.0.1:9").host
    assert isinstance(caught2.value, ConfigurationError)
