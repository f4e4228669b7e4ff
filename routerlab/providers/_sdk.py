"""Small helpers the SDK-backed providers share: lazy imports and per-event-loop async clients."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import weakref
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

from ..errors import (
    BadResponseError,
    MissingDependencyError,
    ProviderConnectionError,
    ProviderError,
    ProviderTimeoutError,
)
from ..redaction import safe_url
from ..validation import positive_seconds
from .base import error_for_status, map_transport_error, resolve_key, scrub, scrub_exception

__all__ = ["import_sdk", "LoopLocal", "SDKProvider", "on_this_machine"]

_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def on_this_machine(base_url: str | None) -> bool:
    """Whether ``base_url`` is a server on this machine (a loopback host)."""
    return bool(base_url) and (urlsplit(str(base_url)).hostname or "").lower() in _LOOPBACK


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

    async def aclose(self) -> None:
        """Close the running loop's client (its connection pool) while the loop can still run the
        transports' cleanup; left to the garbage collector after ``asyncio.run`` returns, that
        cleanup fails with "Event loop is closed" on stderr."""
        client = self._clients.pop(asyncio.get_running_loop(), None)
        close = getattr(client, "close", None)
        if close is not None:
            result = close()
            if asyncio.iscoroutine(result):
                await result

    def get(self) -> Any:
        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None:
            client = self._factory()
            self._clients[loop] = client
        return client


# Error types a server names in a stream after HTTP 200, as the status that means the same.
_STREAM_ERROR_STATUS = {"overloaded_error": 529, "api_error": 500, "server_error": 500, "rate_limit_error": 429,
                        "rate_limit_exceeded": 429, "timeout_error": 408, "invalid_request_error": 400,
                        "authentication_error": 401, "permission_error": 403, "not_found_error": 404}


def _midstream(detail: str, body: Any, provider: str, model: str) -> ProviderError:
    """The routerlab error for an error event mid-stream: transient (retried, then fallback) unless
    the server says the request itself is wrong."""
    err = body.get("error", body) if isinstance(body, dict) else None
    kind = str(err.get("type") or err.get("code") or "") if isinstance(err, dict) else ""
    status = _STREAM_ERROR_STATUS.get(kind, 500)
    return error_for_status(status, f"error event mid-stream after HTTP 200 ({kind or 'untyped'}): {detail}",
                            provider=provider, model=model)


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
        self.timeout_s = positive_seconds("timeout_s", timeout_s)
        self._key = resolve_key(api_key, self.env_var, self.name, base_url=base_url)
        self._http_client = http_client
        self._sync: Any = None
        self._async = LoopLocal(self._make_async)

    def _timeout(self, timeout_s: float | None) -> float:
        return self.timeout_s if timeout_s is None else positive_seconds("timeout_s", timeout_s)

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
            if err.status_code < 400:  # an error event after HTTP 200: the body says what kind
                raise _midstream(detail, getattr(err, "body", None), name, model) from None
            raise error_for_status(err.status_code, detail, provider=name, model=model,
                                   headers=err.response.headers) from None
        except sdk.APITimeoutError:
            raise ProviderTimeoutError(f"{name}:{model} timed out", provider=name, model=model) from None
        except sdk.APIConnectionError as err:
            msg = scrub(f"{name}:{model} connection failed: {err.__cause__ or err}", key)
            raise ProviderConnectionError(msg, provider=name, model=model) from None
        except sdk.APIResponseValidationError as err:
            raise BadResponseError(scrub(f"{name}:{model}: {err}", key), provider=name, model=model) from None
        except sdk.APIError as err:  # OpenAI's SDK raises the base class for an error chunk mid-stream
            raise _midstream(scrub(str(err.message), key), getattr(err, "body", None), name, model) from None
        except Exception as err:
            mapped = map_transport_error(err, provider=name, model=model, secret=key)
            if mapped is None:
                raise
            raise mapped from None

    async def aclose(self) -> None:
        """Close this event loop's async SDK client (``Client.run_many`` calls it before its loop ends)."""
        await self._async.aclose()

    def _check_event_stream(self, stream: Any, model: str) -> None:
        """A 200 that is not an event stream (a proxy's HTML page, a server that ignored
        ``stream``) is said to be so, instead of looking like a dropped connection."""
        response = getattr(stream, "response", None)
        ctype = str(getattr(response, "headers", {}).get("content-type", "")).lower()
        if not ctype or "event-stream" in ctype:
            return
        what = ("an HTML page (a login portal or proxy in front of the API?)" if "html" in ctype else
                "a whole JSON answer (the server ignored stream=true)" if "json" in ctype else f"{ctype!r}")
        raise ProviderError(
            f"{self.name}:{model} answered HTTP 200 with {what}, not a server-sent event stream: check base_url",
            provider=self.name, model=model, status=200)

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
        where = f", base_url={safe_url(self.base_url)!r}" if self.base_url else ""
        return f"{type(self).__name__}(name={self.name!r}{where})"

    def _kwargs(self) -> dict[str, Any]:
        kw: dict[str, Any] = {"api_key": self._key.reveal(), "max_retries": 0, "timeout": self.timeout_s}
        if self.base_url:
            kw["base_url"] = self.base_url
        if on_this_machine(self.base_url):
            # llama.cpp's server closes a kept-alive connection after a streamed answer without
            # saying so; the next call sent on it in that instant failed with "Server disconnected
            # without sending a response" (notebook 05 under CI). On loopback a connection per call
            # costs a fraction of a millisecond.
            kw["default_headers"] = {"Connection": "close"}
        return kw
