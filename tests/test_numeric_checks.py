"""Checks that read worked numeric answers (routers.numeric_checks), on real GSM8K answers too."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from routerlab.datasets import load_routellm
from routerlab.routers.answer_features import agreement_tensor
from routerlab.routers.numeric_checks import arithmetic_errors, final_number, numeric_stats

MIRROR = Path(__file__).resolve().parents[2] / "shared" / "data"


def test_final_number_reads_the_marked_answer_else_the_last_number() -> None:
    assert final_number("9 * $2 = $<<9*2=18>>18.\n#### 18") == "18"
    assert final_number("so the answer is $1,200.00, not 3") == "1200"
    assert final_number("It takes 2.50 bolts.") == "2.5"
    assert final_number("I cannot tell.") == ""
    R = np.array([["#### 18", "She makes $18 every day."], ["#### 3", "It takes 2.5 bolts."]], dtype=object)
    A = agreement_tensor(R, normalize=final_number)
    assert A[0, 0, 1] == 1.0 and A[1, 0, 1] == 0.0


def test_arithmetic_errors_checks_written_equations_and_calculator_marks() -> None:
    assert arithmetic_errors("16 - 3 = 13, then 13 - 4 = 8, and <<9*2=18>>") == (3, 1)
    assert arithmetic_errors("8 * $5 = $40 and $40 + $24 = $64") == (2, 0)
    assert arithmetic_errors("x = 3 and no arithmetic here") == (0, 0)
    assert arithmetic_errors("1 / 0 = 5") == (0, 0)  # not checkable, not counted wrong
    S = numeric_stats(np.array([["#### 18", "2 + 2 = 5"]], dtype=object))
    assert S.shape == (1, 2, 3) and S[0, 0].tolist() == [1.0, 0.0, 0.0] and S[0, 1].tolist() == [0.0, 1.0, 1.0]


def test_on_real_gsm8k_answers_a_wrong_equation_marks_a_wrong_answer() -> None:
    t = load_routellm("gsm8k", MIRROR, quiet=True)
    assert t.responses is not None
    weak = t.model_index(t.meta["weak"])
    S = numeric_stats(t.responses[:, [weak]])[:, 0]
    bad = S[:, 1] > 0
    assert 0.05 < bad.mean() < 0.3
    # the weak model is right far less often where one of its own equations is wrong
    assert t.quality[bad, weak].mean() < t.quality[~bad, weak].mean() - 0.2
