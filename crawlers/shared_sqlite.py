"""SQLite files that several crawler processes on one machine open at the same time.

The crawl state, the near-duplicate signatures and the monitor's state are each shared by
the crawl processes of one machine (README, Scale-out; a monitor cycle with several
sources). WAL lets them read while one writes, and the busy timeout makes a writer wait
its turn. But SQLite answers some contention with ``database is locked`` at once, without
calling the busy handler: switching a new file to WAL while another process opens it, or
reading the WAL index while another process recovers it. Opening retries those cases until
the same deadline, so a crawler never dies at start-up because its neighbour started too.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

BUSY_TIMEOUT_S = 30.0
_FIRST_DELAY_S = 0.02
_MAX_DELAY_S = 0.5


def is_busy(error: sqlite3.OperationalError) -> bool:
    message = str(error).lower()
    return "database is locked" in message or "database is busy" in message


def connect_shared(
    path: Path, schema: str = "", timeout_s: float = BUSY_TIMEOUT_S
) -> sqlite3.Connection:
    """An autocommit WAL connection to ``path`` with ``schema`` applied (idempotent DDL).

    The connection may be used from several threads: callers hold their own lock.
    Raises the last ``sqlite3.OperationalError`` when the file stays locked past
    ``timeout_s``.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + timeout_s
    delay = _FIRST_DELAY_S
    while True:
        # timeout= is SQLite's busy timeout: a writer waits its turn where SQLite lets it.
        db = sqlite3.connect(path, timeout=timeout_s, check_same_thread=False, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            if schema:
                db.executescript(schema)
            return db
        except sqlite3.OperationalError as error:
            db.close()
            if not is_busy(error) or time.monotonic() + delay > deadline:
                raise
        time.sleep(delay)
        delay = min(delay * 2, _MAX_DELAY_S)
