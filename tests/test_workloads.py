"""Real trajectories load into workloads; torn and malformed files fail or warn clearly."""

from __future__ import annotations

import gzip
import io
import json
import shutil
import tarfile
from pathlib import Path

import numpy as np
import pytest

from routerlab.errors import DatasetError
from routerlab.workloads import (
    PartialFileWarning,
    Workload,
    data_dir,
    kind_of_bash,
    kind_of_tool,
    load,
    load_claude_code,
    load_mini_swe,
    load_openhands,
    load_tau2,
    synthetic_agent_task,
    tier_of,
)
from routerlab.workloads.workload import LLMCall

TRAJ = data_dir() / "trajectories"
pytestmark = pytest.mark.skipif(not TRAJ.exists(), reason="shared data mirror not present")


@pytest.fixture(scope="module")
def openhands() -> Workload:
    return load_openhands()


@pytest.fixture(scope="module")
def tau2() -> Workload:
    return load_tau2()


@pytest.fixture(scope="module")
def mini() -> Workload:
    return load_mini_swe()


@pytest.fixture(scope="module")
def claude() -> Workload:
    return load_claude_code()


def test_openhands_has_105_calls_over_3_runs(openhands: Workload) -> None:
    f = openhands.frame
    assert len(f) == 105
    assert f["task_id"].nunique() == 3
    assert f.groupby("task_id").size().sort_values().tolist() == [23, 33, 49]
    assert (f["model"] == "openrouter:meta-llama/llama-4-maverick").all()
    assert f["cost_usd"].isna().all()  # the file records 0.0 with no per-call costs: unknown, not free
    assert (f["duration_s"] > 0).all()
    assert {"run", "edit", "read"} <= set(f["kind"])


def test_tau2_agent_calls_costs_and_rewards(tau2: Workload) -> None:
    f = tau2.frame
    assert f["task_id"].nunique() == 50
    assert len(f) == 467  # assistant messages with usage; the fixed greeting and user-simulator calls excluded
    assert f["cost_usd"].sum() == pytest.approx(14.443248, rel=1e-6)  # equals the file's summed agent_cost
    rewards = f.groupby("task_id")["outcome"].first()
    assert set(rewards.unique()) <= {0.0, 1.0} and rewards.sum() == 36
    assert set(f["kind"]) <= {"respond", "search", "edit"}
    assert (f["cached_tokens"] <= f["input_tokens"]).all()


def test_mini_swe_tokens_costs_and_clock(mini: Workload) -> None:
    f = mini.frame
    assert f["task_id"].nunique() == 33  # 38 runs, 5 ended before any answer
    assert set(f["model"]) == {"deepseek:deepseek-chat", "deepseek:deepseek-reasoner"}
    assert (f["duration_s"] >= 0).all()  # client clock gaps: never negative
    assert np.isfinite(f["cost_usd"]).all() and f["cost_usd"].sum() > 0
    assert {"search", "edit", "test", "read", "review"} <= set(f["kind"])


def test_claude_code_main_and_subagents(claude: Workload) -> None:
    f = claude.frame
    assert f["agent"].eq("main").sum() > 500
    subs = f[f["agent"].str.startswith("sub:")]
    assert len(subs) > 50 and {"anthropic:claude-haiku-4-5-20251001", "anthropic:claude-sonnet-4-5-20250929"} <= set(
        subs["model"])
    assert f["output_partial"].all()  # streamed counts are lower bounds
    assert (f["cached_tokens"] <= f["input_tokens"]).all()
    assert (f.loc[f["agent"].str.startswith("sub:acompact"), "kind"] == "summarize").all()
    # one call per message id: no two calls share a source line
    assert f["source"].is_unique


def test_load_by_name_and_unknown_name() -> None:
    assert len(load("openhands")) == 105
    with pytest.raises(DatasetError, match="unknown workload"):
        load("nope")


def test_dependencies_keep_sequence_and_overlap() -> None:
    calls = [
        LLMCall("t", "main", "plan", 10, 5, 0, "m", start=0.0, duration_s=2.0),
        LLMCall("t", "sub:a", "read", 10, 5, 0, "m", start=3.0, duration_s=4.0),  # after call 0
        LLMCall("t", "sub:b", "read", 10, 5, 0, "m", start=3.5, duration_s=4.0),  # overlaps call 1
        LLMCall("t", "main", "edit", 10, 5, 0, "m", start=8.0, duration_s=1.0),  # after both subs
    ]
    f = Workload.from_calls(calls).frame
    assert f["pred"].tolist() == [-1, 0, 0, 2]
    assert f["gap_s"].tolist() == pytest.approx([0.0, 1.0, 1.5, 0.5])
    assert f["concurrency"].tolist() == [1, 1, 2, 1]


def test_step_kinds_from_commands_and_tools() -> None:
    assert kind_of_bash("cd /testbed && grep -rn foo src | head") == "search"
    assert kind_of_bash("sed -n '1,20p' a.py") == "read"
    assert kind_of_bash("sed -i 's/a/b/' a.py") == "edit"
    assert kind_of_bash("cat > repro.py << 'EOF'\nprint(1)\nEOF") == "edit"
    assert kind_of_bash("cd /testbed && python -m pytest tests/test_x.py -q") == "test"
    assert kind_of_bash("python reproduce.py") == "run"
    assert kind_of_bash("echo COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT && git add -A") == "review"
    assert kind_of_tool("Edit", {"file_path": "a.ex"}) == "edit"
    assert kind_of_tool("Read", {"file_path": "shot.png"}) == "vision"
    assert kind_of_tool("get_reservation_details") == "search"
    assert kind_of_tool("cancel_reservation") == "edit"
    assert tier_of("plan") == "orchestrator" and tier_of("read") == "classifier" and tier_of("edit") == "coder"


