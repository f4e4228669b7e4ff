"""The Anthropic stream's usage, read event by event: a stream that never says how many input
tokens it read (llama.cpp's server now and then leaves out message_start under load) is billed
at the prompt's estimate and says so, never counted as a free call."""

from __future__ import annotations

from types import SimpleNamespace as NS

from routerlab.providers.anthropic import ESTIMATED_INPUT_NOTE, AnthropicProvider, _Acc
from routerlab.providers.base import AnswerMeter, Stopwatch
from routerlab.types import Request

REQ = Request.user("Say hello to the whole team, briefly.", system="Be brief.", max_output_tokens=10)


def _run(events: list[NS]):
    provider = AnthropicProvider(base_url="http://127.0.0.1:9", name="local")
    acc = _Acc(Stopwatch(), AnswerMeter(REQ, provider="local", model="m"))
    for e in events:
        acc.add(e)
    return provider._done(REQ, "m", acc)


def _text(t: str) -> NS:
    return NS(type="content_block_delta", delta=NS(text=t))


END = [NS(type="message_delta", delta=NS(stop_reason="max_tokens"), usage=NS(output_tokens=10)),
       NS(type="message_stop")]


def test_a_stream_without_message_start_is_billed_at_the_prompt_estimate_and_says_so() -> None:
    c = _run([_text("Hello"), _text(" team"), *END])
    assert c.usage.input_tokens == REQ.estimated_input_tokens() > 0
    assert c.usage.output_tokens == 10 and c.usage.cached_tokens == 0
    assert c.metadata["input_tokens_estimated"] == ESTIMATED_INPUT_NOTE


def test_reported_input_usage_is_taken_as_reported_with_cache_reads() -> None:
    start = NS(type="message_start", message=NS(usage=NS(input_tokens=1, cache_read_input_tokens=22,
                                                         cache_creation_input_tokens=None, output_tokens=0)))
    c = _run([start, _text("Hello"), *END])
    assert (c.usage.input_tokens, c.usage.cached_tokens) == (23, 22)
    assert "input_tokens_estimated" not in c.metadata


def test_input_usage_reported_only_at_the_end_counts_as_reported() -> None:
    end = [NS(type="message_delta", delta=NS(stop_reason="end_turn"),
              usage=NS(output_tokens=3, input_tokens=17, cache_read_input_tokens=None,
                       cache_creation_input_tokens=None)), NS(type="message_stop")]
    c = _run([_text("Hi"), *end])
    assert c.usage.input_tokens == 17 and "input_tokens_estimated" not in c.metadata
