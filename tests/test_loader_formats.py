"""Loaders read other agents' runs right: the model where the format records it (never invented),
notes naming the file actually read, shell steps parsed as shell, tau2 tools that change state,
concat keeping sources apart, one cache default. Each test writes a small file in the format."""

from __future__ import annotations

import gzip
import inspect
import io
import json
import tarfile
import warnings
from pathlib import Path
from typing import Any

import pytest

from routerlab.errors import ConfigurationError
from routerlab.simulate import CACHE_DEFAULT, simulate
from routerlab.workloads import LLMCall, Workload, kind_of_bash, kind_of_tool, load_mini_swe, load_tau2


def _msg(role: str, ts: str, **kw: Any) -> dict[str, Any]:
    return {"role": role, "timestamp": f"2025-11-01T10:00:{ts}", **kw}


def _openai_sim(task: str, tool: str | None = None) -> dict[str, Any]:
    """A tau2 simulation of an OpenAI-model agent: raw_data is a choice object (no model, no usage)."""
    calls = [{"id": "c1", "name": tool, "arguments": {"reservation_id": "X1"}}] if tool else None
    return {"task_id": task, "trial": 0, "reward_info": {"reward": 1.0}, "user_cost": 0.001, "messages": [
        _msg("assistant", "00", content="Hi! How can I help?"),  # fixed greeting: no usage
        _msg("user", "02", content="Change my flight"),
        _msg("assistant", "05", content=None, tool_calls=calls, cost=0.0021,
             usage={"prompt_tokens": 1200, "completion_tokens": 40},
             raw_data={"index": 0, "finish_reason": "tool_calls", "message": {"role": "assistant"}}),
    ]}


def _tau2_file(tmp_path: Path, name: str, sims: list[dict[str, Any]], llm: str | None) -> Path:
    info: dict[str, Any] = {"user_info": {"llm": "gpt-4.1"}, "environment_info": {"domain_name": "retail"}}
    if llm is not None:
        info["agent_info"] = {"implementation": "llm_agent", "llm": llm}
    p = tmp_path / name
    p.write_bytes(gzip.compress(json.dumps({"info": info, "simulations": sims}).encode()))
    return p


def test_tau2_reads_agent_model_from_info_and_notes_uncounted_cache(tmp_path: Path) -> None:
    p = _tau2_file(tmp_path, "gpt41_retail.json.gz", [_openai_sim("7", "get_order_details")], "gpt-4.1")
    w = load_tau2(p)
    assert w.frame["model"].tolist() == ["openai:gpt-4.1"]  # from info.agent_info.llm, not a claude default
    assert w.frame["input_tokens"].tolist() == [1200] and w.frame["cached_tokens"].tolist() == [0]
    cache_note = [n for n in w.notes if n.startswith("cache:")]
    assert cache_note and "no cached-token count" in cache_note[0]
    r = simulate(w, "as recorded")
    assert cache_note[0] in r.notes  # the comparison carries the caveat too
    assert r.totals["tasks_outcome_known"] == 1  # re-priced on the recorded model, the reward still holds


def test_tau2_litellm_model_name_becomes_a_routerlab_id(tmp_path: Path) -> None:
    p = _tau2_file(tmp_path, "r.json.gz", [_openai_sim("1")], "openai/gpt-4.1-mini")
    assert load_tau2(p).frame["model"].tolist() == ["openai:gpt-4.1-mini"]


def test_tau2_without_a_recorded_model_warns_and_uses_none(tmp_path: Path) -> None:
    p = _tau2_file(tmp_path, "nomodel.json.gz", [_openai_sim("1")], llm=None)
    with pytest.warns(UserWarning, match="name no model"):
        w = load_tau2(p)
    assert w.frame["model"].isna().all()
    assert w.calls[0].model is None
    assert any("name no model" in n for n in w.notes)
    with pytest.raises(ConfigurationError, match="record no model"):
        simulate(w, "as recorded")
    assert simulate(w, "all:anthropic:claude-haiku-4-5").totals["calls"] == 1  # a policy naming a model works


def test_notes_name_the_file_actually_read(tmp_path: Path) -> None:
    p = _tau2_file(tmp_path, "someone_elses_run.json.gz", [_openai_sim("1")], "gpt-4.1")
    note = load_tau2(p).notes[0]
    assert note.startswith("file: user file") and "someone_elses_run.json.gz" in note
    assert "claude-sonnet" not in note


def _traj(model: str | None) -> bytes:
    resp: dict[str, Any] = {"created": 1_700_000_000,
                            "usage": {"prompt_tokens": 900, "completion_tokens": 30,
                                      "prompt_tokens_details": {"cached_tokens": 600}}}
    if model is not None:
        resp["model"] = model
    doc = {"info": {"exit_status": "Submitted"}, "messages": [
        {"role": "system", "content": "...", "extra": {"timestamp": 1_700_000_000.0}},
        {"role": "assistant", "content": "...", "extra": {
            "timestamp": 1_700_000_004.0, "cost": 0.0005, "response": resp,
            "actions": [{"command": 'grep -n "a\\|b" src/f.py'}]}},
    ]}
    return json.dumps(doc).encode()


def _mini_tar(tmp_path: Path, model: str | None) -> Path:
    p = tmp_path / "their_runs.tar.gz"
    with tarfile.open(p, "w:gz") as tf:
        data = _traj(model)
        info = tarfile.TarInfo("output/qwen_dev/repo__repo-1/repo__repo-1.traj.json")
        info.size = len(data)
        tf.addfile(info, io.BytesIO(data))
    return p


