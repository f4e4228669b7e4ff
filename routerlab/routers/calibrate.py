""""The smallest model that reaches 95% on your eval set": calibrate classifier candidates.

``calibrate(candidates, eval_set, target=0.95)`` fits each candidate on the train split,
runs it on the test split one request at a time, and records accuracy, a one-sided lower
confidence bound on accuracy (Wilson score or exact Clopper-Pearson), cost per 1,000
requests and mean latency per request. It picks the cheapest candidate whose lower bound
clears the target (ties: the faster), and says so plainly when none does.

The latency is a new request's: ``timed`` test requests (50 by default, spread evenly over the
split) run inside :func:`routerlab.embeddings.cache_misses`, so an ``EmbeddingClassifier`` encodes
them even when the on-disk cache holds them (a cache hit answers in a fraction of a millisecond,
the encoder in about 14 ms here), and the column ``timed`` says how many the mean is over. The
other test requests may read the cache: accuracy does not depend on it. The first test request
is a warm-up, run uncached but never timed (loading a model is a one-off, not a per-request
cost). Caches of a candidate's own (a memoising ``embed`` function) are not routerlab's to skip.

``calibrate_outcomes(names, correct, n, cost_per_item)`` applies the same rule to outcomes
already measured (a leaderboard, an agent benchmark): no candidate is run.

The bound, not the point accuracy, is held against the target: 148/150 correct is 98.7%
accuracy but only ~96.0% at 95% confidence, and 95/100 does not clear 95% at all.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import TYPE_CHECKING, Any

from ..errors import DatasetError, InvalidRequestError, RouterlabError

if TYPE_CHECKING:
    import pandas as pd

    from .classifier import TextClassifier

__all__ = ["calibrate", "calibrate_outcomes", "CalibrationResult", "wilson_lower", "exact_lower", "lower_bound", "METHODS"]

METHODS = ("wilson", "exact")
TABLE_COLUMNS = [
    "candidate", "n", "correct", "accuracy", "lower_bound", "cost_per_1k_usd", "latency_ms", "timed",
    "qualifies", "chosen", "failures", "error",
]


def wilson_lower(correct: int, n: int, confidence: float = 0.95) -> float:
    """One-sided Wilson score lower bound on a binomial proportion."""
    _check_counts(correct, n, confidence)
    z = NormalDist().inv_cdf(confidence)
    p = correct / n
    denom = 1 + z * z / n
    centre = p + z * z / (2 * n)
    margin = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, (centre - margin) / denom)


def _log_binom_sf(k: int, n: int, p: float) -> float:
    """log P(X >= k) for X ~ Binomial(n, p), summed in log space (n in the thousands is fine)."""
    if k <= 0:
        return 0.0
    if p <= 0.0:
        return -math.inf
    if p >= 1.0:
        return 0.0
    lp, lq = math.log(p), math.log1p(-p)
    terms = [
        math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1) + i * lp + (n - i) * lq for i in range(k, n + 1)
    ]
    top = max(terms)
    return top + math.log(sum(math.exp(t - top) for t in terms))


def exact_lower(correct: int, n: int, confidence: float = 0.95) -> float:
    """One-sided exact (Clopper-Pearson) lower bound: the p at which P(X >= correct) = 1 - confidence."""
    _check_counts(correct, n, confidence)
    if correct == 0:
        return 0.0
    target = math.log(1 - confidence)
    lo, hi = 0.0, correct / n
    for _ in range(80):  # bisection to ~1e-24: plenty
        mid = (lo + hi) / 2
        if _log_binom_sf(correct, n, mid) < target:
            lo = mid
        else:
            hi = mid
    return lo


def lower_bound(correct: int, n: int, confidence: float = 0.95, method: str = "wilson") -> float:
    if method == "wilson":
        return wilson_lower(correct, n, confidence)
    if method == "exact":
        return exact_lower(correct, n, confidence)
    raise InvalidRequestError(f"method must be one of {METHODS}, got {method!r}")


def _check_counts(correct: int, n: int, confidence: float) -> None:
    if n <= 0 or not 0 <= correct <= n:
        raise InvalidRequestError(f"need 0 <= correct <= n and n > 0, got correct={correct}, n={n}")
    if not 0.5 <= confidence < 1:
        raise InvalidRequestError(f"confidence must be in [0.5, 1), got {confidence}")


@dataclass
class CalibrationResult:
    """``chosen``: the name of the cheapest qualifying candidate, or None; ``table``: one row
    per candidate (see TABLE_COLUMNS); ``message``: the verdict in one sentence."""

    chosen: str | None
    table: pd.DataFrame
    target: float
    confidence: float
    method: str
    message: str
    classifiers: dict[str, Any]

    def with_target(self, target: float) -> CalibrationResult:
        """The same measurements held against another target (no candidate is rerun)."""
        table = self.table.copy()
        chosen, message = _select(table, target, self.confidence, self.method)
        return CalibrationResult(chosen, table, target, self.confidence, self.method, message, self.classifiers)

    @property
    def chosen_classifier(self) -> Any:
        return None if self.chosen is None else self.classifiers[self.chosen]

    def __repr__(self) -> str:
        return f"CalibrationResult(chosen={self.chosen!r}, message={self.message!r})"

    def _repr_html_(self) -> str:
        return f"<p>{self.message}</p>" + self.table.to_html(index=False, float_format=lambda v: f"{v:.4g}")


def _named(candidates: Sequence[Any]) -> list[tuple[str, TextClassifier]]:
    out: list[tuple[str, TextClassifier]] = []
    for c in candidates:
        name, clf = (c if isinstance(c, tuple) else (getattr(c, "name", type(c).__name__), c))
        if any(name == n for n, _ in out):
            raise InvalidRequestError(f"two candidates are named {name!r}: pass (name, classifier) pairs")
        out.append((str(name), clf))
    if not out:
        raise InvalidRequestError("calibrate needs at least one candidate")
    return out


def _count(successes: float) -> str:
    """Successes as a count: whole numbers as they are, a mean over trials (tau2's pass^1 x n) to one decimal."""
    return f"{successes:g}" if float(successes).is_integer() else f"{successes:.1f}"


def _select(table: pd.DataFrame, target: float, confidence: float, method: str) -> tuple[str | None, str]:
    """Mark ``qualifies``/``chosen`` in ``table`` for ``target``; return (chosen, message)."""
    # a candidate with an error (it raised; its cost is unknown) never qualifies
    table["qualifies"] = (table["lower_bound"].fillna(-1.0) >= target) & table["error"].fillna("").eq("")
    table["chosen"] = False
    ok = table[table["qualifies"]]
    pct = f"{confidence:.0%}"
    goal = f"{target:.0%}" if abs(target * 100 - round(target * 100)) < 1e-9 else f"{target:.1%}"
    if ok.empty:
        scored = table.dropna(subset=["lower_bound"])
        if scored.empty:
            best = "every candidate failed"
        else:
            top = scored.sort_values("lower_bound", ascending=False).iloc[0]
            best = (f"best is {top['candidate']} with accuracy {top['accuracy']:.3f} "
                    f"(lower bound {top['lower_bound']:.3f}, {_count(top['correct'])}/{top['n']})")
            blocked = table[(table["lower_bound"].fillna(-1.0) >= target) & ~table["qualifies"]]
            if len(blocked):
                best += f"; {', '.join(blocked['candidate'])} would qualify but: {blocked['error'].iloc[0]}"
        none = "the only candidate does not reach" if len(table) == 1 else f"none of {len(table)} candidates reaches"
        return None, f"{none} {goal} accuracy at {pct} confidence ({method}); {best}"
    pick = ok.sort_values(["cost_per_1k_usd", "latency_ms"], kind="stable").iloc[0]
    chosen = str(pick["candidate"])
    table.loc[table["candidate"] == chosen, "chosen"] = True
    return chosen, (
        f"chose {chosen}: accuracy {pick['accuracy']:.3f}, lower bound {pick['lower_bound']:.3f} >= "
        f"{goal} at {pct} confidence ({method}), ${pick['cost_per_1k_usd']:.4f} per 1k requests, "
        + (f"{pick['latency_ms']:.1f} ms per request{_timed_note(pick['timed'])}; "
           if math.isfinite(pick["latency_ms"]) else "")
        + (f"the cheapest (then fastest) of {len(ok)} that qualify" if len(ok) > 1 else "the only one that qualifies")
    )


def _timed_note(timed: Any) -> str:
    """What a measured latency is: calibrate() times new (uncached) requests; a recorded one is as recorded."""
    import pandas as pd

    if pd.isna(timed):
        return ""
    return f" (uncached, mean of {int(timed)} timed request{'s' if int(timed) != 1 else ''})"


def _timed_positions(n: int, timed: int | None) -> set[int]:
    """Which of ``n`` test requests are timed: ``timed`` of them (None: all), evenly spread, never
    the first (the warm-up) unless it is the only one."""
    if n == 1:
        return {0}
    pool = n - 1
    k = pool if timed is None else min(timed, pool)
    return {1 + i * pool // k for i in range(k)}


def _failures(clf: Any) -> int:
    """Requests a candidate could not answer so far (an LLM classifier's ``usage.failures``)."""
    usage = getattr(clf, "usage", None)
    return int(getattr(usage, "failures", 0)) if usage is not None else int(getattr(clf, "failures_", 0))


def calibrate(
    candidates: Sequence[Any],
    eval_set: pd.DataFrame,
    target: float = 0.95,
    confidence: float = 0.95,
    method: str = "wilson",
    *,
    label: str = "tier",
    fit: bool = True,
    max_test: int | None = None,
    timed: int | None = 50,
) -> CalibrationResult:
    """Run each candidate (a classifier or a ``(name, classifier)`` pair) on the test split of
    ``eval_set`` (a frame with ``text``, ``split`` and the ``label`` column, as
    :func:`routerlab.evalset.load_evalset` returns) and pick the cheapest whose accuracy's
    lower confidence bound reaches ``target``.

    ``max_test`` keeps the first n test rows (for quick runs of slow candidates; the bound
    widens honestly with fewer rows). A candidate that raises is kept in the table with its
    error and never chosen.

    ``latency_ms`` is the mean over ``timed`` test requests (None: all but the first) of the time
    one request takes when nothing about it is cached: they run inside
    :func:`routerlab.embeddings.cache_misses`, one at a time, after an untimed warm-up request.
    The table's ``timed`` column gives the count. The rest of the test split is run with the
    embedding cache as usual (the vectors are the encoder's own, read faster).
    """
    import pandas as pd

    if method not in METHODS:
        raise InvalidRequestError(f"method must be one of {METHODS}, got {method!r}")
    if not 0 < target <= 1:
        raise InvalidRequestError(f"target must be in (0, 1], got {target}")
    if timed is not None and (isinstance(timed, bool) or not isinstance(timed, int) or timed < 1):
        raise InvalidRequestError(f"timed must be a count of requests >= 1 (or None for all), got {timed!r}")
    if not isinstance(eval_set, pd.DataFrame):
        raise DatasetError(f"calibrate needs the eval set as a DataFrame (routerlab.evalset.load_evalset()), "
                           f"got {type(eval_set).__name__}")
    for col in ("text", "split", label):
        if col not in eval_set.columns:
            raise DatasetError(f"eval set lacks column {col!r}: load it with routerlab.evalset.load_evalset()")
    named = _named(candidates)
    train = eval_set[eval_set["split"] == "train"]
    test = eval_set[eval_set["split"] == "test"]
    if max_test is not None:
        test = test.head(max_test)
    if test.empty:
        raise DatasetError("eval set has no test rows: it needs a split column with 'test' rows")
    texts, truth = list(test["text"]), list(test[label])
    timed_at = _timed_positions(len(texts), timed)
    requests: list[Any] | None = None
    rows: list[dict[str, Any]] = []
    for name, clf in named:
        row: dict[str, Any] = dict.fromkeys(TABLE_COLUMNS)
        row.update(candidate=name, n=len(texts), qualifies=False, chosen=False, error="")
        before = _failures(clf)
        try:
            if fit and hasattr(clf, "fit"):
                clf.fit(list(train["text"]), list(train[label]))
            items: Sequence[Any] = texts
            call = clf.classify
            if hasattr(clf, "classify_request"):  # it reads request properties (images, context size)
                if requests is None:
                    from ..evalset import to_requests

                    requests = to_requests(test)
                items, call = requests, clf.classify_request
            preds, times = _run_one_at_a_time(call, items, timed_at)
        except RouterlabError as exc:
            row["error"] = f"{type(exc).__name__}: {exc}"
            rows.append(row)
            continue
        correct = sum(p == y for p, y in zip(preds, truth, strict=True))
        row.update(
            correct=correct,
            accuracy=correct / len(texts),
            lower_bound=lower_bound(correct, len(texts), confidence, method),
            cost_per_1k_usd=1000 * float(getattr(clf, "cost_per_request_usd", 0.0) or 0.0),
            latency_ms=1000 * sum(times) / len(times),
            timed=len(times),
            # requests the candidate could not answer and guessed instead (an LLM off its schema)
            failures=_failures(clf) - before,
        )
        rows.append(row)
    table = pd.DataFrame(rows, columns=TABLE_COLUMNS)
    table["correct"] = table["correct"].astype("Int64")
    table["timed"] = table["timed"].astype("Int64")
    chosen, message = _select(table, target, confidence, method)
    return CalibrationResult(chosen, table, target, confidence, method, message, dict(named))


def _run_one_at_a_time(call: Any, items: Sequence[Any], timed_at: set[int]) -> tuple[list[str], list[float]]:
    """Labels for ``items`` one call each (the latency an agent sees per request), and the seconds
    each call in ``timed_at`` took with every embedding-cache lookup missing (a new request's)."""
    from ..embeddings import cache_misses

    preds: list[str] = []
    times: list[float] = []
    for i, item in enumerate(items):
        if i == 0 or i in timed_at:  # the first one warms the candidate up (a model loads) uncached
            with cache_misses():
                t0 = time.perf_counter()
                preds.append(call(item)[0])
                elapsed = time.perf_counter() - t0
            if i in timed_at:
                times.append(elapsed)
        else:
            preds.append(call(item)[0])
    return preds, times


def calibrate_outcomes(
    names: Sequence[str],
    correct: Sequence[float],
    n: Sequence[int] | int,
    cost_per_item: Sequence[float],
    target: float = 0.95,
    confidence: float = 0.95,
    method: str = "wilson",
    *,
    latency_s: Sequence[float] | None = None,
) -> CalibrationResult:
    """The rule on recorded outcomes: candidate i solved ``correct[i]`` of ``n[i]`` items at a mean
    ``cost_per_item[i]`` USD; pick the cheapest whose lower bound reaches ``target`` (ties: the
    faster, by ``latency_s``). A candidate with an unknown cost (NaN) is kept, never chosen.
    ``correct`` may be fractional (a pass rate averaged over trials) with ``method="wilson"``."""
    import pandas as pd

    if method not in METHODS:
        raise InvalidRequestError(f"method must be one of {METHODS}, got {method!r}")
    if not 0 < target <= 1:
        raise InvalidRequestError(f"target must be in (0, 1], got {target}")
    names = [str(x) for x in names]
    counts = [n] * len(names) if isinstance(n, int) else list(n)
    lat = list(latency_s) if latency_s is not None else [math.nan] * len(names)
    if not names or not len(names) == len(correct) == len(counts) == len(cost_per_item) == len(lat):
        raise InvalidRequestError("names, correct, n, cost_per_item (and latency_s) need one entry per candidate")
    if len(set(names)) != len(names):
        raise InvalidRequestError("candidate names must be unique")
    rows = []
    for name, k, m, c, t in zip(names, correct, counts, cost_per_item, lat, strict=True):
        k = float(k)
        bound = lower_bound(int(round(k)) if method == "exact" else k, int(m), confidence, method)  # type: ignore[arg-type]
        rows.append({"candidate": name, "n": int(m), "correct": k, "accuracy": k / int(m), "lower_bound": bound,
                     "cost_per_1k_usd": 1000 * float(c), "latency_ms": 1000 * float(t), "failures": 0, "error": ""})
    table = pd.DataFrame(rows, columns=TABLE_COLUMNS)
    table["timed"] = table["timed"].astype("Int64")  # nothing timed here: the latency is as recorded
    priced = table["cost_per_1k_usd"].notna()
    table.loc[~priced, "error"] = "cost not recorded: never chosen"
    chosen, message = _select(table, target, confidence, method)
    return CalibrationResult(chosen, table, target, confidence, method, message, {})
