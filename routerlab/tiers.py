"""Tiers: named roles (orchestrator, classifier, coder, vision) each served by an ordered list
of models, the first preferred and the rest fallbacks. A tier can be swapped at run time; a
model that lacks what the tier requires is refused with a clear error."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace

from .catalog import CAPABILITIES, Catalog, ModelInfo
from .errors import CapabilityError, TierError
from .types import Request

__all__ = ["TierSpec", "TierMap", "DEFAULT_TIERS", "check_model_fits"]


@dataclass(frozen=True)
class TierSpec:
    """One tier of a TierMap: its models in preference order and what they must be able to do; ``tiers[name]`` returns it."""

    name: str
    models: tuple[str, ...]
    requires: frozenset[str] = field(default_factory=frozenset)
    min_context: int = 0
    description: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "models", tuple(self.models))
        object.__setattr__(self, "requires", frozenset(self.requires))
        unknown = self.requires - set(CAPABILITIES)
        if unknown:
            raise TierError(f"tier {self.name!r} requires unknown capabilities {sorted(unknown)}; known: {CAPABILITIES}")


# Sensible current defaults: the best model plans and reviews, the smallest fast one
# classifies, a mid-tier coder writes code, a vision-capable model reads screenshots.
DEFAULT_TIERS: tuple[TierSpec, ...] = (
    TierSpec(
        "orchestrator",
        ("anthropic:claude-opus-4-5", "openai:gpt-5", "anthropic:claude-sonnet-4-5"),
        frozenset({"tools", "structured_output"}),
        min_context=100_000,
        description="planning, multi-step decomposition, review",
    ),
    TierSpec(
        "classifier",
        ("anthropic:claude-haiku-4-5", "openai:gpt-4.1-nano", "openai:gpt-4o-mini"),
        frozenset({"structured_output"}),
        description="what is on screen, user intent, which workflow",
    ),
    TierSpec(
        "coder",
        ("anthropic:claude-sonnet-4-5", "openai:gpt-4.1", "openai:gpt-4.1-mini"),
        frozenset({"code"}),
        min_context=100_000,
        description="writing and editing code",
    ),
    TierSpec(
        "vision",
        ("anthropic:claude-haiku-4-5", "openai:gpt-4o-mini", "ollama:llava:7b"),
        frozenset({"vision"}),
        description="screenshots when no accessibility API exists",
    ),
)


def check_model_fits(model: ModelInfo, request: Request | None = None, spec: TierSpec | None = None) -> None:
    """Raise CapabilityError when ``model`` cannot serve ``spec`` or ``request``."""
    if spec is not None:
        missing = sorted(c for c in spec.requires if not model.has(c))
        if missing:
            raise CapabilityError(
                f"{model.id} cannot serve tier {spec.name!r}: it lacks {', '.join(missing)}; "
                f"choose a model with {', '.join(sorted(spec.requires))}"
            )
        if model.context_window < spec.min_context:
            raise CapabilityError(
                f"{model.id} cannot serve tier {spec.name!r}: context window {model.context_window:,} "
                f"< the tier's minimum {spec.min_context:,}"
            )
    if request is not None:
        if request.has_images and not model.vision:
            raise CapabilityError(f"{model.id} cannot read images: route this request to a vision-capable model")
        if request.max_output_tokens > model.max_output_tokens:
            raise CapabilityError(
                f"{model.id} writes at most {model.max_output_tokens:,} output tokens; "
                f"the request asks for {request.max_output_tokens:,}: lower max_output_tokens"
            )
        needed = request.estimated_input_tokens() + request.max_output_tokens
        if needed > model.context_window:
            raise CapabilityError(
                f"{model.id} has a {model.context_window:,}-token context window; the request needs about "
                f"{needed:,} (input + max output): use a model with a larger window or shorten the input"
            )


class TierMap:
    """Tier name -> TierSpec, validated against a catalog. Mutable on purpose: ``swap`` changes
    a tier's model at run time (a widget calls it)."""

    def __init__(self, tiers: Iterable[TierSpec], catalog: Catalog | None = None) -> None:
        self.catalog = catalog or Catalog.default()
        self._tiers: dict[str, TierSpec] = {}
        for spec in tiers:
            if not isinstance(spec, TierSpec):
                raise TierError(f"TierMap takes TierSpec objects; from names and model ids use "
                                f"TierMap.from_mapping({{'coder': 'openai:gpt-4.1'}}), got {type(spec).__name__} {spec!r}")
            self._tiers[spec.name] = self._validated(spec)

    @classmethod
    def default(cls, catalog: Catalog | None = None) -> TierMap:
        return cls(DEFAULT_TIERS, catalog)

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, str | Iterable[str]], catalog: Catalog | None = None) -> TierMap:
        """``TierMap.from_mapping({"coder": "openai:gpt-4.1"})``: the default tiers' requirements, your models."""
        if not isinstance(mapping, Mapping):
            raise TierError(f"tiers are a mapping of tier name -> model id(s) such as {{'coder': 'openai:gpt-4.1'}}, "
                            f"got {type(mapping).__name__}")
        defaults = {t.name: t for t in DEFAULT_TIERS}
        specs = []
        for name, models in mapping.items():
            if not isinstance(name, str):
                raise TierError(f"a tier is named by a str, got {type(name).__name__} {name!r}")
            if not isinstance(models, (str, Iterable)):
                raise TierError(f"tier {name!r}: give a model id or a list of them in fallback order, "
                                f"got {type(models).__name__} {models!r}")
            ids = (models,) if isinstance(models, str) else tuple(models)
            base = defaults.get(name, TierSpec(name, ids))
            specs.append(replace(base, models=ids))
        return cls(specs, catalog)

    def _validated(self, spec: TierSpec) -> TierSpec:
        if not spec.models:
            raise TierError(f"tier {spec.name!r} has no model: give it at least one catalog id")
        ids = tuple(self.catalog.resolve(m) for m in spec.models)
        check_model_fits(self.catalog.get(ids[0]), spec=spec)
        for fallback in ids[1:]:
            check_model_fits(self.catalog.get(fallback), spec=spec)
        return replace(spec, models=ids)

    def __getitem__(self, tier: str) -> TierSpec:
        if not isinstance(tier, str):
            raise TierError(f"a tier is named by a str (one of {', '.join(self._tiers)}), got {tier!r}")
        try:
            return self._tiers[tier]
        except KeyError:
            raise TierError(f"no tier named {tier!r}; tiers: {', '.join(self._tiers)}") from None

    def __contains__(self, tier: object) -> bool:
        return tier in self._tiers

    def __iter__(self) -> Iterator[TierSpec]:
        return iter(self._tiers.values())

    def names(self) -> list[str]:
        return list(self._tiers)

    def model_for(self, tier: str) -> ModelInfo:
        return self.catalog.get(self[tier].models[0])

    def models_for(self, tier: str) -> list[ModelInfo]:
        return [self.catalog.get(m) for m in self[tier].models]

    def choices(self, tier: str) -> list[ModelInfo]:
        """Every catalog model that could serve ``tier`` (what a tier picker offers)."""
        spec = self[tier]
        return [m for m in self.catalog.capable(*spec.requires, min_context=spec.min_context)]

    def swap(self, tier: str, model: str, *, keep_fallbacks: bool = True) -> TierSpec:
        """Serve ``tier`` with ``model`` first; the old models stay as fallbacks unless told otherwise."""
        spec = self[tier]
        info = self.catalog.get(model)
        check_model_fits(info, spec=spec)
        rest = tuple(m for m in spec.models if m != info.id) if keep_fallbacks else ()
        self._tiers[tier] = replace(spec, models=(info.id, *rest))
        return self._tiers[tier]

    def add(self, spec: TierSpec) -> None:
        self._tiers[spec.name] = self._validated(spec)

    def check(self, request: Request, model: str | ModelInfo, tier: str | None = None) -> ModelInfo:
        """The model's info, after checking it can serve ``request`` (and ``tier``)."""
        info = self.catalog.get(model)
        check_model_fits(info, request, self[tier] if tier else None)
        return info

    def as_dict(self) -> dict[str, str]:
        return {name: spec.models[0] for name, spec in self._tiers.items()}

    def copy(self) -> TierMap:
        return TierMap(self._tiers.values(), self.catalog)

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v}" for k, v in self.as_dict().items())
        return f"TierMap({inner})"
