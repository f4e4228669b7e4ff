"""Ask a language model for a label: a JSON-schema enum plus parsing that maps any answer into
the label set; what it spends is a running tally (``usage``), not fitted state."""

from __future__ import annotations

import difflib
import json
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import BadResponseError, InvalidRequestError
from ..evalset import TIERS
from ..types import CompletesRequests, Request

__all__ = ["LLMClassifier", "ClassifierUsage", "TIER_LABELS", "TIER_DESCRIPTIONS"]

TIER_LABELS = TIERS  # the eval set's labels
TIER_DESCRIPTIONS: dict[str, str] = {
    "orchestrator": "planning, multi-step decomposition, reviewing work, hard decisions, summarising long documents",
    "classifier": "short labelling: what is on screen from an accessibility tree, user intent, choosing a workflow, "
    "extracting a few fields",
    "coder": "writing, editing or debugging code, shell commands, SQL, regex",
    "vision": "reading or checking an attached image or screenshot, finding where to click",
}


@dataclass
class ClassifierUsage:
    """What an LLM classifier has spent so far: a running tally, not fitted state."""

    calls: int = 0
    failures: int = 0
    cost_usd: float = 0.0
    latency_s: float = 0.0

    @property
    def cost_per_request_usd(self) -> float:
        return self.cost_usd / self.calls if self.calls else 0.0


def _deprecated_tally(old: str, new: str) -> property:
    def get(self: LLMClassifier) -> Any:
        warnings.warn(f"LLMClassifier.{old} is deprecated: read LLMClassifier.usage.{new} (a running tally, "
                      f"not fitted state)", DeprecationWarning, stacklevel=2)
        return getattr(self.usage, new)

    return property(get, doc=f"Deprecated alias of ``usage.{new}``.")


class LLMClassifier:
    """Ask a model for one label. Output is constrained twice: a JSON-schema enum in
    ``Request.response_schema`` (providers that support it enforce it) and parsing that maps
    whatever comes back to the nearest label. ``client``: anything that completes
    a request (:class:`~routerlab.types.CompletesRequests`: a ``Client``, or a ``FunctionProvider`` in tests).

    Confidence is how cleanly the label was recovered: 1.0 valid JSON, 0.6 label found in the
    text, 0.3 nearest match, 0.0 fallback (nothing usable came back, or the client gave up
    with BadResponseError: counted in ``usage.failures``). Cost is summed from the completions.

    Parameters
    ----------
    client : CompletesRequests
        What calls the model (a routerlab ``Client``; a ``FunctionProvider`` in unit tests).
    model : str, default="local:smollm2-135m"
        The model asked.
    labels : sequence of str, default=TIER_LABELS
        The label set; answers are mapped into it.
    descriptions : mapping of label -> str or None, default=None
        One line per label for the prompt (the tier descriptions when None).
    max_output_tokens : int, default=32
        Output budget of each call.
    fallback : str or None, default=None
        Label returned when nothing usable came back (the first label when None).
    max_prompt_chars : int, default=2000
        Request text beyond this is cut.

    Attributes
    ----------
    usage : ClassifierUsage
        Calls, failures, USD and seconds spent so far (a running tally: zero-shot, nothing is
        fitted). ``calls_``, ``failures_``, ``total_cost_usd_``, ``total_latency_s_`` are
        deprecated aliases.
    cost_per_request_usd : float
        Mean USD per classified request so far.
    """

    calls_ = _deprecated_tally("calls_", "calls")
    failures_ = _deprecated_tally("failures_", "failures")
    total_cost_usd_ = _deprecated_tally("total_cost_usd_", "cost_usd")
    total_latency_s_ = _deprecated_tally("total_latency_s_", "latency_s")

    name = "llm"

    def __init__(
        self,
        client: CompletesRequests,
        model: str = "local:smollm2-135m",
        labels: Sequence[str] = TIER_LABELS,
        descriptions: Mapping[str, str] | None = None,
        *,
        max_output_tokens: int = 32,
        fallback: str | None = None,
        max_prompt_chars: int = 2000,
    ) -> None:
        if not labels:
            raise InvalidRequestError("LLMClassifier needs at least one label")
        self.client = client
        self.model = model
        self.labels = tuple(labels)
        self.descriptions = dict(TIER_DESCRIPTIONS if descriptions is None else descriptions)
        self.max_output_tokens = max_output_tokens
        self.fallback = fallback or self.labels[0]
        self.max_prompt_chars = max_prompt_chars
        self.usage = ClassifierUsage()

    @property
    def cost_per_request_usd(self) -> float:
        return self.usage.cost_per_request_usd

    @property
    def schema(self) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": {"label": {"type": "string", "enum": list(self.labels)}},
            "required": ["label"],
            "additionalProperties": False,
        }

    def build_request(self, text: str) -> Request:
        lines = [f"- {label}: {self.descriptions[label]}" if label in self.descriptions else f"- {label}"
                 for label in self.labels]
        system = (
            "You route requests of an AI agent. Reply with JSON {\"label\": <one label>} and nothing else.\n"
            "Labels:\n" + "\n".join(lines)
        )
        body = text if len(text) <= self.max_prompt_chars else text[: self.max_prompt_chars] + " ..."
        return Request.user(
            f"Request:\n{body}\n\nWhich label?",
            system=system,
            kind="classify",
            response_schema=self.schema,
            max_output_tokens=self.max_output_tokens,
            temperature=0.0,
        )

    def parse(self, answer: str) -> tuple[str, float]:
        """Map a model's raw answer to (label, confidence); never returns a label outside the set."""
        raw = answer.strip()
        try:
            obj = json.loads(raw[raw.find("{") : raw.rfind("}") + 1]) if "{" in raw else json.loads(raw)
            value = obj.get("label") if isinstance(obj, dict) else obj
            if isinstance(value, str) and value.strip().lower() in self.labels:
                return value.strip().lower(), 1.0
        except (ValueError, TypeError):
            pass
        low = raw.lower()
        found = [(m.start(), label) for label in self.labels for m in [re.search(rf"\b{re.escape(label)}\b", low)] if m]
        if found:
            return min(found)[1], 0.6
        words = re.findall(r"[a-z_]+", low)
        for w in words:
            near = difflib.get_close_matches(w, self.labels, n=1, cutoff=0.6)
            if near:
                return near[0], 0.3
        return self.fallback, 0.0

    def classify(self, text: str) -> tuple[str, float]:
        self.usage.calls += 1
        request = self.build_request(text)
        try:
            completion = self.client.complete(request, model=self.model)
        except BadResponseError:
            # The model kept answering outside the schema (the client already retried): a
            # classifier must still answer, so fall back and count it, and what it cost.
            self.usage.failures += 1
            self.usage.cost_usd += self._spent(request.id, 0.0)
            return self.fallback, 0.0
        self.usage.cost_usd += self._spent(request.id, float(getattr(completion, "cost_usd", 0.0) or 0.0))
        self.usage.latency_s += float(getattr(completion, "latency_s", 0.0) or 0.0)
        return self.parse(completion.text)

    def _spent(self, request_id: str, fallback: float) -> float:
        """USD of every attempt for this request (retries and refused answers are billed too),
        from the client's trace when it keeps one."""
        trace = getattr(self.client, "trace", None)
        if trace is None:
            return fallback
        return float(sum(r.cost_usd for r in trace.records if r.subtask_id == request_id and r.kind == "call"))

    def predict(self, texts: Sequence[str]) -> list[str]:
        return [self.classify(t)[0] for t in texts]

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> LLMClassifier:
        # Zero-shot: nothing to learn; kept so every candidate has the same interface.
        return self
