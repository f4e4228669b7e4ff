"""Real hosted services. Marked ``live`` (deselected by default); each needs its key or host.

    ANTHROPIC_API_KEY=... OPENAI_API_KEY=... OLLAMA_HOST=... pytest -m live tests/test_providers_live.py
"""

from __future__ import annotations

import os

import pytest

from routerlab.types import Request

pytestmark = pytest.mark.live

SCHEMA = {"type": "object", "properties": {"answer": {"type": "string"}}, "required": ["answer"],
          "additionalProperties": False}


def _need(var: str) -> None:
    if not os.environ.get(var):
        pytest.skip(f"set {var} to run this live test")


@pytest.mark.parametrize("model", ["anthropic:claude-haiku-4-5", "openai:gpt-4o-mini"])
def test_hosted_model_through_the_client(model):
    from routerlab.client import Client

    _need("ANTHROPIC_API_KEY" if model.startswith("anthropic") else "OPENAI_API_KEY")
    client = Client(budget_usd=0.05)
    done = client.complete(Request.user("Reply with the single word: ok", max_output_tokens=10), model=model)
    assert done.text.strip() and done.usage.input_tokens > 0 and done.usage.output_tokens > 0
    assert done.cost_usd > 0 and done.ttft_s is not None and done.ttft_s <= done.latency_s
    assert client.trace.records[-1].status == "ok"
    structured = client.complete(Request.user("What is 2+2? Answer in JSON.", max_output_tokens=50,
                                              response_schema=SCHEMA), model=model)
    assert "answer" in structured.metadata["parsed"]


def test_real_ollama():
    from routerlab.providers.ollama import OllamaProvider

    _need("OLLAMA_HOST")
    model = os.environ.get("ROUTERLAB_OLLAMA_MODEL", "llama3.2:3b")
    c = OllamaProvider().complete(Request.user("Reply with the single word: ok", max_output_tokens=10), model)
    assert c.text.strip() and c.usage.output_tokens > 0 and c.usage.input_tokens > 0
