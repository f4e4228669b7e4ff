"""Small helpers the SDK-backed providers share: lazy imports and per-event-loop async clients."""

from __future__ import annotations

import asyncio
import importlib
import weakref
from collections.abc import Callable
from types import ModuleType
from typing import Any

from ..errors import MissingDependencyError

__all__ = ["import_sdk", "LoopLocal"]


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