def _write_tar(path: Path, members: dict[str, bytes]) -> None:
    with tarfile.open(path, "w:gz") as tf:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))


def _cc_line(mid: str, ts: str, out: int, uuid: str, parent: str | None = None) -> str:
    return json.dumps({"type": "assistant", "uuid": uuid, "parentUuid": parent, "timestamp": ts,
                       "message": {"id": mid, "model": "claude-opus-4-6", "content": [],
                                   "usage": {"input_tokens": 5, "cache_read_input_tokens": 100,
                                             "cache_creation_input_tokens": 10, "output_tokens": out}}})


def test_claude_code_malformed_middle_line_names_file_and_line(tmp_path: Path) -> None:
    text = "\n".join([_cc_line("m1", "2026-01-01T00:00:01Z", 3, "a"), "{not json", _cc_line("m2", "2026-01-01T00:00:05Z",
                                                                                             4, "b", "a")]) + "\n"
    p = tmp_path / "cc.tar.gz"
    _write_tar(p, {"transcripts/s1.jsonl": text.encode()})
    with pytest.raises(DatasetError, match=r"cc\.tar\.gz:transcripts/s1\.jsonl: line 2"):
        load_claude_code(p)


def test_claude_code_torn_last_line_loads_the_rest_and_warns(tmp_path: Path) -> None:
    whole = [_cc_line("m1", "2026-01-01T00:00:01Z", 3, "a"), _cc_line("m1", "2026-01-01T00:00:02Z", 9, "a2", "a"),
             _cc_line("m2", "2026-01-01T00:00:05Z", 4, "b", "a2")]
    text = "\n".join(whole) + "\n" + whole[0][:40]
    p = tmp_path / "cc.tar.gz"
    _write_tar(p, {"transcripts/s1.jsonl": text.encode()})
    with pytest.warns(PartialFileWarning, match="line 4 is torn"):
        w = load_claude_code(p)
    f = w.frame
    assert len(f) == 2
    assert f.loc[0, "output_tokens"] == 9  # max over the streamed lines of one message id
    assert f.loc[0, "input_tokens"] == 115 and f.loc[0, "cached_tokens"] == 100
    with pytest.raises(DatasetError, match="torn"):
        load_claude_code(p, strict=True)


def test_truncated_gzip_loads_what_is_whole(tmp_path: Path) -> None:
    src = TRAJ / "openhands_multi-swe-bench_example_output.jsonl.gz"
    raw = gzip.decompress(src.read_bytes())
    cut = tmp_path / "oh.jsonl.gz"
    cut.write_bytes(gzip.compress(raw)[: len(gzip.compress(raw)) * 3 // 4])
    with pytest.warns(PartialFileWarning):
        w = load_openhands(cut)
    assert 0 < len(w) < 105


def test_truncated_single_json_document_raises_with_position(tmp_path: Path) -> None:
    p = tmp_path / "tau2.json.gz"
    p.write_bytes(gzip.compress(b'{"simulations": [{"messages": ['))
    with pytest.raises(DatasetError, match=r"tau2\.json\.gz: not valid JSON at line 1"):
        load_tau2(p)


def test_truncated_tar_keeps_whole_members(tmp_path: Path) -> None:
    src = TRAJ / "mini-swe-agent_pr816_deepseek_dev-runs.tar.gz"
    cut = tmp_path / "mini.tar.gz"
    data = src.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    with pytest.warns(PartialFileWarning, match="mini.tar.gz"):
        w = load_mini_swe(cut)
    assert 0 < w.frame["task_id"].nunique() < 33


def test_missing_file_says_where_it_looked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROUTERLAB_DATA_DIR", str(tmp_path))
    with pytest.raises(DatasetError, match="ROUTERLAB_DATA_DIR"):
        load_openhands()


def test_data_dir_env_is_honoured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "trajectories").mkdir()
    shutil.copy(TRAJ / "openhands_multi-swe-bench_example_output.jsonl.gz", tmp_path / "trajectories")
    monkeypatch.setenv("ROUTERLAB_DATA_DIR", str(tmp_path))
    assert len(load_openhands()) == 105


def test_synthetic_task_is_drawn_from_real_calls(openhands: Workload, tau2: Workload) -> None:
    pool = {"openhands": openhands, "tau2-bench": tau2}
    t = synthetic_agent_task(50, seed=3, workloads=pool)
    assert len(t) == 50 and t.frame["task_id"].nunique() == 1
    real = set(openhands.frame["input_tokens"]) | set(tau2.frame["input_tokens"])
    assert set(t.frame["input_tokens"]) <= real
    assert t.frame["start"].is_monotonic_increasing
    again = synthetic_agent_task(50, seed=3, workloads=pool)
    assert again.frame["input_tokens"].tolist() == t.frame["input_tokens"].tolist()


def test_mirror_files_are_named_with_their_registered_sha256(tau2: Workload, mini: Workload) -> None:
    from routerlab.datasets.registry import get

    for w, key in ((tau2, "trajectories/tau2-bench_submission_claude-sonnet-4-5_airline_aide.json.gz"),
                   (mini, "trajectories/mini-swe-agent_pr816_deepseek_dev-runs.tar.gz")):
        assert key in w.notes[0] and get(key).sha256 in w.notes[0]
    assert set(tau2.frame["model"]) == {"anthropic:claude-sonnet-4-5-20250929"}  # raw_data.model, as recorded
