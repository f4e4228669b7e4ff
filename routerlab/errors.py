"""One exception tree for routerlab.

    RouterlabError
    ├── ConfigurationError                 something the user set up is wrong
    │   ├── UnknownModelError              (also LookupError) model id or alias not in the catalog
    │   ├── MissingKeyError                an API key is needed; names the variable to set
    │   ├── MissingDependencyError         (also ImportError) an optional extra is not installed
    │   ├── PriceTableError                a malformed row in a price / model table
    │   ├── UnknownCapabilityError         (also ValueError) a capability name not in CAPABILITIES
    │   ├── ServerNotRunningError          (also RuntimeError) a local server used outside its with-block
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
    ├── AllModelsFailedError               (also ExceptionGroup) every candidate of a call failed; it is
    │                                      also an instance of the last candidate's error class
    ├── LimitReachedError                  an orchestrator limit (time, calls) stopped the run
    ├── DatasetError                       a dataset is missing, corrupt, truncated or malformed
    │   └── ChecksumError
    └── TraceError                         a trace file is not JSON Lines
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .redaction import scrub

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
    "UnknownCapabilityError",
    "ServerNotRunningError",
    "AllModelsFailedError",
]


class RouterlabError(Exception):
    """Base of every error routerlab raises on purpose."""


class ConfigurationError(RouterlabError):
    """Something the user set up is wrong (a model, key, extra, table or tier); the message says what to change."""


class UnknownModelError(ConfigurationError, LookupError):
    """A model id or alias is not in the catalog; ``suggestions`` lists close matches."""

    def __init__(self, model: str, suggestions: list[str] | None = None) -> None:
        self.model = model
        hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(
            f"unknown model {model!r}: use a 'provider:model' id or an alias from "
            f"routerlab.catalog (Catalog.default().ids()).{hint}"
        )


class MissingKeyError(ConfigurationError):
    """A provider needs an API key and none was passed or set; names the variable to set."""

    def __init__(self, provider: str, env_var: str) -> None:
        self.provider = provider
        self.env_var = env_var
        super().__init__(
            f"no API key for {provider}: pass api_key=... or set the environment variable {env_var}"
        )


class MissingDependencyError(ConfigurationError, ImportError):
    """An optional dependency is not installed; names the ``routerlab[extra]`` to install."""

    def __init__(self, package: str, extra: str) -> None:
        self.package = package
        self.extra = extra
        super().__init__(
            f"{package} is not installed: pip install 'routerlab[{extra}]' (or pip install {package})"
        )


class PriceTableError(ConfigurationError):
    """A model / price table row is malformed or unpriced; raised when the table is read, naming the row."""


class TierError(ConfigurationError):
    """A tier is unknown, has no model, or names a model that cannot serve it; raised when tiers are built or changed."""


class CapabilityError(TierError):
    """The chosen model lacks a needed capability (vision, tools, ...) or context window; raised before any call."""


class InvalidRequestError(RouterlabError, ValueError):
    """An argument or request is malformed (bad value, shape or range); raised before any call is sent."""


class ProviderError(RouterlabError):
    """A provider call failed. ``status`` is the HTTP status when there was one."""

    def __init__(self, message: str, *, provider: str = "", model: str = "", status: int | None = None) -> None:
        self.provider = provider
        self.model = model
        self.status = status
        super().__init__(scrub(message))  # a server may echo the key in its error body


class TransientProviderError(ProviderError):
    """A provider failure worth retrying (429, 5xx, timeout, dropped connection); the client retries or falls back."""


class RateLimitError(TransientProviderError):
    """The provider said 429 (too many requests); ``retry_after`` holds its wait in seconds when given."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: object) -> None:
        self.retry_after = retry_after
        super().__init__(message, **kw)  # type: ignore[arg-type]


class ProviderServerError(TransientProviderError):
    """The provider answered with a 5xx status."""


class ProviderTimeoutError(TransientProviderError):
    """The call did not finish within its timeout."""


class ProviderConnectionError(TransientProviderError):
    """The connection failed or dropped before an answer arrived."""


class BadResponseError(ProviderError):
    """The provider answered, but the answer is unusable (empty, not JSON, off its schema).

    ``usage``: the tokens that answer was billed for when the provider reported them (a
    ``routerlab.types.Usage``), so the client can count what the failed attempt cost.
    """

    def __init__(self, message: str, *, usage: Any = None, **kw: Any) -> None:
        self.usage = usage
        super().__init__(message, **kw)


