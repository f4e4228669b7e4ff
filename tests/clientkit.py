"""Helpers for client tests: a catalog of fault-server models and providers pointed at it."""

from __future__ import annotations

from typing import Any

from routerlab.catalog import Catalog, LatencyProfile, ModelInfo
from routerlab.client import Client, RetryPolicy
from routerlab.providers import FunctionProvider
from routerlab.tiers import TierMap, TierSpec

# prefixes: fso = OpenAI protocol, fsa = Anthropic protocol, fsl = Ollama protocol
PREFIXES = ("fso", "fsa", "fsl")


def model(mid: str, *, vision: bool = False, price: tuple[float, float] = (2.0, 10.0), context: int = 4_000,
          max_out: int = 1024) -> ModelInfo:
    return ModelInfo(mid, price[0], price[1], price[0] / 10, context, max_out, LatencyProfile(0.1, 100.0),
                     vision=vision, structured_output=True)


# The default timeout is for tests that expect answers: 0.3 s fired now and then under a loaded
# machine (test_complete_prices_times_and_records_one_attempt failed once). A test of timeouts
# passes its own (with a server that hangs longer).
DEFAULT_TIMEOUT_S = 2.0


def providers(url: str, timeout_s: float = DEFAULT_TIMEOUT_S) -> dict[str, Any]:
    from routerlab.providers.anthropic import AnthropicProvider
    from routerlab.providers.ollama import OllamaProvider
    from routerlab.providers.openai import OpenAIProvider

    return {
        "fso": OpenAIProvider(api_key="k-openai", base_url=url + "/v1", name="fso", timeout_s=timeout_s),
        "fsa": AnthropicProvider(api_key="k-anthropic", base_url=url, name="fsa", timeout_s=timeout_s),
        "fsl": OllamaProvider(host=url, name="fsl", timeout_s=timeout_s),
    }


def client(url: str, models: list[ModelInfo], tiers: dict[str, tuple[str, ...]] | None = None, **kw: Any) -> Client:
    cat = Catalog(models)
    tm = TierMap([TierSpec(name, ids) for name, ids in (tiers or {}).items()], cat)
    kw.setdefault("timeout_s", DEFAULT_TIMEOUT_S)
    retry = RetryPolicy(max_attempts=kw.pop("max_attempts", 3), backoff_s=0.01, max_backoff_s=0.05)
    return Client(catalog=cat, tiers=tm, providers=providers(url, kw["timeout_s"]), retry=retry, **kw)


def offline_client(models: list[ModelInfo], answer: Any = None, tiers: dict[str, tuple[str, ...]] | None = None,
                   **kw: Any) -> tuple[Client, FunctionProvider]:
    """A client whose fso/fsa/fsl models are answered by ``answer(request, model_name)``: no server."""
    provider = FunctionProvider(answer or (lambda request, model_name: f"{model_name} answers"))
    cat = Catalog(models)
    tm = TierMap([TierSpec(name, ids) for name, ids in (tiers or {}).items()], cat)
    retry = RetryPolicy(max_attempts=kw.pop("max_attempts", 3), backoff_s=0.0, max_backoff_s=0.0)
    return Client(catalog=cat, tiers=tm, providers=dict.fromkeys(PREFIXES, provider), retry=retry, **kw), provider
