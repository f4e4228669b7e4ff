"""The model catalog: ``provider:model`` ids with aliases, prices, context windows,
capabilities and latency profiles, each figure with its source.

Prices come from the maintained ``genai-prices`` library (its bundled snapshot, so no network)
where it covers a model, and from the dated table ``routerlab/_data/catalog/models.csv`` (shipped
in the package) for the rest (local models at 0 USD, the 2023-24 models of the public outcome tables).
"""

from __future__ import annotations

import csv
import difflib
import functools
import math
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .config import models_table_override, package_file
from .errors import InvalidRequestError, PriceTableError, UnknownCapabilityError, UnknownModelError
from .types import Request, Usage

__all__ = [
    "LatencyProfile",
    "ModelInfo",
    "Catalog",
    "cost_of",
    "default_table_path",
    "genai_price",
    "GenaiPrice",
    "CAPABILITIES",
]

CAPABILITIES = ("vision", "tools", "structured_output", "code")
_TABLE_ENV = "ROUTERLAB_MODELS_CSV"


@dataclass(frozen=True)
class LatencyProfile:
    """Time to first token plus steady output speed; ``source`` says where the figures came from."""

    ttft_s: float
    output_tps: float
    source: str = ""

    def __post_init__(self) -> None:
        if not (self.ttft_s >= 0 and self.output_tps > 0):
            raise PriceTableError(f"a latency profile needs ttft_s >= 0 and output_tps > 0, got {self}")

    def predict(self, output_tokens: float) -> float:
        """Seconds for one call that writes ``output_tokens`` tokens."""
        return self.ttft_s + output_tokens / self.output_tps


@dataclass(frozen=True)
class ModelInfo:
    """One catalog model: prices (USD per million tokens), limits, capabilities, latency and where each figure came from; ``Catalog.get`` returns it."""

    id: str
    input_price: float  # USD per million input tokens
    output_price: float  # USD per million output tokens
    cached_input_price: float  # USD per million input tokens read from the prompt cache
    context_window: int
    max_output_tokens: int
    latency: LatencyProfile
    aliases: tuple[str, ...] = ()
    vision: bool = False
    tools: bool = False
    structured_output: bool = False
    code: bool = False
    price_source: str = ""
    price_date: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def provider(self) -> str:
        return self.id.split(":", 1)[0]

    @property
    def name(self) -> str:
        """The model's name at its provider (what the SDK is sent)."""
        return self.id.split(":", 1)[1]

    @property
    def is_free(self) -> bool:
        return self.input_price == 0 and self.output_price == 0

    def has(self, capability: str) -> bool:
        if capability not in CAPABILITIES:
            raise UnknownCapabilityError(f"unknown capability {capability!r}; known: {', '.join(CAPABILITIES)}")
        return bool(getattr(self, capability))

    def cost(self, usage: Usage) -> float:
        """USD for one call. Cached input tokens are billed at the cached price."""
        fresh = usage.input_tokens - usage.cached_tokens
        return (
            fresh * self.input_price + usage.cached_tokens * self.cached_input_price + usage.output_tokens * self.output_price
        ) / 1e6

    def token_cost(self, input_tokens: float, output_tokens: float) -> float:
        """USD for ``input_tokens`` fresh input and ``output_tokens`` output (no cache discount)."""
        return (input_tokens * self.input_price + output_tokens * self.output_price) / 1e6

    def worst_case_cost(self, request: Request, input_margin: float = 1.0) -> float:
        """The most one call of ``request`` can cost, the one worst-case figure of routerlab (the
        budget reserves it, routers show it): every input token fresh, the estimated input scaled
        by ``input_margin`` (rounded up), every allowed output token used."""
        n_in = request.estimated_input_tokens()
        if input_margin != 1.0:
            n_in = math.ceil(n_in * input_margin)
        return self.token_cost(n_in, request.max_output_tokens)

    def predicted_latency(self, output_tokens: float) -> float:
        return self.latency.predict(output_tokens)


