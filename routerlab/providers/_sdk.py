"""Small helpers the SDK-backed providers share: lazy imports and per-event-loop async clients."""

from __future__ import annotations

import asyncio
import importlib
import weakref
from collections.abc import Callable
from types import ModuleType
from typing import Any

from ..errors import MissingDependencyError
from .base import resolve_key

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

    def _make_async(self) -> Any:  # pragma: no cover - every subclass builds its own
        raise NotImplementedError

    def __repr__(self) -> str:
        where = f", base_url={self.base_url!r}" if self.base_url else ""
        return f"{type(self).__name__}(name={self.name!r}{where})"

    def _kwargs(self) -> dict[str, Any]:
        kw: dict[str, Any] = {"api_key": self._key.reveal(), "max_retries": 0, "timeout": self.timeout_s}
        if self.base_url:
            kw["base_url"] = self.base_url
        return kw
