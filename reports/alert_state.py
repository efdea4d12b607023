"""Which spike went to which channel, across runs and processes (SQLite in the data directory).

Every delivery runs inside ``claim``: an immediate (write-locking) transaction that checks
whether the spike already went to the channel, lets the caller deliver it, and records it only
if the caller says it went. A second run, in this or another process, waits for the lock and
then sees the record, so two runs at once never send a spike twice. The lock is held for one
delivery at a time (a webhook call is bounded by its timeout), not for a whole run.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from indexer.errors import VnopinionError

__all__ = ["Claim", "DeliveryState"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS deliveries (
    spike_key TEXT NOT NULL,
    channel TEXT NOT NULL,
    delivered_at TEXT NOT NULL,
    PRIMARY KEY (spike_key, channel)
);
"""
LOCK_WAIT_S = 120.0


class Claim:
    """A channel's right to deliver one spike; ``pending`` is False when it already went."""

    def __init__(self, pending: bool) -> None:
        self.pending = pending
        self.delivered = False

    def done(self) -> None:
        """The delivery succeeded: record it when the claim closes."""
        self.delivered = True


class DeliveryState:
    def __init__(self, path: Path, lock_wait_s: float = LOCK_WAIT_S) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        # Autocommit mode: transactions are the explicit BEGIN IMMEDIATE ... COMMIT below.
        self._db = sqlite3.connect(path, timeout=lock_wait_s, isolation_level=None)
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> DeliveryState:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def delivered(self, key: str, channel: str) -> bool:
        row = self._db.execute(
            "SELECT 1 FROM deliveries WHERE spike_key = ? AND channel = ?", (key, channel)
        ).fetchone()
        return row is not None

    @contextmanager
    def claim(self, key: str, channel: str) -> Iterator[Claim]:
        """Hold the state's write lock while the caller delivers ``key`` to ``channel``."""
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise VnopinionError(
                f"The alert state {self.path} stayed locked: {exc}.",
                hint="another `vnopinion alerts` run holds it; wait for it to finish.",
            ) from exc
        try:
            claim = Claim(pending=not self.delivered(key, channel))
            yield claim
            if claim.pending and claim.delivered:
                self._db.execute(
                    "INSERT INTO deliveries (spike_key, channel, delivered_at) VALUES (?, ?, ?)",
                    (key, channel, datetime.now(UTC).isoformat()),
                )
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
