"""OutcomeTable: prompts x models -> quality and cost, the same type whatever the source."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DatasetError, InvalidRequestError

__all__ = ["OutcomeTable", "PROMPT_COLUMNS"]

#: Columns every ``OutcomeTable.prompts`` frame has. ``embed_text`` is what routers should embed
#: (e.g. RouterBench ARC/Winogrande prompts without their five shared worked examples).
PROMPT_COLUMNS = ("id", "text", "embed_text", "split", "benchmark")


@dataclass
class OutcomeTable:
    """Recorded outcomes of ``models`` on ``prompts``.

    ``quality[i, j]``: score of model j on prompt i (0/1 correctness, or a 0-1 grade).
    ``cost[i, j]``: USD of that call, NaN where unknown (RouteLLM records none).
    ``input_tokens`` / ``output_tokens`` / ``latency_s``: optional, same shape.
    ``responses``: optional (n, m) object array of the recorded answer texts (RouterBench has
    them): what an agreement verifier compares.
    ``meta``: source-specific facts (e.g. ``strong`` / ``weak`` model of a RouteLLM pair).
    """

    name: str
    prompts: pd.DataFrame
    models: list[str]
    quality: np.ndarray
    cost: np.ndarray
    input_tokens: np.ndarray | None = None
    output_tokens: np.ndarray | None = None
    latency_s: np.ndarray | None = None
    responses: np.ndarray | None = None
    origin: str = ""
    licence: str = ""
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        missing = [c for c in PROMPT_COLUMNS if c not in self.prompts.columns]
        if missing:
            raise DatasetError(f"{self.name}: prompts frame lacks columns {missing}")
        n, m = len(self.prompts), len(self.models)
        self.quality = self._numbers("quality", self.quality)
        self.cost = self._numbers("cost", self.cost)
        for label in ("quality", "cost", "input_tokens", "output_tokens", "latency_s", "responses"):
            arr = getattr(self, label)
            if arr is not None and np.shape(arr) != (n, m):
                raise DatasetError(f"{self.name}: {label} has shape {np.shape(arr)}, expected ({n}, {m})")
        if np.isnan(self.quality).any():
            raise DatasetError(f"{self.name}: quality has NaN; loaders drop prompts with missing outcomes")
        if np.isinf(self.quality).any():
            raise DatasetError(f"{self.name}: quality has inf; give each (prompt, model) a finite score")
        if (self.cost < 0).any() or np.isinf(self.cost).any():
            raise DatasetError(f"{self.name}: cost must be USD >= 0 per call (NaN where unknown), got "
                               f"{self.cost[(self.cost < 0) | np.isinf(self.cost)][:3].tolist()}")
        if len(set(self.models)) != m:
            raise DatasetError(f"{self.name}: duplicate model names")
        self.prompts = self.prompts.reset_index(drop=True)

    def _numbers(self, label: str, values: Any) -> np.ndarray:
        try:
            return np.asarray(values, dtype=float)
        except (TypeError, ValueError) as exc:
            raise DatasetError(f"{self.name}: {label} must be numbers, one per (prompt, model) ({exc})") from None

    # ---- views -------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.prompts)

    @property
    def n_models(self) -> int:
        return len(self.models)

    @property
    def texts(self) -> list[str]:
        """What to embed for routing, one per prompt."""
        return self.prompts["embed_text"].tolist()

    @property
    def splits(self) -> list[str]:
        return sorted(self.prompts["split"].unique().tolist())

    @property
    def benchmarks(self) -> list[str]:
        return sorted(self.prompts["benchmark"].unique().tolist())

    def model_index(self, model: str) -> int:
        try:
            return self.models.index(model)
        except ValueError:
            raise InvalidRequestError(f"{model!r} is not in {self.name}; models: {self.models}") from None

    def select(self, rows: np.ndarray | list[int] | pd.Series) -> OutcomeTable:
        """Rows by integer index or boolean mask -> a new table (arrays copied)."""
        idx = np.asarray(rows)
        if idx.dtype == bool:
            if idx.shape != (len(self),):
                raise InvalidRequestError(f"mask has shape {idx.shape}, expected ({len(self)},)")
            idx = np.flatnonzero(idx)

        def take(a: np.ndarray | None) -> np.ndarray | None:
            return None if a is None else a[idx].copy()

        return OutcomeTable(
            name=self.name, prompts=self.prompts.iloc[idx].copy(), models=list(self.models),
            quality=self.quality[idx].copy(), cost=self.cost[idx].copy(),
            input_tokens=take(self.input_tokens), output_tokens=take(self.output_tokens),
            latency_s=take(self.latency_s), responses=take(self.responses), origin=self.origin,
            licence=self.licence, meta=dict(self.meta),
        )

    def split(self, name: str) -> OutcomeTable:
        if name not in self.splits:
            raise InvalidRequestError(f"{self.name} has no split {name!r}; splits: {self.splits}")
        return self.select((self.prompts["split"] == name).to_numpy())

    def benchmark(self, name: str) -> OutcomeTable:
        if name not in self.benchmarks:
            raise InvalidRequestError(f"{self.name} has no benchmark {name!r}; benchmarks: {self.benchmarks}")
        return self.select((self.prompts["benchmark"] == name).to_numpy())

    def subset_models(self, models: list[str]) -> OutcomeTable:
        cols = [self.model_index(m) for m in models]

        def take(a: np.ndarray | None) -> np.ndarray | None:
            return None if a is None else a[:, cols].copy()

        return OutcomeTable(
            name=self.name, prompts=self.prompts.copy(), models=list(models),
            quality=self.quality[:, cols].copy(), cost=self.cost[:, cols].copy(),
            input_tokens=take(self.input_tokens), output_tokens=take(self.output_tokens),
            latency_s=take(self.latency_s), responses=take(self.responses), origin=self.origin,
            licence=self.licence, meta=dict(self.meta),
        )

    # ---- summaries ---------------------------------------------------------------------------
    def mean_quality(self) -> pd.Series:
        return pd.Series(self.quality.mean(axis=0), index=self.models, name="quality")

    def mean_cost(self) -> pd.Series:
        return pd.Series(self.cost.mean(axis=0), index=self.models, name="cost")

    def summary(self) -> pd.DataFrame:
        """Per model: mean quality and mean / total cost."""
        return pd.DataFrame({
            "quality": self.quality.mean(axis=0),
            "mean_cost": self.cost.mean(axis=0),
            "total_cost": self.cost.sum(axis=0),
        }, index=pd.Index(self.models, name="model"))

    def to_frame(self) -> pd.DataFrame:
        """Long format: one row per (prompt, model)."""
        n, m = self.quality.shape
        df = pd.DataFrame({
            "id": np.repeat(self.prompts["id"].to_numpy(), m),
            "split": np.repeat(self.prompts["split"].to_numpy(), m),
            "benchmark": np.repeat(self.prompts["benchmark"].to_numpy(), m),
            "model": np.tile(np.array(self.models, dtype=object), n),
            "quality": self.quality.ravel(),
            "cost": self.cost.ravel(),
        })
        for label in ("input_tokens", "output_tokens", "latency_s"):
            arr = getattr(self, label)
            if arr is not None:
                df[label] = np.asarray(arr, dtype=float).ravel()
        return df

    def __repr__(self) -> str:
        return (f"OutcomeTable({self.name!r}, {len(self)} prompts x {self.n_models} models, "
                f"splits={self.splits}, benchmarks={self.benchmarks})")
