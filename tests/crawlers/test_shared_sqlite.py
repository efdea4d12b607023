"""Crawler processes that open one fresh SQLite file together all get a connection."""

from __future__ import annotations

import multiprocessing
import sqlite3
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path

import pytest

from crawlers.shared_sqlite import connect_shared, is_busy

PROCESSES = 6
ROUNDS = 25
SCHEMA = "CREATE TABLE IF NOT EXISTS t (k TEXT PRIMARY KEY);"


def open_together(path: Path, barrier: Barrier, results: Queue) -> None:
    barrier.wait()
    try:
        db = connect_shared(path, SCHEMA)
        db.execute("INSERT OR IGNORE INTO t VALUES ('x')")
        results.put(db.execute("PRAGMA journal_mode").fetchone()[0])
        db.close()
    except Exception as error:
        results.put(repr(error))


def test_processes_opening_a_new_file_at_once_all_succeed(tmp_path: Path) -> None:
    """Without the retry, processes died of 'database is locked' within the first rounds
    (the switch to WAL does not always call SQLite's busy handler); in CI that killed a
    monitor cycle whose sources' crawlers opened the crawl state together."""
    context = multiprocessing.get_context("fork")
    for round_ in range(ROUNDS):
        path = tmp_path / f"shared-{round_}.sqlite"
        barrier, queue = context.Barrier(PROCESSES), context.Queue()
        processes = [
            context.Process(target=open_together, args=(path, barrier, queue))
            for _ in range(PROCESSES)
        ]
        for process in processes:
            process.start()
        results = [queue.get(timeout=60) for _ in processes]
        for process in processes:
            process.join(10)
        assert results == ["wal"] * PROCESSES, f"round {round_}: {results}"


def test_a_file_locked_for_longer_than_the_timeout_raises_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "held.sqlite"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(sqlite3.OperationalError) as raised:
            connect_shared(path, SCHEMA, timeout_s=0.3)
        assert is_busy(raised.value)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert connect_shared(path, SCHEMA).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_other_errors_are_not_retried(tmp_path: Path) -> None:
    with pytest.raises(sqlite3.OperationalError, match="syntax"):
        connect_shared(tmp_path / "bad.sqlite", "CREATE TABLE (", timeout_s=30)
