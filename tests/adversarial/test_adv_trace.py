"""Trace files that lie or cannot be written: typed errors naming the line or the path, and no
record dropped for a value JSON cannot hold."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import textwrap

import pytest

from routerlab.errors import TraceError
from routerlab.trace import Trace, TraceRecord


def _line(**changes) -> str:
    d = TraceRecord(model="m:x", start=1.0, end=2.0).to_dict() | changes
    return json.dumps(d)


@pytest.mark.parametrize("field, value, says", [
    ("start", None, "start"),
    ("end", "later", "end"),
    ("model", 42, "model"),
    ("decision", [1, 2], "decision"),
    ("ttft_s", -0.5, "ttft_s"),
    ("metadata", "x", "metadata"),
    ("input_tokens", 1.5, "input_tokens"),
    ("cost_usd", -1, "cost_usd"),
    ("status", "fine", "status"),
    ("error", 7, "error"),
])
def test_a_bad_field_on_load_names_the_line(tmp_path, field, value, says):
    p = tmp_path / "t.jsonl"
    p.write_text(_line() + "\n" + _line(**{field: value}) + "\n" + _line() + "\n")
    with pytest.raises(TraceError, match=f"line 2 .*{says}"):
        Trace.load(p)
    with pytest.raises(TraceError, match="line 2"):
        Trace(p)  # attaching to the file reads it too


def test_a_nan_is_stored_as_null_with_a_flag_not_dropped(tmp_path):
    p = tmp_path / "t.jsonl"
    with Trace(p) as t:
        t.append(TraceRecord(model="m:x", decision={"model": "m:x", "score": math.nan},
                             metadata={"quality": math.inf, "ok": 1}))
    back = Trace.load(p).records
    assert len(back) == 1
    assert back[0].decision == {"model": "m:x", "score": None}
    assert back[0].metadata["quality"] is None and back[0].metadata["ok"] == 1
    assert sorted(back[0].metadata["unserialisable"]) == ["decision.score", "metadata.quality"]


def test_client_records_a_call_whose_decision_score_is_nan(fault_server, tmp_path):
    from clientkit import client, model

    from routerlab.types import Decision, Request

    trace = Trace(tmp_path / "t.jsonl")
    c = client(fault_server.url, [model("fso:ok")], trace=trace)
    decisions = [Decision(model="fso:ok", score=math.nan, threshold=0.5) for _ in range(10)]
    outs = c.run_many([Request.user(f"q{i}") for i in range(10)], decisions=decisions, progress=False)
    assert all(o.ok for o in outs)
    trace.close()
    back = Trace.load(tmp_path / "t.jsonl").calls()
    assert len(back) == 10 and all(r.metadata["unserialisable"] == ["decision.score"] for r in back)


def test_trace_paths_that_are_not_files(tmp_path):
    with pytest.raises(TraceError, match="directory"):
        Trace(tmp_path)
    (tmp_path / "f").write_text("x")
    with pytest.raises(TraceError, match="is a file"):
        Trace(tmp_path / "f" / "t.jsonl")
    with pytest.raises(TraceError, match="not a regular file"):
        Trace("/dev/zero")  # would otherwise read forever
    with pytest.raises(TraceError):
        Trace.load("/dev/zero")


def test_a_trace_file_at_its_size_limit_is_a_typed_error_and_stays_whole(tmp_path):
    # RLIMIT_FSIZE in a child process: the write fails with EFBIG (SIGXFSZ ignored)
    script = textwrap.dedent(f"""
        import resource, signal
        from routerlab.errors import TraceError
        from routerlab.trace import Trace, TraceRecord
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
        t = Trace({str(tmp_path / "t.jsonl")!r})
        kept = 0
        for i in range(100):
            try:
                t.append(TraceRecord(model="m:x", metadata={{"i": i}}))
                kept += 1
            except TraceError as e:
                assert "cannot take another record" in str(e)
                print("typed", kept, len(t))
                break
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    word, kept, in_memory = out.stdout.split()
    assert word == "typed" and int(in_memory) == int(kept) + 1  # the refused record is still in memory
    assert len(Trace.load(tmp_path / "t.jsonl")) == int(kept)  # no torn line left in the file
