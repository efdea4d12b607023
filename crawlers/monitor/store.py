"""The monitor's memory across restarts (SQLite at ``<data_dir>/monitor.sqlite``).

What it keeps: each source's place in the schedule, the cycles (planned, running, done or
crashed, with their reports), each source's outcome per cycle, the comment threads on the
re-poll schedule, running counters per source (Prometheus counters never go back, even
across restarts), and the last health judgement per source (to tell when one *turns*
broken). Every write commits at once, so a SIGKILL loses at most the cycle in flight, and a
restarted monitor finds that cycle in ``unfinished_cycles()``.

The decisions live in ``crawlers.monitor.schedule`` and ``crawlers.monitor.health``; this
module only stores their records. Thread-safe (one connection behind a lock), WAL like
``crawlers.state`` so a reader (a status command) never blocks the monitor.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from crawlers.comments.base import ArticleRef
from crawlers.monitor import schedule
from crawlers.monitor.health import RECENT_CYCLES, OutcomeRecord, complete_outcomes
from crawlers.monitor.model import (
    CyclePlan,
    CycleReport,
    SourceCounters,
    SourceHealth,
    SourceOutcome,
    ThreadPoll,
    add_outcome,
)
from crawlers.monitor.schedule import SourceState, ThreadState, Timing
from crawlers.shared_sqlite import connect_shared

__all__ = ["FILE_NAME", "CycleStats", "MonitorStore", "UnfinishedCycle"]

FILE_NAME = "monitor.sqlite"
SCHEMA = """
CREATE TABLE IF NOT EXISTS sources (
    source TEXT PRIMARY KEY,
    active INTEGER NOT NULL DEFAULT 1,
    interval_s REAL NOT NULL,
    max_thread_interval_s REAL NOT NULL,
    refresh_days INTEGER NOT NULL,
    next_due_at TEXT,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    last_started_at TEXT,
    last_succeeded INTEGER
);
CREATE TABLE IF NOT EXISTS cycles (
    cycle_id TEXT PRIMARY KEY,
    plan TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL CHECK (status IN ('running', 'done', 'crashed')),
    duration_s REAL,
    report TEXT
);
CREATE TABLE IF NOT EXISTS outcomes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    cycle_id TEXT NOT NULL,
    source TEXT NOT NULL,
    at TEXT NOT NULL,
    outcome TEXT NOT NULL,
    UNIQUE (cycle_id, source)
);
CREATE INDEX IF NOT EXISTS outcomes_by_source ON outcomes (source, seq);
CREATE TABLE IF NOT EXISTS threads (
    doc_id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    ref TEXT NOT NULL,
    published_at TEXT,
    first_seen_at TEXT NOT NULL,
    next_poll_at TEXT NOT NULL,
    interval_s REAL NOT NULL,
    last_comments INTEGER,
    polls INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS threads_by_due ON threads (next_poll_at);
CREATE INDEX IF NOT EXISTS threads_by_source ON threads (source);
CREATE TABLE IF NOT EXISTS counters (
    source TEXT PRIMARY KEY,
    data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS health (
    source TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS pruned_cycles (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    cycles INTEGER NOT NULL,
    failures INTEGER NOT NULL,
    duration_s REAL NOT NULL
);
"""
HISTORY_DAYS = 30  # cycles and outcomes older than this are pruned (totals are kept)


def _ts(value: datetime) -> str:
    """Fixed-width UTC text, so SQLite compares times as strings in time order."""
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value!r}: the monitor works in UTC-aware times")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value is not None else None


@dataclass(frozen=True)
class UnfinishedCycle:
    """A cycle that was running when the monitor stopped (killed, crashed, power cut)."""

    plan: CyclePlan
    started_at: datetime


@dataclass(frozen=True)
class CycleStats:
    """Totals over all finished cycles, for ``MetricsSnapshot``."""

    cycles: int  # finished, done or crashed
    failures: int  # crashed (the crawl process died or overran, or the monitor stopped)
    duration_s_sum: float  # of cycles that finished with a report
    last_cycle_id: str | None
    last_duration_s: float | None


class MonitorStore:
    """The monitor's state on disk. Thread-safe; every write is committed when it returns."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db = connect_shared(path, SCHEMA)
        self._lock = threading.RLock()

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> MonitorStore:
        """The store at ``<data_dir>/monitor.sqlite``."""
        return cls(data_dir / FILE_NAME)

    def close(self) -> None:
        """Close the database (the store is unusable afterwards)."""
        with self._lock:
            self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        # Several writes that must land together (a cycle's outcomes and counters, or none).
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _query(self, sql: str, args: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        with self._lock:
            cursor = self._db.execute(sql, args)
            cursor.row_factory = sqlite3.Row
            return cursor.fetchall()

    # -- sources ------------------------------------------------------------------------

    def configure_sources(self, timings: Mapping[str, Timing]) -> None:
        """Set the sources to monitor and their timing; others stay on disk but inactive."""
        with self._transaction() as db:
            db.execute("UPDATE sources SET active = 0")
            db.executemany(
                "INSERT INTO sources (source, active, interval_s, max_thread_interval_s,"
                " refresh_days) VALUES (?, 1, ?, ?, ?) ON CONFLICT(source) DO UPDATE SET"
                " active = 1, interval_s = excluded.interval_s,"
                " max_thread_interval_s = excluded.max_thread_interval_s,"
                " refresh_days = excluded.refresh_days",
                [
                    (key, t.interval_s, t.max_thread_interval_s, t.refresh_days)
                    for key, t in timings.items()
                ],
            )

    def timings(self) -> dict[str, Timing]:
        """The active sources' timing, as last configured."""
        rows = self._query(
            "SELECT source, interval_s, max_thread_interval_s, refresh_days FROM sources"
            " WHERE active = 1 ORDER BY source"
        )
        return {
            r["source"]: Timing(r["interval_s"], r["max_thread_interval_s"], r["refresh_days"])
            for r in rows
        }

    @staticmethod
    def _state(row: sqlite3.Row) -> SourceState:
        succeeded = row["last_succeeded"]
        return SourceState(
            source=row["source"],
            interval_s=row["interval_s"],
            next_due_at=_dt(row["next_due_at"]),
            consecutive_failures=row["consecutive_failures"],
            last_started_at=_dt(row["last_started_at"]),
            last_succeeded=None if succeeded is None else bool(succeeded),
        )

    def source_state(self, source: str) -> SourceState | None:
        """The source's place in the schedule, or None if it was never configured."""
        rows = self._query("SELECT * FROM sources WHERE source = ?", (source,))
        return self._state(rows[0]) if rows else None

    def source_states(self) -> dict[str, SourceState]:
        """Every active source's place in the schedule."""
        rows = self._query("SELECT * FROM sources WHERE active = 1 ORDER BY source")
        return {r["source"]: self._state(r) for r in rows}

    def save_source_state(self, state: SourceState) -> None:
        """Store a state from ``schedule.after_cycle`` (the source must be configured)."""
        succeeded = None if state.last_succeeded is None else int(state.last_succeeded)
        with self._lock:
            updated = self._db.execute(
                "UPDATE sources SET interval_s = ?, next_due_at = ?, consecutive_failures = ?,"
                " last_started_at = ?, last_succeeded = ? WHERE source = ?",
                (
                    state.interval_s,
                    _ts(state.next_due_at) if state.next_due_at else None,
                    state.consecutive_failures,
                    _ts(state.last_started_at) if state.last_started_at else None,
                    succeeded,
                    state.source,
                ),
            ).rowcount
        if not updated:
            raise KeyError(f"source {state.source!r} is not configured in the monitor store")

    def due_sources(self, now: datetime) -> list[str]:
        """Active sources due at ``now``, in the order ``schedule.due_sources`` gives."""
        return schedule.due_sources(self.source_states().values(), now)

    # -- cycles -------------------------------------------------------------------------

    def begin_cycle(self, plan: CyclePlan, started_at: datetime) -> None:
        """Record a cycle as running before its crawl starts."""
        with self._lock:
            self._db.execute(
                "INSERT INTO cycles (cycle_id, plan, started_at, status) VALUES (?, ?, ?, ?)",
                (plan.cycle_id, json.dumps(plan.to_json()), _ts(started_at), "running"),
            )

    def cycle_plan(self, cycle_id: str) -> CyclePlan | None:
        """The plan a cycle was begun with, or None for a cycle never begun."""
        rows = self._query("SELECT plan FROM cycles WHERE cycle_id = ?", (cycle_id,))
        return CyclePlan.from_json(json.loads(rows[0]["plan"])) if rows else None

    def finish_cycle(self, report: CycleReport) -> dict[str, SourceOutcome]:
        """Record a cycle's report, its outcomes per source and the counters, all at once.

        Every planned source gets an outcome (a crash when the report says the crawl died:
        ``health.complete_outcomes``); the outcomes are returned. Finishing a cycle twice
        changes nothing, so the counters are never added twice.
        """
        plan = self.cycle_plan(report.cycle_id)
        if plan is None:
            crawled = [k for k, o in report.outcomes.items() if o.crawled_entry_points]
            plan = CyclePlan(report.cycle_id, tuple(crawled))
            self.begin_cycle(plan, report.started_at)
        outcomes = complete_outcomes(plan, report)
        status = "crashed" if report.crashed is not None else "done"
        at = _ts(report.started_at)
        with self._transaction() as db:
            row = db.execute(
                "SELECT status FROM cycles WHERE cycle_id = ?", (report.cycle_id,)
            ).fetchone()
            if row[0] != "running":
                return self._cycle_outcomes(report.cycle_id)
            db.execute(
                "UPDATE cycles SET finished_at = ?, status = ?, duration_s = ?, report = ?"
                " WHERE cycle_id = ?",
                (
                    _ts(report.finished_at),
                    status,
                    report.duration_s,
                    json.dumps(report.to_json()),
                    report.cycle_id,
                ),
            )
            db.executemany(
                "INSERT INTO outcomes (cycle_id, source, at, outcome) VALUES (?, ?, ?, ?)",
                [(report.cycle_id, k, at, json.dumps(o.to_json())) for k, o in outcomes.items()],
            )
            totals = self.counters()
            for key, outcome in outcomes.items():
                counters = totals.setdefault(key, SourceCounters())
                add_outcome(counters, outcome)
                db.execute(
                    "INSERT INTO counters (source, data) VALUES (?, ?) ON CONFLICT(source)"
                    " DO UPDATE SET data = excluded.data",
                    (key, json.dumps(asdict(counters))),
                )
        return outcomes

    def abandon_cycle(self, cycle_id: str, reason: str, at: datetime) -> None:
        """Mark a cycle found unfinished at start-up as crashed, without outcomes: its sources
        keep their due time (they are crawled again) and are not judged for the monitor's
        own death."""
        with self._lock:
            self._db.execute(
                "UPDATE cycles SET finished_at = ?, status = 'crashed', report = ?"
                " WHERE cycle_id = ? AND status = 'running'",
                (_ts(at), json.dumps({"abandoned": reason}), cycle_id),
            )

    def unfinished_cycles(self) -> list[UnfinishedCycle]:
        """Cycles still marked running, oldest first (after a restart: the one in flight)."""
        rows = self._query(
            "SELECT plan, started_at FROM cycles WHERE status = 'running' ORDER BY started_at"
        )
        return [
            UnfinishedCycle(
                CyclePlan.from_json(json.loads(r["plan"])), datetime.fromisoformat(r["started_at"])
            )
            for r in rows
        ]

    def cycle_status(self, cycle_id: str) -> str | None:
        """'running', 'done' or 'crashed'; None for a cycle never begun."""
        rows = self._query("SELECT status FROM cycles WHERE cycle_id = ?", (cycle_id,))
        return rows[0]["status"] if rows else None

    def cycle_report(self, cycle_id: str) -> CycleReport | None:
        """The report a finished cycle was recorded with (None: running, abandoned, unknown)."""
        rows = self._query("SELECT report FROM cycles WHERE cycle_id = ?", (cycle_id,))
        if not rows or rows[0]["report"] is None:
            return None
        data = json.loads(rows[0]["report"])
        return None if "abandoned" in data else CycleReport.from_json(data)

    def cycle_stats(self) -> CycleStats:
        """Counts and durations over every finished cycle, pruned ones included."""
        rows = self._query(
            "SELECT COUNT(*) AS cycles, SUM(status = 'crashed') AS failures,"
            " TOTAL(duration_s) AS duration FROM cycles WHERE status != 'running'"
        )
        pruned = self._query("SELECT cycles, failures, duration_s FROM pruned_cycles")
        last = self._query(
            "SELECT cycle_id, duration_s FROM cycles WHERE status != 'running'"
            " ORDER BY finished_at DESC, started_at DESC LIMIT 1"
        )
        cycles, failures, duration = tuple(pruned[0]) if pruned else (0, 0, 0.0)
        return CycleStats(
            cycles=int(rows[0]["cycles"] + cycles),
            failures=int((rows[0]["failures"] or 0) + failures),
            duration_s_sum=float(rows[0]["duration"] + duration),
            last_cycle_id=last[0]["cycle_id"] if last else None,
            last_duration_s=last[0]["duration_s"] if last else None,
        )

    def prune_history(self, now: datetime, keep_days: float = HISTORY_DAYS) -> tuple[int, int]:
        """Forget finished cycles and outcomes older than ``keep_days``, so a monitor that
        runs for years keeps a small file. The cycle totals (Prometheus counters) stay, and
        each source keeps its last ``RECENT_CYCLES`` outcomes however old (its health is
        judged on them). Returns (cycles, outcomes) deleted."""
        cutoff = _ts(now - timedelta(days=keep_days))
        with self._transaction() as db:
            old = "FROM cycles WHERE status != 'running' AND started_at < ?"
            count, failures, duration = db.execute(
                f"SELECT COUNT(*), TOTAL(status = 'crashed'), TOTAL(duration_s) {old}",
                (cutoff,),
            ).fetchone()
            if count:
                db.execute(
                    "INSERT INTO pruned_cycles (id, cycles, failures, duration_s)"
                    " VALUES (1, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET"
                    " cycles = cycles + excluded.cycles, failures = failures + excluded.failures,"
                    " duration_s = duration_s + excluded.duration_s",
                    (count, int(failures), duration),
                )
                db.execute(f"DELETE {old}", (cutoff,))
            outcomes = db.execute(
                "DELETE FROM outcomes WHERE at < ? AND seq NOT IN (SELECT seq FROM (SELECT seq,"
                " ROW_NUMBER() OVER (PARTITION BY source ORDER BY seq DESC) AS newest"
                " FROM outcomes) WHERE newest <= ?)",
                (cutoff, RECENT_CYCLES),
            ).rowcount
        return count, outcomes

    def _cycle_outcomes(self, cycle_id: str) -> dict[str, SourceOutcome]:
        rows = self._query(
            "SELECT source, outcome FROM outcomes WHERE cycle_id = ? ORDER BY seq", (cycle_id,)
        )
        return {r["source"]: SourceOutcome.from_json(json.loads(r["outcome"])) for r in rows}

    def recent_outcomes(self, source: str, n: int = RECENT_CYCLES) -> list[OutcomeRecord]:
        """The source's outcomes in its last ``n`` cycles, oldest first (for ``health.judge``)."""
        rows = self._query(
            "SELECT cycle_id, at, outcome FROM outcomes WHERE source = ? ORDER BY seq DESC LIMIT ?",
            (source, n),
        )
        return [
            OutcomeRecord(
                r["cycle_id"],
                datetime.fromisoformat(r["at"]),
                SourceOutcome.from_json(json.loads(r["outcome"])),
            )
            for r in reversed(rows)
        ]

    # -- comment threads ----------------------------------------------------------------

    @staticmethod
    def _thread(row: sqlite3.Row) -> ThreadState:
        return ThreadState(
            doc_id=row["doc_id"],
            source=row["source"],
            ref=ArticleRef(**json.loads(row["ref"])),
            published_at=_dt(row["published_at"]),
            first_seen_at=datetime.fromisoformat(row["first_seen_at"]),
            next_poll_at=datetime.fromisoformat(row["next_poll_at"]),
            interval_s=row["interval_s"],
            last_comments=row["last_comments"],
            polls=row["polls"],
        )

    def _save_thread(self, db: sqlite3.Connection, t: ThreadState) -> None:
        db.execute(
            "INSERT INTO threads (doc_id, source, ref, published_at, first_seen_at,"
            " next_poll_at, interval_s, last_comments, polls) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(doc_id) DO UPDATE SET next_poll_at = excluded.next_poll_at,"
            " interval_s = excluded.interval_s, last_comments = excluded.last_comments,"
            " polls = excluded.polls, ref = excluded.ref,"
            " published_at = COALESCE(excluded.published_at, threads.published_at)",
            (
                t.doc_id,
                t.source,
                json.dumps(asdict(t.ref)),
                _ts(t.published_at) if t.published_at else None,
                _ts(t.first_seen_at),
                _ts(t.next_poll_at),
                t.interval_s,
                t.last_comments,
                t.polls,
            ),
        )

    def sync_threads(
        self,
        source: str,
        threads: Iterable[tuple[str, ArticleRef]],
        now: datetime,
        *,
        published_at: Mapping[str, datetime] | None = None,
        comments: Mapping[str, int] | None = None,
    ) -> tuple[int, int]:
        """Follow exactly ``threads`` for ``source`` (``CrawlState.threads_to_refresh``: the
        stored articles still young enough): new ones are due one source interval from
        ``now``, ones no longer listed are dropped. ``comments`` (doc id -> count, from the
        cycle that stored the article) seeds the hot/cold comparison. Returns (added, dropped).
        """
        timing = self.timings().get(source)
        if timing is None:
            raise KeyError(f"source {source!r} is not configured in the monitor store")
        current = dict(threads)
        published = published_at or {}
        counts = comments or {}
        with self._transaction() as db:
            known = {
                r[0] for r in db.execute("SELECT doc_id FROM threads WHERE source = ?", (source,))
            }
            gone = known - current.keys()
            db.executemany("DELETE FROM threads WHERE doc_id = ?", [(d,) for d in gone])
            added = [d for d in current if d not in known]
            for doc_id in added:
                thread = schedule.new_thread(
                    doc_id,
                    source,
                    current[doc_id],
                    now,
                    timing.interval_s,
                    published_at=published.get(doc_id),
                    comments=counts.get(doc_id),
                )
                self._save_thread(db, thread)
        return len(added), len(gone)

    def thread(self, doc_id: str) -> ThreadState | None:
        """One followed thread, or None."""
        rows = self._query("SELECT * FROM threads WHERE doc_id = ?", (doc_id,))
        return self._thread(rows[0]) if rows else None

    def due_threads(
        self, now: datetime, limit: int = schedule.MAX_THREADS_PER_CYCLE
    ) -> list[ThreadPoll]:
        """Threads of active sources to re-poll in a cycle starting ``now``, oldest-due first,
        at most ``limit``; threads past their source's comments_refresh_days are left out."""
        timings = self.timings()
        rows = self._query(
            "SELECT * FROM threads WHERE next_poll_at <= ? ORDER BY next_poll_at, doc_id",
            (_ts(now),),
        )
        candidates = [self._thread(r) for r in rows if r["source"] in timings]
        days = {key: t.refresh_days for key, t in timings.items()}
        return [t.poll() for t in schedule.due_threads(candidates, now, limit, days)]

    def record_thread_poll(self, doc_id: str, comments: int, now: datetime) -> ThreadState | None:
        """Reschedule a thread re-polled at ``now`` that showed ``comments`` comments
        (``schedule.after_poll``); None when the thread is no longer followed."""
        with self._transaction() as db:
            cursor = db.execute("SELECT * FROM threads WHERE doc_id = ?", (doc_id,))
            cursor.row_factory = sqlite3.Row
            row = cursor.fetchone()
            if row is None:
                return None
            thread = self._thread(row)
            timing = self.timings().get(thread.source)
            if timing is None:
                return None
            polled = schedule.after_poll(thread, comments, now, timing)
            self._save_thread(db, polled)
        return polled

    def prune_threads(self, now: datetime) -> int:
        """Drop threads whose article is older than its source's comments_refresh_days."""
        timings = self.timings()
        rows = self._query("SELECT * FROM threads WHERE published_at IS NOT NULL")
        expired = [
            (r["doc_id"],)
            for r in rows
            if r["source"] in timings
            and schedule.thread_expired(self._thread(r), now, timings[r["source"]].refresh_days)
        ]
        with self._transaction() as db:
            db.executemany("DELETE FROM threads WHERE doc_id = ?", expired)
        return len(expired)

    def threads_followed(self, source: str | None = None) -> int:
        """How many threads are on the re-poll schedule (of one source, or all)."""
        if source is None:
            rows = self._query("SELECT COUNT(*) FROM threads")
        else:
            rows = self._query("SELECT COUNT(*) FROM threads WHERE source = ?", (source,))
        return int(rows[0][0])

    def next_thread_due(self) -> datetime | None:
        """When the earliest thread on the schedule is due (None: no thread followed)."""
        rows = self._query("SELECT MIN(next_poll_at) FROM threads")
        return datetime.fromisoformat(rows[0][0]) if rows and rows[0][0] else None

    def threads_due_count(self, now: datetime) -> int:
        """How many threads are due at ``now`` (before the per-cycle limit)."""
        return len(self.due_threads(now, limit=1 << 30))

    # -- counters and health ------------------------------------------------------------

    def counters(self) -> dict[str, SourceCounters]:
        """Running totals per source since the store was created (they only grow)."""
        rows = self._query("SELECT source, data FROM counters ORDER BY source")
        return {r["source"]: SourceCounters(**json.loads(r["data"])) for r in rows}

    def save_health(self, health: SourceHealth) -> None:
        """Keep the latest judgement of a source (the next one compares with it)."""
        with self._lock:
            self._db.execute(
                "INSERT INTO health (source, status, data) VALUES (?, ?, ?) ON CONFLICT(source)"
                " DO UPDATE SET status = excluded.status, data = excluded.data",
                (health.source, health.status, json.dumps(health.to_json())),
            )

    def previous_health(self, source: str) -> SourceHealth | None:
        """The source's last saved judgement, or None."""
        rows = self._query("SELECT data FROM health WHERE source = ?", (source,))
        return SourceHealth.from_json(json.loads(rows[0]["data"])) if rows else None

    def previous_status(self, source: str) -> str | None:
        """The status of the source's last saved judgement (for ``health.turned_broken``)."""
        rows = self._query("SELECT status FROM health WHERE source = ?", (source,))
        return rows[0]["status"] if rows else None

    def healths(self) -> dict[str, SourceHealth]:
        """Every source's last saved judgement."""
        rows = self._query("SELECT source, data FROM health ORDER BY source")
        return {r["source"]: SourceHealth.from_json(json.loads(r["data"])) for r in rows}
