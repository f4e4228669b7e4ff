"""A provider built from a Python function of the request: the test double routerlab ships.

As httpx ships ``MockTransport(handler)`` and pydantic-ai ``FunctionModel(function)``, a
:class:`FunctionProvider` lets code run the real client (plan, budget, retries, fallback,
pricing, trace) with no server and no key:

    def answer(request, model_name):
        if "refund" in request.text():
            raise RateLimitError("busy", retry_after=0.0)   # the client retries it
        return f"{model_name} says hi"                     # or return a full Completion

    client = Client(providers={"anthropic": FunctionProvider(answer)})

The function gets the :class:`~routerlab.types.Request` and the model name (the part after
``provider:`` when the client calls it) and returns the answer's text or a :class:`~routerlab.types.Completion`, or raises
(a routerlab ``ProviderError`` to act as a failing provider); it may be ``async``. A text answer
goes through the same checks a real provider's does (empty, not JSON for a structured request:
``BadResponseError``, billed) unless ``strict=False``; its usage is the client's token estimate.

It also satisfies :class:`~routerlab.types.CompletesRequests` (``complete(request, model=...)``),
so a router that needs a model can be unit-tested with it directly, unpriced and untraced.
"""

from __future__ import annotations

import asyncio
import inspect
import math
import time
from collections.abc import Awaitable, Callable
from typing import Any

from .._aio import run_sync
from ..types import CHARS_PER_TOKEN, Completion, Request, Usage
from .base import Stopwatch, finish

__all__ = ["FunctionProvider", "Answer"]

#: What the function returns: the answer's text, or a whole Completion.
Answer = str | Completion


class FunctionProvider:
    """A :class:`~routerlab.providers.Provider` whose answers come from ``fn(request, model_name)``.

    ``name``: the provider name put on completions. ``delay_s``: how long each call takes
    (``asyncio.sleep`` in ``acomplete``, so concurrent calls overlap as real ones do).
    ``strict``: check text answers as a real provider does. ``requests``: ``(request, model)``
    of every call, in order; ``calls``: just the models.
    """

    def __init__(
        self,
        fn: Callable[[Request, str], Answer | Awaitable[Answer]],
        *,
        name: str = "function",
        delay_s: float = 0.0,
        strict: bool = True,
    ) -> None:
        if not callable(fn):
            from ..errors import InvalidRequestError

            raise InvalidRequestError(f"FunctionProvider needs a function of (request, model_name), got {fn!r}")
        self.fn = fn
        self.name = name
        self.delay_s = delay_s
        self.strict = strict
        self.requests: list[tuple[Request, str]] = []

    @property
    def calls(self) -> list[str]:
        """The model of every call, in order."""
        return [m for _, m in self.requests]

    def __repr__(self) -> str:
        return f"FunctionProvider({getattr(self.fn, '__name__', self.fn)!r}, {len(self.requests)} calls)"

    def _model(self, request: Request, model: str | None, tier: str | None) -> str:
        name = model if model is not None else tier
        if not isinstance(name, str):
            from ..errors import InvalidRequestError

            raise InvalidRequestError("say which model to call: complete(request, 'model-name')")
        self.requests.append((request, name))
        return name

    def complete(self, request: Request, model: str | None = None, tier: str | None = None, *,
                 timeout_s: float | None = None) -> Completion:
        """The function's answer (``model``: the model name; the client passes it positionally)."""
        watch = Stopwatch()
        model_name = self._model(request, model, tier)
        if self.delay_s:
            time.sleep(self.delay_s)
        answer = self.fn(request, model_name)
        if inspect.isawaitable(answer):
            awaitable = answer
            answer = run_sync(lambda: _awaited(awaitable))
        return self._completion(request, model_name, answer, watch)

    async def acomplete(self, request: Request, model: str | None = None, tier: str | None = None, *,
                        timeout_s: float | None = None) -> Completion:
        """Async :meth:`complete`: waits ``delay_s`` on the event loop."""
        watch = Stopwatch()
        model_name = self._model(request, model, tier)
        await asyncio.sleep(self.delay_s)  # also a point where other calls run
        answer = self.fn(request, model_name)
        if inspect.isawaitable(answer):
            answer = await answer
        return self._completion(request, model_name, answer, watch)

    def _completion(self, request: Request, model_name: str, answer: Any, watch: Stopwatch) -> Completion:
        if isinstance(answer, Completion):
            return answer
        if not isinstance(answer, str):
            from ..errors import InvalidRequestError

            raise InvalidRequestError(
                f"the FunctionProvider function returned {type(answer).__name__}: return the answer's text or a Completion"
            )
        watch.token()
        usage = Usage(request.estimated_input_tokens(), max(1, math.ceil(len(answer) / CHARS_PER_TOKEN)))
        if not self.strict:
            watch.stop()
            return Completion(text=answer, usage=usage, model=model_name, provider=self.name, ttft_s=watch.ttft_s,
                              latency_s=watch.latency_s, stop_reason="stop")
        return finish(request, text=answer, usage=usage, model=model_name, provider=self.name, watch=watch,
                      stop_reason="stop")


async def _awaited(awaitable: Awaitable[Answer]) -> Answer:
    return await awaitable
