"""``routerlab export litellm`` / ``routerlab export claude-agents``: the policy out of the lab."""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["add_export_parser"]


def _pairs(items: list[str], what: str) -> dict[str, str]:
    from ..errors import ConfigurationError

    out = {}
    for kv in items:
        key, sep, value = kv.partition("=")
        if not sep or not key or not value:
            raise ConfigurationError(f"{what} {kv!r}: write it as KEY=VALUE")
        out[key] = value
    return out


def _tiers(args: argparse.Namespace) -> Any:
    """The default tiers with each ``--tier TIER=MODEL[,FALLBACK...]`` applied."""
    from ..tiers import TierMap

    mapping: dict[str, Any] = {s.name: s.models for s in TierMap.default()}
    for tier, models in _pairs(args.tier, "--tier").items():
        if tier not in mapping:  # a typo would add a tier of its own and leave the meant one as it was
            from ..errors import TierError

            raise TierError(f"--tier {tier}=...: no tier named {tier!r}; the tiers are {', '.join(mapping)}")
        mapping[tier] = [m for m in models.split(",") if m]
    return TierMap.from_mapping(mapping)


def _cmd_litellm(args: argparse.Namespace) -> int:
    from ..client import RetryPolicy
    from ..errors import ConfigurationError
    from .litellm import validate_litellm_config, write_litellm_config

    try:
        budgets = {t: float(v) for t, v in _pairs(args.budget, "--budget").items()}
    except ValueError as exc:
        raise ConfigurationError(f"--budget takes TIER=USD ({exc})") from None
    deployments = {m: {"api_base": url} for m, url in _pairs(args.api_base, "--api-base").items()}
    path = write_litellm_config(_tiers(args), args.out, retry=RetryPolicy(max_attempts=args.attempts),
                                timeouts_s=args.timeout, budgets_usd=budgets, budget_duration=args.budget_duration,
                                deployments=deployments)
    print(f"wrote {path}")
    if args.validate:
        got = validate_litellm_config(path)
        print(f"LiteLLM read it: {got['deployments']} deployments in groups {', '.join(got['groups'])}")
    print(f"run it: LITELLM_MASTER_KEY=sk-<random> litellm --config {path}  (ask for model='coder', or model='auto' with tags=['edit'])")
    return 0


def _cmd_claude(args: argparse.Namespace) -> int:
    from .claude_code import write_claude_agents

    for tier, path in write_claude_agents(_tiers(args), args.out).items():
        print(f"{tier}: {path}")
    return 0


def add_export_parser(sub: Any) -> None:
    """Add ``export`` (with ``litellm`` and ``claude-agents``) to the ``routerlab`` subcommands."""
    export = sub.add_parser("export", help="write the tier policy for a gateway (LiteLLM) or an agent framework")
    kinds = export.add_subparsers(dest="target", required=True)
    lite = kinds.add_parser("litellm", help="a LiteLLM proxy config.yaml: one model group per tier, ordered fallbacks")
    lite.add_argument("--out", default="litellm_config.yaml", metavar="PATH",
                      help="where to write the config (default: litellm_config.yaml)")
    lite.add_argument("--tier", action="append", default=[], metavar="TIER=MODEL[,FALLBACK...]",
                      help="serve a tier with these models, in fallback order (repeat per tier)")
    lite.add_argument("--budget", action="append", default=[], metavar="TIER=USD",
                      help="the tier's spend limit per --budget-duration (LiteLLM deployment budgets)")
    lite.add_argument("--budget-duration", default="30d", metavar="PERIOD",
                      help="how often the budgets reset: a number and s, m, h, d, w or mo (default: 30d)")
    lite.add_argument("--timeout", type=float, default=60.0, metavar="SECONDS",
                      help="seconds a request may take (default: 60)")
    lite.add_argument("--attempts", type=int, default=3, metavar="N",
                      help="attempts per model before falling back to the next (default: 3)")
    lite.add_argument("--api-base", action="append", default=[], metavar="MODEL=URL",
                      help="send a model's requests to this URL (a local server, a private endpoint)")
    lite.add_argument("--validate", action="store_true", help="read the file back with the installed LiteLLM")
    lite.set_defaults(func=_cmd_litellm)
    claude = kinds.add_parser("claude-agents", help="Claude Code sub-agent files (.claude/agents/<tier>.md)")
    claude.add_argument("--out", default=".claude/agents", metavar="FOLDER",
                        help="the folder for one <tier>.md per tier (default: .claude/agents)")
    claude.add_argument("--tier", action="append", default=[], metavar="TIER=MODEL[,FALLBACK...]",
                        help="serve a tier with these models; Claude Code uses the first Anthropic one (repeat per tier)")
    claude.set_defaults(func=_cmd_claude)
