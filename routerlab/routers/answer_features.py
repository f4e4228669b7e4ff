"""Features of a prompt and of the answers seen so far: what a cascade policy decides on.

Everything here is benchmark-free (no task label is read) and vectorised over prompts:

- :func:`agreement_tensor`: (n, m, m) which recorded answers agree, after normalisation
  (:func:`~routerlab.routers.cascade.normalize_answer`); answers that carry code are compared
  by program instead (:mod:`routerlab.routers.code_checks`) when a code agreement is given.
- :func:`answer_stats`: per answer, whether it has the form of a short label (a choice letter, a
  number, a word) or of code, and its log length.
- :func:`prompt_features`: log length and line count of the prompt.
- :func:`step_features`: the feature matrix after the models ``cols`` have answered: every
  pairwise agreement among them, each answer's share of agreeing others, the majority share,
  each answer's format and length, the prompt features (and, optionally, a projection of the
  prompt embedding).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from ..errors import InvalidRequestError
from .cascade import normalize_answer

__all__ = ["agreement_tensor", "answer_stats", "prompt_features", "step_features", "has_code", "N_ANSWER_STATS"]

N_ANSWER_STATS = 3  # short label, has code, log length


def has_code(text: str) -> bool:
    """An answer carries code when it has a fenced block or a top-level ``def``."""
    return "```" in text or text.lstrip().startswith("def ") or "\ndef " in text


def agreement_tensor(responses: np.ndarray, normalize: Callable[[str], str] = normalize_answer,
                     code_agreement: np.ndarray | None = None) -> np.ndarray:
    """(n, m, m) float: 1 where answers i and j of a prompt agree (the diagonal is 1 for a
    non-empty answer). ``code_agreement``: an (n, m, m) agreement of programs (NaN where it could
    not say) that replaces the text comparison wherever both answers carry code."""
    R = np.asarray(responses, dtype=object)
    if R.ndim != 2:
        raise InvalidRequestError(f"responses must be (n, m) answer texts, got shape {R.shape}")
    norm = np.vectorize(normalize, otypes=[object])(R)
    A = ((norm[:, :, None] == norm[:, None, :]) & (norm[:, :, None] != "")).astype(float)
    if code_agreement is not None:
        CA = np.asarray(code_agreement, dtype=float)
        if CA.shape != A.shape:
            raise InvalidRequestError(f"code_agreement must have shape {A.shape}, got {CA.shape}")
        code = np.vectorize(has_code, otypes=[bool])(R)
        both = code[:, :, None] & code[:, None, :] & ~np.isnan(CA)
        A = np.where(both, CA, A)
    return A


def answer_stats(responses: np.ndarray) -> np.ndarray:
    """(n, m, 3): short label (<= 3 characters once normalised), carries code, log(1 + length)."""
    R = np.asarray(responses, dtype=object)
    short = np.vectorize(lambda s: 0 < len(normalize_answer(s)) <= 3, otypes=[bool])(R)
    code = np.vectorize(has_code, otypes=[bool])(R)
    length = np.log1p(np.vectorize(lambda s: len(str(s)), otypes=[float])(R))
    return np.stack([short, code, length], axis=-1).astype(float)


def prompt_features(texts: Sequence[str]) -> np.ndarray:
    """(n, 2): log(1 + characters), log(1 + lines) of each prompt."""
    return np.array([[np.log1p(len(t)), np.log1p(t.count("\n"))] for t in texts], dtype=float).reshape(-1, 2)


def step_features(agree: np.ndarray, stats: np.ndarray, prompt: np.ndarray, cols: Sequence[int],
                  embedding: np.ndarray | None = None) -> np.ndarray:
    """Features once the models ``cols`` (column indices, in the order they ran) have answered.

    ``agree`` (n, m, m) from :func:`agreement_tensor` (or (n, k, k) already restricted to
    ``cols``, then pass ``cols=range(k)``), ``stats`` (n, m, 3) from :func:`answer_stats`,
    ``prompt`` (n, p) from :func:`prompt_features`, ``embedding`` optional (n, d)."""
    c = list(cols)
    k = len(c)
    A = agree[:, c][:, :, c]
    parts = [A[:, a, b][:, None] for a in range(k) for b in range(a + 1, k)]
    support = A.sum(axis=2)  # each answer's count of agreeing answers, itself included
    if k > 1:
        parts.append(np.maximum(support - 1, 0) / (k - 1))
    parts.append((support.max(axis=1) / k)[:, None])
    parts.append(stats[:, c].reshape(len(A), -1))
    parts.append(prompt)
    if embedding is not None:
        parts.append(embedding)
    return np.concatenate(parts, axis=1)