class Catalog:
    """Models by id and alias. ``Catalog.default()`` is the project's table; build your own with
    ``Catalog(models)`` or add to a copy with ``catalog.with_models(...)``."""

    def __init__(self, models: Iterable[ModelInfo]) -> None:
        self._models: dict[str, ModelInfo] = {}
        self._aliases: dict[str, str] = {}
        for m in models:
            if m.id in self._models:
                raise PriceTableError(f"model {m.id!r} is listed twice in the catalog: keep one row")
            self._models[m.id] = m
        for m in self._models.values():
            for alias in m.aliases:
                other = self._aliases.get(alias)
                if other is not None and other != m.id:
                    raise PriceTableError(f"alias {alias!r} names both {other!r} and {m.id!r}: make it unique")
                self._aliases[alias] = m.id
            # The bare model name works as an alias when it is unambiguous.
            self._aliases.setdefault(m.name, m.id)

    @classmethod
    def default(cls) -> Catalog:
        override = models_table_override()
        return _default_catalog(str(override) if override else "")

    @classmethod
    def from_csv(cls, path: str | os.PathLike[str]) -> Catalog:
        return cls(_read_table(Path(path)))

    def resolve(self, model: str) -> str:
        """The canonical id of ``model`` (an id or an alias)."""
        if not isinstance(model, str):
            raise InvalidRequestError(
                f"a model is named by a str such as 'anthropic:claude-haiku-4-5' (an id or alias of "
                f"Catalog.default().ids()), got {type(model).__name__} {model!r}")
        if model in self._models:
            return model
        if model in self._aliases:
            return self._aliases[model]
        candidates = list(self._models) + list(self._aliases)
        raise UnknownModelError(model, difflib.get_close_matches(model, candidates, n=3, cutoff=0.5))

    def get(self, model: str | ModelInfo) -> ModelInfo:
        if isinstance(model, ModelInfo):
            return model
        return self._models[self.resolve(model)]

    __getitem__ = get

    def __contains__(self, model: object) -> bool:
        return isinstance(model, str) and (model in self._models or model in self._aliases)

    def __iter__(self) -> Iterator[ModelInfo]:
        return iter(self._models.values())

    def __len__(self) -> int:
        return len(self._models)

    def ids(self, provider: str | None = None) -> list[str]:
        return [m.id for m in self if provider is None or m.provider == provider]

    def with_models(self, *models: ModelInfo) -> Catalog:
        """A copy with ``models`` added or replaced (same id)."""
        merged = dict(self._models)
        for m in models:
            if not isinstance(m, ModelInfo):
                raise InvalidRequestError(f"with_models takes ModelInfo objects (catalog.get(id), dataclasses.replace), "
                                          f"got {type(m).__name__} {m!r}")
            merged[m.id] = m
        return Catalog(merged.values())

    def capable(self, *capabilities: str, min_context: int = 0) -> list[ModelInfo]:
        return [m for m in self if all(m.has(c) for c in capabilities) and m.context_window >= min_context]

    def to_frame(self) -> Any:
        import pandas as pd

        rows = []
        for m in self:
            rows.append(
                {
                    "id": m.id,
                    "provider": m.provider,
                    "aliases": ", ".join(m.aliases),
                    "input_per_mtok": m.input_price,
                    "output_per_mtok": m.output_price,
                    "cached_input_per_mtok": m.cached_input_price,
                    "context_window": m.context_window,
                    "max_output_tokens": m.max_output_tokens,
                    **{c: m.has(c) for c in CAPABILITIES},
                    "ttft_s": m.latency.ttft_s,
                    "output_tps": m.latency.output_tps,
                    "price_source": m.price_source,
                    "price_date": m.price_date,
                    "latency_source": m.latency.source,
                }
            )
        return pd.DataFrame(rows)

    def __repr__(self) -> str:
        return f"Catalog({len(self)} models)"


def cost_of(model: str | ModelInfo, usage: Usage, catalog: Catalog | None = None) -> float:
    """USD for one call of ``model`` with ``usage``: ``cost_of("sonnet", Usage(1000, 500))``."""
    if not isinstance(usage, Usage):
        raise InvalidRequestError(f"usage must be a routerlab Usage such as Usage(input_tokens=1000, output_tokens=500), "
                                  f"got {type(usage).__name__}" + (": write Usage(**usage)" if isinstance(usage, Mapping) else ""))
    return (catalog or Catalog.default()).get(model).cost(usage)


def default_table_path() -> Path:
    """The model table shipped in the package (``routerlab/_data/catalog/models.csv``)."""
    return package_file("catalog", "models.csv")


@functools.lru_cache(maxsize=4)
def _default_catalog(table: str) -> Catalog:
    return Catalog.from_csv(table or default_table_path())


# Columns a model table must have (a missing flag column would read as "no" for every model);
# prices come from genai_prices_ref or from the price columns, row by row.
_TABLE_COLUMNS = ("id", "context_window", "max_output_tokens", "vision", "tools", "structured_output", "code")
_BOOL = {"1": True, "0": False, "true": True, "false": False, "yes": True, "no": False, "": False}


