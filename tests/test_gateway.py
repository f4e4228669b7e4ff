"""The tier policy exported for production: a LiteLLM proxy config that the real proxy runs
(deployments on the local llama.cpp server, one of them dead so the fallback must serve) and
Claude Code sub-agent files."""

from __future__ import annotations

import concurrent.futures
import os
import socket
import time

import pytest
import yaml

from routerlab.cli import main
from routerlab.client import RetryPolicy
from routerlab.errors import ConfigurationError
from routerlab.gateway import litellm_config, write_claude_agents, write_litellm_config
from routerlab.tiers import DEFAULT_TIERS, TierMap


def test_each_tier_is_a_group_with_its_models_as_ordered_fallbacks():
    tiers = TierMap.default()
    cfg = litellm_config(tiers, retry=RetryPolicy(max_attempts=2, backoff_s=1.5), timeouts_s={"coder": 90.0},
                         budgets_usd={"orchestrator": 20.0})
    groups = {d["model_name"]: d for d in cfg["model_list"]}
    fallbacks = {k: v for f in cfg["router_settings"]["fallbacks"] for k, v in f.items()}
    for spec in tiers:
        chain = [spec.name, *fallbacks[spec.name]]
        assert [groups[g]["model_info"]["routerlab_model"] for g in chain] == list(spec.models)
        info = tiers.catalog.get(spec.models[0])
        assert groups[spec.name]["model_info"]["input_cost_per_token"] == pytest.approx(info.input_price / 1e6)
    assert cfg["router_settings"]["num_retries"] == 1 and cfg["router_settings"]["retry_after"] == 1.5
    assert groups["coder"]["litellm_params"]["timeout"] == 90.0 and "timeout" not in groups["vision"]["litellm_params"]
    assert groups["orchestrator~2"]["litellm_params"]["max_budget"] == 20.0
    assert "max_budget" not in groups["coder"]["litellm_params"]
    # keys are named, never written
    assert all(d["litellm_params"].get("api_key", "os.environ/").startswith("os.environ/") for d in cfg["model_list"])
    # the auto group: step kinds as tags, each on its tier's first model
    auto = [d for d in cfg["model_list"] if d["model_name"] == "auto"]
    edit = [d for d in auto if "edit" in d["litellm_params"]["tags"]]
    assert [d["model_info"]["routerlab_model"] for d in edit] == [tiers["coder"].models[0]]
    with pytest.raises(ConfigurationError, match="budgets for tiers \\['nope'\\]"):
        litellm_config(tiers, budgets_usd={"nope": 1.0})


def test_cli_writes_the_config_and_the_claude_agents(tmp_path, capsys):
    out = tmp_path / "c.yaml"
    assert main(["export", "litellm", "--out", str(out), "--tier", "coder=openai:gpt-4.1,openai:gpt-4.1-mini",
                 "--budget", "coder=5", "--attempts", "1"]) == 0
    cfg = yaml.safe_load(out.read_text())
    coder = [d for d in cfg["model_list"] if d["model_name"] in ("coder", "coder~2")]
    assert [d["litellm_params"]["model"] for d in coder] == ["openai/gpt-4.1", "openai/gpt-4.1-mini"]
    assert all(d["litellm_params"]["max_budget"] == 5.0 for d in coder)
    assert cfg["router_settings"]["num_retries"] == 0
    assert main(["export", "litellm", "--out", str(out), "--budget", "coder"]) == 2
    assert "KEY=VALUE" in capsys.readouterr().err
    agents = tmp_path / "agents"
    assert main(["export", "claude-agents", "--out", str(agents)]) == 0
    coder_md = (agents / "coder.md").read_text()
    front = yaml.safe_load(coder_md.split("---")[1])
    assert front["name"] == "coder" and front["model"] == "sonnet" and "edit" in front["description"]


