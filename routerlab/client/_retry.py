"""When to try the same model again, and how long to wait first: one frozen value.

As httpx gathers its timeouts in ``Timeout`` and its pool sizes in ``Limits``, the four retry
knobs live in :class:`RetryPolicy`; the client keeps one and the attempt walk asks it.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from ..errors import BadResponseError, InvalidRequestError, RateLimitError, TransientProviderError

__all__ = ["RetryPolicy", "RETRYABLE"]

#: Errors worth another attempt on the same model.
RETRYABLE: tuple[type[Exception], ...] = (TransientProviderError, BadResponseError)


@dataclass(frozen=True)
class RetryPolicy:
    """Attempts per model and the wait between them.

    ``max_attempts``: attempts on one model (1 = no retry) before falling back to the next.
    ``backoff_s`` / ``max_backoff_s``: full-jitter exponential backoff, uniform in
    ``[0, min(max_backoff_s, backoff_s * 2**(n-1))]`` after attempt ``n``.
    ``max_retry_after_s``: the longest server-asked ``Retry-After`` wait honoured.
    """

    max_attempts: int = 3
    backoff_s: float = 0.5
    max_backoff_s: float = 8.0
    max_retry_after_s: float = 30.0

    def __post_init__(self) -> None:
        if isinstance(self.max_attempts, bool) or not isinstance(self.max_attempts, int) or self.max_attempts < 1:
            raise InvalidRequestError(f"max_attempts must be an int >= 1, got {self.max_attempts!r}")
        for name in ("backoff_s", "max_backoff_s", "max_retry_after_s"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
                raise InvalidRequestError(f"RetryPolicy.{name} must be a finite number >= 0 seconds, got {value!r}")

    def should_retry(self, error: BaseException, attempt: int) -> bool:
        """Whether attempt number ``attempt`` (1-based), which raised ``error``, gets another."""
        return attempt < self.max_attempts and isinstance(error, RETRYABLE)

    def wait_s(self, error: BaseException, attempt: int) -> float:
        """Seconds to wait after attempt ``attempt`` failed with ``error``."""
        if isinstance(error, RateLimitError) and error.retry_after is not None:
            return min(error.retry_after, self.max_retry_after_s)
        # full jitter spreads the retries of many concurrent calls
        return random.uniform(0, min(self.max_backoff_s, self.backoff_s * (2 ** (attempt - 1))))
