"""Small helpers the SDK-backed providers share: lazy imports and per-event-loop async clients."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import weakref
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

from ..errors import (
    BadResponseError,
    MissingDependencyError,
    ProviderConnectionError,
    ProviderError,
    ProviderTimeoutError,
)
from .base import error_for_status, map_transport_error, resolve_key, scrub, scrub_exception

__all__ = ["import_sdk", "LoopLocal", "SDKProvider"]


def import_sdk(module: str, package: str | None = None, extra: str = "providers") -> ModuleType:
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingDependencyError(package or module, extra) from exc


class LoopLocal:
    """One async SDK client per running event loop.

    An async HTTP pool belongs to the loop that opened it; notebooks and ``asyncio.run``
    create new loops, so a single shared async client would fail on the second run.
    """

    def __init__(self, factory: Callable[[], Any]) -> None:
        self._factory = factory
        self._clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Any] = weakref.WeakKeyDictionary()

    def get(self) -> Any:
        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None:
            client = self._factory()
            self._clients[loop] = client
        return client


class SDKProvider:
    """What the Anthropic and OpenAI providers share: key handling (argument, then the
    environment; none needed with ``base_url``), one SDK client per event loop, and SDK
    arguments with the SDK's own retries off (retries belong to the client, one trace record
    per attempt). Subclasses set ``env_var`` and ``default_name`` and build the SDK clients."""

    env_var = ""
    default_name = ""
    sdk_module = ""

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        name: str | None = None,
        timeout_s: float = 60.0,
        http_client: Any = None,
    ) -> None:
        self.name = name or self.default_name
        self.base_url = base_url
        self.timeout_s = timeout_s
        self._key = resolve_key(api_key, self.env_var, self.name, base_url=base_url)
        self._http_client = http_client
        self._sync: Any = None
        self._async = LoopLocal(self._make_async)

    def _make_sync(self) -> Any:  # pragma: no cover - every subclass builds its own
        raise NotImplementedError

    def _make_async(self) -> Any:  # pragma: no cover - every subclass builds its own
        raise NotImplementedError

    def _api_detail(self, exc: Any) -> str:
        """The server's own error message from an SDK status error."""
        return str(getattr(exc, "message", "") or exc)

    def _raise_mapped(self, exc: Exception, sdk: Any, model: str) -> None:
        """Raise the routerlab error for an SDK exception (both SDKs name their errors alike)."""
        name, key = self.name, self._key
        try:
            raise exc
        except sdk.APIStatusError as err:
            detail = scrub(self._api_detail(err), key)
            raise error_for_status(err.status_code, detail, provider=name, model=model,
                                   headers=err.response.headers) from None
        except sdk.APITimeoutError:
            raise ProviderTimeoutError(f"{name}:{model} timed out", provider=name, model=model) from None
        except sdk.APIConnectionError as err:
            msg = scrub(f"{name}:{model} connection failed: {err.__cause__ or err}", key)
            raise ProviderConnectionError(msg, provider=name, model=model) from None
        except sdk.APIResponseValidationError as err:
            raise BadResponseError(scrub(f"{name}:{model}: {err}", key), provider=name, model=model) from None
        except Exception as err:
            mapped = map_transport_error(err, provider=name, model=model, secret=key)
            if mapped is None:
                raise
            raise mapped from None

    @property
    def sdk_client(self) -> Any:
        """The underlying SDK client (built on first use)."""
        if self._sync is None:
            self._sync = self._make_sync()
        return self._sync

    @contextlib.contextmanager
    def _errors(self, model: str) -> Iterator[None]:
        """Map the SDK's exceptions to routerlab's, with the key scrubbed from every message."""
        sdk = import_sdk(self.sdk_module)
        try:
            yield
        except ProviderError:
            raise
        except Exception as exc:
            try:
                self._raise_mapped(exc, sdk, model)
            finally:
                scrub_exception(exc, self._key)

    def __repr__(self) -> str:
        where = f", base_url={self.base_url!r}" if self.base_url else ""
        return f"{type(self).__name__}(name={self.name!r}{where})"

    def _kwargs(self) -> dict[str, Any]:
        kw: dict[str, Any] = {"api_key": self._key.reveal(), "max_retries": 0, "timeout": self.timeout_s}
        if self.base_url:
            kw["base_url"] = self.base_url
        return kw
