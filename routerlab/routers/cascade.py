"""Cascades: try the cheap model first; a verifier decides whether to escalate.

A cascade pays only when its verifier is good: every escalation pays for the cheap call *and*
the expensive one, a false accept keeps a wrong answer, a false reject pays twice for nothing.
So the verifier's error rate is measured, not assumed (:func:`verifier_errors`).

- :class:`CascadeRouter` is a Router (its Decision names the first model of the chain and lists
  the escalation path); :meth:`CascadeRouter.run` executes it with a client it is given.
- :func:`simulate_cascade` replays a cascade on an outcome table, given which answers the
  verifier accepts; :func:`noisy_oracle_accepts` is RouterBench's verifier with error rate
  ``e``; :class:`LearnedVerifier` accepts when a learned router predicts the answering model's
  quality at or above a threshold (it never sees the answer: a lower bound on a real verifier).
- Agreement verifiers look at the answer: ask one or more other cheap models the same question
  and accept when their normalised answers match (:class:`AgreementVerifier` live,
  :func:`agreement_confidence` on recorded responses). Cheap, and it works where answers are
  short (a label, a choice, a number): the classifier tier's kind of work. Long free-form answers
  rarely match word for word, so there it escalates almost always, and the measured cost says so.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np

from ..errors import InvalidRequestError, RoutingError
from ..types import Alternative, CompletesRequests, Completion, Decision, Request
from ._checks import check_unit_threshold
from .base import RouteConstraints, Router
from .learned import LearnedRouter

__all__ = ["CascadeRouter", "LearnedVerifier", "AgreementVerifier", "agreement_confidence", "normalize_answer",
           "simulate_cascade", "noisy_oracle_accepts", "verifier_errors", "Verifier"]

#: verifier(request, completion) -> confidence in [0, 1] that the answer is good enough.
Verifier = Callable[[Request, Completion], float]


class CascadeRouter(Router):
    """Call models from cheapest to strongest; escalate while the verifier's confidence in the
    answer is below ``threshold``. ``route`` names the first model (and the chain as
    alternatives); ``run`` calls the chain through a client.

    Parameters
    ----------
    chain : sequence of str
        Model ids, cheapest first; at least two.
    verifier : callable (Request, Completion) -> float, or None, default=None
        Confidence in [0, 1] that an answer is good enough (e.g. :class:`AgreementVerifier`);
        ``run`` needs one, ``route`` does not.
    threshold : float, default=0.5
        Accept an answer when the verifier's confidence is at least this.
    tier : str or None, default=None
        Tier name written into each Decision.

    Attributes
    ----------
    chain : list of str
        The models, cheapest first (a copy of ``chain``).
    verifier, threshold, tier
        As given.
    name : str
        ``"cascade"``, the ``router`` field of each Decision.
    """

    name = "cascade"

    def __init__(self, chain: Sequence[str], verifier: Verifier | None = None, threshold: float = 0.5,
                 tier: str | None = None) -> None:
        if len(chain) < 2:
            raise InvalidRequestError("a cascade needs at least two models, cheapest first")
        self.chain = list(chain)
        self.verifier = verifier
        check_unit_threshold(threshold, owner="CascadeRouter", compared_with="the verifier's confidence, in [0, 1]",
                             hint="pass e.g. threshold=0.5 (the default), or 1.0 to accept only full agreement")
        self.threshold = threshold
        self.tier = tier

    def route(self, request: Request, constraints: RouteConstraints | None = None) -> Decision:
        return Decision(
            model=self.chain[0], tier=self.tier, score=None, threshold=self.threshold,
            reason=f"cascade: start with {self.chain[0]}, escalate along {' -> '.join(self.chain[1:])} "
                   f"while verifier confidence < {self.threshold:g}",
            alternatives=tuple(Alternative(model=m, tier=self.tier) for m in self.chain[1:]), router=self.name)

    def run(self, request: Request, client: CompletesRequests) -> tuple[Completion, list[tuple[str, float]]]:
        """Call the chain through ``client``; return the accepted completion and the
        (model, confidence) of every step taken."""
        if self.verifier is None:
            raise RoutingError("CascadeRouter.run needs a verifier(request, completion) -> confidence")
        steps: list[tuple[str, float]] = []
        comp: Completion | None = None
        for i, model in enumerate(self.chain):
            comp = client.complete(request, model=model)
            if i == len(self.chain) - 1:
                steps.append((model, float("nan")))
                break
            conf = float(self.verifier(request, comp))
            steps.append((model, conf))
            if conf >= self.threshold:
                break
        assert comp is not None
        return comp, steps


def simulate_cascade(quality: np.ndarray, cost: np.ndarray, chain: Sequence[int], accepts: np.ndarray,
                     verify_cost: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Replay a cascade on recorded outcomes.

    ``accepts``: (n, len(chain) - 1) bool, whether the verifier accepts step k's answer.
    ``verify_cost``: optional (n, len(chain) - 1) USD the verifier spends checking step k (e.g. the
    checker models of an agreement verifier), paid for every step that is checked.
    Returns (quality, cost paid, index into ``chain`` of the answering step), one per prompt;
    cost includes every model called on the way.
    """
    Q, C = np.asarray(quality, dtype=float), np.asarray(cost, dtype=float)
    A = np.asarray(accepts, dtype=bool)
    n, k = Q.shape[0], len(chain)
    if A.shape != (n, k - 1):
        raise InvalidRequestError(f"accepts must have shape ({n}, {k - 1}), got {A.shape}")
    stop = np.full(n, k - 1)
    undecided = np.ones(n, dtype=bool)
    for s in range(k - 1):
        hit = undecided & A[:, s]
        stop[hit] = s
        undecided &= ~hit
    cols = np.asarray(chain)
    paid = np.cumsum(C[:, cols], axis=1)[np.arange(n), stop]
    if verify_cost is not None:
        V = np.asarray(verify_cost, dtype=float)
        if V.shape != (n, k - 1):
            raise InvalidRequestError(f"verify_cost must have shape ({n}, {k - 1}), got {V.shape}")
        checked = np.arange(k - 1)[None, :] <= np.minimum(stop, k - 2)[:, None]  # steps whose answer was checked
        paid = paid + (V * checked).sum(axis=1)
    return Q[np.arange(n), cols[stop]], paid, stop


