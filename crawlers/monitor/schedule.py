"""When the monitor visits each source, and when it re-polls each comment thread.

Pure functions over small frozen records: they take the clock's ``now`` and return new
records; ``crawlers.monitor.store`` keeps the records on disk.

- A source is due at ``next_due_at`` (a never-run source at once). After a cycle that crawled
  it: ``started_at + interval`` when it succeeded; when it failed, the wait backs off to
  ``interval * min(2 ** consecutive_failures, 4)``, so a broken site is asked less often but
  never less than every four intervals, and one good answer resets it.
- A comment thread is first due one source interval after its article was stored (that crawl
  read the comments once), or at once when that crawl did not get to read them. While its
  comment count grows ("hot") it is re-polled every source interval; each quiet poll
  doubles the wait up to the source's ``max_thread_interval``. It
  leaves the schedule once its article is older than ``limits.comments_refresh_days``. A cycle
  re-polls at most ``max_threads_per_cycle`` threads, the longest overdue first.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from crawlers.comments.base import ArticleRef
from crawlers.monitor.model import ThreadPoll
from crawlers.sources import Source

__all__ = [
    "MAX_BACKOFF_FACTOR",
    "MAX_THREADS_PER_CYCLE",
    "SourceState",
    "ThreadState",
    "Timing",
    "after_cycle",
    "after_poll",
    "backoff_factor",
    "due_sources",
    "due_threads",
    "is_due",
    "new_source",
    "new_thread",
    "thread_expired",
    "timing",
]

MAX_BACKOFF_FACTOR = 4  # a failing source is still tried every 4 intervals
MAX_THREADS_PER_CYCLE = 200


@dataclass(frozen=True)
class Timing:
    """A source's schedule settings, from sources.yaml or the CLI's ``--interval``."""

    interval_s: float
    max_thread_interval_s: float
    refresh_days: int  # threads of articles older than this are no longer re-polled


def timing(source: Source, interval_override_s: float | None = None) -> Timing:
    """The source's timing; an override replaces its interval (benchmarks, ``--interval``)."""
    interval = (
        interval_override_s
        if interval_override_s is not None
        else source.monitor.interval_minutes * 60
    )
    if interval <= 0:
        raise ValueError(f"interval must be positive, not {interval}")
    # A quiet thread is never polled more often than its source is crawled.
    max_thread = max(source.monitor.max_thread_interval_hours * 3600, interval)
    return Timing(interval, max_thread, source.limits.comments_refresh_days)


@dataclass(frozen=True)
class SourceState:
    """Where a source stands in the schedule."""

    source: str
    interval_s: float
    next_due_at: datetime | None = None  # None: never run, due now
    consecutive_failures: int = 0
    last_started_at: datetime | None = None
    last_succeeded: bool | None = None  # None: never run


def new_source(source: str, interval_s: float) -> SourceState:
    """A source the monitor has not run yet (due at once)."""
    return SourceState(source, interval_s)


def is_due(state: SourceState, now: datetime) -> bool:
    """Whether the source's entry points should be crawled in a cycle starting ``now``."""
    return state.next_due_at is None or state.next_due_at <= now


def due_sources(states: Iterable[SourceState], now: datetime) -> list[str]:
    """Keys of the due sources, never-run first, then the longest overdue, then by key."""
    due = [s for s in states if is_due(s, now)]
    due.sort(key=lambda s: (s.next_due_at is not None, s.next_due_at or now, s.source))
    return [s.source for s in due]


def backoff_factor(consecutive_failures: int) -> int:
    """How many intervals to wait after ``consecutive_failures`` failed cycles in a row."""
    if consecutive_failures <= 0:
        return 1
    return min(2**consecutive_failures, MAX_BACKOFF_FACTOR)


def after_cycle(
    state: SourceState,
    started_at: datetime,
    succeeded: bool,
    interval_s: float | None = None,
) -> SourceState:
    """The state after a cycle, started at ``started_at``, that crawled the source.

    ``succeeded`` is False when the cycle judged the source broken (``health.verdict``).
    ``interval_s`` replaces the stored interval (sources.yaml or ``--interval`` changed).
    """
    interval = interval_s if interval_s is not None else state.interval_s
    failures = 0 if succeeded else state.consecutive_failures + 1
    wait = interval * backoff_factor(failures)
    return replace(
        state,
        interval_s=interval,
        next_due_at=started_at + timedelta(seconds=wait),
        consecutive_failures=failures,
        last_started_at=started_at,
        last_succeeded=succeeded,
    )


@dataclass(frozen=True)
class ThreadState:
    """A comment thread on the re-poll schedule."""

    doc_id: str  # the article's document id
    source: str
    ref: ArticleRef
    published_at: datetime | None  # None: unknown (then only the crawl state's window drops it)
    first_seen_at: datetime
    next_poll_at: datetime
    interval_s: float  # the wait before next_poll_at
    last_comments: int | None = None  # comments seen at the last read; None: not known
    polls: int = 0  # re-polls so far (the article's own crawl not counted)

    def poll(self) -> ThreadPoll:
        """What a cycle plan carries to re-poll this thread."""
        return ThreadPoll(self.doc_id, self.source, self.ref)


def new_thread(
    doc_id: str,
    source: str,
    ref: ArticleRef,
    now: datetime,
    interval_s: float,
    published_at: datetime | None = None,
    comments: int | None = None,
) -> ThreadState:
    """A thread first seen ``now``: due one interval later when its article's crawl read it
    (``comments`` known), at once when not (the crawl was cut short before its comments, or
    their request failed): an unread thread is the one most likely to hold news."""
    wait = 0.0 if comments is None else interval_s
    return ThreadState(
        doc_id=doc_id,
        source=source,
        ref=ref,
        published_at=published_at,
        first_seen_at=now,
        next_poll_at=now + timedelta(seconds=wait),
        interval_s=interval_s,
        last_comments=comments,
    )


def after_poll(thread: ThreadState, comments: int, now: datetime, timing: Timing) -> ThreadState:
    """The thread after a re-poll at ``now`` that saw ``comments`` comments.

    Hot (more comments than last time, or some where the count was unknown): wait one source
    interval. Cold: double the last wait, capped at ``timing.max_thread_interval_s``.
    """
    before = thread.last_comments
    hot = comments > before if before is not None else comments > 0
    if hot:
        wait = timing.interval_s
    else:
        wait = min(max(thread.interval_s, timing.interval_s) * 2, timing.max_thread_interval_s)
    return replace(
        thread,
        next_poll_at=now + timedelta(seconds=wait),
        interval_s=wait,
        last_comments=comments,
        polls=thread.polls + 1,
    )


def thread_expired(thread: ThreadState, now: datetime, refresh_days: int) -> bool:
    """Whether the thread's article is older than the source's comments_refresh_days."""
    if thread.published_at is None:
        return False
    return thread.published_at < now - timedelta(days=refresh_days)


def due_threads(
    threads: Iterable[ThreadState],
    now: datetime,
    limit: int = MAX_THREADS_PER_CYCLE,
    refresh_days: dict[str, int] | None = None,
) -> list[ThreadState]:
    """At most ``limit`` threads due at ``now``, the longest overdue first.

    ``refresh_days`` (source -> days) leaves out threads whose article has grown too old;
    a source missing from it keeps all its threads.
    """
    days = refresh_days or {}
    due = [
        t
        for t in threads
        if t.next_poll_at <= now
        and not (t.source in days and thread_expired(t, now, days[t.source]))
    ]
    due.sort(key=lambda t: (t.next_poll_at, t.doc_id))
    return due[: max(limit, 0)]
