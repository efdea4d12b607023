"""crawlers.monitor.store: the monitor's state survives a restart, counters never go back."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from crawlers.comments.base import ArticleRef
from crawlers.monitor.health import judge
from crawlers.monitor.model import CyclePlan, CycleReport, SourceOutcome, ThreadPoll
from crawlers.monitor.schedule import SourceState, Timing, after_cycle
from crawlers.monitor.store import FILE_NAME, MonitorStore
from crawlers.sources import Source

T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
TIMINGS = {
    "fast": Timing(interval_s=300, max_thread_interval_s=3600, refresh_days=2),
    "slow": Timing(interval_s=900, max_thread_interval_s=3600, refresh_days=7),
}


def ref(n: int) -> ArticleRef:
    return ArticleRef(f"https://fast.vn/bai-{n}.html", str(n), {"kind": "news"})


def outcome(source: str, **values: int) -> SourceOutcome:
    return SourceOutcome(source, crawled_entry_points=True, **values)


@pytest.fixture
def store(tmp_path: Path) -> MonitorStore:
    store = MonitorStore.in_data_dir(tmp_path)
    store.configure_sources(TIMINGS)
    return store


def reopen(store: MonitorStore) -> MonitorStore:
    store.close()
    return MonitorStore(store.path)


def test_file_is_in_the_data_dir_in_wal_mode(tmp_path: Path, store: MonitorStore) -> None:
    assert store.path == tmp_path / FILE_NAME
    with sqlite3.connect(store.path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_source_schedule_round_trip_and_restart(store: MonitorStore) -> None:
    assert store.due_sources(T0) == ["fast", "slow"]  # never run: due at once
    assert store.timings() == TIMINGS
    state = store.source_state("fast")
    assert state is not None
    store.save_source_state(after_cycle(state, T0, succeeded=False))
    slow = store.source_state("slow")
    assert slow is not None
    store.save_source_state(after_cycle(slow, T0, succeeded=True))
    store = reopen(store)
    fast = store.source_state("fast")
    assert fast is not None
    assert fast.next_due_at == T0 + timedelta(seconds=600)  # backed off to 2 intervals
    assert fast.consecutive_failures == 1
    assert fast.last_succeeded is False
    assert fast.last_started_at == T0
    assert store.due_sources(T0 + timedelta(seconds=599)) == []
    assert store.due_sources(T0 + timedelta(seconds=900)) == ["fast", "slow"]
    with pytest.raises(KeyError):
        store.save_source_state(SourceState("nope", 60))


def test_removed_sources_are_kept_but_not_due(store: MonitorStore) -> None:
    store.configure_sources({"slow": TIMINGS["slow"]})
    assert store.due_sources(T0) == ["slow"]
    assert set(store.source_states()) == {"slow"}
    assert store.source_state("fast") is not None  # history kept


def test_naive_times_are_refused(store: MonitorStore) -> None:
    with pytest.raises(ValueError, match="naive"):
        store.begin_cycle(CyclePlan("c1", ("fast",)), datetime(2026, 11, 1, 8, 0))


def test_cycle_outcomes_and_counters(store: MonitorStore) -> None:
    plan = CyclePlan("c1", ("fast", "slow"))
    store.begin_cycle(plan, T0)
    assert store.cycle_status("c1") == "running"
    report = CycleReport(
        "c1",
        T0,
        T0 + timedelta(seconds=42),
        {"fast": outcome("fast", listed=10, articles=3, comments=7, stored=10, responses=12)},
    )
    outcomes = store.finish_cycle(report)
    assert set(outcomes) == {"fast", "slow"}  # the quiet planned source is recorded too
    assert store.cycle_status("c1") == "done"
    assert store.cycle_report("c1") == report
    recent = store.recent_outcomes("fast")
    assert [(r.cycle_id, r.at, r.outcome.listed) for r in recent] == [("c1", T0, 10)]
    counters = store.counters()
    assert counters["fast"].fetched_articles == 3
    assert counters["fast"].fetched_comments == 7
    assert counters["fast"].requests == 12
    assert counters["fast"].cycles == 1
    assert counters["slow"].cycles == 1
    stats = store.cycle_stats()
    assert (stats.cycles, stats.failures, stats.duration_s_sum) == (1, 0, 42.0)
    assert (stats.last_cycle_id, stats.last_duration_s) == ("c1", 42.0)


def test_counters_never_go_back(store: MonitorStore) -> None:
    report = CycleReport("c1", T0, T0, {"fast": outcome("fast", stored=5, responses=5)})
    store.begin_cycle(CyclePlan("c1", ("fast",)), T0)
    store.finish_cycle(report)
    store.finish_cycle(report)  # recorded twice (a retry after a crash): counted once
    assert store.counters()["fast"].stored == 5
    store = reopen(store)
    assert store.counters()["fast"].stored == 5
    later = CycleReport("c2", T0, T0, {"fast": outcome("fast", stored=0, responses=1)})
    store.begin_cycle(CyclePlan("c2", ("fast",)), T0)
    store.finish_cycle(later)
    after = store.counters()["fast"]
    assert (after.stored, after.requests, after.cycles) == (5, 6, 2)


def test_recent_outcomes_keep_the_last_n_oldest_first(store: MonitorStore) -> None:
    for i in range(12):
        at = T0 + timedelta(minutes=5 * i)
        store.begin_cycle(CyclePlan(f"c{i}", ("fast",)), at)
        store.finish_cycle(CycleReport(f"c{i}", at, at, {"fast": outcome("fast", listed=i)}))
    recent = store.recent_outcomes("fast", 10)
    assert [r.outcome.listed for r in recent] == list(range(2, 12))
    assert recent[-1].at == T0 + timedelta(minutes=55)
    assert store.recent_outcomes("slow") == []


def test_old_history_is_pruned_but_totals_and_each_sources_last_outcomes_stay(
    store: MonitorStore,
) -> None:
    """A monitor running for years keeps a small file: cycles and outcomes older than
    HISTORY_DAYS go, the Prometheus totals do not go back, and a source crawled rarely
    keeps the last outcomes its health is judged on."""
    day = timedelta(days=1)
    for i in range(40):  # "fast" every day for 40 days, one crash among them
        at = T0 + i * day
        store.begin_cycle(CyclePlan(f"f{i}", ("fast",)), at)
        store.finish_cycle(CycleReport(f"f{i}", at, at + timedelta(seconds=10),
                                       {"fast": outcome("fast", listed=i)},
                                       crashed="exit code -9" if i == 3 else None))  # fmt: skip
    for i in range(12):  # "slow" only in its first 12 days
        at = T0 + i * day + timedelta(hours=1)
        store.begin_cycle(CyclePlan(f"s{i}", ("slow",)), at)
        store.finish_cycle(CycleReport(f"s{i}", at, at, {"slow": outcome("slow", listed=i)}))
    store.begin_cycle(CyclePlan("running", ("fast",)), T0)  # in flight: never pruned
    before = store.cycle_stats()
    now = T0 + 40 * day

    cycles, outcomes = store.prune_history(now, keep_days=30)

    assert cycles == 10 + 10  # started before day 10: f0-f9 and s0-s9
    assert outcomes == 10 + 2  # "slow" keeps its last RECENT_CYCLES (10) outcomes
    after = store.cycle_stats()
    assert (after.cycles, after.failures) == (before.cycles, before.failures) == (52, 1)
    assert after.duration_s_sum == pytest.approx(before.duration_s_sum)
    assert after.last_cycle_id == before.last_cycle_id
    assert [r.outcome.listed for r in store.recent_outcomes("fast")] == list(range(30, 40))
    assert [r.outcome.listed for r in store.recent_outcomes("slow")] == list(range(2, 12))
    assert store.cycle_status("f9") is None
    assert store.cycle_status("f10") == "done"
    assert store.cycle_status("running") == "running"
    assert store.prune_history(now, keep_days=30) == (0, 0)  # nothing more to do
    store = reopen(store)
    assert store.cycle_stats() == after


def test_a_restarted_monitor_sees_the_cycle_in_flight(store: MonitorStore) -> None:
    threads = (ThreadPoll("d1", "fast", ref(1)),)
    plan = CyclePlan("c7", ("fast",), threads)
    store.begin_cycle(plan, T0)
    store = reopen(store)  # as after a SIGKILL: every write was already committed
    unfinished = store.unfinished_cycles()
    assert len(unfinished) == 1
    assert unfinished[0].plan == plan
    assert unfinished[0].started_at == T0
    store.abandon_cycle("c7", "the monitor stopped during the cycle", T0 + timedelta(hours=1))
    assert store.unfinished_cycles() == []
    assert store.cycle_status("c7") == "crashed"
    assert store.cycle_report("c7") is None
    assert store.recent_outcomes("fast") == []  # the sources are not blamed...
    assert store.due_sources(T0 + timedelta(hours=1)) == ["fast", "slow"]  # ...and stay due
    stats = store.cycle_stats()
    assert (stats.cycles, stats.failures, stats.duration_s_sum) == (1, 1, 0.0)


def test_a_crashed_cycle_records_a_crash_for_every_planned_source(store: MonitorStore) -> None:
    store.begin_cycle(CyclePlan("c1", ("fast", "slow")), T0)
    report = CycleReport("c1", T0, T0 + timedelta(seconds=900), {}, crashed="over 900 s")
    outcomes = store.finish_cycle(report)
    assert {o.last_error_kind for o in outcomes.values()} == {"crash"}
    assert store.cycle_status("c1") == "crashed"
    assert store.cycle_stats().failures == 1
    assert store.recent_outcomes("slow")[0].outcome.last_error_kind == "crash"


def test_threads_sync_poll_and_restart(store: MonitorStore) -> None:
    published = {"d1": T0 - timedelta(days=1), "d2": T0}
    added, dropped = store.sync_threads(
        "fast",
        [("d1", ref(1)), ("d2", ref(2))],
        T0,
        published_at=published,
        comments={"d1": 3, "d2": 0},
    )
    assert (added, dropped) == (2, 0)
    assert store.threads_followed() == 2
    assert store.threads_followed("fast") == 2
    assert store.threads_followed("slow") == 0
    assert store.due_threads(T0 + timedelta(seconds=299)) == []
    due = store.due_threads(T0 + timedelta(seconds=300))
    assert [t.doc_id for t in due] == ["d1", "d2"]
    assert due[0].ref == ref(1)
    # d1 stays at 3 comments (cold: 600 s), d2 grows (hot: 300 s)
    now = T0 + timedelta(seconds=300)
    cold = store.record_thread_poll("d1", 3, now)
    hot = store.record_thread_poll("d2", 4, now)
    assert cold is not None
    assert hot is not None
    assert (cold.interval_s, hot.interval_s) == (600, 300)
    store = reopen(store)
    d1 = store.thread("d1")
    assert d1 is not None
    assert (d1.next_poll_at, d1.last_comments, d1.polls) == (now + timedelta(seconds=600), 3, 1)
    assert d1.published_at == published["d1"]
    assert [t.doc_id for t in store.due_threads(now + timedelta(seconds=300))] == ["d2"]
    assert store.threads_due_count(now + timedelta(seconds=600)) == 2
    # a later sync with the same list keeps their schedule; a missing one is dropped
    assert store.sync_threads("fast", [("d2", ref(2))], now) == (0, 1)
    assert store.thread("d1") is None
    assert store.record_thread_poll("d1", 5, now) is None
    d2 = store.thread("d2")
    assert d2 is not None
    assert d2.polls == 1


def test_threads_limit_and_cutoff(store: MonitorStore) -> None:
    threads = [(f"d{i:02d}", ref(i)) for i in range(20)]
    published = {f"d{i:02d}": T0 - timedelta(hours=i) for i in range(20)}
    store.sync_threads("fast", threads[:10], T0, published_at=published)
    store.sync_threads("fast", threads, T0 + timedelta(seconds=60), published_at=published)
    now = T0 + timedelta(hours=1)
    assert [t.doc_id for t in store.due_threads(now, limit=3)] == ["d00", "d01", "d02"]
    # two days after T0, articles published up to 16 h before T0 are still young (refresh_days=2)
    later = T0 + timedelta(days=2, hours=-16, seconds=-1)
    assert len(store.due_threads(later)) == 17
    assert store.prune_threads(later) == 3
    assert store.threads_followed() == 17
    with pytest.raises(KeyError):
        store.sync_threads("unknown", threads, T0)


def test_health_round_trip(store: MonitorStore) -> None:
    source = Source.model_validate(
        {
            "key": "fast",
            "name": "Nhanh",
            "domains": ["fast.vn"],
            "entry_points": [{"kind": "rss", "url": "https://fast.vn/rss"}],
            "article_url_patterns": [r"-\d+\.html$"],
        }
    )
    store.begin_cycle(CyclePlan("c1", ("fast",)), T0)
    blocked = outcome("fast", responses=1, blocked=1)
    store.finish_cycle(CycleReport("c1", T0, T0, {"fast": blocked}))
    health = judge(source, store.recent_outcomes("fast"), state=store.source_state("fast"), now=T0)
    assert store.previous_status("fast") is None
    store.save_health(health)
    store = reopen(store)
    assert store.previous_status("fast") == "broken"
    assert store.previous_health("fast") == health
    assert store.healths() == {"fast": health}


def test_threads_share_one_store(store: MonitorStore) -> None:
    def work(worker: int) -> None:
        for i in range(20):
            cycle = f"w{worker}-{i}"
            store.begin_cycle(CyclePlan(cycle, ("fast",)), T0)
            store.finish_cycle(CycleReport(cycle, T0, T0, {"fast": outcome("fast", stored=1)}))
            store.sync_threads("slow", [(f"{worker}-{i}", ref(i))], T0)

    workers = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert store.counters()["fast"].stored == 80
    assert store.cycle_stats().cycles == 80