def noisy_oracle_accepts(correct: np.ndarray, error_rate: float, seed: int = 0) -> np.ndarray:
    """RouterBench's cascade verifier: sees the truth, flips its verdict with probability ``error_rate``."""
    c = np.asarray(correct, dtype=bool)
    flip = np.random.default_rng(seed).random(c.shape) < error_rate
    out: np.ndarray = c ^ flip
    return out


def verifier_errors(accepts: np.ndarray, correct: np.ndarray) -> dict[str, float]:
    """Error rates of a verifier against the truth: overall, false accept (accepted a wrong
    answer, share of wrong answers), false reject (rejected a right one, share of right answers)."""
    a, c = np.asarray(accepts, dtype=bool).ravel(), np.asarray(correct, dtype=bool).ravel()
    if a.shape != c.shape or a.size == 0:
        raise InvalidRequestError("accepts and correct must be non-empty and of the same shape")
    wrong, right = ~c, c
    return {
        "error_rate": float((a != c).mean()),
        "false_accept_rate": float((a & wrong).sum() / max(wrong.sum(), 1)),
        "false_reject_rate": float((~a & right).sum() / max(right.sum(), 1)),
        "accept_rate": float(a.mean()),
    }


class LearnedVerifier:
    """Accept model ``j``'s answer when a fitted LearnedRouter predicts its quality >= ``threshold``
    (a prompt-only verifier: it never sees the answer).

    Parameters
    ----------
    predictor : LearnedRouter
        A fitted router whose ``predict_quality(X)`` gives each model's predicted quality.
    threshold : float, default=0.5
        Accept when the predicted quality is at least this (``accepts(..., threshold=)``
        overrides it per call).

    Attributes
    ----------
    predictor, threshold
        As given (the predictor is used as is: it is not cloned or refitted).
    """

    def __init__(self, predictor: LearnedRouter, threshold: float = 0.5) -> None:
        self.predictor = predictor
        self.threshold = threshold

    def confidence(self, X: np.ndarray, models: Sequence[int]) -> np.ndarray:
        """(n, len(models)) predicted quality of each listed model."""
        return self.predictor.predict_quality(X)[:, list(models)]

    def accepts(self, X: np.ndarray, models: Sequence[int], threshold: float | None = None) -> np.ndarray:
        thr = self.threshold if threshold is None else threshold
        out: np.ndarray = self.confidence(X, models) >= thr
        return out


