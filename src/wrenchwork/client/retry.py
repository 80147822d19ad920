"""When to try a request again, and how long to wait first.

A 429 is retried for every method: the server refused it before doing anything. A connection error or timeout
is retried only for idempotent methods, since a POST or PATCH may have been applied before the connection broke.
Waits grow exponentially from `backoff` with full jitter, capped at `max_delay`. A 429 waits what `retry-after`
says plus one second, since the header counts whole seconds rounded down and the window may turn up to a second
later (a "0" would otherwise bring the client straight back into the same window, spending its retries), then up
to half a second of jitter, which keeps clients refused together from coming back together. A `retry-after`
longer than `max_delay` is not waited out: the error goes to the caller.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 4
    backoff: float = 0.5
    max_delay: float = 30.0

    def after_connection_error(self, method: str, attempt: int) -> float | None:
        """Seconds to wait before attempt `attempt + 1`, or None to give up."""
        if method.upper() not in IDEMPOTENT or attempt >= self.max_retries:
            return None
        return random.uniform(0, min(self.max_delay, self.backoff * 2**attempt))

    def after_rate_limit(self, attempt: int, retry_after: float | None) -> float | None:
        if attempt >= self.max_retries:
            return None
        if retry_after is None:
            return random.uniform(0, min(self.max_delay, self.backoff * 2**attempt))
        if retry_after > self.max_delay:
            return None
        return retry_after + 1.0 + random.uniform(0, 0.5)