def test_mini_swe_notes_and_model_come_from_the_archive(tmp_path: Path) -> None:
    w = load_mini_swe(_mini_tar(tmp_path, "openrouter/qwen/qwen3-coder"))
    assert w.frame["model"].tolist() == ["openrouter:qwen/qwen3-coder"]  # not "deepseek:..."
    assert w.frame["kind"].tolist() == ["search"]  # a quoted \| is part of grep's pattern, not a pipe
    assert w.notes[0].startswith("file: user file") and "their_runs.tar.gz" in w.notes[0]
    assert not any("deepseek" in n for n in w.notes) and any("qwen_dev" in n for n in w.notes)


def test_mini_swe_response_without_model_is_none_not_unknown(tmp_path: Path) -> None:
    w = load_mini_swe(_mini_tar(tmp_path, None))
    assert w.frame["model"].isna().all()


@pytest.mark.parametrize(("command", "kind"), [
    ('grep -n "a\\|b" f.py', "search"),                       # quoted pipe
    ("grep -E 'x|y' f.py | head -5", "search"),
    ("cd /testbed && grep -rn foo src | head", "search"),
    ("cd repo; ls -la; cat setup.py", "search"),               # ; chain: search > read
    ("(cd src && python -m pytest -q) 2>&1 | tail -3", "test"),  # subshell
    ("timeout 120 pytest tests/test_a.py -x", "test"),
    ("FOO=1 uv run pytest -k bar", "test"),
    ("python -m pytest tests/test_x.py -q", "test"),
    ("tox -e py311", "test"), ("npm test", "test"), ("npm run test", "test"), ("go test ./...", "test"),
    ("cargo test --lib", "test"), ("make test", "test"), ("python tests/runtests.py admin", "test"),
    ("cat tests/test_models.py", "read"),                      # naming a test file is not running tests
    ("sed -n '1,40p' tests/test_models.py", "read"),
    ("grep -n def tests/test_models.py", "search"),
    ("cp tests/test_models.py /tmp/", "edit"),
    ("python test_repro.py", "run"),                           # a script, whatever its name
    ("awk 'NR >= 3 && NR <= 9' a.py", "read"),                 # >= inside quotes is no redirect
    ("echo 'a; b && c' > notes.txt", "edit"),
    ("ls > /dev/null 2>&1", "search"),
    ("cat a.py # > b.py", "read"),                             # a comment is not a redirect
    ("cat > fix.py << 'EOF'\nx = 'it''s | not; a pipe\nrm -rf /\nEOF", "edit"),   # heredoc body is data
    ("python - <<EOF\nimport os\nprint(os.getcwd())\nEOF", "run"),
    ("cat <<'EOF' > a.py\nprint(1)\nEOF\npython -m pytest -q", "edit"),          # edit > test
    ("git diff && git status", "review"),
    ("", "respond"),
])
def test_kind_of_bash_parses_shell_words(command: str, kind: str) -> None:
    assert kind_of_bash(command) == kind


@pytest.mark.parametrize("tool", ["return_delivered_order_items", "exchange_delivered_order_items", "resume_line",
                                  "refuel_data", "enable_roaming", "suspend_line", "toggle_airplane_mode",
                                  "modify_pending_order_address", "cancel_reservation"])
def test_tau2_tools_that_change_state_are_edits(tool: str) -> None:
    assert kind_of_tool(tool) == "edit"


@pytest.mark.parametrize(("tool", "kind"), [("get_user_details", "search"), ("calculate", "search"),
                                            ("transfer_to_human_agents", "respond"), ("think", "plan")])
def test_tau2_lookups_and_hand_offs_keep_their_kinds(tool: str, kind: str) -> None:
    assert kind_of_tool(tool) == kind


def test_concat_namespaces_task_ids_by_source(tmp_path: Path) -> None:
    airline = load_tau2(_tau2_file(tmp_path, "a.json.gz", [_openai_sim("18"), _openai_sim("3")], "gpt-4.1"))
    retail = load_tau2(_tau2_file(tmp_path, "b.json.gz", [_openai_sim("18")], "gpt-4.1"))
    airline.name, retail.name = "airline", "retail"
    both = Workload.concat([airline, retail])
    assert both.frame["task_id"].nunique() == 3  # 18#0 of airline and of retail stay two tasks
    assert set(both.tasks) == {"airline/18#0", "airline/3#0", "retail/18#0"}
    twice = Workload.concat([retail, retail])
    assert twice.frame["task_id"].nunique() == 2


def _cache_heavy() -> Workload:
    """One agent whose context grows by 2k tokens a call, 95% cached, alternating two tiers."""
    calls = [LLMCall(task_id="t", agent="main", kind="plan" if i % 2 else "read", input_tokens=40_000 + 2_000 * i,
                     output_tokens=200, cached_tokens=38_000 + 2_000 * i, model="anthropic:claude-opus-4-5",
                     start=10.0 * i, duration_s=5.0) for i in range(20)]
    return Workload.from_calls(calls, name="cache-heavy")


def test_one_cache_default_and_it_decides_a_cache_heavy_comparison() -> None:
    for fn in (simulate,):
        assert inspect.signature(fn).parameters["cache"].default == CACHE_DEFAULT == "per-model"
    w = _cache_heavy()
    tiers = {"orchestrator": "anthropic:claude-opus-4-5", "classifier": "anthropic:claude-haiku-4-5"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        top = simulate(w, "all:anthropic:claude-opus-4-5").totals["cost_usd"]
        per_model = simulate(w, tiers).totals["cost_usd"]
        same_model = simulate(w, tiers, cache="same-model").totals["cost_usd"]
    assert per_model < top < same_model  # what simulate's docstring says the choice moves
