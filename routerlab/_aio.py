"""Run a coroutine from synchronous code, also inside Jupyter's already-running event loop.

``asyncio.run`` refuses to start while a loop runs in the thread (a notebook cell's), so there the
coroutine runs on a fresh loop in one worker thread and the caller waits for its result. The
client's ``run_many`` and the orchestrator's ``run`` both go through here.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

__all__ = ["run_sync"]

T = TypeVar("T")


def run_sync(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """``asyncio.run(make())``, on a worker thread when this thread already runs a loop.

    ``make`` builds the coroutine where it will run, so no coroutine is created (and left
    unawaited) on the wrong thread.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make())
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(make())).result()
