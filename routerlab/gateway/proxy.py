"""Run the LiteLLM proxy as a separate process on 127.0.0.1 (a gateway is one anyway, and
LiteLLM's pins live in their own venv): started with a config, waited for, stopped by its pid."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import IO, Any

from ..errors import ConfigurationError
from .litellm import gateway_python

__all__ = ["LiteLLMProxy"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiteLLMProxy:
    """``with LiteLLMProxy("config.yaml") as proxy:`` then
    ``openai.OpenAI(base_url=proxy.base_url + "/v1", api_key=proxy.master_key)``.

    The proxy reads LiteLLM's cost map from its package (no download), keeps no database, and
    writes its log to ``log_path`` (a temporary file when not given)."""

    def __init__(self, config: str | os.PathLike[str], *, port: int | None = None, python: str | None = None,
                 startup_timeout_s: float = 180.0, log_path: str | os.PathLike[str] | None = None,
                 env: dict[str, str] | None = None) -> None:
        self.config = Path(config)
        self.port = port or _free_port()
        self.python = python or gateway_python()
        self.startup_timeout_s = startup_timeout_s
        self.log_path = Path(log_path) if log_path else self.config.with_suffix(".proxy.log")
        self.env = env or {}
        # LiteLLM refuses to start unauthenticated: a fresh strong key per run, held here, in no file
        self.master_key = "sk-" + secrets.token_hex(32)
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def start(self) -> LiteLLMProxy:
        import httpx

        if self.process is not None and self.process.poll() is None:
            return self
        if not self.config.is_file():
            raise ConfigurationError(f"LiteLLM config {self.config} does not exist")
        cli = Path(self.python).with_name("litellm")
        cmd = [str(cli)] if cli.is_file() else [self.python, "-m", "litellm.proxy.proxy_cli"]
        env = {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True", "LITELLM_LOG": "ERROR",
               "DISABLE_SCHEMA_UPDATE": "True", "LITELLM_MASTER_KEY": self.master_key, **self.env}
        env.pop("DATABASE_URL", None)
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen([*cmd, "--config", str(self.config), "--host", "127.0.0.1",
                                         "--port", str(self.port), "--num_workers", "1"],
                                        stdout=self._log, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + self.startup_timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.stop()
                raise ConfigurationError(f"LiteLLM proxy exited with {self.process.returncode}: "
                                         f"{self._tail()} (log: {self.log_path})")
            try:
                if httpx.get(self.base_url + "/health/liveliness", timeout=2.0).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        self.stop()
        raise ConfigurationError(f"LiteLLM proxy not up after {self.startup_timeout_s:.0f} s (log: {self.log_path})")

    def _tail(self) -> str:
        try:
            return " | ".join(self.log_path.read_text(errors="replace").strip().splitlines()[-3:])
        except OSError:
            return ""

    def stop(self) -> None:
        """SIGTERM to the proxy's pid, SIGKILL after 10 s."""
        p = self.process
        if p is not None and p.poll() is None:
            os.kill(p.pid, signal.SIGTERM)
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(p.pid, signal.SIGKILL)
                p.wait(timeout=10)
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> LiteLLMProxy:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()
