"""Wrong types and values at the public API: each is a typed routerlab error naming the value and
the fix, raised before any network (no server is needed for any of these)."""

from __future__ import annotations

import math

import pytest

from routerlab.catalog import Catalog
from routerlab.client import Client
from routerlab.errors import InvalidRequestError, RouterlabError, TierError
from routerlab.tiers import TierMap
from routerlab.types import Image, Message, Request

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 16
JPEG = b"\xff\xd8\xff\xe0" + b"\0" * 16


@pytest.mark.parametrize("kwargs, says", [
    ({"system": 123}, "system"),
    ({"metadata": None}, "metadata"),
    ({"max_output_tokens": True}, "max_output_tokens"),
    ({"max_output_tokens": "16"}, "max_output_tokens"),
    ({"temperature": "hot"}, "temperature"),
    ({"temperature": math.nan}, "temperature"),
    ({"temperature": -1}, "temperature"),
    ({"kind": 7}, "kind"),
    ({"images": PNG}, "images"),
    ({"response_schema": "json"}, "response_schema"),
])
def test_bad_request_fields(kwargs, says):
    with pytest.raises(InvalidRequestError, match=says):
        Request.user("hi", **kwargs)


def test_messages_as_a_string_is_refused_with_the_right_form():
    with pytest.raises(InvalidRequestError, match=r"Request.user\('text'\)"):
        Request(messages="hello")  # type: ignore[arg-type]
    with pytest.raises(InvalidRequestError, match="not a Message"):
        Request(messages=[42])  # type: ignore[list-item]


def test_openai_style_dicts_are_converted():
    r = Request(messages=[{"role": "system", "content": "be brief"},  # type: ignore[list-item]
                          {"role": "user", "content": "hi"},
                          {"role": "assistant", "content": [{"type": "text", "text": "hello"}]},
                          {"role": "user", "content": "and?"}])
    assert r.system == "be brief"
    assert r.messages == (Message("user", "hi"), Message("assistant", "hello"), Message("user", "and?"))
    with pytest.raises(InvalidRequestError, match="'role': 'user', 'content': 'text'"):
        Request(messages=[{"role": "user", "content": {"x": 1}}])  # type: ignore[list-item]
    with pytest.raises(InvalidRequestError, match="role"):
        Request(messages=[{"role": "tool", "content": "x"}])  # type: ignore[list-item]


@pytest.mark.parametrize("where", ["prompt", "system"])
def test_lone_surrogate_is_refused_before_sending(where):
    bad = "caf\udce9 au lait"  # what open(..., errors='surrogateescape') leaves from latin-1 bytes
    with pytest.raises(InvalidRequestError, match="surrogate.*character 3"):
        Request.user(bad) if where == "prompt" else Request.user("hi", system=bad)


def test_image_bytes_must_be_the_declared_format():
    assert Image(PNG).media_type == "image/png" and Image(JPEG, "image/jpeg")
    with pytest.raises(InvalidRequestError, match="pass media_type='image/jpeg'"):
        Image(JPEG, "image/png")
    with pytest.raises(InvalidRequestError, match="not a PNG, JPEG, GIF or WebP"):
        Image(b"hello, I am text", "image/png")
    with pytest.raises(InvalidRequestError, match="bytes"):
        Image("iVBORw0KGgo=", "image/png")  # type: ignore[arg-type]


@pytest.mark.parametrize("kwargs, says", [
    ({"budget_usd": "1"}, "budget_usd"),
    ({"budget_usd": -1}, "budget_usd"),
    ({"max_concurrency": "8"}, "max_concurrency=8"),
    ({"max_concurrency": 0}, "max_concurrency"),
    ({"timeout_s": 0}, "timeout_s"),
    ({"timeout_s": -1}, "timeout_s"),
    ({"timeout_s": math.nan}, "timeout_s"),
    ({"timeout_s": math.inf}, "timeout_s"),
])
def test_bad_client_settings_fail_at_construction(kwargs, says):
    with pytest.raises(InvalidRequestError, match=says):
        Client(**kwargs)


@pytest.mark.parametrize("kind", ["openai", "anthropic", "ollama"])
@pytest.mark.parametrize("timeout", [0, -1, math.nan])
def test_bad_provider_timeouts_fail_at_construction(kind, timeout):
    from routerlab.providers.anthropic import AnthropicProvider
    from routerlab.providers.ollama import OllamaProvider
    from routerlab.providers.openai import OpenAIProvider

    make = {"openai": lambda: OpenAIProvider(api_key="k", timeout_s=timeout),
            "anthropic": lambda: AnthropicProvider(api_key="k", timeout_s=timeout),
            "ollama": lambda: OllamaProvider(timeout_s=timeout)}[kind]
    with pytest.raises(InvalidRequestError, match="timeout_s"):
        make()


def test_model_and_tier_of_the_wrong_type():
    c = Client()
    for bad in (123, None, ["openai:gpt-4.1-mini"]):
        with pytest.raises(RouterlabError, match="str"):
            c.catalog.resolve(bad)  # type: ignore[arg-type]
    with pytest.raises(InvalidRequestError, match="model is named by a str"):
        c.complete(Request.user("hi"), model=123)  # type: ignore[arg-type]
    with pytest.raises(TierError, match="tier is named by a str"):
        c.complete(Request.user("hi"), tier=["coder"])  # type: ignore[arg-type]
    tiers = TierMap.default(Catalog.default())
    with pytest.raises(InvalidRequestError, match="model is named by a str"):
        tiers.swap("coder", None)  # type: ignore[arg-type]