def test_claude_agents_skip_tiers_without_a_claude_model(tmp_path):
    tiers = TierMap.from_mapping({"coder": ["openai:gpt-4.1"], "classifier": ["anthropic:claude-haiku-4-5"]})
    written = write_claude_agents(tiers, tmp_path)
    assert list(written) == ["classifier"]
    with pytest.raises(ConfigurationError, match="only use Claude models"):
        write_claude_agents(TierMap.from_mapping({"coder": ["openai:gpt-4.1"]}), tmp_path / "none")


def _dead_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.local
def test_the_real_litellm_proxy_serves_each_tier_and_falls_back(local_server, tmp_path):
    import openai

    from routerlab.gateway import LiteLLMProxy, validate_litellm_config
    from routerlab.gateway.litellm import gateway_python

    try:
        python = gateway_python()
    except ConfigurationError as exc:
        pytest.skip(str(exc))
    live = local_server.openai_base_url
    dead = f"http://127.0.0.1:{_dead_port()}/v1"  # the coder tier's first model is down
    stand_ins = {  # aliases of the one local model stand in for the catalog's models
        "anthropic:claude-sonnet-4-5": {"model": "openai/primary", "api_base": dead, "api_key": "local"},
        "openai:gpt-4.1": {"model": "openai/backup", "api_base": live, "api_key": "local"},
        "openai:gpt-4.1-mini": {"model": "openai/backup2", "api_base": live, "api_key": "local"},
        "anthropic:claude-haiku-4-5": {"model": "openai/small", "api_base": live, "api_key": "local"},
        "openai:gpt-4.1-nano": {"model": "openai/small2", "api_base": live, "api_key": "local"},
        "openai:gpt-4o-mini": {"model": "openai/small3", "api_base": live, "api_key": "local"},
    }
    tiers = TierMap([t for t in DEFAULT_TIERS if t.name in ("classifier", "coder")])
    cfg = write_litellm_config(tiers, tmp_path / "config.yaml", deployments=stand_ins, timeouts_s=30,
                               budgets_usd={"coder": 1.0})
    t0 = time.monotonic()
    broken = yaml.safe_load(cfg.read_text())
    del broken["model_list"][0]["litellm_params"]["model"]
    (tmp_path / "broken.yaml").write_text(yaml.safe_dump(broken))
    with concurrent.futures.ThreadPoolExecutor(2) as pool:  # LiteLLM reads the files while the proxy starts
        reading = pool.submit(validate_litellm_config, cfg, python=python)
        rejecting = pool.submit(validate_litellm_config, tmp_path / "broken.yaml", python=python)
        proxy = LiteLLMProxy(cfg, python=python).start()
        read = reading.result()
        with pytest.raises(ConfigurationError, match=r"LiteLLM rejects .*broken.yaml.*model"):
            rejecting.result()
    assert read["groups"] == ["auto", "classifier", "classifier~2", "classifier~3", "coder", "coder~2", "coder~3"]
    assert {"coder": ["coder~2", "coder~3"]} in read["fallbacks"]
    with proxy:
        pid = proxy.pid
        client = openai.OpenAI(base_url=proxy.base_url + "/v1", api_key=proxy.master_key, max_retries=0, timeout=60)
        served = {}
        for model, body in (("classifier", None), ("coder", None), ("auto", {"tags": ["search"]})):
            raw = client.chat.completions.with_raw_response.create(
                model=model, messages=[{"role": "user", "content": "hi"}], max_tokens=4, extra_body=body)
            assert raw.parse().choices[0].message.content is not None
            served[model] = (raw.headers["x-litellm-model-id"], raw.headers["x-litellm-model-group"],
                             raw.headers["x-litellm-attempted-fallbacks"])
    elapsed = time.monotonic() - t0
    assert served["classifier"] == ("classifier/anthropic:claude-haiku-4-5", "classifier", "0")
    assert served["coder"] == ("coder~2/openai:gpt-4.1", "coder~2", "1")  # the dead primary fell back, and says so
    assert served["auto"] == ("auto/anthropic:claude-haiku-4-5", "auto", "0")  # 'search' is the classifier's kind
    assert proxy.process is not None and proxy.process.poll() is not None  # stopped by its pid
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    print(f"LiteLLM proxy test: {elapsed:.1f} s (validate + start + 3 requests + stop)")
