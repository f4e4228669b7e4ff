"""The one place a call happens: pick the provider, check the request, reserve budget, call,
retry, fall back, price, and write one trace record per attempt.

    client = Client(budget_usd=0.50, retry=RetryPolicy(max_attempts=2))
    done = client.complete(Request.user("Which workflow fits?"), tier="classifier")
    outcomes = client.run_many(requests, tier="coder")   # one Outcome per request, never lost

Retries (429 honouring Retry-After, 5xx, timeouts, dropped connections, malformed or empty
answers) follow a :class:`RetryPolicy`; the SDKs' own retries are switched off so that each
attempt is seen, timed and recorded. When a model keeps failing, lacks a capability, or does not
fit the budget, the next model of the tier is tried and the trace says why; when all fail, the
error is an :class:`~routerlab.errors.AllModelsFailedError` of every candidate's error.

Modules: ``_client`` (the Client), ``_plan`` (candidates, no network), ``_flow`` (the attempt
walk, once, and its sync/async drivers), ``_retry`` (RetryPolicy), ``_pricing`` (worst case and
actual cost), ``_records`` (trace records), ``_batch`` (bounded batches, progress bar).
"""

from __future__ import annotations

from ..errors import AllModelsFailedError
from ..outcome import Outcome, outcomes_frame
from ._client import Client
from ._retry import RETRYABLE, RetryPolicy

__all__ = ["Client", "Outcome", "RETRYABLE", "RetryPolicy", "AllModelsFailedError", "outcomes_frame"]
