"""The learned cascade on a strong/weak pair (evaluation.pair_cascades): costs and intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from routerlab.datasets import OutcomeTable
from routerlab.errors import InvalidRequestError
from routerlab.evaluation.pair_cascades import (
    kfold_cascade,
    pair_summary,
    priced_pair,
    summary_frame,
    threshold_choices,
)


def _pair(n: int, seed: int) -> OutcomeTable:
    """A weak model whose answer is right whenever its own arithmetic checks out, and a strong one."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(10, 99, n)
    ok = rng.random(n) < 0.6
    weak = [f"{a} + 1 = {a + 1}\n#### {a + 1}" if k else f"{a} + 1 = {a + 3}\n#### {a + 3}"
            for a, k in zip(truth - 1, ok, strict=True)]
    strong_ok = rng.random(n) < 0.9
    strong = [f"The answer is {t if k else t + 5}." for t, k in zip(truth, strong_ok, strict=True)]
    prompts = pd.DataFrame({"id": [str(i) for i in range(n)], "text": [f"What is {t - 1} + 1?" for t in truth],
                            "embed_text": "", "split": "test", "benchmark": "toy"})
    return OutcomeTable(name="pair", prompts=prompts, models=["w", "s"], quality=np.stack([ok, strong_ok], 1),
                        cost=np.full((n, 2), np.nan), responses=np.stack([weak, strong], 1).astype(object),
                        meta={"strong": "s", "weak": "w"})


def test_cascade_on_a_pair_pays_the_weak_call_and_beats_the_zero_router() -> None:
    t = priced_pair(_pair(300, 0), 0.05)
    assert np.allclose(t.cost, [0.05, 1.0])
    ch = kfold_cascade(t, numeric=True, weights=np.array([0.0, 0.3, 1e3]))
    # every prompt that entered the cascade paid the weak call; those that went on paid both
    assert np.allclose(ch["cost"], np.where(ch["strong"] == 1, 1.05, 0.05))
    assert ch["strong"][-1].mean() == 0.0  # priced out: the weak answer alone
    # at weight 0 it calls the strong model where the weak one's arithmetic fails: better than either alone
    assert ch["quality"][0].mean() > t.quality.mean(axis=0).max() and ch["strong"][0].mean() < 0.8
    zero = {"quality": t.quality.T, "cost": np.array([[0.05], [1.0]]) * np.ones((2, len(t))),
            "strong": np.array([[0.0], [1.0]]) * np.ones((2, len(t))), "weak": np.array([[1.0], [0.0]]) * np.ones((2, len(t)))}
    rows = {"zero": pair_summary(zero, t, 0.05, n_boot=50), "cascade": pair_summary(ch, t, 0.05, n_boot=50)}
    assert rows["zero"]["APGR"] == pytest.approx(0.5)
    # the weak model's own wrong equation flags its wrong answers: the strong call goes where it is needed
    assert rows["cascade"]["APGR"] > 0.65 and rows["cascade"]["APGR_lo"] > rows["zero"]["APGR_hi"]
    df = summary_frame(rows)
    assert list(df.index) == ["zero", "cascade"] and df.loc["cascade", "weak calls"] == 1.0
    scores = t.quality[:, 1] - t.quality[:, 0]  # an oracle-like score: strong where only it is right
    th = threshold_choices(scores, t, 0.05)
    assert np.allclose(th["cost"], np.where(th["strong"] == 1, 1.0, 0.05))
    with pytest.raises(InvalidRequestError, match="weak_cost"):
        priced_pair(t, 2.0)
