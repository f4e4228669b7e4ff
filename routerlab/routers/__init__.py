"""Routers: Request -> Decision. Every concrete router is importable from here
(``from routerlab.routers import KNNRouter``); each loads on first use, so importing one router
does not pull in the others' dependencies.

    RuleRouter                      kind and request predicates -> tier -> model (rules)
    ClassifierRouter                a text classifier picks the tier (keyword, embedding,
                                    predicate or LLM classifier)
    LearnedRouter, KNNRouter, LogisticRouter, MLPRouter, MFRouter, EnsembleRouter
                                    predict each model's quality from prompt embeddings
    ThresholdRouter                 strong vs weak model by a predicted win rate and a threshold
    CascadeRouter, CascadePolicy    try the cheap model first, escalate when a verifier rejects
    calibrate                       the cheapest candidate whose lower bound clears a target
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .base import RouteConstraints, Router

_LAZY = {
    "RuleRouter": "rules",
    "pick_model": "rules",
    "ClassifierRouter": "classifier",
    "TextClassifier": "classifier",
    "KeywordClassifier": "classifier",
    "EmbeddingClassifier": "classifier",
    "PredicateClassifier": "classifier",
    "LLMClassifier": "llm_classifier",
    "ClassifierUsage": "llm_classifier",
    "LearnedRouter": "learned",
    "KNNRouter": "predictors",
    "LogisticRouter": "predictors",
    "MLPRouter": "predictors",
    "MFRouter": "predictors",
    "EnsembleRouter": "predictors",
    "ThresholdRouter": "threshold",
    "CascadeRouter": "cascade",
    "LearnedVerifier": "cascade",
    "AgreementVerifier": "cascade",
    "CascadePolicy": "cascade_policy",
    "CascadeRun": "cascade_policy",
    "calibrate": "calibrate",
    "CalibrationResult": "calibrate",
}

__all__ = ["Router", "RouteConstraints", *_LAZY]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'routerlab.routers' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


if TYPE_CHECKING:  # pragma: no cover
    from .calibrate import CalibrationResult, calibrate  # noqa: F401
    from .cascade import AgreementVerifier, CascadeRouter, LearnedVerifier  # noqa: F401
    from .cascade_policy import CascadePolicy, CascadeRun  # noqa: F401
    from .classifier import (  # noqa: F401
        ClassifierRouter,
        EmbeddingClassifier,
        KeywordClassifier,
        PredicateClassifier,
        TextClassifier,
    )
    from .learned import LearnedRouter  # noqa: F401
    from .llm_classifier import ClassifierUsage, LLMClassifier  # noqa: F401
    from .predictors import EnsembleRouter, KNNRouter, LogisticRouter, MFRouter, MLPRouter  # noqa: F401
    from .rules import RuleRouter, pick_model  # noqa: F401
    from .threshold import ThresholdRouter  # noqa: F401
