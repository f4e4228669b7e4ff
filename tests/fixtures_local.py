"""Session fixtures for the real local llama.cpp server, the Ollama bridge and the fault server.

Imported by conftest.py; one llama.cpp server serves the whole test session.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from faultserver import FaultServer


@pytest.fixture(scope="session")
def local_server() -> Iterator[object]:
    """The real llama.cpp server (xllamacpp) with SmolLM2-135M, started once per session.

    It is the process-wide ``shared_server()``, so a ``Client()`` with no provider settings
    (``local:`` models) uses this same server instead of starting a second one.
    """
    pytest.importorskip("xllamacpp")
    from routerlab.providers.local import shared_server

    server = shared_server()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def ollama_bridge(local_server: object) -> Iterator[object]:
    from routerlab.providers.ollama_bridge import OllamaBridge

    with OllamaBridge(local_server.openai_base_url) as bridge:  # type: ignore[attr-defined]
        yield bridge


@pytest.fixture()
def fault_server() -> Iterator[FaultServer]:
    """A fresh loopback fault server (no faults unless the model name or fault_rate asks)."""
    with FaultServer(hang_s=0.6, retry_after_s=0.05) as fs:
        yield fs
