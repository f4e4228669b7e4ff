import json
import subprocess
import sys
import time

import pytest

from routerlab import Decision, TraceError
from routerlab.trace import Trace, TraceRecord, redact
from routerlab.types import Alternative


def record(i: int, **kw) -> TraceRecord:
    start = 1_700_000_000.0 + i
    decision = Decision("openai:gpt-4o-mini", "classifier", 0.7, 0.5, "score above threshold",
                        (Alternative("anthropic:claude-opus-4-5", "orchestrator", 0.02, 0.9),))
    return TraceRecord(model="openai:gpt-4o-mini", tier="classifier", provider="openai", task_id="t1",
                       start=start, end=start + 0.5 + i / 10, ttft_s=0.2, input_tokens=100 + i,
                       output_tokens=20, cached_tokens=i, cost_usd=0.0001 * i,
                       decision=decision.to_dict(), **kw)


def test_round_trip_is_identical(tmp_path):
    trace = Trace(records=[record(i) for i in range(20)])
    path = trace.save(tmp_path / "t.jsonl")
    loaded = Trace.load(path)
    assert loaded.records == trace.records
    assert Decision.from_dict(loaded[3].decision).alternatives[0].predicted_cost == 0.02
    df = loaded.to_frame()
    assert len(df) == 20 and df["input_tokens"].sum() == sum(100 + i for i in range(20))
    assert df["latency_s"].iloc[5] == pytest.approx(1.0)


def test_appends_go_to_disk_as_they_happen(tmp_path):
    path = tmp_path / "live.jsonl"
    trace = Trace(path)
    trace.append(record(0))
    trace.append(record(1))
    # readable by another reader before close: nothing waits for a flush at exit
    assert len(Trace.load(path)) == 2
    trace.close()
    again = Trace(path)  # reopening keeps what was recorded and appends after it
    again.append(record(2))
    again.close()
    assert [r.input_tokens for r in Trace.load(path)] == [100, 101, 102]


def test_torn_last_line_is_skipped_with_a_warning(tmp_path):
    path = tmp_path / "torn.jsonl"
    Trace(records=[record(i) for i in range(3)]).save(path)
    full = json.dumps(record(3).to_dict())
    with path.open("a") as f:
        f.write(full[: len(full) // 2])  # the process died mid-write
    with pytest.warns(UserWarning, match="torn last line 4"):
        loaded = Trace.load(path)
    assert len(loaded) == 3
    with pytest.warns(UserWarning):
        resumed = Trace(path)  # appending after a torn line starts a clean line
    resumed.append(record(9))
    resumed.close()
    assert [r.input_tokens for r in Trace.load(path)] == [100, 101, 102, 109]


def test_killed_writer_loses_at_most_the_record_in_flight(tmp_path):
    path = tmp_path / "killed.jsonl"
    code = f"""
import time
from routerlab.trace import Trace, TraceRecord
t = Trace({str(path)!r})
for i in range(10**9):
    t.append(TraceRecord(model='a:b', input_tokens=i, metadata={{'pad': 'x' * 5000}}))
"""
    proc = subprocess.Popen([sys.executable, "-c", code])
    deadline = time.time() + 30
    while time.time() < deadline and (not path.exists() or path.stat().st_size < 200_000):
        time.sleep(0.05)
    proc.kill()
    proc.wait()
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        loaded = Trace.load(path)
    whole_lines = path.read_bytes().count(b"\n")
    assert whole_lines > 10
    assert len(loaded) == whole_lines  # every whole line is a record; only a torn tail is lost
    assert [r.input_tokens for r in loaded] == list(range(len(loaded)))


def test_not_json_lines_names_file_and_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    Trace(records=[record(0)]).save(path)
    with path.open("a") as f:
        f.write("this is not json\n")
        f.write(json.dumps(record(1).to_dict()) + "\n")
    with pytest.raises(TraceError, match="line 2"):
        Trace.load(path)
    with pytest.raises(TraceError, match="does not exist"):
        Trace.load(tmp_path / "missing.jsonl")


@pytest.mark.parametrize("field,value", [("input_tokens", -1), ("cost_usd", float("nan")), ("status", "maybe")])
def test_bad_records_are_refused(field, value):
    with pytest.raises(TraceError, match=field if field != "status" else "status"):
        TraceRecord(**{field: value})


def test_api_keys_never_reach_the_trace(tmp_path):
    key = "sk-ant-api03-" + "A" * 40
    rec = TraceRecord(status="error", error=f"401 invalid x-api-key {key}", model="anthropic:x")
    assert key not in rec.error and "[redacted]" in rec.error
    path = Trace(records=[rec]).save(tmp_path / "k.jsonl")
    assert key not in path.read_text()
    assert redact("Bearer abcdefghijklmnop1234") == "[redacted]"


def test_critical_path_descends_into_spans_and_skips_the_early_branch() -> None:
    import pandas as pd

    from routerlab.orchestrator import critical_path as orchestrator_critical_path
    from routerlab.trace import critical_path, critical_path_rows
    from routerlab.viz import critical_path as viz_critical_path

    rows = [("task", None, 0, 10), ("plan", "task", 0, 1), ("a", "task", 1, 5), ("b", "task", 1, 3),
            ("decide", "task", 5, 10), ("c", "decide", 5, 9), ("b1", "b", 1, 3)]
    f = pd.DataFrame(rows, columns=["call_id", "parent_id", "start", "end"])
    assert critical_path(f) == ["task", "plan", "a", "decide", "c"]
    assert viz_critical_path is critical_path  # one walk, two old names
    assert orchestrator_critical_path is critical_path_rows
    assert critical_path_rows(f)["call_id"].tolist() == critical_path(f)
    flat = f.drop(columns="parent_id")  # no parents: a plain chain of waits over the spans
    assert critical_path(flat) == ["plan", "a", "decide"]  # the innermost of the last-ending spans
    with pytest.raises(TraceError, match="lacks column"):
        critical_path(f.drop(columns="end"))


def test_a_bearer_token_sharing_a_piece_with_a_registered_key_goes_whole():
    # another key held in the same process (a provider's Secret) shares 8+ characters with the token
    from routerlab.redaction import register_secret

    register_secret("sk-" + "qwertyuiopasdfgh" + "zz" * 8)
    assert redact("401: Bearer qwertyuiopasdfgh5678 rejected") == "401: [redacted] rejected"
