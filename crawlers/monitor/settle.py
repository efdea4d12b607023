"""The bookkeeping around one cycle: what to plan from the store, and what to record after.

``plan_cycle`` asks the store for the due sources and threads. ``settle_cycle`` records the
report, reschedules every re-polled thread and every crawled source (a broken verdict backs
off), puts newly stored articles' threads on the schedule, and judges every source; it
returns the judgements and the sources that just turned broken (one health alert each).
The service (``crawlers.monitor.service``) runs the crawl, the alerts and the publishing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from crawlers.monitor import schedule
from crawlers.monitor.health import judge, turned_broken, verdict
from crawlers.monitor.model import CyclePlan, CycleReport, SourceHealth, SourceOutcome
from crawlers.monitor.schedule import MAX_THREADS_PER_CYCLE, Timing
from crawlers.monitor.store import MonitorStore
from crawlers.sources import Source
from crawlers.state import CrawlState

__all__ = ["Settled", "configure", "judge_all", "plan_cycle", "settle_cycle"]


@dataclass(frozen=True)
class Settled:
    """What a finished cycle changed."""

    outcomes: dict[str, SourceOutcome]
    health: dict[str, SourceHealth]  # every configured source, judged after the cycle
    turned_broken: list[SourceHealth]  # broken now and not before: raise one alert each
    # each source's status before this cycle (None: never judged), for health_alerts
    previous_status: dict[str, str | None]


def configure(
    store: MonitorStore, sources: Mapping[str, Source], interval_override_s: float | None = None
) -> dict[str, Timing]:
    """Tell the store which sources to schedule and how often (sources.yaml or --interval)."""
    timings = {k: schedule.timing(s, interval_override_s) for k, s in sources.items()}
    store.configure_sources(timings)
    return timings


def plan_cycle(
    store: MonitorStore, cycle_id: str, now: datetime, max_threads: int = MAX_THREADS_PER_CYCLE
) -> CyclePlan:
    """The due sources' entry points and at most ``max_threads`` due threads."""
    return CyclePlan(
        cycle_id,
        tuple(store.due_sources(now)),
        tuple(store.due_threads(now, max_threads)),
    )


def _reschedule_threads(
    store: MonitorStore,
    plan: CyclePlan,
    outcomes: Mapping[str, SourceOutcome],
    report: CycleReport,
) -> None:
    if report.crashed is not None:
        return  # counts are missing or partial: the threads stay due and go in the next plan
    for poll in plan.threads:
        counts = outcomes[poll.source].thread_comments if poll.source in outcomes else {}
        count = counts.get(poll.doc_id)
        if count is None:
            # polled but nothing came back (the thread vanished, its API failed): a quiet
            # poll, so a dead thread backs off instead of taking a slot every cycle
            thread = store.thread(poll.doc_id)
            count = (thread.last_comments or 0) if thread else 0
        # from the cycle's start, like the sources: a hot thread is due with its source's
        # next cycle instead of just missing it
        store.record_thread_poll(poll.doc_id, count, report.started_at)


def judge_all(
    store: MonitorStore, sources: Mapping[str, Source], now: datetime
) -> dict[str, SourceHealth]:
    """Every configured source's health from the store (without saving it)."""
    counters = store.counters()
    health = {}
    for key, source in sources.items():
        health[key] = judge(
            source,
            store.recent_outcomes(key),
            state=store.source_state(key),
            now=now,
            previous=store.previous_health(key),
            cycles=counters[key].cycles if key in counters else 0,
            threads_followed=store.threads_followed(key),
        )
    return health


def settle_cycle(
    store: MonitorStore,
    sources: Mapping[str, Source],
    report: CycleReport,
    crawl_state: CrawlState,
    now: datetime,
) -> Settled:
    """Record a finished (or crashed) cycle and judge every source.

    ``sources`` are the configured sources (``configure`` was called with them);
    ``crawl_state`` lists the stored articles whose threads to follow.
    """
    outcomes = store.finish_cycle(report)
    plan = store.cycle_plan(report.cycle_id)
    if plan is None:  # finish_cycle records a plan even for a cycle never begun
        raise RuntimeError(f"cycle {report.cycle_id} has no plan in the monitor store")
    timings = store.timings()
    _reschedule_threads(store, plan, outcomes, report)
    for key in plan.sources:
        state = store.source_state(key)
        if state is None or key not in timings:
            continue  # removed from sources.yaml while the cycle ran
        judged = verdict(store.recent_outcomes(key), store.previous_health(key))
        state = schedule.after_cycle(
            state, report.started_at, judged.status != "broken", timings[key].interval_s
        )
        store.save_source_state(state)
    for key in sources.keys() & timings.keys():
        young = crawl_state.threads_to_refresh(key, timings[key].refresh_days, now)
        counts = outcomes[key].thread_comments if key in outcomes else {}
        store.sync_threads(key, young, report.started_at, comments=counts)
    previous = {key: store.previous_status(key) for key in sources}
    health = judge_all(store, sources, now)
    for judged_health in health.values():
        store.save_health(judged_health)
    broken = [h for k, h in health.items() if turned_broken(previous[k], h)]
    store.prune_history(now)
    return Settled(outcomes, health, broken, previous)
