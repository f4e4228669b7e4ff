"""A routerlab tier policy as a LiteLLM proxy ``config.yaml``: the gateway your agent already calls.

``litellm_config(tiers)`` maps a ``TierMap`` (and the knobs tuned beside it) onto LiteLLM:

==================================  ==============================================================
routerlab                           LiteLLM config
==================================  ==============================================================
tier ``coder``                      model group ``coder`` (its first model); ask with ``model="coder"``
the tier's fallback models, in      one group each (``coder~2``, ``coder~3``) and
order                               ``router_settings.fallbacks: [{coder: [coder~2, coder~3]}]``
step kind -> tier (``KIND_TIERS``)  group ``auto``: each tier's first model tagged with its kinds;
                                    ``enable_tag_filtering`` sends ``tags: ["edit"]`` to the coder
RetryPolicy.max_attempts            ``router_settings.num_retries`` (= max_attempts - 1)
RetryPolicy.backoff_s               ``router_settings.retry_after`` (LiteLLM waits at least this)
per-tier timeout                    ``litellm_params.timeout`` of the tier's deployments
per-tier budget (USD per period)    ``litellm_params.max_budget`` + ``budget_duration`` of each of
                                    the tier's deployments (LiteLLM's deployment budgets)
catalog prices                      ``model_info.input_cost_per_token`` / ``output_cost_per_token``
                                    (so the proxy's spend, and so its budgets, use routerlab's prices)
model id                            ``model_info.id``: ``<group>/<model id>``, returned by the proxy in
                                    the ``x-litellm-model-id`` header
==================================  ==============================================================

What LiteLLM cannot express: a learned router's per-request score and threshold (the gateway
routes by the name or tags the agent sends, so the agent, or routerlab in front, must pick the
tier); a budget shared across tiers in one reservation (routerlab reserves the worst case before
a call; LiteLLM counts spend after, per deployment, so one call can overshoot); full-jitter
exponential backoff (LiteLLM's wait is its own); capability checks (a fallback lacking vision
is not refused); the per-model prompt-cache assumption of a replay. Keys are never written:
each deployment names its environment variable (``os.environ/ANTHROPIC_API_KEY``).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..client import RetryPolicy
from ..errors import ConfigurationError
from ..kinds import KIND_TIERS
from ..tiers import TierMap
from ..validation import non_negative_number, positive_seconds

__all__ = ["litellm_config", "write_litellm_config", "validate_litellm_config", "litellm_model",
           "gateway_python", "AUTO_GROUP", "KEY_ENV"]

AUTO_GROUP = "auto"
#: The environment variable that holds each provider's key (LiteLLM reads ``os.environ/NAME``).
KEY_ENV = {"anthropic": "ANTHROPIC_API_KEY", "openai": "OPENAI_API_KEY"}
# routerlab provider prefix -> LiteLLM provider prefix ("local" is llama.cpp's OpenAI API)
_PROVIDERS = {"anthropic": "anthropic", "openai": "openai", "ollama": "ollama_chat", "local": "openai"}
# LiteLLM's budget periods (litellm_core_utils.duration_parser): a whole number and one unit
_DURATION = re.compile(r"[1-9]\d*(s|m|h|d|w|mo)")


def litellm_model(model_id: str) -> str:
    """``anthropic:claude-opus-4-5`` -> ``anthropic/claude-opus-4-5`` (LiteLLM's provider/model)."""
    prefix, _, name = model_id.partition(":")
    if not name:
        raise ConfigurationError(f"model id {model_id!r} has no provider prefix (provider:model)")
    return f"{_PROVIDERS.get(prefix, prefix)}/{name}"


def _per_tier(value: float | Mapping[str, float] | None, tier: str) -> float | None:
    if value is None or isinstance(value, (int, float)):
        return value
    return value.get(tier)


def litellm_config(
    tiers: TierMap,
    *,
    retry: RetryPolicy | None = None,
    timeouts_s: float | Mapping[str, float] | None = 60.0,
    budgets_usd: Mapping[str, float] | None = None,
    budget_duration: str = "30d",
    kind_tiers: Mapping[str, str] | None = None,
    deployments: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """The LiteLLM proxy config (a dict ready for YAML) of ``tiers`` (see the module doc).

    ``deployments`` overrides or adds ``litellm_params`` per routerlab model id, e.g.
    ``{"local:smollm2-135m": {"api_base": "http://127.0.0.1:8080/v1"}}``; ``kind_tiers`` is the
    step kind -> tier table behind the ``auto`` group (default: routerlab's ``KIND_TIERS``).
    """
    retry = retry or RetryPolicy()
    kinds = dict(kind_tiers if kind_tiers is not None else KIND_TIERS)
    budgets = _checked_budgets(budgets_usd, budget_duration, tiers)
    _check_timeouts(timeouts_s, tiers)
    extra = _checked_deployments(deployments)
    model_list: list[dict[str, Any]] = []
    fallbacks: list[dict[str, list[str]]] = []
    for spec in tiers:
        groups = [spec.name] + [f"{spec.name}~{i}" for i in range(2, len(spec.models) + 1)]
        for group, model_id in zip(groups, spec.models, strict=True):
            model_list.append(_deployment(group, model_id, tiers, spec.name, timeouts_s, budgets, budget_duration,
                                          extra, tags=None))
        if len(groups) > 1:
            fallbacks.append({spec.name: groups[1:]})
        served = sorted(k for k, t in kinds.items() if t == spec.name)
        if served:
            model_list.append(_deployment(AUTO_GROUP, spec.models[0], tiers, spec.name, timeouts_s, budgets,
                                          budget_duration, extra, tags=[spec.name, *served]))
    router: dict[str, Any] = {
        "routing_strategy": "simple-shuffle",  # one deployment per group: the order is the fallback list
        "num_retries": retry.max_attempts - 1,
        "retry_after": retry.backoff_s,
        "fallbacks": fallbacks,
        "enable_tag_filtering": True,
    }
    timeout = timeouts_s if isinstance(timeouts_s, (int, float)) else None
    if timeout is not None:
        router["timeout"] = float(timeout)
    return {
        "model_list": model_list,
        "router_settings": router,
        "litellm_settings": {"drop_params": True},
        "general_settings": {},
    }


def _checked_budgets(budgets_usd: Mapping[str, float] | None, duration: str, tiers: TierMap) -> dict[str, float]:
    """Each tier's budget as a USD amount >= 0, for a tier the policy has; the period in LiteLLM's form."""
    budgets = dict(budgets_usd or {})
    unknown = sorted(set(budgets) - set(tiers.names()))
    if unknown:
        raise ConfigurationError(f"budgets for tiers {unknown} that the policy does not have: {tiers.names()}")
    checked = {tier: float(non_negative_number(f"the budget of tier {tier!r} (USD)", usd) or 0.0)
               for tier, usd in budgets.items()}
    if budgets and not (isinstance(duration, str) and _DURATION.fullmatch(duration)):
        raise ConfigurationError(f"budget_duration {duration!r} is not a LiteLLM period: a whole number and one of "
                                 "s, m, h, d, w, mo (e.g. '1d', '30d', '1mo')")
    return checked


def _check_timeouts(timeouts_s: float | Mapping[str, float] | None, tiers: TierMap) -> None:
    """A timeout is seconds > 0, for the whole policy or per tier (a tier the policy has)."""
    if timeouts_s is None:
        return
    if not isinstance(timeouts_s, Mapping):
        positive_seconds("timeout", timeouts_s)
        return
    unknown = sorted(set(timeouts_s) - set(tiers.names()))
    if unknown:
        raise ConfigurationError(f"timeouts for tiers {unknown} that the policy does not have: {tiers.names()}")
    for tier, seconds in timeouts_s.items():
        positive_seconds(f"the timeout of tier {tier!r}", seconds)


def _checked_deployments(deployments: Mapping[str, Mapping[str, Any]] | None) -> dict[str, Mapping[str, Any]]:
    """Per-model overrides; an ``api_base`` must be an http(s) URL (LiteLLM would take any string)."""
    extra = dict(deployments or {})
    for model_id, params in extra.items():
        base = params.get("api_base")
        if base is not None and not (isinstance(base, str) and re.match(r"https?://[^/\s]+", base)):
            raise ConfigurationError(f"api_base for {model_id} is {base!r}: give an http:// or https:// URL, "
                                     "e.g. http://127.0.0.1:8080/v1")
    return extra


def _deployment(group: str, model_id: str, tiers: TierMap, tier: str, timeouts_s: Any, budgets: dict[str, float],
                budget_duration: str, extra: dict[str, Mapping[str, Any]], tags: list[str] | None) -> dict[str, Any]:
    info = tiers.catalog.get(model_id)
    params: dict[str, Any] = {"model": litellm_model(info.id)}
    if info.provider in KEY_ENV:
        params["api_key"] = f"os.environ/{KEY_ENV[info.provider]}"
    elif info.provider == "local":
        params["api_key"] = "local"  # llama.cpp takes any key; no secret
    timeout = _per_tier(timeouts_s, tier)
    if timeout is not None:
        params["timeout"] = float(timeout)
    if tier in budgets:
        params["max_budget"] = float(budgets[tier])
        params["budget_duration"] = budget_duration
    if tags:
        params["tags"] = tags
    params.update(extra.get(info.id, {}))
    return {
        "model_name": group,
        "litellm_params": params,
        "model_info": {
            "id": f"{group}/{info.id}",
            "input_cost_per_token": info.input_price / 1e6,
            "output_cost_per_token": info.output_price / 1e6,
            "cache_read_input_token_cost": info.cached_input_price / 1e6,
            "routerlab_tier": tier,
            "routerlab_model": info.id,
        },
    }


def write_litellm_config(tiers: TierMap, path: str | os.PathLike[str], **kwargs: Any) -> Path:
    """Write ``litellm_config(tiers, **kwargs)`` as YAML to ``path`` (replacing it)."""
    import yaml

    out = Path(path)
    if out.is_dir():
        raise ConfigurationError(f"{out} is a directory: give a file name such as {out / 'litellm_config.yaml'}")
    config = litellm_config(tiers, **kwargs)  # checked before anything is written
    out.parent.mkdir(parents=True, exist_ok=True)
    text = "# LiteLLM proxy config written by routerlab (routerlab.gateway.litellm); keys come from the environment\n"
    text += yaml.safe_dump(config, sort_keys=False)
    tmp = out.with_suffix(out.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, out)
    return out


def gateway_python() -> str:
    """A Python that imports ``litellm``: this one if it can, else ``.venv-gateway`` of the working
    directory or a parent (``make setup`` makes it), else a ConfigurationError saying how to get one."""
    import importlib.util

    if importlib.util.find_spec("litellm") is not None:
        return sys.executable
    for folder in (Path.cwd(), *Path.cwd().parents):
        cand = folder / ".venv-gateway" / "bin" / "python"
        if cand.is_file():
            return str(cand)
    raise ConfigurationError("LiteLLM is not installed: `make setup` makes .venv-gateway, or "
                             "pip install 'routerlab[gateway]' (in an environment of its own: it pins older packages)")


_VALIDATE = r"""
import asyncio, json, sys, yaml
from litellm import Router
from litellm.types.router import Deployment, UpdateRouterConfig
cfg = yaml.safe_load(open(sys.argv[1]))
for m in cfg["model_list"]:
    Deployment(**m)
UpdateRouterConfig(**cfg.get("router_settings", {}))
async def build():  # deployment budgets start a sync task: the Router wants a running loop
    return Router(model_list=cfg["model_list"], **cfg.get("router_settings", {}))
router = asyncio.run(build())
print(json.dumps({"groups": sorted(set(router.get_model_names())), "deployments": len(router.get_model_list() or []),
                  "fallbacks": router.fallbacks}))
"""


def validate_litellm_config(path: str | os.PathLike[str], python: str | None = None,
                            timeout_s: float = 120.0) -> dict[str, Any]:
    """Parse ``path`` with the installed LiteLLM's own models (``Deployment``, router settings)
    and build its ``Router`` from it; return the groups, deployment count and fallbacks it read.
    A config LiteLLM rejects raises ConfigurationError with LiteLLM's message."""
    exe = python or gateway_python()
    try:
        done = subprocess.run([exe, "-c", _VALIDATE, str(path)], capture_output=True, text=True, timeout=timeout_s,
                              env={**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True"})
    except subprocess.TimeoutExpired:
        raise ConfigurationError(f"LiteLLM took over {timeout_s:.0f} s to read {path}") from None
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-3:]
        raise ConfigurationError(f"LiteLLM rejects {path}: {' | '.join(tail)}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result
