"""A tier policy as Claude Code sub-agent definitions (``.claude/agents/<name>.md``).

Claude Code (and the Claude Agent SDK) let each sub-agent name its model in the file's YAML
frontmatter: ``model: opus | sonnet | haiku | inherit`` or a full Anthropic model id. One file
per tier: the tier's first Anthropic model, the step kinds it serves in the description (which
is what Claude Code reads to decide when to delegate).

Limits of what this can express: one model per agent and no fallback chain (Claude Code
retries its own way); Anthropic models only (a tier whose models are all from another provider
is skipped, and ``write_claude_agents`` says so); no budget, timeout or retry setting; the
choice of sub-agent is the main agent's, from the description, not a router's score.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

from ..errors import ConfigurationError
from ..kinds import KIND_TIERS
from ..tiers import TierMap

__all__ = ["write_claude_agents", "claude_agent_markdown"]

_ALIASES = ("opus", "sonnet", "haiku")


def _model_field(model_name: str) -> str:
    """The short alias when the id is the current one of its family, else the full id."""
    for alias in _ALIASES:
        if model_name.startswith(f"claude-{alias}-4-5"):
            return alias
    return model_name


def claude_agent_markdown(tiers: TierMap, tier: str, kind_tiers: Mapping[str, str] | None = None) -> str | None:
    """The agent file of ``tier`` (None when the tier has no Anthropic model)."""
    spec = tiers[tier]
    model = next((m for m in spec.models if m.startswith("anthropic:")), None)
    if model is None:
        return None
    kinds = sorted(k for k, t in (kind_tiers or KIND_TIERS).items() if t == tier)
    desc = (f"routerlab tier {tier}: {spec.description or tier}. Use for these steps: {', '.join(kinds)}."
            if kinds else f"routerlab tier {tier}: {spec.description or tier}.")
    return (f"---\nname: {tier}\ndescription: {json.dumps(desc)}\nmodel: {_model_field(model.split(':', 1)[1])}\n---\n\n"
            f"You are the {tier} of this agent. Do only the steps your description names and report back briefly.\n"
            f"(routerlab policy: {' > '.join(spec.models)}; Claude Code uses the first Anthropic model, no fallback.)\n")


def write_claude_agents(tiers: TierMap, folder: str | os.PathLike[str] = ".claude/agents",
                        kind_tiers: Mapping[str, str] | None = None) -> dict[str, Path]:
    """Write one ``<tier>.md`` per tier that has an Anthropic model; return tier -> file."""
    out = Path(folder)
    blocker = next((p for p in (out, *out.parents) if p.exists()), None)
    if blocker is not None and not blocker.is_dir():
        raise ConfigurationError(f"{folder} must be a folder for the agent files, but {blocker} is a file: "
                                 "give a folder such as .claude/agents")
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for tier in tiers.names():
        text = claude_agent_markdown(tiers, tier, kind_tiers)
        if text is not None:
            written[tier] = out / f"{tier}.md"
            written[tier].write_text(text, encoding="utf-8")
    if not written:
        raise ConfigurationError("no tier has an Anthropic model: Claude Code sub-agents can only use Claude models")
    return written
