"""Time as the monitor sees it: one object to ask the time and to wait.

The schedule, the store and the service take a ``Clock`` instead of calling
``datetime.now`` and ``time.sleep`` themselves, so the tests drive days of schedule with a
``FakeClock`` in microseconds, and the freshness benchmark could run the real one faster.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol

__all__ = ["Clock", "FakeClock", "SystemClock"]


class Clock(Protocol):
    """Where the monitor reads the time (UTC-aware) and waits."""

    def now(self) -> datetime: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """The real clock: UTC wall time, ``time.sleep``."""

    def now(self) -> datetime:
        """The current UTC time."""
        return datetime.now(UTC)

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` (nothing for zero or less)."""
        if seconds > 0:
            time.sleep(seconds)


class FakeClock:
    """A clock for tests: time moves only when something sleeps or the test advances it."""

    def __init__(self, start: datetime | None = None) -> None:
        start = start or datetime(2026, 11, 1, tzinfo=UTC)
        if start.tzinfo is None:
            raise ValueError("FakeClock needs a timezone-aware start time")
        self._now = start.astimezone(UTC)
        self._lock = threading.Lock()
        self.slept: list[float] = []  # every sleep() asked for, in order

    def now(self) -> datetime:
        """The fake current time."""
        with self._lock:
            return self._now

    def sleep(self, seconds: float) -> None:
        """Move time forward by ``seconds`` at once, and remember the request."""
        with self._lock:
            self.slept.append(seconds)
            if seconds > 0:
                self._now += timedelta(seconds=seconds)

    def advance(self, seconds: float = 0, **delta: float) -> datetime:
        """Move time forward (``advance(90)``, ``advance(minutes=15)``); returns the new now."""
        step = timedelta(seconds=seconds, **delta)
        if step < timedelta(0):
            raise ValueError("a clock does not go back")
        with self._lock:
            self._now += step
            return self._now
