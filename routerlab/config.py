"""Where routerlab reads and writes: every directory and every environment variable, in one place.

Each location is one function that reads its environment variable at call time (so a test or a
notebook can set it late), the way ``llm.user_dir()`` does in simonw/llm: the variable wins,
otherwise a default that works both from a checkout and from a plain ``pip install``.

Environment variables the package reads (``ENVIRONMENT`` holds the same list):

``ROUTERLAB_DATA_DIR``
    The mirror of third-party data (outcome tables, prices, latencies, trajectories). When unset,
    a ``shared/data`` folder beside the checkout or the working directory, then the user cache.
``ROUTERLAB_CACHE_DIR``
    Root of what routerlab writes for itself (default ``~/.cache/routerlab``): downloaded data
    (``data/``) and the embedding caches (``embeddings/``).
``ROUTERLAB_MODELS_CSV``
    A model table (``models.csv``) to use instead of the one shipped in the package.
``ROUTERLAB_EVALSET``
    An eval-set CSV to use instead of the ``agent_requests.csv`` shipped in the package.
``ROUTERLAB_EMBED_THREADS``
    onnxruntime threads for the MiniLM embedder (default: up to 2).
``ROUTERLAB_QUIET``
    Set (to anything but ``0``) to silence the one-line licence note a dataset prints when it is
    first read (``routerlab.datasets``).
``ANTHROPIC_API_KEY``, ``OPENAI_API_KEY``
    Provider keys, read by ``routerlab.providers`` when no ``api_key=`` is passed (kept as a
    ``Secret``, never logged).
``OLLAMA_API_KEY``
    A bearer key for Ollama's cloud (or a proxy in front of Ollama) when no ``api_key=`` is
    passed; held as a ``Secret`` like the other keys.
``OLLAMA_HOST``
    The Ollama server when no ``host=`` is passed (default ``http://127.0.0.1:11434``).

Files the package needs at run time (the model table, the eval set and its calibration runs) ship inside it, under
``routerlab/_data/``, and are found with :mod:`importlib.resources` (:func:`package_file`).
"""

from __future__ import annotations

import atexit
import contextlib
import os
from importlib import resources
from pathlib import Path

from .errors import InvalidRequestError

__all__ = [
    "ENVIRONMENT",
    "cache_dir",
    "data_cache_dir",
    "data_dir_override",
    "embed_threads",
    "embeddings_cache_dir",
    "env",
    "evalset_override",
    "mirror_beside",
    "models_table_override",
    "package_file",
    "package_files",
]

ENVIRONMENT: dict[str, str] = {
    "ROUTERLAB_DATA_DIR": "mirror of third-party data files",
    "ROUTERLAB_CACHE_DIR": "root of routerlab's own caches (default ~/.cache/routerlab)",
    "ROUTERLAB_MODELS_CSV": "model table to use instead of the packaged models.csv",
    "ROUTERLAB_EVALSET": "eval-set CSV to use instead of the packaged agent_requests.csv",
    "ROUTERLAB_EMBED_THREADS": "onnxruntime threads for the MiniLM embedder",
    "ROUTERLAB_QUIET": "silence the licence note printed when a dataset is first read",
    "ANTHROPIC_API_KEY": "Anthropic key when no api_key= is passed",
    "OPENAI_API_KEY": "OpenAI key when no api_key= is passed",
    "OLLAMA_HOST": "Ollama server when no host= is passed",
    "OLLAMA_API_KEY": "bearer key for Ollama's cloud or a proxy, when no api_key= is passed",
}

_extracted = contextlib.ExitStack()
atexit.register(_extracted.close)


def env(name: str) -> str | None:
    """The value of one of the variables in ``ENVIRONMENT`` (None when unset or empty)."""
    if name not in ENVIRONMENT:
        raise KeyError(f"{name} is not a routerlab environment variable; add it to routerlab.config.ENVIRONMENT")
    return os.environ.get(name) or None


def _path_env(name: str) -> Path | None:
    value = env(name)
    return Path(value).expanduser() if value else None


def package_file(*parts: str) -> Path:
    """A file shipped in ``routerlab/_data/`` as a real path (extracted once if the package is zipped)."""
    resource = resources.files("routerlab").joinpath("_data", *parts)
    if isinstance(resource, Path):
        return resource
    return _extracted.enter_context(resources.as_file(resource))


def package_files(folder: str, prefix: str = "", suffix: str = "") -> list[Path]:
    """Every file shipped in ``routerlab/_data/<folder>/`` whose name has ``prefix`` and ``suffix``, sorted."""
    names = sorted(f.name for f in resources.files("routerlab").joinpath("_data", folder).iterdir()
                   if f.name.startswith(prefix) and f.name.endswith(suffix))
    return [package_file(folder, name) for name in names]


def cache_dir() -> Path:
    """Root of routerlab's caches: ``$ROUTERLAB_CACHE_DIR`` or ``~/.cache/routerlab``."""
    return _path_env("ROUTERLAB_CACHE_DIR") or Path.home() / ".cache" / "routerlab"


def data_cache_dir() -> Path:
    """Where downloaded data files are kept: ``cache_dir()/data``."""
    return cache_dir() / "data"


def embeddings_cache_dir() -> Path:
    """Where embedding caches are kept: ``cache_dir()/embeddings``."""
    return cache_dir() / "embeddings"


def data_dir_override() -> Path | None:
    """``$ROUTERLAB_DATA_DIR`` when set: the one data mirror to read, nothing else."""
    return _path_env("ROUTERLAB_DATA_DIR")


def mirror_beside(*starts: Path) -> Path | None:
    """A ``shared/data`` mirror (one with ``outcomes/``) in ``starts`` or their parents, if any."""
    for start in starts:
        for anc in (start, *start.parents):
            cand = anc / "shared" / "data"
            if (cand / "outcomes").is_dir():
                return cand
    return None


def models_table_override() -> Path | None:
    """``$ROUTERLAB_MODELS_CSV`` when set."""
    return _path_env("ROUTERLAB_MODELS_CSV")


def evalset_override() -> Path | None:
    """``$ROUTERLAB_EVALSET`` when set."""
    return _path_env("ROUTERLAB_EVALSET")


def embed_threads() -> int | None:
    """``$ROUTERLAB_EMBED_THREADS`` as an integer, None when unset (or 0: the caller's default)."""
    value = env("ROUTERLAB_EMBED_THREADS")
    if not value:
        return None
    try:
        threads = int(value)
    except ValueError:
        raise InvalidRequestError(f"ROUTERLAB_EMBED_THREADS must be an integer, got {value!r}") from None
    if threads < 0:
        raise InvalidRequestError(f"ROUTERLAB_EMBED_THREADS must be a thread count >= 0 (0: the default), got {threads}")
    return threads or None
