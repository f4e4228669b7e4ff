"""Where each public data file comes from, and how to get a verified local copy of it.

Every file has a registry entry: its public origin (repository, commit, path), sha256, size and
licence. :func:`fetch` resolves a file in this order (the directories come from
:mod:`routerlab.config`), verifies its sha256 and prints its licence
and origin the first time it is loaded in a process:

1. an explicit ``data_dir`` argument;
2. ``$ROUTERLAB_DATA_DIR``;
3. ``../shared/data`` beside the checkout (found by walking up from this package and the cwd);
4. the user cache (``$ROUTERLAB_CACHE_DIR/data`` or ``~/.cache/routerlab/data``), downloading
   the file there from its raw public origin when it is missing and the file is published
   verbatim (reshaped files can only come from a mirror directory).

An explicit directory (1 or 2) that lacks the file is an error, never a silent fall-through.

Keys are paths relative to the data directory, e.g. ``"outcomes/routerbench_zs/mbpp_test.csv"``.
Groups bundle the files of one source: ``files("trajectories")``.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import config
from ..config import data_cache_dir, data_dir_override, mirror_beside
from ..errors import ChecksumError, DatasetError
from ._checksums import FILES

__all__ = [
    "DataFile",
    "Source",
    "SOURCES",
    "REGISTRY",
    "Transport",
    "files",
    "get",
    "fetch",
    "data_dirs",
    "user_data_dir",
    "verify",
    "registry_frame",
]

log = logging.getLogger("routerlab.datasets")

#: Downloads go through a transport: url -> bytes. The default uses urllib; tests pass a fake.
Transport = Callable[[str], bytes]


@dataclass(frozen=True)
class Source:
    """One public origin: a repository at a pinned ref, and the licence its files carry."""

    name: str
    repo: str
    ref: str
    licence: str
    description: str
    host: str = "github"


@dataclass(frozen=True)
class DataFile:
    """One registered file. ``origin_path`` is None when the file was reshaped (mirror only)."""

    key: str
    group: str
    source: Source
    origin_path: str | None
    sha256: str
    size: int

    @property
    def url(self) -> str | None:
        if self.origin_path is None:
            return None
        return f"https://raw.githubusercontent.com/{self.source.repo}/{self.source.ref}/{self.origin_path}"

    @property
    def licence(self) -> str:
        return self.source.licence

    def describe(self) -> str:
        where = f"{self.source.repo} @ {self.source.ref} : {self.origin_path or '(reshaped from) ' + self.key}"
        return f"{self.key}: {self.source.description}; origin {where}; licence: {self.source.licence}"


_ROUTERDC = Source("routerbench_zs", "shuhao02/RouterDC", "0e63989c",
                   "unclear (no licence file; RouterBench code is MIT): internal evaluation only",
                   "RouterBench 0-shot subset (rows from withmartian/RouterBench), RouterDC split")
_ROUTELLM = Source("routellm", "lm-sys/RouteLLM", "0b64fdaf", "Apache-2.0",
                   "RouteLLM evaluation outcomes (GPT-4-1106 vs Mixtral-8x7B)")
_ARENA = Source("routerarena_sub10", "RouteWorks/RouterArena", "4714a9ad", "Apache-2.0",
                "RouterArena sub10 cached results and model prices")
_LLMPERF = Source("llmperf", "ray-project/llmperf-leaderboard", "27aa9b6a", "Apache-2.0",
                  "llmperf leaderboard request latencies, Dec 2023")
_LITELLM = Source("litellm_prices", "BerriAI/litellm", "v1.53.1", "MIT",
                  "LiteLLM model prices and context windows (1.53.1)")
_SPOTTER = Source("claude_code", "marot/spotter", "8cc42b0b", "MIT", "Claude Code session transcripts")
_OPENHANDS = Source("openhands", "OpenHands/OpenHands", "d6fab190", "MIT", "OpenHands multi-swe-bench example runs")
_MINISWE = Source("mini_swe_agent", "SWE-agent/mini-swe-agent", "e5e0fbca",
                  "repository MIT; the pull request states none: internal evaluation only",
                  "mini-swe-agent PR 816 deepseek dev runs")
_TAU2 = Source("tau2_bench", "sierra-research/tau2-bench", "1decfa1a", "MIT",
               "tau2-bench airline submission, claude-sonnet-4-5")
# Measured quality of current models (quality/ in the mirror; full commits as MANIFEST.md pins them).
_AIDER = Source("aider", "Aider-AI/aider", "5dc9490bb35f9729ef2c95d00a19ccd30c26339c", "Apache-2.0",
                "Aider code-editing, polyglot and architect/editor benchmark results")
_TAU2_BOARD = Source("tau2_leaderboard", "sierra-research/tau2-bench", "a2c024725189473d2d7cea3a5cfdbcc67478e41f",
                     "MIT", "tau2-bench leaderboard submissions (pass^k, cost per task)")
_SWEBENCH = Source("swe_bench_leaderboards", "SWE-bench/swe-bench.github.io",
                   "f1176b65ae29d14f4f52208b48e3d8cfc972bc17", "CC BY-NC 4.0: internal evaluation only",
                   "SWE-bench leaderboards, bash-only board with per-instance outcomes")
_MIRROR_SUMS = Source("quality_checksums", "(the data mirror itself)", "-", "-",
                      "sha256 list of the quality/ files, written with the mirror")

SOURCES: dict[str, Source] = {s.name: s for s in
                              (_ROUTERDC, _ROUTELLM, _ARENA, _LLMPERF, _LITELLM, _SPOTTER, _OPENHANDS, _MINISWE, _TAU2,
                               _AIDER, _TAU2_BOARD, _SWEBENCH, _MIRROR_SUMS)}


def _classify(key: str) -> tuple[str, Source, str | None]:
    """(group, source, origin path or None if reshaped) for a mirror-relative key."""
    name = key.rsplit("/", 1)[-1]
    if key.startswith("outcomes/routerbench_zs/"):
        return "routerbench_zs", _ROUTERDC, f"datasets/routerbench_zs/{name}"
    if key.startswith("outcomes/routellm/gsm8k/"):
        return "routellm_gsm8k", _ROUTELLM, f"routellm/evals/gsm8k/{name}"
    if key.startswith("outcomes/routellm/mt_bench/"):
        return "routellm_mt_bench", _ROUTELLM, f"routellm/evals/mt_bench/{name}"
    if key.startswith("outcomes/routellm/mmlu_responses/"):
        if name == "_contaminated_prompts.jsonl":
            return "routellm_mmlu", _ROUTELLM, "routellm/evals/mmlu/contaminated_prompts.jsonl"
        return "routellm_mmlu", _ROUTELLM, f"routellm/evals/mmlu/responses/{name}"
    if key.startswith("outcomes/routerarena_sub10/"):
        origin = "model_cost/cost.json" if name == "routerarena_model_cost.json" else None
        return "routerarena_sub10", _ARENA, origin
    if key.startswith("latency/"):
        return "llmperf", _LLMPERF, None  # flattened / renamed from raw_data/: mirror only
    if key.startswith("prices/"):
        return "litellm_prices", _LITELLM, "litellm/model_prices_and_context_window_backup.json"
    if key.startswith("trajectories/"):
        for src in (_SPOTTER, _OPENHANDS, _MINISWE, _TAU2):
            if name.startswith(src.name.replace("_", "-")):
                return "trajectories", src, None  # packed from several origin files: mirror only
    if key.startswith("quality/aider/"):
        return "quality_aider", _AIDER, f"aider/website/_data/{name}"
    if key.startswith("quality/tau2-bench-leaderboard/submissions/"):
        rest = key.removeprefix("quality/tau2-bench-leaderboard/submissions/")
        return "quality_tau2", _TAU2_BOARD, f"web/leaderboard/public/submissions/{rest}"
    if key == "quality/swe-bench-leaderboards/leaderboards.json":
        return "quality_swe_bench", _SWEBENCH, "data/leaderboards.json"
    if key == "quality/SHA256SUMS":
        return "quality_checksums", _MIRROR_SUMS, None  # written with the mirror: no public origin
    raise DatasetError(f"no registry source for {key!r}")


REGISTRY: dict[str, DataFile] = {}
for _key, (_sha, _size) in FILES.items():
    _g, _src, _origin = _classify(_key)
    REGISTRY[_key] = DataFile(_key, _g, _src, _origin, _sha, _size)


def files(group: str | None = None) -> list[DataFile]:
    """Registered files, optionally of one group (see ``{f.group for f in files()}``)."""
    out = [f for f in REGISTRY.values() if group is None or f.group == group]
    if group is not None and not out:
        groups = sorted({f.group for f in REGISTRY.values()})
        raise DatasetError(f"unknown dataset group {group!r}; known: {', '.join(groups)}")
    return sorted(out, key=lambda f: f.key)


def registry_frame(group: str | None = None) -> Any:
    """The registry as a pandas DataFrame (one row per file), e.g. to show in a notebook."""
    import pandas as pd

    return pd.DataFrame([{"key": f.key, "group": f.group, "repo": f.source.repo, "ref": f.source.ref,
                          "origin_path": f.origin_path, "downloadable": f.url is not None, "sha256": f.sha256,
                          "size": f.size, "licence": f.licence} for f in files(group)])


def get(key: str) -> DataFile:
    try:
        return REGISTRY[key]
    except KeyError:
        raise DatasetError(f"{key!r} is not a registered data file; see routerlab.datasets.files()") from None


# The user cache for downloaded files (``routerlab.config`` resolves every directory).
user_data_dir = data_cache_dir


def _beside_checkout() -> Path | None:
    return mirror_beside(Path(__file__).resolve().parent, Path.cwd().resolve())


def data_dirs(data_dir: str | os.PathLike[str] | None = None) -> tuple[list[Path], bool]:
    """The directories to look in, in order, and whether the first one was given explicitly."""
    if data_dir is not None:
        return [Path(data_dir).expanduser()], True
    override = data_dir_override()
    if override is not None:
        return [override], True
    dirs = [d for d in (_beside_checkout(),) if d is not None]
    return [*dirs, user_data_dir()], False


_verified: dict[tuple[str, int, int, int, int, int], bool] = {}
_announced: set[str] = set()
_lock = threading.Lock()


def verify(path: Path, entry: DataFile) -> None:
    """Raise ChecksumError (naming the file) unless ``path`` has the registered size and sha256."""
    st = path.stat()
    # ctime cannot be set back by a user (utime changes it), so an edit that restores the size
    # and mtime still misses the memo; inode catches a file replaced by a rename.
    memo = (str(path), st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)
    if _verified.get(memo):
        return
    if st.st_size != entry.size:
        raise ChecksumError(f"{path}: {st.st_size} bytes, expected {entry.size} (truncated or replaced?); "
                            f"delete it or point ROUTERLAB_DATA_DIR at a good mirror")
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    if h.hexdigest() != entry.sha256:
        raise ChecksumError(f"{path}: sha256 {h.hexdigest()[:16]}... does not match the registry "
                            f"({entry.sha256[:16]}...); the file is corrupt or a different version")
    _verified[memo] = True


def _announce(entry: DataFile, path: Path, quiet: bool) -> None:
    """Note a source's origin and licence once per process: a grey line in a notebook (not a red
    stderr box), one stderr line in a terminal. Never a machine path (that goes to the debug log).
    Silence it with ``quiet=True``, ``ROUTERLAB_QUIET=1`` or
    ``logging.getLogger("routerlab.datasets").setLevel(logging.WARNING)``."""
    with _lock:
        first = entry.source.name not in _announced
        _announced.add(entry.source.name)
    msg = (f"data: {entry.source.description} ({entry.source.repo} @ {entry.source.ref}), "
           f"licence {entry.source.licence}")
    log.info(msg)
    log.debug("%s read from %s", entry.key, path)
    silenced = quiet or (config.env("ROUTERLAB_QUIET") or "0") != "0" or log.level > logging.INFO
    if first and not silenced:
        _show_note(f"routerlab {msg}")


def _show_note(text: str) -> None:
    kernel = sys.modules.get("ipykernel")
    shell = getattr(sys.modules.get("IPython"), "get_ipython", lambda: None)() if kernel else None
    if shell is not None and getattr(shell, "kernel", None) is not None:
        import html

        from IPython.display import HTML, display

        display(HTML(f"<div style='color:#777;font-size:0.85em'>{html.escape(text)}</div>"))
    else:
        print(text, file=sys.stderr)


def _urllib_transport(url: str) -> bytes:
    import urllib.request

    with urllib.request.urlopen(url, timeout=60) as resp:  # noqa: S310 (fixed https origin)
        data: bytes = resp.read()
        return data


def _download(entry: DataFile, dest: Path, transport: Transport) -> None:
    if entry.url is None:
        raise DatasetError(
            f"{entry.key} is reshaped from {entry.source.repo} and cannot be downloaded as is; "
            f"set ROUTERLAB_DATA_DIR to a mirror that holds it (see ../shared/data/MANIFEST.md)")
    try:
        data = transport(entry.url)
    except Exception as e:  # any network failure -> one clear error
        raise DatasetError(f"could not download {entry.key} from {entry.url}: {e}; "
                           f"without internet set ROUTERLAB_DATA_DIR to a local mirror") from e
    got = hashlib.sha256(data).hexdigest()
    if got != entry.sha256:
        raise ChecksumError(f"download of {entry.key} from {entry.url} has sha256 {got[:16]}..., "
                            f"expected {entry.sha256[:16]}...; not saved")
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=".part-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, dest)  # atomic: readers never see half a file
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def fetch(key: str, data_dir: str | os.PathLike[str] | None = None, *, download: bool = True,
          transport: Transport | None = None, quiet: bool = False) -> Path:
    """A verified local path for a registered file (see module doc for the lookup order)."""
    entry = get(key)
    dirs, explicit = data_dirs(data_dir)
    if explicit:
        path = dirs[0] / key
        if not path.is_file():
            raise DatasetError(f"{path} not found: the data directory {dirs[0]} (from the data_dir argument "
                               f"or ROUTERLAB_DATA_DIR) does not hold {key}")
        verify(path, entry)
        _announce(entry, path, quiet)
        return path
    for d in dirs:
        path = d / key
        if path.is_file():
            verify(path, entry)
            _announce(entry, path, quiet)
            return path
    cache_path = user_data_dir() / key
    if not download:
        raise DatasetError(f"{key} not found: looked in {', '.join(map(str, dirs))} (ROUTERLAB_DATA_DIR is not set"
                           f"{'' if len(dirs) > 1 else ' and no shared/data mirror is beside the checkout or the working directory'}); "
                           "set ROUTERLAB_DATA_DIR to the data mirror, the folder holding trajectories/, outcomes/ and quality/")
    _download(entry, cache_path, transport or _urllib_transport)
    verify(cache_path, entry)
    _announce(entry, cache_path, quiet)
    return cache_path
