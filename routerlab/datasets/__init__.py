"""Public outcome tables, latencies, prices and trajectories: registry, verified loading, one table type.

Nothing is copied into the project: files are read from a mirror directory (``data_dir``
argument, ``$ROUTERLAB_DATA_DIR``, or ``../shared/data`` beside the checkout) or downloaded into
the user cache, and always checked against their registered sha256. See :mod:`.registry`.
"""

from __future__ import annotations

from .aider import load_aider
from .aliases import alias_table, unmapped
from .latency import load_llmperf, load_llmperf_summaries
from .registry import (
    REGISTRY,
    SOURCES,
    DataFile,
    Source,
    data_dirs,
    fetch,
    files,
    get,
    registry_frame,
    user_data_dir,
    verify,
)
from .routellm import load_routellm, load_routellm_gsm8k, load_routellm_mmlu, load_routellm_mt_bench
from .routerarena import load_routerarena_prices, load_routerarena_sub10
from .routerbench import load_routerbench_zs
from .swebench import load_swebench_bash_only
from .table import OutcomeTable
from .tau2_board import load_tau2_leaderboard

__all__ = [
    "DataFile",
    "OutcomeTable",
    "REGISTRY",
    "SOURCES",
    "Source",
    "alias_table",
    "data_dirs",
    "fetch",
    "files",
    "get",
    "load_aider",
    "load_llmperf",
    "load_llmperf_summaries",
    "load_routellm",
    "load_routellm_gsm8k",
    "load_routellm_mmlu",
    "load_routellm_mt_bench",
    "load_routerarena_prices",
    "load_routerarena_sub10",
    "load_routerbench_zs",
    "load_swebench_bash_only",
    "load_tau2_leaderboard",
    "registry_frame",
    "unmapped",
    "user_data_dir",
    "verify",
]