class RoutingError(RouterlabError):
    """A router could not decide: it is not fitted, or no eligible model is left."""


class BudgetExceededError(RouterlabError):
    """A call or run would exceed its budget; raised before sending, with ``needed`` and ``remaining`` USD."""

    def __init__(self, message: str, *, needed: float = 0.0, remaining: float = 0.0) -> None:
        self.needed = needed
        self.remaining = remaining
        super().__init__(message)


class LimitReachedError(RouterlabError):
    """An orchestrator limit (time, number of calls) stopped the run."""


class DatasetError(RouterlabError):
    """A data file is missing, corrupt, truncated or malformed; the message names the file and what to fix."""


class ChecksumError(DatasetError):
    """A data file's size or sha256 differs from the registry's: a truncated or replaced copy."""


class UnknownCapabilityError(ConfigurationError, ValueError):
    """A capability name routerlab does not know (``ModelInfo.has``); the message lists the known ones."""


class ServerNotRunningError(ConfigurationError, RuntimeError):
    """A local server (``OllamaBridge``) was used before it started or after it stopped: use it in a ``with`` block."""


class TraceError(RouterlabError, ValueError):
    """A trace file is not valid JSON Lines of trace records (or a frame lacks trace columns)."""


class AllModelsFailedError(RouterlabError, ExceptionGroup):  # type: ignore[misc]
    """Every candidate model of one call failed; ``.exceptions`` holds each candidate's error.

    Raised by the client after its fallback walk (as pydantic-ai's ``FallbackExceptionGroup``).
    :meth:`of` builds it as a subclass of the *last* error's class too, so code that catches
    what the client raised before groups existed (``except RateLimitError``) still catches it,
    ``type(exc).__name__`` is still that class's name, and its attributes (``status``,
    ``retry_after``, ``needed``, ...) are copied over. ``except*`` sees every error.
    """

    def __new__(cls, message: str, exceptions: Sequence[Exception]) -> AllModelsFailedError:
        return super().__new__(cls, message, exceptions)

    _labels: list[str] | None = None  # the message's per-candidate lines, kept for pickling

    def __init__(self, message: str, exceptions: Sequence[Exception]) -> None:
        BaseException.__init__(self, message, tuple(exceptions))
        self.__dict__.update(vars(exceptions[-1]))  # status, retry_after, needed, usage, ...

    @property
    def last(self) -> Exception:
        """The error that ended the call (of the last candidate tried)."""
        return self.exceptions[-1]

    def __str__(self) -> str:
        return self.message

    def derive(self, excs: Sequence[Exception]) -> AllModelsFailedError:  # type: ignore[override]
        return AllModelsFailedError.of(list(excs))

    def __reduce__(self) -> Any:
        return (AllModelsFailedError.of, (list(self.exceptions), getattr(self, "_labels", None)))

    @classmethod
    def of(cls, errors: Sequence[Exception], labels: Sequence[str] | None = None) -> AllModelsFailedError:
        """The group of ``errors`` (in the order tried), also an instance of the last one's class.

        ``labels``: one line per error for the message (the client gives ``model id: ErrorType``).
        """
        if not errors:
            raise ValueError("AllModelsFailedError needs at least one error")
        last = errors[-1]
        message = str(last)
        if len(errors) > 1:
            tried = "; ".join(labels or [f"{getattr(e, 'model', '') or '?'}: {type(e).__name__}" for e in errors])
            message = f"{message} (all {len(errors)} candidates failed: {tried})"
        group = _group_class(type(last))(message, list(errors))
        group._labels = list(labels) if labels else None
        return group


_GROUP_CLASSES: dict[type[Exception], type[AllModelsFailedError]] = {}


def _group_class(leaf: type[Exception]) -> type[AllModelsFailedError]:
    """A subclass of AllModelsFailedError and ``leaf`` (or of leaf's nearest base that can be one:
    an ImportError's memory layout cannot join an ExceptionGroup's)."""
    if leaf in _GROUP_CLASSES:
        return _GROUP_CLASSES[leaf]
    made: type[AllModelsFailedError] = AllModelsFailedError
    for base in leaf.__mro__:
        if base in (Exception, BaseException, object) or issubclass(AllModelsFailedError, base):
            break
        try:
            made = type(leaf.__name__, (AllModelsFailedError, base),
                        {"__module__": __name__, "__qualname__": f"AllModelsFailedError[{leaf.__name__}]"})
            break
        except TypeError:  # layout conflict: try the next base
            continue
    _GROUP_CLASSES[leaf] = made
    return made
