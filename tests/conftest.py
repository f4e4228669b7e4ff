"""Shared pytest fixtures. Each block below belongs to one area; add yours in its own block."""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))

# ---- providers / client (issue 3): local llama.cpp server, Ollama bridge, fault server ----
from fixtures_local import fault_server, local_server, ollama_bridge  # noqa: E402,F401

# ---- end providers / client ----
