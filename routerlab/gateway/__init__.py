"""Take a tuned tier policy to production: a LiteLLM proxy config (``litellm``) and Claude Code
sub-agent definitions (``claude_code``). ``routerlab export litellm`` / ``routerlab export
claude-agents`` are the command-line doors."""

from __future__ import annotations

from .claude_code import write_claude_agents
from .litellm import litellm_config, validate_litellm_config, write_litellm_config
from .proxy import LiteLLMProxy

__all__ = ["litellm_config", "write_litellm_config", "validate_litellm_config", "write_claude_agents", "LiteLLMProxy"]
