"""load_otel on spans that the real instrumentors wrote: a small agent runs against the local
llama.cpp server through the official OpenAI and Anthropic SDKs, OpenInference and
OpenTelemetry GenAI instrument them, the OpenTelemetry SDK exports the spans to files, and the
loaded workload must say what the SDKs said. Bad files are cut from that real output."""

from __future__ import annotations

import json
import warnings

import pytest

from routerlab.errors import DatasetError
from routerlab.workloads import PartialFileWarning, kind_of_tool, load_otel

pytest.importorskip("opentelemetry.sdk")
pytest.importorskip("openinference.instrumentation.openai")
pytestmark = pytest.mark.local

FAKE_KEY = "sk-test-FAKEKEY0123456789abcdef"


@pytest.fixture(scope="module")
def agent_run(local_server, tmp_path_factory):
    from routerlab.workloads.otel_agent import record_agent_spans

    d = tmp_path_factory.mktemp("spans")
    run = record_agent_spans(local_server.base_url, [d / "run.jsonl", d / "run.json"], steps=3, max_tokens=8,
                             api_key=FAKE_KEY)
    return run, d


@pytest.mark.parametrize("filename", ["run.jsonl", "run.json"])
def test_loaded_calls_match_what_the_sdks_reported(agent_run, filename):
    run, d = agent_run
    wl = load_otel(d / filename)
    f = wl.frame
    assert len(wl) == len(run.calls) == 4
    assert f["task_id"].nunique() == 1  # one trace, one run
    for (_, row), truth in zip(f.iterrows(), run.calls, strict=True):
        assert row["agent"] == truth["agent"]
        assert (row["input_tokens"], row["cached_tokens"], row["output_tokens"]) == (
            truth["input_tokens"], truth["cached_tokens"], truth["output_tokens"])
        assert row["model"] == f"{truth['sdk']}:{truth['model']}" == row["requested_model"]
        want = kind_of_tool(truth["tool"], truth["args"]) if truth["tool"] else "respond"
        assert row["kind"] == want
        assert row["duration_s"] > 0
    main = f[f["agent"] == "main"]
    assert list(main["pred"]) == [-1, 0, 1]  # each step waited for the one before (the tool ran between)
    assert (main["gap_s"].iloc[1:] >= 0).all() and main["gap_s"].iloc[1:].max() < 5
    # the OpenAI calls were seen by both instrumentors: one call each, the notes say so
    assert any("3 LLM spans nested" in n for n in wl.notes)


def test_no_key_reaches_the_span_files(agent_run):
    _, d = agent_run
    for name in ("run.jsonl", "run.json"):
        assert FAKE_KEY not in (d / name).read_text()


def _lines(path):
    return path.read_text().splitlines()


def _rewritten(lines, attributes):
    """The span lines with each span's attributes replaced by ``attributes(span)``."""
    out = []
    for ln in lines:
        span = json.loads(ln)
        span["attributes"] = attributes(span)
        out.append(json.dumps(span))
    return out


def test_torn_last_line_warns_with_file_and_line_and_strict_raises(agent_run, tmp_path):
    _, d = agent_run
    lines = _lines(d / "run.jsonl")
    torn = tmp_path / "torn.jsonl"
    torn.write_text("\n".join(lines[:-1]) + "\n" + lines[-1][: len(lines[-1]) // 2])
    with pytest.warns(PartialFileWarning, match=rf"torn.jsonl: line {len(lines)} is torn"):
        wl = load_otel(torn, strict=False)
    assert len(wl) == 4  # the torn line was the root agent span: every call is still there
    assert any("parent is not in the file" in n for n in wl.notes)  # ... and its absence is told
    with pytest.raises(DatasetError, match="torn"):
        load_otel(torn, strict=True)


def test_llm_span_without_usage_is_an_error_naming_the_line(agent_run, tmp_path):
    _, d = agent_run
    lines = _lines(d / "run.jsonl")
    out = _rewritten(lines, lambda span: {k: v for k, v in span["attributes"].items()
                                          if not k.startswith(("gen_ai.usage", "llm.token_count"))})
    bad = tmp_path / "nousage.jsonl"
    bad.write_text("\n".join(out) + "\n")
    first = next(i for i, ln in enumerate(out, 1) if json.loads(ln)["name"].startswith("chat "))
    with pytest.raises(DatasetError, match=rf"nousage.jsonl: line {first}: LLM span .* has no token usage"):
        load_otel(bad)


def test_unknown_conventions_and_malformed_lines_are_errors(agent_run, tmp_path):
    _, d = agent_run
    lines = _lines(d / "run.jsonl")
    plain = _rewritten(lines, lambda span: {"http.method": "POST"})
    (tmp_path / "http.jsonl").write_text("\n".join(plain) + "\n")
    with pytest.raises(DatasetError, match=rf"no LLM span in {len(lines)} spans.*gen_ai.*openinference.span.kind.*'http'"):
        load_otel(tmp_path / "http.jsonl")
    broken = lines[:3] + ["{not json"] + lines[3:]
    (tmp_path / "mid.jsonl").write_text("\n".join(broken) + "\n")
    with pytest.raises(DatasetError, match="mid.jsonl: line 4 is not valid JSON"):
        load_otel(tmp_path / "mid.jsonl")
    with pytest.raises(DatasetError, match="does not exist"):
        load_otel(tmp_path / "nothing.jsonl")


def test_orphan_spans_warn_and_keep_their_calls(agent_run, tmp_path):
    _, d = agent_run
    spans = [json.loads(ln) for ln in _lines(d / "run.jsonl")]
    kept = [s for s in spans if s["name"] != "invoke_agent reviewer"]  # the sub-agent's span lost in export
    (tmp_path / "orphan.jsonl").write_text("\n".join(json.dumps(s) for s in kept) + "\n")
    with pytest.warns(PartialFileWarning, match="has parent .* not in the file"):
        wl = load_otel(tmp_path / "orphan.jsonl")
    assert len(wl) == 4
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(DatasetError, match="not in the file"):
            load_otel(tmp_path / "orphan.jsonl", strict=True)