def _read_table(path: Path) -> list[ModelInfo]:
    if not path.is_file():
        raise PriceTableError(f"model table {path} does not exist: set {_TABLE_ENV} to a models.csv")
    try:
        with path.open(newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            rows = list(reader)
            header = list(reader.fieldnames or [])
    except (UnicodeDecodeError, csv.Error) as exc:
        raise PriceTableError(f"model table {path} is not a UTF-8 CSV ({exc}); {_TABLE_ENV} must name a models.csv "
                              "like the one shipped in routerlab/_data/catalog/") from None
    missing = [c for c in _TABLE_COLUMNS if c not in header]
    if missing:
        raise PriceTableError(f"model table {path} lacks column(s) {missing} (it has {header[:6]}...); "
                              f"give every column of the shipped models.csv: {list(_TABLE_COLUMNS)}")
    if not rows:
        raise PriceTableError(f"model table {path} has a header but no models: give one row per model")
    return [_parse_row(row, path, line) for line, row in enumerate(rows, start=2)]


def _parse_row(row: dict[str, str], path: Path, line: int) -> ModelInfo:
    where = f"{path.name} line {line}"

    def num(key: str, kind: type = float, required: bool = True) -> Any:
        raw = (row.get(key) or "").strip()
        if not raw:
            if required:
                raise PriceTableError(f"{where}: column {key!r} is empty; give a number")
            return None
        try:
            value = kind(float(raw)) if kind is int else kind(raw)
        except ValueError:
            raise PriceTableError(f"{where}: column {key!r} has {raw!r}, not a number") from None
        if value < 0 or (isinstance(value, float) and not math.isfinite(value)):
            raise PriceTableError(f"{where}: column {key!r} has {raw!r}; it must be a finite number >= 0")
        return value

    def flag(key: str) -> bool:
        raw = (row.get(key) or "").strip().lower()
        if raw not in _BOOL:
            raise PriceTableError(f"{where}: column {key!r} has {raw!r}; use 1 or 0")
        return _BOOL[raw]

    model_id = (row.get("id") or "").strip()
    if ":" not in model_id or model_id.startswith(":") or model_id.endswith(":"):
        raise PriceTableError(f"{where}: id {model_id!r} is not of the form 'provider:model'")
    ref = (row.get("genai_prices_ref") or "").strip()
    if ref:
        provider, _, name = ref.partition("/")
        found = genai_price(name, provider)
        if found is None:
            raise PriceTableError(f"{where}: genai-prices has no base prices for {ref!r}; give prices in the row instead")
        input_price, output_price, cached = found.input_price, found.output_price, found.cached_input_price
        source, date = found.source, found.date
    else:
        input_price, output_price = num("input_price"), num("output_price")
        cached = num("cached_input_price", required=False)
        if cached is None:
            cached = input_price  # no cache discount known
        source = (row.get("price_source") or "").strip()
        date = (row.get("price_date") or "").strip()
        if not source or not date:
            raise PriceTableError(f"{where}: a price without price_source and price_date: say where it came from")
    ttft = num("ttft_s", required=False)
    tps = num("output_tps", required=False)
    lat_source = (row.get("latency_source") or "").strip()
    if ttft is None or tps is None:
        ttft, tps, lat_source = 1.0, 50.0, "no figure known: placeholder 1.0 s + 50 tokens/s"
    if tps <= 0:
        raise PriceTableError(f"{where}: output_tps must be > 0")
    return ModelInfo(
        id=model_id,
        aliases=tuple(a.strip() for a in (row.get("aliases") or "").split(";") if a.strip()),
        input_price=input_price,
        output_price=output_price,
        cached_input_price=cached,
        context_window=num("context_window", int),
        max_output_tokens=num("max_output_tokens", int),
        vision=flag("vision"),
        tools=flag("tools"),
        structured_output=flag("structured_output"),
        code=flag("code"),
        latency=LatencyProfile(ttft, tps, lat_source),
        price_source=source,
        price_date=date,
    )


@dataclass(frozen=True)
class GenaiPrice:
    """Base-tier prices (USD per million tokens) of one model in genai-prices' bundled snapshot;
    returned by :func:`genai_price`. ``source`` and ``date`` name the package version that pins them."""

    input_price: float
    output_price: float
    cached_input_price: float
    model_id: str
    source: str
    date: str


def genai_price(model: str, provider: str | None = None) -> GenaiPrice | None:
    """The one genai-prices lookup (bundled data, no network): ``model`` under ``provider`` (any
    provider when None). None when genai-prices does not know it or gives no input/output price."""
    try:
        import genai_prices
        from genai_prices import data_snapshot
    except ImportError:  # pragma: no cover - genai-prices is a core dependency
        raise PriceTableError("pricing from genai-prices needs it installed: pip install genai-prices") from None
    try:
        _, info = data_snapshot.get_snapshot().find_provider_model(model, None, provider or None, None)
    except LookupError:
        return None
    prices = info.get_prices(datetime.now(UTC))

    def base(p: Any) -> float:
        return math.nan if p is None else float(getattr(p, "base", p))

    inp, out, cached = base(prices.input_mtok), base(prices.output_mtok), base(prices.cache_read_mtok)
    if math.isnan(inp) or math.isnan(out):
        return None
    version = getattr(genai_prices, "__version__", "?")
    # The package version pins the price data; its snapshot carries no publication date.
    return GenaiPrice(inp, out, inp if math.isnan(cached) else cached, str(info.id),
                      f"genai-prices {version} bundled snapshot ({provider or '?'}/{info.id})", f"genai-prices {version}")
