"""A learned cascade: after each step it has seen the prompt and the answers so far, and decides
to stop (returning one of them) or to run the next step.

In the spirit of Dekoninck et al., "A Unified Approach to Routing and Cascading for LLMs"
(2024), and of FrugalGPT / AutoMix: the policy keeps, for every step ``k`` it may reach and every
step ``k' >= k`` it may stop at, an estimate ``V[k, k']`` of the quality of the answer it would
return at ``k'``, learned from features of the prompt *and of the answers seen at k*
(:func:`~routerlab.routers.answer_features.step_features`). At step ``k`` it runs on while some
later step is worth its extra cost::

    stop at k  <=>  argmax_{k' >= k}  V[k, k'] - cost_weight * (predicted cost of steps k+1..k') / cost_scale_

``cost_scale_`` is the mean cost of the priciest model in training, so ``cost_weight`` is
"quality points given up per call of the priciest model", as for the learned routers. Which
answer is returned at a step is learned too (the answer most likely correct given the same
features), so after the last step the policy may return a cheap model's answer that the others
agree with rather than the strongest model's.

Every model a step runs is paid for, whether or not its answer is returned (the checkers of an
agreement cascade are models of an earlier step). Latency along the cascade is the sum over
the steps run of each step's latency: the max over its models when ``parallel=True`` (a step's
models are called at once), their sum otherwise.

scikit-learn conventions: keyword-only parameters in ``__init__``, ``fit`` returns self, learned
state ends in ``_``. Fitting uses out-of-fold answer choices on the training rows, so the value
estimates are not fitted to the choices' own training fit. :meth:`simulate` replays all cost
weights at once on recorded answers (one array pass per step); :meth:`run` drives a live client.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import pandas as pd

from ..errors import InvalidRequestError, RoutingError
from ..types import Completion, Request
from .answer_features import agreement_tensor, answer_stats, prompt_features, step_features

if TYPE_CHECKING:
    from ..datasets.table import OutcomeTable

__all__ = ["CascadePolicy", "CascadeRun", "default_weights"]


def default_weights(n: int = 200) -> np.ndarray:
    """Cost weights for a sweep: 0 plus a log grid from 1e-4 to 1e3 (best quality -> first step only)."""
    return np.concatenate(([0.0], np.logspace(-4, 3, n - 1)))


class _CompletesRequests(Protocol):
    def complete(self, request: Request, model: str | None = None, tier: str | None = None, **kw: Any
                 ) -> Completion: ...


def _sigmoid(z: np.ndarray) -> np.ndarray:
    out: np.ndarray = 1.0 / (1.0 + np.exp(-np.clip(z, -30.0, 30.0)))
    return out


def _logistic(F: np.ndarray, y: np.ndarray, C: float, iters: int = 25) -> tuple[np.ndarray, float]:
    """(coef, intercept) of an L2-penalised logistic regression (scikit-learn's objective:
    ``0.5 |w|^2 + C * sum(log-loss)``, intercept unpenalised) by Newton steps. Soft labels ``y`` in
    [0, 1] are allowed (0-1 grades as well as 0/1 correctness). A few dozen features and a few
    thousand rows: Newton converges in a handful of steps, far faster than a general solver."""
    y = np.clip(np.asarray(y, dtype=float), 0.0, 1.0)
    n, d = F.shape
    Z = np.column_stack([F, np.ones(n)])
    reg = np.full(d + 1, 1.0 / C)
    reg[-1] = 1e-8
    beta = np.zeros(d + 1)
    for _ in range(iters):
        p = _sigmoid(Z @ beta)
        grad = Z.T @ (p - y) + reg * beta
        H = (Z * (p * (1 - p))[:, None]).T @ Z + np.diag(reg)
        step = np.linalg.solve(H, grad)
        beta -= step
        if np.abs(step).max() < 1e-8:
            break
    return beta[:-1].copy(), float(beta[-1])


class CascadeRun:
    """What :meth:`CascadePolicy.run` did: the returned completion, every completion paid for
    (in call order), the model names of the steps run, and per step the value estimates it
    decided on (stopping at this step, the next, ...)."""

    def __init__(self, completion: Completion, completions: list[Completion], values: list[np.ndarray],
                 parallel: bool, steps: list[list[str]]) -> None:
        self.completion = completion
        self.completions = completions
        self.values = values
        self.steps = steps[:len(values)]
        self.cost_usd = float(sum(c.cost_usd for c in completions))
        agg = max if parallel else sum
        lat, i = 0.0, 0
        for step in self.steps:
            lat += agg(c.latency_s for c in completions[i:i + len(step)])
            i += len(step)
        self.latency_s = float(lat)

    def __repr__(self) -> str:
        return (f"CascadeRun(returned {self.completion.model!r} after {len(self.steps)} step(s), "
                f"{len(self.completions)} calls, ${self.cost_usd:.6f}, {self.latency_s:.3f}s)")


class CascadePolicy:
    """``steps``: the cascade, cheapest first, each step one model name or several (run
    together). See the module docstring for the rule; ``cost_weight`` is its knob."""

    name = "cascade_policy"

    def __init__(self, *, steps: Sequence[str | Sequence[str]], cost_weight: float = 0.0, C: float = 1.0,
                 embed_dims: int = 0, parallel: bool = False, n_folds: int = 5, seed: int = 0) -> None:
        self.steps = steps
        self.cost_weight = cost_weight
        self.C = C
        self.embed_dims = embed_dims
        self.parallel = parallel
        self.n_folds = n_folds
        self.seed = seed

    def get_params(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in ("steps", "cost_weight", "C", "embed_dims", "parallel", "n_folds", "seed")}

    def __repr__(self) -> str:
        return f"CascadePolicy({', '.join(f'{k}={v!r}' for k, v in self.get_params().items())})"

    # ---- fitting -------------------------------------------------------------------------------
    def _resolve(self, models: Sequence[str]) -> list[list[int]]:
        steps = [[s] if isinstance(s, str) else list(s) for s in self.steps]
        if len(steps) < 2 or any(not s for s in steps):
            raise InvalidRequestError("a cascade policy needs at least two non-empty steps, cheapest first")
        names = [m for s in steps for m in s]
        if len(set(names)) != len(names):
            raise InvalidRequestError(f"a model appears in two steps: {names}")
        missing = [m for m in names if m not in models]
        if missing:
            raise InvalidRequestError(f"steps name models the table lacks: {missing}; models: {list(models)}")
        return [[list(models).index(m) for m in s] for s in steps]

    def _project(self, X: np.ndarray | None) -> np.ndarray | None:
        if not self.embed_dims:
            return None
        if X is None:
            raise InvalidRequestError(f"embed_dims={self.embed_dims} needs prompt embeddings X")
        out: np.ndarray = (np.asarray(X, dtype=float) - self.embed_mean_) @ self.embed_components_.T
        return out

    def fit(self, X: np.ndarray | None, quality: np.ndarray, cost: np.ndarray, models: Sequence[str], *,
            responses: np.ndarray, texts: Sequence[str], agree: np.ndarray | None = None) -> CascadePolicy:
        """Fit on recorded outcomes: ``quality`` / ``cost`` / ``responses`` (n, m), ``texts`` the
        prompts, ``X`` their embeddings (needed when ``embed_dims > 0``), ``agree`` an optional
        precomputed :func:`~routerlab.routers.answer_features.agreement_tensor` (e.g. with code checks)."""
        Q, Cst = np.asarray(quality, dtype=float), np.asarray(cost, dtype=float)
        n, m = Q.shape
        R = np.asarray(responses, dtype=object)
        if Cst.shape != (n, m) or R.shape != (n, m) or len(texts) != n or len(models) != m:
            raise InvalidRequestError(f"quality, cost and responses must all be (n, m) = {(n, m)}, texts n long, "
                                      f"models m long")
        if n < 2 * self.n_folds:
            raise InvalidRequestError(f"need at least {2 * self.n_folds} prompts to fit, got {n}")
        self.models_ = list(models)
        self.step_cols_ = self._resolve(self.models_)
        if self.embed_dims:
            if X is None or np.ndim(X) != 2 or len(X) != n:
                raise InvalidRequestError(f"embed_dims={self.embed_dims} needs prompt embeddings X, one row per prompt")
            Xf = np.asarray(X, dtype=float)
            self.embed_mean_ = Xf.mean(axis=0)
            _, _, vt = np.linalg.svd(Xf - self.embed_mean_, full_matrices=False)
            self.embed_components_ = vt[: self.embed_dims]
        P = prompt_features(texts)
        # cost of each model, linear in the prompt's length (benchmark-free, known before the call)
        design = np.column_stack([np.ones(n), np.expm1(P[:, 0])])
        self.cost_coef_ = np.linalg.lstsq(design, np.nan_to_num(Cst), rcond=None)[0]  # (2, m)
        scale = float(np.nanmean(Cst, axis=0).max())
        self.cost_scale_ = scale if scale > 0 else 1.0
        A = agreement_tensor(R) if agree is None else np.asarray(agree, dtype=float)
        feats = self._features(A, answer_stats(R), P, self._project(X))
        K = len(self.step_cols_)
        folds = np.random.default_rng(self.seed).permutation(n) % self.n_folds
        # which answer to return at each step: P(answer i correct | features at that step)
        self.pick_: list[tuple[np.ndarray, np.ndarray]] = []
        realized = np.empty((n, K))
        for k, F in enumerate(feats):
            cols = self._cols(k)
            oof = np.empty((n, len(cols)))
            for f in range(self.n_folds):
                tr, te = folds != f, folds == f
                for i, c in enumerate(cols):
                    w, b = _logistic(F[tr], Q[tr, c], self.C)
                    oof[te, i] = F[te] @ w + b
            realized[:, k] = Q[np.arange(n), np.asarray(cols)[oof.argmax(axis=1)]]
            fitted = [_logistic(F, Q[:, c], self.C) for c in cols]
            self.pick_.append((np.stack([w for w, _ in fitted], axis=1), np.array([b for _, b in fitted])))
        # value of stopping at each later step, seen from step k
        self.value_: list[tuple[np.ndarray, np.ndarray]] = []
        for k, F in enumerate(feats):
            fitted = [_logistic(F, realized[:, j], self.C) for j in range(k, K)]
            self.value_.append((np.stack([w for w, _ in fitted], axis=1), np.array([b for _, b in fitted])))
        return self

    def fit_table(self, table: OutcomeTable, X: np.ndarray | None = None, agree: np.ndarray | None = None
                  ) -> CascadePolicy:
        if table.responses is None:
            raise InvalidRequestError(f"{table.name} has no recorded answers (responses): a cascade policy reads them")
        return self.fit(X, table.quality, table.cost, table.models, responses=table.responses,
                        texts=table.prompts["text"].tolist(), agree=agree)

    # ---- deciding ------------------------------------------------------------------------------
    def _cols(self, k: int) -> list[int]:
        return [c for s in self.step_cols_[: k + 1] for c in s]

    def _features(self, A: np.ndarray, S: np.ndarray, P: np.ndarray, E: np.ndarray | None) -> list[np.ndarray]:
        return [step_features(A, S, P, self._cols(k), E) for k in range(len(self.step_cols_))]

    def _check_fitted(self) -> None:
        if not hasattr(self, "value_"):
            raise RoutingError("CascadePolicy is not fitted: call fit(...) or fit_table(table)")

    def _step_costs(self, P: np.ndarray) -> np.ndarray:
        """(n, K) predicted cost of each step, in units of ``cost_scale_``."""
        design = np.column_stack([np.ones(len(P)), np.expm1(P[:, 0])])
        per_model = np.maximum(design @ self.cost_coef_, 0.0)
        return np.stack([per_model[:, s].sum(axis=1) for s in self.step_cols_], axis=1) / self.cost_scale_

    def _stop_rule(self, F: np.ndarray, k: int, step_cost: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """(W, n) bool: stop at step k, for each cost weight."""
        w, b = self.value_[k]
        V = _sigmoid(F @ w + b)  # (n, K - k): stop at k, k+1, ...
        extra = np.cumsum(step_cost[:, k:], axis=1) - step_cost[:, k:k + 1]
        util = V[None] - weights[:, None, None] * extra[None]
        stop: np.ndarray = util.argmax(axis=2) == 0
        return stop

    def simulate(self, X: np.ndarray | None, quality: np.ndarray, cost: np.ndarray, *, responses: np.ndarray,
                 texts: Sequence[str], weights: np.ndarray | Sequence[float] | None = None,
                 latency: np.ndarray | None = None, agree: np.ndarray | None = None,
                 prepared: tuple[list[np.ndarray], np.ndarray] | None = None) -> dict[str, np.ndarray]:
        """Replay the policy on recorded answers for every cost weight at once.

        Returns (W, n) arrays ``quality``, ``cost`` (USD paid: every model of every step run),
        ``step`` (index of the step stopped at), ``model`` (column returned), and ``latency``
        when a (n, m) ``latency`` matrix is given; plus ``weights`` and ``picks`` (n, K), the
        column the policy would return at each step. ``prepared``: the output of :meth:`prepare`
        for these prompts, so repeated sweeps skip reading the answers again."""
        self._check_fitted()
        Q, Cst = np.asarray(quality, dtype=float), np.asarray(cost, dtype=float)
        R = np.asarray(responses, dtype=object)
        n = Q.shape[0]
        wts = np.atleast_1d(np.asarray([self.cost_weight] if weights is None else weights, dtype=float))
        feats, sc = self.prepare(X, responses=R, texts=texts, agree=agree) if prepared is None else prepared
        K = len(self.step_cols_)
        step = np.full((len(wts), n), K - 1)
        open_ = np.ones((len(wts), n), dtype=bool)
        picks = []
        for k, F in enumerate(feats):
            w, b = self.pick_[k]
            picks.append(np.asarray(self._cols(k))[(F @ w + b).argmax(axis=1)])
            if k < K - 1:
                hit = open_ & self._stop_rule(F, k, sc, wts)
                step[hit] = k
                open_ &= ~hit
        pick = np.stack(picks, axis=1)  # (n, K)
        rows = np.arange(n)[None, :]
        model = pick[rows, step]
        step_paid = np.stack([Cst[:, s].sum(axis=1) for s in self.step_cols_], axis=1)
        paid = np.cumsum(step_paid, axis=1)[rows, step]
        out = {"weights": wts, "quality": Q[rows, model], "cost": paid, "step": step, "model": model, "picks": pick}
        if latency is not None:
            L = np.asarray(latency, dtype=float)
            agg = np.max if self.parallel else np.sum
            step_lat = np.stack([agg(L[:, s], axis=1) for s in self.step_cols_], axis=1)
            out["latency"] = np.cumsum(step_lat, axis=1)[rows, step]
        return out

    def prepare(self, X: np.ndarray | None, *, responses: np.ndarray, texts: Sequence[str],
                agree: np.ndarray | None = None) -> tuple[list[np.ndarray], np.ndarray]:
        """The features of every step and the predicted step costs for these prompts' answers."""
        self._check_fitted()
        R = np.asarray(responses, dtype=object)
        P = prompt_features(texts)
        A = agreement_tensor(R) if agree is None else np.asarray(agree, dtype=float)
        return self._features(A, answer_stats(R), P, self._project(X)), self._step_costs(P)

    def sweep(self, table: OutcomeTable, X: np.ndarray | None = None, weights: np.ndarray | None = None,
              agree: np.ndarray | None = None) -> pd.DataFrame:
        """One row per cost weight: quality, mean_cost, total_cost (and mean_latency_s when the
        table records latency), the share of prompts stopping at each step."""
        if table.responses is None:
            raise InvalidRequestError(f"{table.name} has no recorded answers (responses)")
        w = default_weights() if weights is None else np.asarray(weights, dtype=float)
        sim = self.simulate(X, table.quality, table.cost, responses=table.responses,
                            texts=table.prompts["text"].tolist(), weights=w, latency=table.latency_s, agree=agree)
        df = pd.DataFrame({"cost_weight": w, "quality": sim["quality"].mean(axis=1),
                           "mean_cost": sim["cost"].mean(axis=1), "total_cost": sim["cost"].sum(axis=1)})
        if "latency" in sim:
            df["mean_latency_s"] = sim["latency"].mean(axis=1)
        for k in range(len(self.step_cols_)):
            df[f"stop@{k}"] = (sim["step"] == k).mean(axis=1)
        return df

    # ---- live ----------------------------------------------------------------------------------
    def decide(self, texts_so_far: Sequence[str], prompt: str, embedding: np.ndarray | None = None,
               agree: np.ndarray | None = None) -> tuple[bool, int, np.ndarray]:
        """One live decision after ``len(texts_so_far)`` models (the first steps, in order) answered:
        (stop?, index into texts_so_far of the answer to return, value estimates)."""
        self._check_fitted()
        k = next((i for i in range(len(self.step_cols_)) if len(self._cols(i)) == len(texts_so_far)), None)
        if k is None:
            raise InvalidRequestError(f"{len(texts_so_far)} answers do not end a step of {self.steps}")
        R = np.asarray([list(texts_so_far)], dtype=object)
        A = agreement_tensor(R) if agree is None else np.asarray(agree, dtype=float)[None]
        P = prompt_features([prompt])
        E = None if embedding is None else self._project(np.asarray(embedding, dtype=float).reshape(1, -1))
        F = step_features(A, answer_stats(R), P, range(len(texts_so_far)), E)
        w, b = self.pick_[k]
        pick = int((F @ w + b).argmax())
        if k == len(self.step_cols_) - 1:
            return True, pick, np.array([1.0])
        wv, bv = self.value_[k]
        stop = bool(self._stop_rule(F, k, self._step_costs(P), np.array([self.cost_weight]))[0, 0])
        return stop, pick, _sigmoid(F @ wv + bv)[0]

    def run(self, request: Request, client: _CompletesRequests, embedding: np.ndarray | None = None,
            model_ids: Mapping[str, str] | None = None) -> CascadeRun:
        """Call the steps through ``client`` until the policy stops; every call is traced and
        billed by the client. ``model_ids`` maps the fitted model names to the client's model ids
        (default: the same names). The prompt the features read is the request's last message."""
        self._check_fitted()
        prompt = request.messages[-1].content
        ids = dict(model_ids or {})
        done: list[Completion] = []
        values: list[np.ndarray] = []
        names = [[self.models_[c] for c in s] for s in self.step_cols_]
        for step in names:
            done.extend(client.complete(request, model=ids.get(mname, mname)) for mname in step)
            stop, pick, v = self.decide([c.text for c in done], prompt, embedding)
            values.append(v)
            if stop:
                return CascadeRun(done[pick], done, values, self.parallel, names)
        raise AssertionError("the last step always stops")  # pragma: no cover
