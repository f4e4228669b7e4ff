"""tau2-bench leaderboard submissions: pass^1..pass^4 per model and domain, with the setup that
makes two scores comparable (or not).

One row per (submission, domain) that has a result. pass^k is the share of tasks solved in all
of k independent trials (pass^1: mean success; pass^4: right four times in a row), as a
fraction. Scores compare only within one ``tau2_bench_version``, one ``user_simulator`` and one
``submission_type`` (``custom`` = changed scaffold, routers, retries, prompts: not a plain model
score; legacy entries lack the field: ``"unspecified"``) and one ``modality``: :func:`comparable`
is that grouping key and every consumer here compares only within one group. ``cost`` is the
mean USD per trajectory where reported (0 means not reported: NaN). ``n`` is the domain's task
count (pass^k averages 4 trials per task; treating the task as the unit keeps intervals honest
about correlated trials). ``date`` is ``submission_date`` (folder names are not dates).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import DatasetError
from ._read import DataDir, read_json, source_label
from .aliases import catalog_ids
from .registry import files

__all__ = ["load_tau2_leaderboard", "TAU2_TASKS", "COMPARABLE"]

_PREFIX = "quality/tau2-bench-leaderboard/submissions/"
#: Tasks per domain in the leaderboard's test sets (tau2-bench 1.0.x; retail 114 also in 0.1.3).
TAU2_TASKS = {"airline": 50, "retail": 114, "telecom": 114, "banking_knowledge": 97}
#: What must be equal for two pass^k figures to be compared.
COMPARABLE = ["domain", "tau2_bench_version", "user_simulator", "submission_type", "modality"]
COLUMNS = ["benchmark", "submission", "model", "catalog_id", "variant", "organization", "submitter", *COMPARABLE[1:],
           "reasoning_effort", "in_manifest", "domain", "n", "pass_1", "pass_2", "pass_3", "pass_4", "cost",
           "date", "evaluation_date", "source"]


def _version(v: object) -> str:
    s = str(v).strip() if v is not None else "unspecified"
    return s[1:] if s.startswith("v") and s[1:2].isdigit() else s  # "v0.1.3" and "0.1.3" are one version


def _frac(v: object) -> float:
    return float(v) / 100 if isinstance(v, int | float) and not isinstance(v, bool) else np.nan


def load_tau2_leaderboard(data_dir: DataDir = None, quiet: bool = False) -> pd.DataFrame:
    """One row per (submission, domain) with a result; see the module doc for comparability."""
    manifest = read_json(_PREFIX + "manifest.json", data_dir, quiet=quiet)
    listed = {s for v in manifest.values() if isinstance(v, list) for s in v} if isinstance(manifest, dict) else set()
    keys = [f.key for f in files("quality_tau2") if f.key.endswith("/submission.json")]
    if not keys:
        raise DatasetError("no tau2-bench submission.json is registered (group quality_tau2)")
    rows = []
    for key in keys:
        sub = read_json(key, data_dir, quiet=quiet)
        folder = key.removeprefix(_PREFIX).split("/")[0]
        if not isinstance(sub, dict) or "model_name" not in sub:
            raise DatasetError(f"{key}: expected a submission object with model_name")
        meth = sub.get("methodology") or {}
        for domain, res in (sub.get("results") or {}).items():
            if not isinstance(res, dict) or res.get("pass_1") is None:
                continue
            cost = res.get("cost")
            rows.append({
                "benchmark": f"tau2-bench {domain}", "submission": folder, "model": str(sub["model_name"]),
                "organization": sub.get("model_organization"), "submitter": sub.get("submitting_organization"),
                "tau2_bench_version": _version(meth.get("tau2_bench_version")),
                "user_simulator": str(meth.get("user_simulator") or "unspecified"),
                "submission_type": str(sub.get("submission_type") or "unspecified"),
                "modality": str(sub.get("modality") or "text"),  # the schema's default
                "reasoning_effort": sub.get("reasoning_effort"), "in_manifest": folder in listed,
                "domain": domain, "n": TAU2_TASKS.get(domain, np.nan),
                **{f"pass_{k}": _frac(res.get(f"pass_{k}")) for k in range(1, 5)},
                "cost": float(cost) if isinstance(cost, int | float) and cost > 0 else np.nan,
                "date": sub.get("submission_date"), "evaluation_date": meth.get("evaluation_date"),
                "source": source_label(key),
            })
    df = pd.DataFrame(rows)
    df["n"] = df["n"].astype("Int64")
    df["catalog_id"], df["variant"] = catalog_ids("tau2", df["model"])
    return df[COLUMNS].sort_values(["domain", "model", "submission"]).reset_index(drop=True)
