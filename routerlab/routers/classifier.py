"""The fast classifier tier: label a request cheaply, then route the label to a tier and a model.

Three classifiers share one small interface (``fit(texts, labels) -> self``,
``predict(texts) -> list[str]``, ``classify(text) -> (label, confidence)``,
``cost_per_request_usd``):

- :class:`KeywordClassifier`: hand-written keyword rules, zero cost, the baseline;
- :class:`EmbeddingClassifier`: real all-MiniLM-L6-v2 embeddings + logistic regression;
- :class:`LLMClassifier`: a model asked for one label, constrained by a JSON-schema enum,
  with parsing that falls back to the nearest label.

:class:`ClassifierRouter` turns a label into a Decision: label -> tier -> model, with the
classifier's confidence as the score; below the threshold it escalates to ``fallback_tier``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from ..errors import InvalidRequestError, MissingDependencyError, RoutingError
from ..types import Decision, Request
from ._checks import check_unit_threshold
from .base import RouteConstraints, Router
from .llm_classifier import TIER_DESCRIPTIONS, TIER_LABELS, ClassifierUsage, LLMClassifier
from .rules import pick_model, request_has_images

if TYPE_CHECKING:
    from ..tiers import TierMap

__all__ = [
    "TIER_LABELS",
    "TIER_DESCRIPTIONS",
    "TextClassifier",
    "KeywordClassifier",
    "EmbeddingClassifier",
    "LLMClassifier",
    "ClassifierUsage",
    "PredicateClassifier",
    "ClassifierRouter",
]



class TextClassifier(Protocol):
    name: str
    cost_per_request_usd: float

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> Any: ...

    def predict(self, texts: Sequence[str]) -> list[str]: ...

    def classify(self, text: str) -> tuple[str, float]: ...


# --------------------------------------------------------------------------- keyword baseline

_DEFAULT_KEYWORDS: dict[str, tuple[str, ...]] = {
    "vision": (
        "screenshot", "image", "photo", "picture", "pixel", "coordinates", "bounding box", "where is", "where's",
        "click", "visible", "look like", "looks", "diagram", "chart", "scan", "icon",
    ),
    "coder": (
        "code", "function", "script", "python", "sql", "regex", "bug", "error", "fix", "test", "git ", "command",
        "implement", "refactor", "compile", "typescript", "bash", "docker", "query", "exception", "traceback",
        "write a", "class ", "api", "json schema",
    ),
    "classifier": (
        "classify", "label", "intent", "which", "pick", "choose", "select", "extract", "category", "tree",
        "ax:", "a11y", "accessibility", "one of", "options:", "what kind", "screen", "tag",
    ),
    "orchestrator": (
        "plan", "review", "summarise", "summarize", "summary", "decide", "strategy", "break down", "decompose",
        "should we", "steps", "prioritise", "prioritize", "tl;dr", "critique", "evaluate", "whether",
    ),
}


class KeywordClassifier:
    """Counts keyword hits per label; the most hits wins, ties and misses go to the most common
    training label (or ``default``). Zero cost: the baseline every learned classifier must beat.

    Parameters
    ----------
    keywords : mapping of label -> sequence of str or None, default=None
        Words counted per label (built-in tier keywords when None).
    default : str, default="orchestrator"
        Label for a text with no hits, before ``fit``.

    Attributes
    ----------
    default_ : str
        The most common training label (set by ``fit``): the label for ties and misses.
    """

    name = "keyword"
    cost_per_request_usd = 0.0

    def __init__(self, keywords: Mapping[str, Sequence[str]] | None = None, default: str = "orchestrator") -> None:
        self.keywords = {k: tuple(v) for k, v in (keywords or _DEFAULT_KEYWORDS).items()}
        self.default = default

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> KeywordClassifier:
        # Nothing is learned from the texts: only the fallback label, so it is a fair baseline.
        if len(texts) != len(labels):
            raise InvalidRequestError(f"{len(texts)} texts but {len(labels)} labels")
        # A label without keywords is never predicted from a text; as the most common label it
        # would become the answer to every miss, a tier no TierMap may have.
        unknown = sorted({repr(lab) for lab in labels if not (isinstance(lab, str) and lab in self.keywords)})
        if unknown:
            raise InvalidRequestError(
                f"label(s) {', '.join(unknown)} not among this classifier's labels {list(self.keywords)}: "
                f"relabel to one of those, or pass keywords={{label: [words...]}} for each label")
        if labels:
            self.default_ = Counter(labels).most_common(1)[0][0]
        return self

    def _scores(self, text: str) -> dict[str, int]:
        low = text.lower()
        return {label: sum(low.count(w) for w in words) for label, words in self.keywords.items()}

    def classify(self, text: str) -> tuple[str, float]:
        scores = self._scores(text)
        total = sum(scores.values())
        best = max(scores.values())
        leaders = [k for k, v in scores.items() if v == best]
        if total == 0 or len(leaders) > 1:
            return getattr(self, "default_", self.default), 0.0
        return leaders[0], best / total

    def predict(self, texts: Sequence[str]) -> list[str]:
        return [self.classify(t)[0] for t in texts]

    def scores(self, texts: Sequence[str]) -> tuple[list[str], np.ndarray]:
        """(labels, (n, labels) keyword-hit counts): what PredicateClassifier masks."""
        labels = list(self.keywords)
        return labels, np.array([[self._scores(t)[k] for k in labels] for t in texts], dtype=float).reshape(-1, len(labels))


# --------------------------------------------------------------------------- embeddings + logreg


class EmbeddingClassifier:
    """MiniLM sentence embeddings + multinomial logistic regression (scikit-learn).

    ``embed`` defaults to :func:`routerlab.embeddings.embed` (real all-MiniLM-L6-v2, int8 ONNX);
    pass another ``texts -> (n, d)`` function to swap the encoder.

    Parameters
    ----------
    embed : callable texts -> ndarray (n, d) or None, default=None
        The encoder (MiniLM when None).
    C : float, default=3.0
        Inverse regularisation of the logistic regression (5-fold CV on the eval set's train split).
    max_iter : int, default=2000
        Solver iterations at most.
    class_weight : "balanced" or None, default="balanced"
        Passed to LogisticRegression.

    Attributes
    ----------
    model_ : LogisticRegression
        The fitted classifier.
    classes_ : list of str
        The labels, in the order of ``model_``'s columns.
    """

    name = "embedding+logreg"
    cost_per_request_usd = 0.0  # runs locally; its price is latency, measured by calibrate()

    def __init__(
        self,
        embed: Callable[[Sequence[str]], np.ndarray] | None = None,
        *,
        C: float = 3.0,  # chosen by 5-fold CV on the eval set's train split (C in 1..30)
        max_iter: int = 2000,
        class_weight: str | None = "balanced",
    ) -> None:
        self.embed = embed
        self.C = C
        self.max_iter = max_iter
        self.class_weight = class_weight

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        if self.embed is not None:
            return np.asarray(self.embed(list(texts)), dtype=np.float32)
        from ..embeddings import embed

        return embed(list(texts))

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> EmbeddingClassifier:
        try:
            from sklearn.linear_model import LogisticRegression
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise MissingDependencyError("scikit-learn", "ml") from exc
        if len(texts) != len(labels) or not texts:
            raise InvalidRequestError(f"fit needs as many labels as texts (got {len(texts)} texts, {len(labels)} labels)")
        if len(set(labels)) < 2:
            raise InvalidRequestError("fit needs at least two distinct labels")
        X = self._embed(texts)
        self.model_ = LogisticRegression(C=self.C, max_iter=self.max_iter, class_weight=self.class_weight)
        self.model_.fit(X, list(labels))
        self.classes_ = [str(c) for c in self.model_.classes_]
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "model_"):
            raise RoutingError("EmbeddingClassifier is not fitted: call fit(texts, labels) first")

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """(n, len(classes_)) probabilities, columns in ``classes_`` order."""
        self._check_fitted()
        return np.asarray(self.model_.predict_proba(self._embed(texts)))

    def predict(self, texts: Sequence[str]) -> list[str]:
        proba = self.predict_proba(texts)
        return [self.classes_[i] for i in proba.argmax(axis=1)]

    def classify(self, text: str) -> tuple[str, float]:
        p = self.predict_proba([text])[0]
        i = int(p.argmax())
        return self.classes_[i], float(p[i])

    def scores(self, texts: Sequence[str]) -> tuple[list[str], np.ndarray]:
        """(classes_, probabilities): what PredicateClassifier masks."""
        return list(self.classes_), self.predict_proba(texts)

    def classify_many(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        """(label, confidence) per text, embedded in one batch."""
        if not texts:
            return []
        proba = self.predict_proba(texts)
        return [(self.classes_[int(p.argmax())], float(p.max())) for p in proba]


# --------------------------------------------------------------------------- LLM as classifier




# --------------------------------------------------------------------------- predicates first


class PredicateClassifier:
    """Request predicates around a text classifier: an attached image -> ``vision``; attached
    context of ``long_context_tokens`` or more -> ``orchestrator``; no image -> never
    ``vision`` (there is nothing to look at: the base classifier's next-best label wins, when
    it exposes ``scores``). Otherwise ``base`` decides from the text. The predicates are facts
    a router always has (see RuleRouter), so this is what a deployed classifier tier runs.

    Parameters
    ----------
    base : TextClassifier
        Decides from the text when no predicate does.
    long_context_tokens : int, default=8000
        Attached context at or above this goes to ``long_label``.
    image_label : str, default="vision"
        Label of a request with an image.
    long_label : str, default="orchestrator"
        Label of a request with long attached context.
    no_image_excludes_image_label : bool, default=True
        Without an image, never answer ``image_label``.

    Attributes
    ----------
    None beyond the base classifier's: ``fit`` fits ``base``.
    """

    def __init__(self, base: TextClassifier, *, long_context_tokens: int = 8000,
                 image_label: str = "vision", long_label: str = "orchestrator",
                 no_image_excludes_image_label: bool = True) -> None:
        self.base = base
        self.long_context_tokens = long_context_tokens
        self.image_label = image_label
        self.long_label = long_label
        self.no_image_excludes_image_label = no_image_excludes_image_label
        self.name = f"predicates+{base.name}"

    @property
    def cost_per_request_usd(self) -> float:
        return self.base.cost_per_request_usd

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> PredicateClassifier:
        self.base.fit(texts, labels)
        return self

    def classify(self, text: str) -> tuple[str, float]:
        return self.base.classify(text)

    def predict(self, texts: Sequence[str]) -> list[str]:
        return self.base.predict(texts)

    def _by_predicate(self, request: Request) -> tuple[str, float] | None:
        if request_has_images(request):
            return self.image_label, 1.0
        if request.estimated_input_tokens() >= self.long_context_tokens:
            return self.long_label, 1.0
        return None

    def _text_only(self, texts: list[str]) -> list[tuple[str, float]]:
        """Labels for requests without images, in one batch when the base can."""
        if not texts:
            return []
        scores = getattr(self.base, "scores", None)
        if not self.no_image_excludes_image_label or scores is None:
            many = getattr(self.base, "classify_many", None)
            return many(texts) if many is not None else [self.base.classify(t) for t in texts]
        classes, matrix = scores(texts)
        matrix = np.array(matrix, dtype=float)
        if self.image_label in classes:
            matrix[:, classes.index(self.image_label)] = 0.0
        fallback = getattr(self.base, "default_", getattr(self.base, "default", self.long_label))
        out: list[tuple[str, float]] = []
        for row in matrix:
            total = float(row.sum())
            i = int(row.argmax())
            out.append((classes[i], float(row[i]) / total) if total > 0 else (fallback, 0.0))
        return out

    def classify_request(self, request: Request) -> tuple[str, float]:
        return self._by_predicate(request) or self._text_only([request.text()])[0]

    def classify_requests(self, requests: Sequence[Request]) -> list[tuple[str, float]]:
        """Predicates first; the rest go to the base classifier in one batch."""
        out = [self._by_predicate(r) for r in requests]
        rest = [i for i, o in enumerate(out) if o is None]
        for i, lab in zip(rest, self._text_only([requests[i].text() for i in rest]), strict=True):
            out[i] = lab
        return [o for o in out if o is not None]


# --------------------------------------------------------------------------- router


class ClassifierRouter(Router):
    """label -> tier -> model. ``score`` is the classifier's confidence; at or above
    ``threshold`` the predicted tier serves the request, below it ``fallback_tier`` does
    (escalate on doubt). ``label_to_tier`` maps kinds to tiers when the classifier predicts
    kinds (default: labels are tier names).

    Parameters
    ----------
    classifier : TextClassifier
        A fitted (or zero-shot) classifier.
    tiers : TierMap or None, default=None
        Tier -> model (``TierMap.default()`` when None).
    label_to_tier : mapping of label -> tier or None, default=None
        When labels are kinds, their tiers.
    threshold : float, default=0.5
        Confidence at or above which the predicted tier serves the request.
    fallback_tier : str, default="orchestrator"
        The tier below the threshold.

    Attributes
    ----------
    None: the router learns nothing itself (its classifier does).
    """

    name = "classifier"

    def __init__(
        self,
        classifier: TextClassifier,
        tiers: TierMap | None = None,
        *,
        label_to_tier: Mapping[str, str] | None = None,
        threshold: float = 0.5,
        fallback_tier: str = "orchestrator",
    ) -> None:
        if tiers is None:
            from ..tiers import TierMap

            tiers = TierMap.default()
        self.classifier = classifier
        self.tiers = tiers
        self.label_to_tier = dict(label_to_tier or {})
        self.threshold = check_unit_threshold(
            threshold, owner="ClassifierRouter", compared_with="the classifier's confidence, in [0, 1]",
            hint="pass e.g. threshold=0.5 (the default); 0 never escalates, 1 escalates all but certain answers")
        self.fallback_tier = fallback_tier
        if fallback_tier not in tiers:
            raise RoutingError(f"fallback tier {fallback_tier!r} is not in the TierMap; tiers: {tiers.names()}")

    def _tier(self, label: str) -> str:
        tier = self.label_to_tier.get(label, label)
        if tier not in self.tiers:
            raise RoutingError(f"label {label!r} maps to tier {tier!r}, which the TierMap lacks: pass label_to_tier=...")
        return tier

    def _decide(self, request: Request, label: str, conf: float, constraints: RouteConstraints | None) -> Decision:
        tier = self._tier(label)
        if conf >= self.threshold:
            reason = f"{self.classifier.name} says {label!r} ({conf:.2f} >= {self.threshold:.2f}) -> {tier}"
        else:
            reason = (f"{self.classifier.name} says {label!r} but only {conf:.2f} < {self.threshold:.2f}: "
                      f"escalate to {self.fallback_tier}")
            tier = self.fallback_tier
        pick = pick_model(self.tiers, tier, request, constraints)
        if pick.reason:
            reason += "; " + pick.reason
        return Decision(
            model=pick.model.id, tier=tier, score=conf, threshold=self.threshold, reason=reason,
            alternatives=pick.alternatives, router=f"{self.name}:{self.classifier.name}",
        )

    def route(self, request: Request, constraints: RouteConstraints | None = None) -> Decision:
        if hasattr(self.classifier, "classify_request"):
            label, conf = self.classifier.classify_request(request)
        else:
            label, conf = self.classifier.classify(request.text())
        return self._decide(request, label, conf, constraints)

    def route_batch(self, requests: Sequence[Request], constraints: RouteConstraints | None = None) -> list[Decision]:
        # One embedding pass for the whole batch where the classifier can: the embedding
        # dominates the cost of a decision.
        clf: Any = self.classifier
        if hasattr(clf, "classify_requests"):
            labels = clf.classify_requests(requests)
        elif hasattr(clf, "classify_many"):
            labels = clf.classify_many([r.text() for r in requests])
        else:
            return super().route_batch(requests, constraints)
        return [self._decide(r, lab, conf, constraints) for r, (lab, conf) in zip(requests, labels, strict=True)]
