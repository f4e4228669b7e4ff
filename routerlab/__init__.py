"""routerlab: route each LLM call of an agent to the right model, and measure what it buys.

The names below load on first use, so ``import routerlab`` stays fast and pulls in no SDK,
plotly or ipywidgets.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .errors import *  # noqa: F403  (the exception tree is small and always wanted)
from .errors import __all__ as _error_names
from .types import Alternative, Completion, Decision, Image, Message, Request, Subtask, Usage

__version__ = "0.1.0"

_LAZY = {
    "Catalog": "routerlab.catalog",
    "ModelInfo": "routerlab.catalog",
    "LatencyProfile": "routerlab.catalog",
    "cost_of": "routerlab.catalog",
    "TierMap": "routerlab.tiers",
    "TierSpec": "routerlab.tiers",
    "Trace": "routerlab.trace",
    "TraceRecord": "routerlab.trace",
    "Client": "routerlab.client",
    "Router": "routerlab.routers.base",
    "RouteConstraints": "routerlab.routers.base",
    "RuleRouter": "routerlab.routers.rules",
    "ClassifierRouter": "routerlab.routers.classifier",
    "LearnedRouter": "routerlab.routers.learned",
    "ThresholdRouter": "routerlab.routers.threshold",
    "CascadeRouter": "routerlab.routers.cascade",
    "calibrate": "routerlab.routers.calibrate",
    "Workload": "routerlab.workloads",
    "simulate": "routerlab.simulate",
    "compare": "routerlab.simulate",
    "Orchestrator": "routerlab.orchestrator",
    "Limits": "routerlab.orchestrator",
}

__all__ = [
    "__version__",
    "Alternative",
    "Completion",
    "Decision",
    "Image",
    "Message",
    "Request",
    "Subtask",
    "Usage",
    *_LAZY,
    *_error_names,
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'routerlab' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


if TYPE_CHECKING:  # pragma: no cover
    from .catalog import Catalog, LatencyProfile, ModelInfo, cost_of  # noqa: F401
    from .client import Client  # noqa: F401
    from .orchestrator import Limits, Orchestrator  # noqa: F401
    from .routers.base import RouteConstraints, Router  # noqa: F401
    from .routers.calibrate import calibrate  # noqa: F401
    from .routers.cascade import CascadeRouter  # noqa: F401
    from .routers.classifier import ClassifierRouter  # noqa: F401
    from .routers.learned import LearnedRouter  # noqa: F401
    from .routers.rules import RuleRouter  # noqa: F401
    from .routers.threshold import ThresholdRouter  # noqa: F401
    from .simulate import compare, simulate  # noqa: F401
    from .tiers import TierMap, TierSpec  # noqa: F401
    from .trace import Trace, TraceRecord  # noqa: F401
    from .workloads import Workload  # noqa: F401
