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
