"""A token bucket per caller, in memory: ``per_minute`` requests, refilled continuously.

A caller is an API key (``key:<id>``) or, without one, a client address (``ip:<addr>``).
Each API instance counts on its own; behind a load balancer over N instances the effective
limit is up to N times the setting.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

__all__ = ["RateLimiter"]

MAX_CALLERS = 10_000


class RateLimiter:
    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0  # tokens per second
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # caller -> (tokens, last time)
        self._lock = threading.Lock()

    def take(self, caller: str) -> float:
        """Spend one token: 0.0 when allowed, else the seconds until one is available."""
        if self.capacity <= 0:
            return 0.0
        now = self._clock()
        with self._lock:
            tokens, last = self._buckets.get(caller, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            if tokens >= 1:
                self._buckets[caller] = (tokens - 1, now)
                self._forget_full(now)
                return 0.0
            self._buckets[caller] = (tokens, now)
            return (1 - tokens) / self.rate

    def retry_after(self, wait_s: float) -> str:
        return str(max(1, math.ceil(wait_s)))

    def _forget_full(self, now: float) -> None:
        """Keep memory bounded: drop callers whose bucket has refilled."""
        if len(self._buckets) <= MAX_CALLERS:
            return
        refill_s = self.capacity / self.rate
        self._buckets = {c: v for c, v in self._buckets.items() if now - v[1] < refill_s}
