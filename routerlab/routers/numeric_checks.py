"""Checks that read a worked numeric answer (GSM8K-style word problems): no ground truth used.

- :func:`final_number`: the answer's final number, normalised (``#### 18``, "the answer is
  $1,200.", or the last number written), "" when it states none. Two answers *agree* when their
  final numbers are equal: pass it as ``normalize`` to
  :func:`~routerlab.routers.answer_features.agreement_tensor`.
- :func:`arithmetic_errors`: of the equations the answer writes (``16 - 3 = 13``, calculator
  marks ``<<9*2=18>>``), how many are checked and how many are wrong, evaluated exactly with
  :mod:`ast` over numbers and + - * / only (never ``eval``).
- :func:`numeric_stats`: (n, m, 3) per answer: states a marked final answer (``####`` or
  "answer is"), share of checked equations that are wrong, has any checked equation. Stack it
  onto :func:`~routerlab.routers.answer_features.answer_stats` for a cascade policy.

Cost: regular expressions and a tiny ``ast`` walk per equation, about 1 ms per answer (3.3 s for GSM8K's 2,638 recorded answers).
"""

from __future__ import annotations

import ast
import re
from fractions import Fraction

import numpy as np

__all__ = ["final_number", "arithmetic_errors", "numeric_stats", "N_NUMERIC_STATS"]

N_NUMERIC_STATS = 3
_NUM = r"-?\$?\d[\d,]*(?:\.\d+)?"
_MARKED = re.compile(r"(?:####|answer is|answer:)\s*\**\s*(" + _NUM + ")", re.IGNORECASE)
_ANY = re.compile(_NUM)
_EQ = re.compile(r"((?:[$\d.,()]+\s*[-+*/x×]\s*)+[$\d.,()]+)\s*=\s*\$?(-?[\d,]*\.?\d+)")
_CALC = re.compile(r"<<([^=<>]+)=([^<>]+)>>")


def _clean(num: str) -> str:
    s = num.replace("$", "").replace(",", "").strip().rstrip(".")
    try:
        v = Fraction(s)
    except (ValueError, ZeroDivisionError):
        return s
    return str(v.numerator) if v.denominator == 1 else f"{float(v):.6g}"


def final_number(text: str) -> str:
    """The answer's final number, normalised ("18", "2.5"); "" when the answer states no number."""
    t = str(text)
    marked = _MARKED.findall(t)
    if marked:
        return _clean(marked[-1])
    nums = _ANY.findall(t)
    return _clean(nums[-1]) if nums else ""


def _value(node: ast.AST) -> Fraction:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float) and not isinstance(node.value, bool):
        return Fraction(str(node.value))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_value(node.operand)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub | ast.Mult | ast.Div):
        a, b = _value(node.left), _value(node.right)
        if isinstance(node.op, ast.Add):
            return a + b
        if isinstance(node.op, ast.Sub):
            return a - b
        if isinstance(node.op, ast.Mult):
            return a * b
        return a / b
    raise ValueError("not plain arithmetic")


def _check(expr: str, result: str) -> bool | None:
    """True / False when ``expr = result`` is plain arithmetic (within 1% for rounded results), None otherwise."""
    e = expr.replace(",", "").replace("×", "*").replace("x", "*").replace("$", "")
    r = result.replace(",", "").replace("$", "").strip().rstrip(".")
    if len(e) > 200:
        return None
    try:
        lhs, rhs = _value(ast.parse(e, mode="eval").body), Fraction(r)
    except (SyntaxError, ValueError, ZeroDivisionError, RecursionError):
        return None
    return abs(lhs - rhs) <= abs(rhs) * Fraction(1, 100) + Fraction(1, 100)


def arithmetic_errors(text: str) -> tuple[int, int]:
    """(equations checked, equations wrong) in the answer."""
    t = str(text)
    pairs = _CALC.findall(t) + _EQ.findall(_CALC.sub(" ", t))
    verdicts = [v for v in (_check(a, b) for a, b in pairs) if v is not None]
    return len(verdicts), sum(not v for v in verdicts)


def numeric_stats(responses: np.ndarray) -> np.ndarray:
    """(n, m, 3): states a marked final answer, share of checked equations wrong, any equation checked."""
    R = np.asarray(responses, dtype=object)
    out = np.zeros((*R.shape, N_NUMERIC_STATS))
    for idx, text in np.ndenumerate(R):
        checked, wrong = arithmetic_errors(str(text))
        out[idx] = (bool(_MARKED.search(str(text))), wrong / checked if checked else 0.0, checked > 0)
    return out
