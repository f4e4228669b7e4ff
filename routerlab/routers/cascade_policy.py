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

**Step 0** (``step0=True``): before any model runs, the policy may go straight to one model
(any column of the table, e.g. the strongest) instead of starting the cascade, as the unified
form allows: :class:`~routerlab.routers.cascade_entry.EntryModel` compares each model's
prompt-only quality estimate with the cascade's expected quality and cost at the same cost
weight, both learned on the training rows (the cascade's out-of-fold replay). ``groups=`` (the
prompt's task, when known) adds a one-hot group block to the features of step 0 and of every
later step; without it every feature is benchmark-free.

``numeric=True`` reads worked numeric answers (:mod:`~routerlab.routers.numeric_checks`): two
answers agree when their final numbers do, and each answer adds whether it marks a final
answer and the share of its own written equations that are wrong.

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
from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import pandas as pd

from ..errors import InvalidRequestError, RoutingError
from ..types import Completion, Request
from .answer_features import agreement_tensor, answer_stats, prompt_features, step_features
from .cascade_entry import EntryModel, group_onehot
from .numeric_checks import final_number, numeric_stats

if TYPE_CHECKING:
    from ..datasets.table import OutcomeTable

__all__ = ["CascadePolicy", "CascadeRun", "Prepared", "default_weights"]


def default_weights(n: int = 200) -> np.ndarray:
    """Cost weights for a sweep: 0 plus a log grid from 1e-4 to 1e3 (best quality -> first step only)."""
    return np.concatenate(([0.0], np.logspace(-4, 3, n - 1)))


class _CompletesRequests(Protocol):
    def complete(self, request: Request, model: str | None = None, tier: str | None = None, **kw: Any
                 ) -> Completion: ...


def _blas_one_thread() -> AbstractContextManager[Any]:
    """Fitting solves many small dense systems: one BLAS thread is faster, and many threads
    thrash on a shared machine (a fit took 27.6 s with OpenBLAS's default threads and 1.3 s
    with one, on 2 cores at load 10)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        return nullcontext()
    return threadpool_limits(1, user_api="blas")


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


#: What :meth:`CascadePolicy.prepare` returns: per-step features, predicted step costs, and step
#: 0's (prompt-only features, predicted cost of each model), None without step 0.
Prepared = tuple[list[np.ndarray], np.ndarray, tuple[np.ndarray, np.ndarray] | None]


def _table_groups(table: OutcomeTable, group_by: str | None) -> np.ndarray | None:
    if group_by is None:
        return None
    if group_by not in table.prompts.columns:
        raise InvalidRequestError(f"group_by={group_by!r} is not a column of {table.name}'s prompts: "
                                  f"{list(table.prompts.columns)}")
    return table.prompts[group_by].astype(str).to_numpy(dtype=object)


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
                 embed_dims: int = 0, parallel: bool = False, n_folds: int = 5, seed: int = 0,
                 step0: bool = False, entry_alpha: float = 1.0, numeric: bool = False) -> None:
        self.steps = steps
        self.cost_weight = cost_weight
        self.C = C
        self.embed_dims = embed_dims
        self.parallel = parallel
        self.n_folds = n_folds
        self.seed = seed
        self.step0 = step0
        self.entry_alpha = entry_alpha
        self.numeric = numeric

    _PARAMS = ("steps", "cost_weight", "C", "embed_dims", "parallel", "n_folds", "seed", "step0", "entry_alpha", "numeric")

    def get_params(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self._PARAMS}

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

    def _prompt_block(self, texts: Sequence[str], groups: Sequence[object] | np.ndarray | None) -> np.ndarray:
        """Benchmark-free prompt features, plus the one-hot group when the policy was fitted with groups."""
        P = prompt_features(texts)
        if self.groups_ is None:
            return P
        return np.concatenate([P, group_onehot(groups, self.groups_)], axis=1)

    def fit(self, X: np.ndarray | None, quality: np.ndarray, cost: np.ndarray, models: Sequence[str], *,
            responses: np.ndarray, texts: Sequence[str], agree: np.ndarray | None = None,
            groups: Sequence[object] | np.ndarray | None = None, stats: np.ndarray | None = None) -> CascadePolicy:
        """Fit on recorded outcomes: ``quality`` / ``cost`` / ``responses`` (n, m), ``texts`` the
        prompts, ``X`` their embeddings (needed when ``embed_dims > 0``), ``agree`` an optional
        precomputed :func:`~routerlab.routers.answer_features.agreement_tensor` (e.g. with code
        checks), ``groups`` each prompt's task when known (then needed at prediction too),
        ``stats`` the answers' precomputed :meth:`answer_stats` (read once, reused by refits)."""
        with _blas_one_thread():
            return self._fit(X, quality, cost, models, responses, texts, agree, groups, stats)

    def _fit(self, X: np.ndarray | None, quality: np.ndarray, cost: np.ndarray, models: Sequence[str],
             responses: np.ndarray, texts: Sequence[str], agree: np.ndarray | None,
             groups: Sequence[object] | np.ndarray | None, stats: np.ndarray | None) -> CascadePolicy:
        Q, Cst = np.asarray(quality, dtype=float), np.asarray(cost, dtype=float)
        n, m = Q.shape
        R = np.asarray(responses, dtype=object)
        if Cst.shape != (n, m) or R.shape != (n, m) or len(texts) != n or len(models) != m:
            raise InvalidRequestError(f"quality, cost and responses must all be (n, m) = {(n, m)}, texts n long, "
                                      f"models m long")
        if n < 2 * self.n_folds:
            raise InvalidRequestError(f"need at least {2 * self.n_folds} prompts to fit, got {n}")
        if groups is not None and len(groups) != n:
            raise InvalidRequestError(f"groups must have one entry per prompt ({n}), got {len(groups)}")
        self.models_ = list(models)
        self.step_cols_ = self._resolve(self.models_)
        self.groups_ = None if groups is None else sorted({str(g) for g in groups})
        g_str = None if groups is None else np.asarray([str(g) for g in groups], dtype=object)
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
        A = self._agreement(R) if agree is None else np.asarray(agree, dtype=float)
        E = self._project(X)
        Pg = self._prompt_block(texts, g_str)
        S = self.answer_stats(R) if stats is None else np.asarray(stats, dtype=float)
        self._fit_steps(self._features(A, S, Pg, E), Q)
        self.entry_ = None
        if self.step0:
            self.entry_ = self._fit_entry(X, Q, Cst, R, list(texts), A, S, g_str, Pg, E)
        return self

    def _fit_steps(self, feats: list[np.ndarray], Q: np.ndarray) -> None:
        n = len(Q)
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

    def _agreement(self, R: np.ndarray) -> np.ndarray:
        return agreement_tensor(R, normalize=final_number) if self.numeric else agreement_tensor(R)

    def answer_stats(self, responses: np.ndarray) -> np.ndarray:
        """(n, m, s) what the policy reads of each answer's form (``answer_features.answer_stats``,
        plus ``numeric_checks.numeric_stats`` when ``numeric=True``)."""
        R = np.asarray(responses, dtype=object)
        S = answer_stats(R)
        return np.concatenate([S, numeric_stats(R)], axis=-1) if self.numeric else S

    def _entry_features(self, Pg: np.ndarray, E: np.ndarray | None) -> np.ndarray:
        return Pg if E is None else np.concatenate([Pg, E], axis=1)

    def _model_costs(self, P: np.ndarray) -> np.ndarray:
        """(n, m) predicted cost of each model, in units of ``cost_scale_``."""
        design = np.column_stack([np.ones(len(P)), np.expm1(P[:, 0])])
        out: np.ndarray = np.maximum(design @ self.cost_coef_, 0.0) / self.cost_scale_
        return out

    def _fit_entry(self, X: np.ndarray | None, Q: np.ndarray, Cst: np.ndarray, R: np.ndarray, texts: list[str],
                   A: np.ndarray, S: np.ndarray, groups: np.ndarray | None, Pg: np.ndarray, E: np.ndarray | None
                   ) -> EntryModel:
        """Step 0 from the cascade's out-of-fold replay on the training rows (a cascade fitted
        without these rows decides on them at every weight of the grid)."""
        n = len(Q)
        grid = default_weights()
        cq, cc = np.empty((n, len(grid))), np.empty((n, len(grid)))
        folds = np.random.default_rng(self.seed + 1).permutation(n) % self.n_folds
        sub_params = {**self.get_params(), "step0": False}
        for f in range(self.n_folds):
            tr, te = np.flatnonzero(folds != f), np.flatnonzero(folds == f)
            sub = CascadePolicy(**sub_params).fit(
                None if X is None else np.asarray(X)[tr], Q[tr], Cst[tr], self.models_, responses=R[tr],
                texts=[texts[i] for i in tr], agree=A[tr], groups=None if groups is None else groups[tr],
                stats=S[tr])
            sim = sub.simulate(None if X is None else np.asarray(X)[te], Q[te], Cst[te], responses=R[te],
                               texts=[texts[i] for i in te], weights=grid, agree=A[te],
                               groups=None if groups is None else groups[te], stats=S[te])
            cq[te], cc[te] = sim["quality"].T, np.nan_to_num(sim["cost"].T) / self.cost_scale_
        return EntryModel(self.entry_alpha).fit(self._entry_features(Pg, E), Q, cq, cc, grid)

    def fit_table(self, table: OutcomeTable, X: np.ndarray | None = None, agree: np.ndarray | None = None,
                  group_by: str | None = None) -> CascadePolicy:
        """``group_by``: a column of ``table.prompts`` (e.g. ``"benchmark"``) used as the group feature."""
        if table.responses is None:
            raise InvalidRequestError(f"{table.name} has no recorded answers (responses): a cascade policy reads them")
        return self.fit(X, table.quality, table.cost, table.models, responses=table.responses,
                        texts=table.prompts["text"].tolist(), agree=agree, groups=_table_groups(table, group_by))

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
        per_model = self._model_costs(P)
        return np.stack([per_model[:, s].sum(axis=1) for s in self.step_cols_], axis=1)

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
                 prepared: Prepared | None = None, groups: Sequence[object] | np.ndarray | None = None,
                 stats: np.ndarray | None = None) -> dict[str, np.ndarray]:
        """Replay the policy on recorded answers for every cost weight at once.

        Returns (W, n) arrays ``quality``, ``cost`` (USD paid: every model of every step run),
        ``step`` (index of the step stopped at; -1 where step 0 went straight to one model),
        ``model`` (column returned), and ``latency`` when a (n, m) ``latency`` matrix is given;
        plus ``weights`` and ``picks`` (n, K), the column the policy would return at each step
        of the cascade. ``prepared``: the output of :meth:`prepare` for these prompts, so
        repeated sweeps skip reading the answers again."""
        self._check_fitted()
        Q, Cst = np.asarray(quality, dtype=float), np.asarray(cost, dtype=float)
        R = np.asarray(responses, dtype=object)
        n = Q.shape[0]
        wts = np.atleast_1d(np.asarray([self.cost_weight] if weights is None else weights, dtype=float))
        if prepared is None:
            prepared = self.prepare(X, responses=R, texts=texts, agree=agree, groups=groups, stats=stats)
        feats, sc, entry_in = prepared
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
        direct = np.full((len(wts), n), -1)
        if self.entry_ is not None and entry_in is not None:
            direct = self.entry_.choose(entry_in[0], entry_in[1], wts)
        alone = direct >= 0
        model = np.where(alone, direct, model)
        paid = np.where(alone, Cst[rows, np.maximum(direct, 0)], paid)
        step = np.where(alone, -1, step)
        out = {"weights": wts, "quality": Q[rows, model], "cost": paid, "step": step, "model": model, "picks": pick}
        if latency is not None:
            L = np.asarray(latency, dtype=float)
            agg = np.max if self.parallel else np.sum
            step_lat = np.stack([agg(L[:, s], axis=1) for s in self.step_cols_], axis=1)
            lat = np.cumsum(step_lat, axis=1)[rows, np.maximum(step, 0)]
            out["latency"] = np.where(alone, L[rows, np.maximum(direct, 0)], lat)
        return out

    def prepare(self, X: np.ndarray | None, *, responses: np.ndarray, texts: Sequence[str],
                agree: np.ndarray | None = None, groups: Sequence[object] | np.ndarray | None = None,
                stats: np.ndarray | None = None) -> Prepared:
        """The features of every step, the predicted step costs and step 0's inputs (prompt-only
        features, predicted cost of each model; None without step 0) for these prompts."""
        self._check_fitted()
        R = np.asarray(responses, dtype=object)
        P = prompt_features(texts)
        Pg = self._prompt_block(texts, groups)
        E = self._project(X)
        A = self._agreement(R) if agree is None else np.asarray(agree, dtype=float)
        entry_in = None if self.entry_ is None else (self._entry_features(Pg, E), self._model_costs(P))
        S = self.answer_stats(R) if stats is None else np.asarray(stats, dtype=float)
        return self._features(A, S, Pg, E), self._step_costs(P), entry_in

    def sweep(self, table: OutcomeTable, X: np.ndarray | None = None, weights: np.ndarray | None = None,
              agree: np.ndarray | None = None, group_by: str | None = None) -> pd.DataFrame:
        """One row per cost weight: quality, mean_cost, total_cost (and mean_latency_s when the
        table records latency), the share of prompts stopping at each step (``direct``: the
        share step 0 sent straight to one model)."""
        if table.responses is None:
            raise InvalidRequestError(f"{table.name} has no recorded answers (responses)")
        w = default_weights() if weights is None else np.asarray(weights, dtype=float)
        sim = self.simulate(X, table.quality, table.cost, responses=table.responses,
                            texts=table.prompts["text"].tolist(), weights=w, latency=table.latency_s, agree=agree,
                            groups=_table_groups(table, group_by))
        df = pd.DataFrame({"cost_weight": w, "quality": sim["quality"].mean(axis=1),
                           "mean_cost": sim["cost"].mean(axis=1), "total_cost": sim["cost"].sum(axis=1)})
        if "latency" in sim:
            df["mean_latency_s"] = sim["latency"].mean(axis=1)
        if self.entry_ is not None:
            df["direct"] = (sim["step"] == -1).mean(axis=1)
        for k in range(len(self.step_cols_)):
            df[f"stop@{k}"] = (sim["step"] == k).mean(axis=1)
        return df

    # ---- live ----------------------------------------------------------------------------------
    def first_move(self, prompt: str, embedding: np.ndarray | None = None, group: object | None = None) -> int | None:
        """Step 0, live: the column of the model to call alone, or None to start the cascade."""
        self._check_fitted()
        if self.entry_ is None:
            return None
        Pg = self._prompt_block([prompt], None if self.groups_ is None else [str(group)])
        E = None if embedding is None else self._project(np.asarray(embedding, dtype=float).reshape(1, -1))
        choice = int(self.entry_.choose(self._entry_features(Pg, E), self._model_costs(prompt_features([prompt])),
                                        np.array([self.cost_weight]))[0, 0])
        return None if choice < 0 else choice

    def decide(self, texts_so_far: Sequence[str], prompt: str, embedding: np.ndarray | None = None,
               agree: np.ndarray | None = None, group: object | None = None) -> tuple[bool, int, np.ndarray]:
        """One live decision after ``len(texts_so_far)`` models (the first steps, in order) answered:
        (stop?, index into texts_so_far of the answer to return, value estimates)."""
        self._check_fitted()
        k = next((i for i in range(len(self.step_cols_)) if len(self._cols(i)) == len(texts_so_far)), None)
        if k is None:
            raise InvalidRequestError(f"{len(texts_so_far)} answers do not end a step of {self.steps}")
        R = np.asarray([list(texts_so_far)], dtype=object)
        A = self._agreement(R) if agree is None else np.asarray(agree, dtype=float)[None]
        P = prompt_features([prompt])
        Pg = self._prompt_block([prompt], None if self.groups_ is None else [str(group)])
        E = None if embedding is None else self._project(np.asarray(embedding, dtype=float).reshape(1, -1))
        F = step_features(A, self.answer_stats(R), Pg, range(len(texts_so_far)), E)
        w, b = self.pick_[k]
        pick = int((F @ w + b).argmax())
        if k == len(self.step_cols_) - 1:
            return True, pick, np.array([1.0])
        wv, bv = self.value_[k]
        stop = bool(self._stop_rule(F, k, self._step_costs(P), np.array([self.cost_weight]))[0, 0])
        return stop, pick, _sigmoid(F @ wv + bv)[0]

    def run(self, request: Request, client: _CompletesRequests, embedding: np.ndarray | None = None,
            model_ids: Mapping[str, str] | None = None, group: object | None = None) -> CascadeRun:
        """Call the steps through ``client`` until the policy stops (or, at step 0, the one model
        it goes to); every call is traced and billed by the client. ``model_ids`` maps the fitted
        model names to the client's model ids (default: the same names). The prompt the features
        read is the request's last message; ``group`` its task when the policy was fitted with groups."""
        self._check_fitted()
        prompt = request.messages[-1].content
        ids = dict(model_ids or {})
        done: list[Completion] = []
        values: list[np.ndarray] = []
        first = self.first_move(prompt, embedding, group)
        if first is not None:
            mname = self.models_[first]
            done.append(client.complete(request, model=ids.get(mname, mname)))
            return CascadeRun(done[0], done, [np.array([1.0])], self.parallel, [[mname]])
        names = [[self.models_[c] for c in s] for s in self.step_cols_]
        for step in names:
            done.extend(client.complete(request, model=ids.get(mname, mname)) for mname in step)
            stop, pick, v = self.decide([c.text for c in done], prompt, embedding, group=group)
            values.append(v)
            if stop:
                return CascadeRun(done[pick], done, values, self.parallel, names)
        raise AssertionError("the last step always stops")  # pragma: no cover
