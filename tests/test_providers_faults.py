"""Providers against the loopback fault server: typed errors, request bodies, keys that never leak."""

from __future__ import annotations

import asyncio
import base64
import logging

import pytest
from faultserver import MODES

from routerlab.errors import (
    BadResponseError,
    MissingKeyError,
    ProviderConnectionError,
    ProviderError,
    ProviderServerError,
    ProviderTimeoutError,
    RateLimitError,
)
from routerlab.types import Image, Message, Request

EXPECTED = {
    "429": RateLimitError,
    "500": ProviderServerError,
    "503": ProviderServerError,
    "hang": ProviderTimeoutError,
    "malformed": BadResponseError,
    "drop": ProviderConnectionError,
    "empty": BadResponseError,
}
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
SECRET = "sk-test-THIS-KEY-MUST-NEVER-LEAK-1234567890"


def make(kind: str, url: str, key: str | None = "k", timeout_s: float = 0.3):
    if kind == "openai":
        from routerlab.providers.openai import OpenAIProvider

        return OpenAIProvider(api_key=key, base_url=url + "/v1", timeout_s=timeout_s)
    if kind == "anthropic":
        from routerlab.providers.anthropic import AnthropicProvider

        return AnthropicProvider(api_key=key, base_url=url, timeout_s=timeout_s)
    from routerlab.providers.ollama import OllamaProvider

    return OllamaProvider(host=url, timeout_s=timeout_s)


KINDS = ("openai", "anthropic", "ollama")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("mode", MODES)
def test_each_fault_maps_to_a_typed_error(fault_server, kind, mode):
    p = make(kind, fault_server.url)
    req = Request.user("hello there", max_output_tokens=20)
    model = "ok" if mode == "ok" else f"fault-{mode}"
    if mode == "ok":
        c = p.complete(req, model)
        assert c.text == "ok from the fault server"
        assert c.usage.output_tokens == 5 and c.usage.input_tokens > 0
        assert c.ttft_s is not None and c.ttft_s <= c.latency_s
        return
    with pytest.raises(EXPECTED[mode]) as info:
        p.complete(req, model)
    err = info.value
    assert isinstance(err, ProviderError) and err.model == model
    if mode in ("429", "500", "503"):
        assert err.status == int(mode)
    if mode == "429" and kind != "ollama":  # the ollama SDK drops response headers
        assert err.retry_after == pytest.approx(0.05)


@pytest.mark.parametrize("kind", KINDS)
def test_async_path_maps_faults_too(fault_server, kind):
    p = make(kind, fault_server.url)
    req = Request.user("hello", max_output_tokens=20)

    async def run():
        ok = await p.acomplete(req, "ok")
        with pytest.raises(ProviderConnectionError):
            await p.acomplete(req, "fault-drop")
        with pytest.raises(ProviderTimeoutError):
            await p.acomplete(req, "fault-hang")
        return ok

    assert asyncio.run(run()).text == "ok from the fault server"


def _image_request() -> Request:
    return Request(
        messages=(Message("user", "first"), Message("assistant", "ok"), Message("user", "What is in this image?")),
        system="sys",
        images=(Image(PNG, "image/png"),),
        max_output_tokens=16,
    )


def test_openai_sends_images_as_data_url_parts(fault_server):
    make("openai", fault_server.url).complete(_image_request(), "ok")
    body = fault_server.requests[-1]["body"]
    assert body["messages"][0] == {"role": "system", "content": "sys"}
    assert body["messages"][2] == {"role": "assistant", "content": "ok"}
    text, image = body["messages"][-1]["content"]
    assert text == {"type": "text", "text": "What is in this image?"}
    assert image["type"] == "image_url"
    assert image["image_url"]["url"] == "data:image/png;base64," + base64.b64encode(PNG).decode()
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
    assert body["max_completion_tokens"] == 16


def test_anthropic_sends_images_as_base64_blocks(fault_server):
    make("anthropic", fault_server.url).complete(_image_request(), "ok")
    body = fault_server.requests[-1]["body"]
    assert body["system"] == "sys" and body["max_tokens"] == 16 and body["stream"] is True
    image, text = body["messages"][-1]["content"]
    assert image == {"type": "image", "source": {"type": "base64", "media_type": "image/png",
                                                 "data": base64.b64encode(PNG).decode()}}
    assert text == {"type": "text", "text": "What is in this image?"}


def test_ollama_sends_images_as_base64_strings(fault_server):
    make("ollama", fault_server.url).complete(_image_request(), "ok")
    body = fault_server.requests[-1]["body"]
    last = body["messages"][-1]
    assert last["content"] == "What is in this image?"
    assert last["images"] == [base64.b64encode(PNG).decode()]
    assert body["options"]["num_predict"] == 16