_PUNCT = re.compile(r"[\s\.,;:!?'\"`()\[\]{}*_]+")


def normalize_answer(text: str) -> str:
    """Compare answers, not formatting: lower case, punctuation, quotes, brackets and markdown
    emphasis become single spaces (``"B)\\n"`` and ``"**b**"`` are the same answer)."""
    return _PUNCT.sub(" ", str(text).lower()).strip()


def agreement_confidence(responses: np.ndarray, answer: int, checkers: Sequence[int],
                         normalize: Callable[[str], str] = normalize_answer) -> np.ndarray:
    """Share of ``checkers`` columns whose recorded answer matches column ``answer``'s, per prompt.

    ``responses``: (n, m) answer texts (an OutcomeTable's ``responses``). An empty answer agrees
    with nothing.
    """
    R = np.asarray(responses, dtype=object)
    if R.ndim != 2:
        raise InvalidRequestError(f"responses must be (n, m) answer texts, got shape {R.shape}")
    if not checkers or answer in checkers:
        raise InvalidRequestError("checkers must be one or more columns other than the answering one")
    for j in (answer, *checkers):
        if not 0 <= j < R.shape[1]:
            raise InvalidRequestError(f"column {j} is out of range for {R.shape[1]} models")
    norm = np.vectorize(normalize, otypes=[object])
    a = norm(R[:, answer])
    votes = [(norm(R[:, j]) == a) & (a != "") for j in checkers]
    out: np.ndarray = np.mean(votes, axis=0)
    return out


class AgreementVerifier:
    """Live agreement check: ask ``checkers`` the same request through ``client`` and return the
    share whose normalised answer matches the candidate's (1.0 = all agree).

    The checker calls go through the client, so they are traced, priced and budgeted like any
    other call. Use it as a :class:`CascadeRouter` verifier with ``threshold=1.0`` (all agree).

    Parameters
    ----------
    client : object with ``complete(request, model=...)``
        Makes the checker calls (a ``routerlab.client.Client``).
    checkers : sequence of str
        Model ids asked the same request; at least one. A checker that is the answering model
        is skipped.
    normalize : callable str -> str, default=normalize_answer
        Maps an answer to the form compared (case, punctuation and markdown removed).

    Attributes
    ----------
    client, normalize
        As given.
    checkers : list of str
        The checker models (a copy of ``checkers``).
    """

    def __init__(self, client: CompletesRequests, checkers: Sequence[str],
                 normalize: Callable[[str], str] = normalize_answer) -> None:
        if not checkers:
            raise InvalidRequestError("AgreementVerifier needs at least one checker model")
        self.client = client
        self.checkers = list(checkers)
        self.normalize = normalize

    def __call__(self, request: Request, completion: Completion) -> float:
        answer = self.normalize(completion.text)
        if not answer:
            return 0.0
        checks = [self.client.complete(request, model=m) for m in self.checkers if m != completion.model]
        if not checks:
            raise InvalidRequestError(f"every checker is the answering model {completion.model!r}")
        return sum(self.normalize(c.text) == answer for c in checks) / len(checks)
