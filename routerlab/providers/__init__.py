"""Providers: one per API family, each turning a Request into an unpriced Completion.

Submodules import their SDK only when used; ``import routerlab.providers`` imports none.

- :mod:`.anthropic` ``AnthropicProvider``: the Messages API (``anthropic`` SDK)
- :mod:`.openai` ``OpenAIProvider``: chat completions, or any OpenAI-compatible ``base_url``
- :mod:`.ollama` ``OllamaProvider``: the ``ollama`` SDK (``OLLAMA_HOST``)
- :mod:`.local` ``LocalServer``: a real llama.cpp server in-process, serving SmolLM2-135M
- :mod:`.ollama_bridge` ``OllamaBridge``: the Ollama REST API in front of an OpenAI-compatible server
- :mod:`.replay` ``ReplayProvider``: recorded outcomes, replayed deterministically
- :mod:`.function` ``FunctionProvider``: answers from a Python function (the test double)
"""

from __future__ import annotations

from typing import Any

from ..errors import ConfigurationError
from .base import Provider
from .function import FunctionProvider

__all__ = ["Provider", "FunctionProvider", "default_provider", "PROVIDER_NAMES"]

PROVIDER_NAMES = ("anthropic", "openai", "ollama", "local", "replay")


def default_provider(prefix: str, *, timeout_s: float = 60.0) -> Any:
    """The provider the client uses for a ``prefix:`` model id when none was given.

    ``local`` starts (once per process) the llama.cpp server and talks to it with the OpenAI
    SDK; pass ``providers={"local": AnthropicProvider(base_url=server.base_url, name="local")}``
    to the client to use the Anthropic protocol instead.
    """
    if prefix == "anthropic":
        from .anthropic import AnthropicProvider

        return AnthropicProvider(timeout_s=timeout_s)
    if prefix == "openai":
        from .openai import OpenAIProvider

        return OpenAIProvider(timeout_s=timeout_s)
    if prefix == "ollama":
        from .ollama import OllamaProvider

        return OllamaProvider(timeout_s=timeout_s)
    if prefix == "local":
        from .local import shared_server
        from .openai import OpenAIProvider

        return OpenAIProvider(base_url=shared_server().openai_base_url, name="local", timeout_s=timeout_s)
    raise ConfigurationError(
        f"no default provider for {prefix!r} models: pass providers={{{prefix!r}: ...}} to the Client "
        "(e.g. a ReplayProvider over an outcome table for recorded models)"
    )
