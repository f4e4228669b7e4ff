"""One exception tree for routerlab.

    RouterlabError
    ├── ConfigurationError                 something the user set up is wrong
    │   ├── UnknownModelError              (also LookupError) model id or alias not in the catalog
    │   ├── MissingKeyError                an API key is needed; names the variable to set
    │   ├── MissingDependencyError         (also ImportError) an optional extra is not installed
    │   ├── PriceTableError                a malformed row in a price / model table
    │   └── TierError                      a tier has no model, or a model cannot serve it
    │       └── CapabilityError            the model lacks a capability or context window
    ├── InvalidRequestError                (also ValueError) a request is malformed; raised before any call
    ├── ProviderError                      a provider call failed
    │   ├── TransientProviderError         worth retrying: 429, 5xx, timeout, dropped connection
    │   │   ├── RateLimitError             carries retry_after seconds when the server said so
    │   │   ├── ProviderServerError
    │   │   ├── ProviderTimeoutError
    │   │   └── ProviderConnectionError
    │   └── BadResponseError               malformed or empty answer
    ├── RoutingError                       a router could not decide (unfitted, no eligible model)
    ├── BudgetExceededError                a call or run would exceed its budget; refused before sending
    ├── LimitReachedError                  an orchestrator limit (time, calls) stopped the run
    ├── DatasetError                       a dataset is missing, corrupt, truncated or malformed
    │   └── ChecksumError
    └── TraceError                         a trace file is not JSON Lines
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "RouterlabError",
    "ConfigurationError",
    "UnknownModelError",
    "MissingKeyError",
    "MissingDependencyError",
    "PriceTableError",
    "TierError",
    "CapabilityError",
    "InvalidRequestError",
    "ProviderError",
    "TransientProviderError",
    "RateLimitError",
    "ProviderServerError",
    "ProviderTimeoutError",
    "ProviderConnectionError",
    "BadResponseError",
    "RoutingError",
    "BudgetExceededError",
    "LimitReachedError",
    "DatasetError",
    "ChecksumError",
    "TraceError",
]


class RouterlabError(Exception):
    """Base of every error routerlab raises on purpose."""


class ConfigurationError(RouterlabError):
    pass


class UnknownModelError(ConfigurationError, LookupError):
    def __init__(self, model: str, suggestions: list[str] | None = None) -> None:
        self.model = model
        hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(
            f"unknown model {model!r}: use a 'provider:model' id or an alias from "
            f"routerlab.catalog (Catalog.default().ids()).{hint}"
        )


class MissingKeyError(ConfigurationError):
    def __init__(self, provider: str, env_var: str) -> None:
        self.provider = provider
        self.env_var = env_var
        super().__init__(
            f"no API key for {provider}: pass api_key=... or set the environment variable {env_var}"
        )


class MissingDependencyError(ConfigurationError, ImportError):
    def __init__(self, package: str, extra: str) -> None:
        self.package = package
        self.extra = extra
        super().__init__(
            f"{package} is not installed: pip install 'routerlab[{extra}]' (or pip install {package})"
        )


class PriceTableError(ConfigurationError):
    pass


class TierError(ConfigurationError):
    pass


class CapabilityError(TierError):
    pass


class InvalidRequestError(RouterlabError, ValueError):
    pass


class ProviderError(RouterlabError):
    """A provider call failed. ``status`` is the HTTP status when there was one."""

    def __init__(self, message: str, *, provider: str = "", model: str = "", status: int | None = None) -> None:
        self.provider = provider
        self.model = model
        self.status = status
        super().__init__(message)


class TransientProviderError(ProviderError):
    pass


class RateLimitError(TransientProviderError):
    def __init__(self, message: str, *, retry_after: float | None = None, **kw: object) -> None:
        self.retry_after = retry_after
        super().__init__(message, **kw)  # type: ignore[arg-type]


class ProviderServerError(TransientProviderError):
    pass


class ProviderTimeoutError(TransientProviderError):
    pass


class ProviderConnectionError(TransientProviderError):
    pass


class BadResponseError(ProviderError):
    """The provider answered, but the answer is unusable (empty, not JSON, off its schema).

    ``usage``: the tokens that answer was billed for when the provider reported them (a
    ``routerlab.types.Usage``), so the client can count what the failed attempt cost.
    """

    def __init__(self, message: str, *, usage: Any = None, **kw: Any) -> None:
        self.usage = usage
        super().__init__(message, **kw)


class RoutingError(RouterlabError):
    pass


class BudgetExceededError(RouterlabError):
    def __init__(self, message: str, *, needed: float = 0.0, remaining: float = 0.0) -> None:
        self.needed = needed
        self.remaining = remaining
        super().__init__(message)


class LimitReachedError(RouterlabError):
    pass


class DatasetError(RouterlabError):
    pass


class ChecksumError(DatasetError):
    pass


class TraceError(RouterlabError, ValueError):
    pass
