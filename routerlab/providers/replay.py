"""Replay recorded outcomes: answers, tokens, cost and latency of real models, deterministically.

This is what lets notebooks show real model behaviour with no keys. Give it one of:

- a long DataFrame with columns ``model`` and ``key`` (or ``id`` / ``text``) plus any of
  ``response``, ``input_tokens``, ``output_tokens``, ``cost`` (USD), ``latency_s``, ``ttft_s``,
  ``quality``;
- an outcome table (anything with ``prompts`` (``id``, ``text``), ``models`` and per-model
  arrays ``quality``, ``cost`` and optional ``input_tokens`` / ``output_tokens`` /
  ``latency_s``, like :class:`routerlab.datasets.OutcomeTable`);
- a mapping ``{model: {key: Recorded | str}}``.

A request is looked up by ``request.metadata["prompt_id"]``, then by its last user message,
then by its whole text. The recorded cost travels in ``Completion.cost_usd`` with
``metadata["recorded_cost"] = True`` so the client keeps it instead of re-pricing.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .._numbers import to_float
from ..errors import InvalidRequestError, ProviderError
from ..types import Completion, Request, Usage

__all__ = ["Recorded", "ReplayProvider"]


@dataclass(frozen=True)
class Recorded:
    """One recorded call of one model on one prompt."""

    response: str = ""
    input_tokens: int | None = None
    output_tokens: int | None = None
    cost_usd: float | None = None
    latency_s: float | None = None
    ttft_s: float | None = None
    quality: float | None = None


_num = to_float  # one home: routerlab._numbers


class ReplayProvider:
    """Answers from recorded outcomes. ``sleep=True`` waits the recorded latency (for demos of timing)."""

    def __init__(self, records: Any, *, name: str = "replay", sleep: bool = False) -> None:
        self.name = name
        self.sleep = sleep
        self._table: dict[str, dict[str, Recorded]] = self._load(records)

    def __repr__(self) -> str:
        n = sum(len(v) for v in self._table.values())
        return f"ReplayProvider(name={self.name!r}, {len(self._table)} models, {n} records)"

    @property
    def models(self) -> list[str]:
        return list(self._table)

    # ---- loading -----------------------------------------------------------------------------
    @staticmethod
    def _load(records: Any) -> dict[str, dict[str, Recorded]]:
        if isinstance(records, Mapping):
            out: dict[str, dict[str, Recorded]] = {}
            for model, rows in records.items():
                out[str(model)] = {str(k): v if isinstance(v, Recorded) else Recorded(str(v)) for k, v in rows.items()}
            return out
        if hasattr(records, "prompts") and hasattr(records, "models") and hasattr(records, "quality"):
            return ReplayProvider._from_outcome_table(records)
        if hasattr(records, "columns") and hasattr(records, "itertuples"):
            return ReplayProvider._from_frame(records)
        raise InvalidRequestError(
            "ReplayProvider takes a {model: {key: answer}} mapping, a DataFrame with 'model' and 'key' columns, "
            f"or an outcome table; got {type(records).__name__}"
        )

    @staticmethod
    def _from_frame(df: Any) -> dict[str, dict[str, Recorded]]:
        key_col = next((c for c in ("key", "id", "prompt_id", "text", "prompt") if c in df.columns), None)
        if "model" not in df.columns or key_col is None:
            raise InvalidRequestError("a replay frame needs a 'model' column and a 'key' (or 'id' / 'text') column")
        out: dict[str, dict[str, Recorded]] = {}
        for row in df.to_dict("records"):
            out.setdefault(str(row["model"]), {})[str(row[key_col])] = _recorded(row)
        return out

    @staticmethod
    def _from_outcome_table(table: Any) -> dict[str, dict[str, Recorded]]:
        import numpy as np

        prompts = table.prompts
        ids = [str(x) for x in prompts["id"]]
        texts = [str(x) for x in prompts["text"]]
        responses = getattr(table, "responses", None)  # OutcomeTable keeps recorded answers here
        if responses is None:
            responses = getattr(table, "meta", {}).get("responses") if hasattr(table, "meta") else None

        def col(name: str, j: int) -> Any:
            arr = getattr(table, name, None)
            return None if arr is None else np.asarray(arr)[:, j]

        out: dict[str, dict[str, Recorded]] = {}
        for j, model in enumerate(table.models):
            cols = {n: col(n, j) for n in ("quality", "cost", "input_tokens", "output_tokens", "latency_s")}
            rows: dict[str, Recorded] = {}
            for i, (pid, text) in enumerate(zip(ids, texts, strict=True)):
                row = {n: (None if c is None else c[i]) for n, c in cols.items()}
                if responses is not None:
                    row["response"] = responses[i][j]
                rec = _recorded(row)
                rows[pid] = rec
                rows.setdefault(text, rec)
            out[str(model)] = rows
        return out

    # ---- answering ---------------------------------------------------------------------------
    def lookup(self, request: Request, model_name: str) -> Recorded:
        rows = self._table.get(model_name)
        if rows is None:
            raise ProviderError(
                f"replay has no recordings for model {model_name!r}; it has: {', '.join(self._table) or 'none'}",
                provider=self.name,
                model=model_name,
                status=404,
            )
        keys = [request.metadata.get("prompt_id"), request.messages[-1].content, request.text()]
        for key in keys:
            if key is not None and str(key) in rows:
                return rows[str(key)]
        raise ProviderError(
            f"replay has no recording of {model_name!r} for this prompt: set request.metadata['prompt_id'] "
            "to a recorded id or send the recorded prompt text",
            provider=self.name,
            model=model_name,
            status=404,
        )

    def quote(self, request: Request, model_name: str) -> float | None:
        """The recorded cost of this call, so a budget can reserve it before replaying."""
        try:
            return self.lookup(request, model_name).cost_usd
        except ProviderError:
            return None

    def _completion(self, request: Request, model_name: str) -> Completion:
        rec = self.lookup(request, model_name)
        text = rec.response or f"[replayed outcome of {model_name}: quality {rec.quality}; no response text recorded]"
        inp = int(rec.input_tokens) if rec.input_tokens is not None else request.estimated_input_tokens()
        out = int(rec.output_tokens) if rec.output_tokens is not None else max(1, len(text) // 4)
        meta: dict[str, Any] = {"replay": True, "quality": rec.quality, "recorded_cost": rec.cost_usd is not None}
        return Completion(
            text=text,
            usage=Usage(inp, out),
            model=model_name,
            provider=self.name,
            ttft_s=rec.ttft_s,
            latency_s=rec.latency_s or 0.0,
            cost_usd=rec.cost_usd or 0.0,
            stop_reason="recorded",
            metadata=meta,
        )

    def complete(self, request: Request, model_name: str, *, timeout_s: float | None = None) -> Completion:
        c = self._completion(request, model_name)
        if self.sleep and c.latency_s:
            import time

            time.sleep(c.latency_s)
        return c

    async def acomplete(self, request: Request, model_name: str, *, timeout_s: float | None = None) -> Completion:
        c = self._completion(request, model_name)
        if self.sleep and c.latency_s:
            await asyncio.sleep(c.latency_s)
        return c


def _recorded(row: Mapping[str, Any]) -> Recorded:
    def as_int(v: Any) -> int | None:
        f = _num(v)
        return None if f is None else int(round(f))

    resp = row.get("response")
    return Recorded(
        response="" if resp is None or (isinstance(resp, float) and math.isnan(resp)) else str(resp),
        input_tokens=as_int(row.get("input_tokens")),
        output_tokens=as_int(row.get("output_tokens")),
        cost_usd=_num(row.get("cost", row.get("cost_usd"))),
        latency_s=_num(row.get("latency_s")),
        ttft_s=_num(row.get("ttft_s")),
        quality=_num(row.get("quality")),
    )
