"""crawlers.monitor.schedule: sources by their own interval with back-off, threads that decay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from crawlers.comments.base import ArticleRef
from crawlers.monitor.clock import FakeClock
from crawlers.monitor.schedule import (
    SourceState,
    Timing,
    after_cycle,
    after_poll,
    backoff_factor,
    due_sources,
    due_threads,
    new_source,
    new_thread,
    thread_expired,
    timing,
)
from crawlers.sources import Source, load_sources

T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
MIN = 60.0


def make_source(key: str = "site", **extra: object) -> Source:
    return Source.model_validate(
        {
            "key": key,
            "name": key.title(),
            "domains": [f"{key}.vn"],
            "entry_points": [{"kind": "rss", "url": f"https://{key}.vn/rss"}],
            "article_url_patterns": [r"-\d+\.html$"],
            **extra,
        }
    )


def test_fake_clock_moves_only_when_told() -> None:
    clock = FakeClock(T0)
    assert clock.now() == T0
    assert clock.now() == T0
    clock.sleep(90)
    assert clock.now() == T0 + timedelta(seconds=90)
    assert clock.advance(minutes=15) == T0 + timedelta(seconds=90 + 900)
    assert clock.slept == [90]
    with pytest.raises(ValueError, match="does not go back"):
        clock.advance(-1)


def test_monitor_limits_default_and_validate() -> None:
    source = make_source()
    assert source.monitor.interval_minutes == 15
    assert source.monitor.max_thread_interval_hours == 6
    fast = make_source(monitor={"interval_minutes": 0.05})
    assert timing(fast).interval_s == pytest.approx(3.0)
    with pytest.raises(ValidationError):
        make_source(monitor={"interval_minutes": 0.01})
    with pytest.raises(ValidationError):
        make_source(monitor={"max_thread_interval_hours": 0})
    with pytest.raises(ValidationError):
        make_source(monitor={"interval": 5})  # a typo is an error, not a silent default
    # the shipped file is valid and every site gets the defaults
    assert {s.monitor.interval_minutes for s in load_sources().values()} == {15}


def test_timing_from_source_and_override() -> None:
    source = make_source(
        monitor={"interval_minutes": 10, "max_thread_interval_hours": 2},
        limits={"comments_refresh_days": 3},
    )
    assert timing(source) == Timing(600.0, 7200.0, 3)
    assert timing(source, interval_override_s=5) == Timing(5.0, 7200.0, 3)
    # a cap below the interval would poll quiet threads more often than the source: raised
    assert timing(source, interval_override_s=10_000).max_thread_interval_s == 10_000
    with pytest.raises(ValueError, match="positive"):
        timing(source, interval_override_s=0)


def test_sources_run_by_their_own_interval() -> None:
    clock = FakeClock(T0)
    states = {"fast": new_source("fast", 5 * MIN), "slow": new_source("slow", 15 * MIN)}
    runs: dict[str, list[int]] = {"fast": [], "slow": []}
    for minute in range(0, 31):
        now = clock.now()
        for key in due_sources(states.values(), now):
            runs[key].append(minute)
            states[key] = after_cycle(states[key], now, succeeded=True)
        clock.advance(MIN)
    assert runs == {"fast": [0, 5, 10, 15, 20, 25, 30], "slow": [0, 15, 30]}


def test_due_order_never_run_first_then_longest_overdue() -> None:
    states = [
        SourceState("b", 60, next_due_at=T0 - timedelta(minutes=1)),
        SourceState("a", 60, next_due_at=T0 - timedelta(minutes=9)),
        SourceState("later", 60, next_due_at=T0 + timedelta(seconds=1)),
        new_source("z_new", 60),
        SourceState("c", 60, next_due_at=T0),
    ]
    assert due_sources(states, T0) == ["z_new", "a", "b", "c"]


def test_failures_back_off_up_to_four_intervals_and_success_resets() -> None:
    assert [backoff_factor(n) for n in range(5)] == [1, 2, 4, 4, 4]
    state = new_source("site", 15 * MIN)
    now = T0
    waits = []
    for _ in range(4):
        state = after_cycle(state, now, succeeded=False)
        assert state.next_due_at is not None
        waits.append((state.next_due_at - now).total_seconds() / MIN)
        now = state.next_due_at
    assert waits == [30, 60, 60, 60]
    assert state.consecutive_failures == 4
    assert state.last_succeeded is False
    state = after_cycle(state, now, succeeded=True)
    assert state.consecutive_failures == 0
    assert state.next_due_at == now + timedelta(minutes=15)
    assert state.last_started_at == now


def test_after_cycle_counts_from_the_start_of_the_cycle() -> None:
    # a cycle that took 4 minutes does not push the next one 4 minutes later
    state = after_cycle(new_source("site", 15 * MIN), T0, succeeded=True)
    assert state.next_due_at == T0 + timedelta(minutes=15)
    changed = after_cycle(state, T0 + timedelta(minutes=15), succeeded=True, interval_s=60)
    assert changed.interval_s == 60
    assert changed.next_due_at == T0 + timedelta(minutes=16)


REF = ArticleRef("https://site.vn/bai-1.html", "1")
TIMING = Timing(interval_s=15 * MIN, max_thread_interval_s=2 * 3600, refresh_days=2)


def test_new_thread_is_due_one_interval_after_first_seen() -> None:
    thread = new_thread("d1", "site", REF, T0, TIMING.interval_s, published_at=T0, comments=4)
    assert thread.next_poll_at == T0 + timedelta(minutes=15)
    assert due_threads([thread], T0 + timedelta(minutes=14)) == []
    assert due_threads([thread], T0 + timedelta(minutes=15)) == [thread]
    assert thread.poll().doc_id == "d1"
    assert thread.poll().ref == REF


def test_cold_thread_doubles_up_to_the_cap_and_hot_resets() -> None:
    thread = new_thread("d1", "site", REF, T0, TIMING.interval_s, published_at=T0, comments=4)
    now = thread.next_poll_at
    waits = []
    for comments in [4, 4, 4, 4, 4, 9, 9]:
        thread = after_poll(thread, comments, now, TIMING)
        waits.append((thread.next_poll_at - now).total_seconds() / MIN)
        now = thread.next_poll_at
    # cold: 30, 60, 120, capped at 120; hot (9 > 4): back to 15; cold again: 30
    assert waits == [30, 60, 120, 120, 120, 15, 30]
    assert thread.polls == 7
    assert thread.last_comments == 9


def test_a_thread_never_read_is_due_at_once() -> None:
    unread = new_thread("d1", "site", REF, T0, TIMING.interval_s, published_at=T0)
    assert due_threads([unread], T0) == [unread]
    assert unread.interval_s == TIMING.interval_s


def test_first_count_unknown_is_hot_only_with_comments() -> None:
    unknown = new_thread("d1", "site", REF, T0, TIMING.interval_s)
    now = unknown.next_poll_at
    assert after_poll(unknown, 3, now, TIMING).interval_s == TIMING.interval_s
    assert after_poll(unknown, 0, now, TIMING).interval_s == 2 * TIMING.interval_s


def test_thread_dropped_after_refresh_days() -> None:
    published = T0 - timedelta(days=1)
    thread = new_thread("d1", "site", REF, T0, TIMING.interval_s, published_at=published)
    day_later = T0 + timedelta(days=1)
    assert not thread_expired(thread, day_later - timedelta(seconds=1), 2)
    assert thread_expired(thread, day_later + timedelta(seconds=1), 2)
    assert due_threads([thread], day_later - timedelta(seconds=1), refresh_days={"site": 2}) == [
        thread
    ]
    assert due_threads([thread], day_later + timedelta(seconds=1), refresh_days={"site": 2}) == []
    # unknown publication time: only the crawl state's window drops it
    undated = new_thread("d2", "site", REF, T0, TIMING.interval_s)
    assert not thread_expired(undated, T0 + timedelta(days=365), 2)


def test_per_cycle_limit_takes_the_longest_overdue_first() -> None:
    threads = [
        new_thread(f"d{i}", "site", REF, T0 + timedelta(minutes=i), TIMING.interval_s)
        for i in range(10)
    ]
    now = T0 + timedelta(hours=1)
    picked = due_threads(reversed(threads), now, limit=3)
    assert [t.doc_id for t in picked] == ["d0", "d1", "d2"]
    assert len(due_threads(threads, now)) == 10
    assert due_threads(threads, now, limit=0) == []
