"""The seed's 95% rule on measured outcomes: the cheapest model whose success rate's lower
confidence bound reaches ``share`` (95%) of the best model's rate.

It runs through :func:`routerlab.routers.calibrate.calibrate_outcomes` (the code path of
``calibrate()``), with the target set to ``share x`` the best candidate's point rate. On tau2-bench
it compares only within one comparable group (version, user simulator, submission type,
modality) and reports, for the model the rule picks, what pass^4 says about it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..errors import InvalidRequestError
from ..routers.calibrate import CalibrationResult, calibrate_outcomes

__all__ = ["relative_rule", "tau2_rule", "TAU2_GROUP"]

#: The tau2 group with current models, reported costs and pass^1..4 (Sierra's 2026 text runs).
TAU2_GROUP = {"tau2_bench_version": "1.0.1", "user_simulator": "gpt-5.2", "submission_type": "standard",
              "modality": "text"}


def relative_rule(names: Sequence[str], correct: Sequence[float], n: Sequence[int] | int,
                  cost_per_item: Sequence[float], share: float = 0.95, confidence: float = 0.95,
                  method: str = "wilson") -> CalibrationResult:
    """``calibrate_outcomes`` with ``target = share x`` the best candidate's rate."""
    if not 0 < share <= 1:
        raise InvalidRequestError(f"share must be in (0, 1], got {share}")
    counts = np.full(len(names), n) if isinstance(n, int) else np.asarray(n, dtype=float)
    rates = np.asarray(correct, dtype=float) / counts
    if not len(rates) or not np.isfinite(rates).any():
        raise InvalidRequestError("relative_rule needs at least one candidate with a rate")
    best = float(np.nanmax(rates))
    res = calibrate_outcomes(names, correct, n, cost_per_item, target=share * best, confidence=confidence, method=method)
    res.table["share_of_best"] = res.table["accuracy"] / best
    return res


def tau2_rule(board: pd.DataFrame, group: dict[str, str] | None = None, share: float = 0.95,
              confidence: float = 0.95) -> pd.DataFrame:
    """Per domain of one comparable ``group`` (default :data:`TAU2_GROUP`): the rule on pass^1
    over the entries with a reported cost, the best pass^1 entry (priced or not), the pick's
    pass^4 beside the best pass^4, and the rule's verdict in words. ``board`` is
    :func:`routerlab.datasets.load_tau2_leaderboard`'s frame."""
    g = dict(TAU2_GROUP if group is None else group)
    mask = np.ones(len(board), dtype=bool)
    for col, val in g.items():
        mask &= (board[col] == val).to_numpy()
    rows = []
    for domain, d in board[mask].groupby("domain"):
        d = d.reset_index(drop=True)
        label = d["model"] + np.where(d["reasoning_effort"].notna(), " (" + d["reasoning_effort"].astype(str) + ")", "")
        res = relative_rule(label.tolist(), (d["pass_1"] * d["n"]).tolist(), d["n"].astype(int).tolist(),
                            d["cost"].tolist(), share, confidence)
        t = res.table.assign(pass_4=d["pass_4"].to_numpy(), cost=d["cost"].to_numpy())
        best = t.iloc[int(np.argmax(t["accuracy"].to_numpy()))]
        pick = t[t["chosen"]]
        priced = t[t["cost"].notna()]
        rows.append({
            "domain": domain, "n": int(d["n"].iloc[0]), "entries": len(d), "priced": len(priced),
            "best": best["candidate"], "best_pass_1": best["accuracy"], "best_pass_4": best["pass_4"],
            "target": res.target, "chosen": res.chosen,
            "chosen_pass_1": pick["accuracy"].iloc[0] if len(pick) else np.nan,
            "chosen_lower": pick["lower_bound"].iloc[0] if len(pick) else np.nan,
            "chosen_pass_4": pick["pass_4"].iloc[0] if len(pick) else np.nan,
            "best_lower": best["lower_bound"],
            # the cheapest priced entry whose point pass^1 (not its bound) reaches the target
            "cheapest_point": (priced[priced["accuracy"] >= res.target].sort_values("cost")["candidate"].head(1).tolist()
                               or [None])[0],
            "message": res.message, "date": d["date"].max(), "source": d["source"].iloc[0].rsplit(":", 1)[0].strip(),
        })
    return pd.DataFrame(rows)