def test_structured_output_parameters_in_each_protocol(fault_server):
    schema = {"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"],
              "additionalProperties": False}
    req = Request.user("give a", response_schema=schema)
    for kind in KINDS:
        with pytest.raises(BadResponseError, match="not JSON"):  # the fault server answers prose
            make(kind, fault_server.url).complete(req, "ok")
    oa, an, ol = (r["body"] for r in fault_server.requests[-3:])
    assert oa["response_format"] == {"type": "json_schema",
                                     "json_schema": {"name": "response", "schema": schema, "strict": True}}
    assert an["output_config"] == {"format": {"type": "json_schema", "schema": schema}}
    assert "JSON schema" in an["system"]  # a compatible server that ignores output_config still sees it
    assert ol["format"] == schema


def _sent_key(headers: dict[str, str]) -> str:
    # Anthropic SDKs send x-api-key (older) or an Authorization bearer (newer)
    return headers.get("x-api-key", "") + headers.get("authorization", "")


def test_missing_key_names_the_variable(monkeypatch):
    from routerlab.providers.anthropic import AnthropicProvider
    from routerlab.providers.openai import OpenAIProvider

    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    with pytest.raises(MissingKeyError, match="OPENAI_API_KEY"):
        OpenAIProvider()
    with pytest.raises(MissingKeyError, match="ANTHROPIC_API_KEY"):
        AnthropicProvider()
    # a local / compatible server needs none
    assert OpenAIProvider(base_url="http://127.0.0.1:1/v1").name == "openai"


def test_key_comes_from_argument_then_environment(fault_server, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "env-key-openai-0000")
    make("openai", fault_server.url, key=None).complete(Request.user("hi"), "ok")
    assert fault_server.requests[-1]["headers"]["authorization"] == "Bearer env-key-openai-0000"
    make("openai", fault_server.url, key="arg-key-openai-1111").complete(Request.user("hi"), "ok")
    assert fault_server.requests[-1]["headers"]["authorization"] == "Bearer arg-key-openai-1111"
    monkeypatch.setenv("ANTHROPIC_API_KEY", "env-key-anthropic-2222")
    make("anthropic", fault_server.url, key=None).complete(Request.user("hi"), "ok")
    assert "env-key-anthropic-2222" in _sent_key(fault_server.requests[-1]["headers"])


def test_key_never_appears_in_repr_error_trace_or_log(fault_server, caplog, monkeypatch):
    """A server that echoes the key back in its error must not get it into anything we show."""
    from faultserver import _Handler

    from routerlab.catalog import Catalog, LatencyProfile, ModelInfo
    from routerlab.client import Client

    def echo_401(self, body, mode):  # an auth failure that quotes the key, as some gateways do
        key = self.headers.get("authorization", "") + self.headers.get("x-api-key", "")
        self._send_json(401, {"error": {"message": f"invalid key {key}", "type": "auth"},
                              "type": "error"})

    monkeypatch.setattr(_Handler, "_openai", echo_401)
    monkeypatch.setattr(_Handler, "_anthropic", echo_401)
    info = LatencyProfile(0.1, 100.0)
    cat = Catalog([ModelInfo(f"{k}:ok", 1.0, 1.0, 1.0, 10_000, 1_000, info) for k in ("openai", "anthropic")])
    provs = {k: make(k, fault_server.url, key=SECRET) for k in ("openai", "anthropic")}
    client = Client(catalog=cat, providers=provs)
    caplog.set_level(logging.DEBUG)
    for kind, p in provs.items():
        assert SECRET not in repr(p) and SECRET not in str(vars(p))
        with pytest.raises(ProviderError) as exc:
            client.complete(Request.user("hi"), model=f"{kind}:ok")
        assert exc.value.status == 401
        shown = str(exc.value) + repr(exc.value) + repr(exc.value.__cause__) + repr(exc.value.__context__)
        assert "invalid key" in shown and SECRET not in shown and SECRET[-8:] not in shown
    assert SECRET in _sent_key(fault_server.requests[-1]["headers"])  # it was really sent
    df = client.trace.to_frame()
    assert len(df) == 2 and set(df["status"]) == {"error"}
    assert SECRET not in df.to_json() and SECRET not in repr(client)
    assert SECRET not in caplog.text


@pytest.mark.parametrize("kind", ["openai", "anthropic"])
def test_calls_after_a_streamed_answer_do_not_reuse_its_connection(kind):
    # llama.cpp's server drops a kept-alive connection after a streamed answer without saying so;
    # a provider that reused it failed the next call ("Server disconnected without sending a response")
    from faultserver import FaultServer

    with FaultServer(cut_reused_after_stream=True) as fs:
        p = make(kind, fs.url, timeout_s=5.0)
        req = Request.user("hi", max_output_tokens=16)
        done = [p.complete(req, "m") for _ in range(3)]

        async def twice() -> list[object]:
            return [await p.acomplete(req, "m") for _ in range(3)]

        done += asyncio.run(twice())
        assert [c.text for c in done] == ["ok from the fault server"] * 6
        assert fs.cut_reused == 0 and len(fs.requests) == 6
        assert {r["headers"].get("connection") for r in fs.requests} == {"close"}
