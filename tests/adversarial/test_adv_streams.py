"""Answers that are not what they claim, on all three protocols: an error event after HTTP 200,
an HTML page or a whole JSON answer instead of a stream, a 200 MB answer for 16 tokens, usage
reports the request cannot have produced. Each is a typed error, billed at most at the bound."""

from __future__ import annotations

import pytest
from hostileserver import HostileServer

from routerlab.errors import BadResponseError, ProviderError, ProviderServerError, TransientProviderError
from routerlab.types import Request

KINDS = ("openai", "anthropic", "ollama")


def _provider(kind: str, url: str):
    if kind == "openai":
        from routerlab.providers.openai import OpenAIProvider

        return OpenAIProvider(api_key="k", base_url=url + "/v1", timeout_s=5)
    if kind == "anthropic":
        from routerlab.providers.anthropic import AnthropicProvider

        return AnthropicProvider(api_key="k", base_url=url, timeout_s=5)
    from routerlab.providers.ollama import OllamaProvider

    return OllamaProvider(host=url, timeout_s=5)


@pytest.fixture(scope="module")
def hostile():
    with HostileServer() as hs:
        yield hs


@pytest.mark.parametrize("kind", KINDS)
def test_error_event_after_200_is_transient(hostile, kind):
    with pytest.raises(ProviderServerError, match="mid-stream") as info:
        _provider(kind, hostile.url).complete(Request.user("hi", max_output_tokens=8), "midstream")
    assert isinstance(info.value, TransientProviderError)  # so the client retries, then falls back


@pytest.mark.parametrize("kind", ("openai", "anthropic"))
@pytest.mark.parametrize("mode, says", [("html", "HTML page"), ("whole", "whole JSON answer")])
def test_a_200_that_is_not_a_stream_says_so(hostile, kind, mode, says):
    with pytest.raises(ProviderError, match=says) as info:
        _provider(kind, hostile.url).complete(Request.user("hi", max_output_tokens=8), mode)
    assert not isinstance(info.value, TransientProviderError)  # retrying a portal page is pointless


def test_ollama_html_is_a_bad_response_not_a_drop(hostile):
    with pytest.raises(BadResponseError):
        _provider("ollama", hostile.url).complete(Request.user("hi", max_output_tokens=8), "html")


@pytest.mark.parametrize("kind", KINDS)
def test_a_huge_answer_is_cut_at_the_byte_bound(hostile, kind):
    req = Request.user("hi", max_output_tokens=16)
    with pytest.raises(BadResponseError, match="streamed more than") as info:
        _provider(kind, hostile.url).complete(req, f"huge-{200 << 20}")
    assert info.value.usage.output_tokens == 16  # billed as the most it could have cost


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("lie", ["input-1000000", "output-64", "input-" + "1" + "0" * 30, "input-1" + "0" * 400])
def test_an_impossible_usage_report_is_refused_and_billed_at_the_bound(hostile, kind, lie):
    req = Request.user("hello there", max_output_tokens=16)
    with pytest.raises(BadResponseError, match="impossible for this request") as info:
        _provider(kind, hostile.url).complete(req, f"lie-{lie}")
    usage = info.value.usage
    assert usage.input_tokens <= req.input_token_bound() and usage.output_tokens <= 16
