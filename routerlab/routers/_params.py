"""scikit-learn's estimator conventions, in the few lines routerlab needs (no sklearn import):
parameters are keyword-only after the first few (a deprecated positional call still works, with
a ``FutureWarning``, as sklearn did when it made the switch), ``get_params`` / ``set_params``
read them from ``__init__``'s signature, and ``clone`` builds an unfitted copy with the same
parameters (nested routers cloned too), so a meta-router never fits the objects it was given.
"""

from __future__ import annotations

import copy
import functools
import inspect
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

from ..errors import InvalidRequestError

__all__ = ["keyword_only_after", "param_names", "clone", "ParamsMixin"]

F = TypeVar("F", bound=Callable[..., None])


def keyword_only_after(n_positional: int) -> Callable[[F], F]:
    """Let ``__init__`` take its keyword-only parameters positionally for one release, with a
    ``FutureWarning`` naming them (sklearn's ``_deprecate_positional_args``)."""

    def deco(init: F) -> F:
        sig = inspect.signature(init)
        kw_only = [p.name for p in sig.parameters.values() if p.kind is inspect.Parameter.KEYWORD_ONLY]

        @functools.wraps(init)
        def wrapper(self: Any, *args: Any, **kwargs: Any) -> None:
            extra = args[n_positional:]
            if extra:
                names = kw_only[:len(extra)]
                if len(extra) > len(kw_only):
                    raise TypeError(f"{type(self).__name__}() takes at most {n_positional + len(kw_only)} "
                                    f"positional arguments, got {len(args)}")
                warnings.warn(f"passing {', '.join(names)} to {type(self).__name__}() by position is deprecated "
                              f"and will stop working in the next release: pass "
                              f"{', '.join(f'{k}=...' for k in names)}", FutureWarning, stacklevel=2)
                kwargs.update(zip(names, extra, strict=True))
            init(self, *args[:n_positional], **kwargs)

        return wrapper  # type: ignore[return-value]

    return deco


def param_names(cls: type) -> list[str]:
    """The parameter names of ``cls.__init__`` (its signature: the estimator's parameters)."""
    return list(inspect.signature(cls).parameters)


class ParamsMixin:
    """``get_params`` / ``set_params`` from ``__init__``'s signature, as sklearn's BaseEstimator."""

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The estimator's parameters (``deep``: accepted for sklearn compatibility; nested routers
        are returned as objects)."""
        return {n: getattr(self, n) for n in param_names(type(self))}

    def set_params(self, **params: Any) -> Any:
        """Set parameters by name; an unknown name raises (sklearn's contract). Returns self."""
        valid = set(param_names(type(self)))
        for k, v in params.items():
            if k not in valid:
                raise InvalidRequestError(f"{k!r} is not a parameter of {type(self).__name__}; parameters: {sorted(valid)}")
            setattr(self, k, v)
        return self


def _clone_param(v: Any) -> Any:
    if isinstance(v, ParamsMixin):
        return clone(v)
    if isinstance(v, (list, tuple)) and any(isinstance(x, ParamsMixin) for x in v):
        return type(v)(_clone_param(x) for x in v)
    if callable(getattr(v, "embed", None)):  # an embedder: shared, never copied (it holds a model)
        return v
    return copy.deepcopy(v)


def clone(estimator: Any) -> Any:
    """An unfitted copy with the same parameters (sklearn.base.clone's contract); nested routers
    are cloned, embedders shared."""
    if not isinstance(estimator, ParamsMixin):
        raise InvalidRequestError(f"cannot clone {estimator!r}: it has no get_params (not a routerlab router)")
    params = {k: _clone_param(v) for k, v in estimator.get_params(deep=False).items()}
    return type(estimator)(**params)
