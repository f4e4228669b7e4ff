"""A server (or a proxy) that echoes the credential: no piece of the key reaches the user.

Every provider, every way the key can be echoed (whole, minus its last characters, its tail, its
head), and every place text leaves the client: exceptions, the trace, frames, logs, reprs.
"""

from __future__ import annotations

import logging

import pytest
from hostileserver import HostileServer

from routerlab.errors import ProviderError
from routerlab.redaction import MIN_MATCH, safe_url, scrub
from routerlab.types import Request

KEY = "sk-proj-FAKEKEYopenai0987654321abcdefXYZ"
KINDS = ("openai", "anthropic", "ollama")
PARTS = ("full", "head", "tail", "first")


def _provider(kind: str, url: str, key: str = KEY):
    if kind == "openai":
        from routerlab.providers.openai import OpenAIProvider

        return OpenAIProvider(api_key=key, base_url=url + "/v1", timeout_s=2)
    if kind == "anthropic":
        from routerlab.providers.anthropic import AnthropicProvider

        return AnthropicProvider(api_key=key, base_url=url, timeout_s=2)
    from routerlab.providers.ollama import OllamaProvider

    return OllamaProvider(host=url, api_key=key, timeout_s=2)


def _leaks(text: str, key: str = KEY) -> list[str]:
    """Every 8-char piece of the key found in text."""
    return [key[i:i + MIN_MATCH] for i in range(len(key) - MIN_MATCH + 1) if key[i:i + MIN_MATCH] in text]


@pytest.fixture(scope="module")
def hostile():
    with HostileServer() as hs:
        yield hs


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("status", (400, 401, 403, 429, 500))
def test_echoed_key_never_in_the_error(hostile, kind, status):
    p = _provider(kind, hostile.url)
    for part in PARTS:
        with pytest.raises(ProviderError) as info:
            p.complete(Request.user("hi", max_output_tokens=8), f"echo-{status}-{part}")
        err = info.value
        assert err.status == status and "you sent" in str(err)
        shown = " ".join([str(err), repr(err), *map(str, err.args)])
        ctx = err.__context__
        while ctx is not None:  # the SDK's own exception stays attached: it is scrubbed too
            shown += " " + str(ctx) + " " + " ".join(map(str, ctx.args))
            ctx = ctx.__context__
        assert _leaks(shown) == [], (part, shown)


def test_echoed_key_never_in_trace_frames_or_outcomes(hostile, tmp_path):
    from clientkit import model

    from routerlab.catalog import Catalog
    from routerlab.client import Client, RetryPolicy
    from routerlab.outcome import outcomes_frame
    from routerlab.trace import Trace

    models = [model(f"hx:echo-401-{part}") for part in PARTS]
    trace = Trace(tmp_path / "t.jsonl")
    c = Client(catalog=Catalog(models), trace=trace, providers={"hx": _provider("openai", hostile.url)},
               retry=RetryPolicy(max_attempts=1))
    outs = c.run_many([Request.user("hi", max_output_tokens=8)], model=models[0].id, progress=False)
    outs += [c.run_many([Request.user("hi")], model=m.id, progress=False)[0] for m in models[1:]]
    assert not any(o.ok for o in outs)
    trace.close()
    texts = [outcomes_frame(outs).to_json(), trace.to_frame().to_json(), (tmp_path / "t.jsonl").read_text()]
    for text in texts:
        assert "you sent" in text and _leaks(text) == []


def test_http_debug_logs_are_scrubbed(hostile, caplog):
    p = _provider("anthropic", hostile.url)
    with caplog.at_level(logging.DEBUG):
        with pytest.raises(ProviderError):
            p.complete(Request.user("hi", max_output_tokens=8), "echo-401-full")
    # the httpcore / SDK DEBUG lines print the response headers, which echo the key
    assert any("x-echo" in r.getMessage() for r in caplog.records)
    assert _leaks("\n".join(r.getMessage() for r in caplog.records)) == []


@pytest.mark.parametrize("url", ["http://user:hunter2pass@proxy.example:8080/v1",
                                 "https://gw.example/v1?api-key=abcdef123456&region=eu",
                                 "https://gw.example/v1?token=zzzzzzzz"])
def test_provider_repr_hides_credentials_in_urls(url):
    from routerlab.providers.anthropic import AnthropicProvider
    from routerlab.providers.ollama import OllamaProvider
    from routerlab.providers.openai import OpenAIProvider

    for p in (OpenAIProvider(api_key="k", base_url=url), AnthropicProvider(api_key="k", base_url=url),
              OllamaProvider(host=url)):
        shown = repr(p)
        assert "hunter2" not in shown and "abcdef123456" not in shown and "zzzzzzzz" not in shown, shown
    assert safe_url("https://gw.example/v1?api-key=abc&region=eu") == "https://gw.example/v1?api-key=***&region=eu"


def test_scrub_masks_every_long_piece_and_keeps_short_ones():
    from routerlab.providers.base import Secret

    key = "sk-ant-REGISTERED-0123456789"
    Secret(key)
    assert scrub(f"a {key[3:11]} b {key[-9:]} c") == "a *** b *** c"
    assert scrub(f"short {key[:7]} stays") == f"short {key[:7]} stays"  # 7 chars is chance, not a leak
