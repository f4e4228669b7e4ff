"""Batches: many requests at bounded concurrency, a progress bar, one Outcome per request.

Every request ends as an :class:`~routerlab.outcome.Outcome`, a completion or the typed error
that stopped it, in input order: a batch never loses a subtask to one that failed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from ..errors import MissingDependencyError, RouterlabError
from ..outcome import Outcome
from ..trace import redact
from ..types import Completion, Request

__all__ = ["progress_bar", "gather_outcomes"]


def progress_bar(n: int, progress: bool | None, progress_min: int, desc: str = "subtasks") -> Any:
    """A tqdm bar for ``n`` items, or None: ``progress=None`` shows one from ``progress_min`` items."""
    if progress is False or (progress is None and n < progress_min):
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError as exc:
        if progress:
            raise MissingDependencyError("tqdm", "providers") from exc
        return None
    return tqdm(total=n, desc=desc, unit="call")


async def gather_outcomes(
    requests: Sequence[Request],
    call: Callable[[int, Request], Awaitable[Completion]],
    *,
    max_concurrency: int,
    bar: Any = None,
) -> list[Outcome]:
    """``call(i, request)`` for each request, at most ``max_concurrency`` at once; Outcomes in order."""
    sem = asyncio.Semaphore(max_concurrency)

    async def one(i: int, req: Request) -> Outcome:
        async with sem:
            try:
                return Outcome(req, completion=await call(i, req))
            except RouterlabError as exc:
                return Outcome(req, error=exc)
            except Exception as exc:  # a bug must not lose the subtask: keep it as a typed failure
                return Outcome(req, error=RouterlabError(f"{type(exc).__name__}: {redact(str(exc))}"))
            finally:
                if bar is not None:
                    bar.update(1)

    try:
        return list(await asyncio.gather(*(one(i, r) for i, r in enumerate(requests))))
    finally:
        if bar is not None:
            bar.close()
