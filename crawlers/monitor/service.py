"""``vnopinion monitor``: the loop that keeps every source fresh.

Each turn: plan the due sources and comment threads (``settle.plan_cycle``); when nothing is
due, sleep until the next thing is. Otherwise run one cycle:

1. record it as begun (a monitor killed now finds it at start-up and abandons it: its
   sources stay due, nothing is blamed on them);
2. crawl in a child process (``cycle.run_cycle``): fetch and journal; then tag and store
   the journal here (``ingest``), with models loaded once for the monitor's life;
3. settle it (``settle.settle_cycle``): outcomes, counters, thread and source schedules,
   every source's health;
4. alerts: a source that broke or recovered (``health_alerts``), then spikes
   (``reports.alerts.run_alerts``), through the same channels as ``vnopinion alerts``;
5. publish health and counters for ``GET /sources`` and ``GET /metrics`` (``publish``).

Steps 4 and 5 need Elasticsearch; when it is away they are logged and skipped (documents
wait in the spool, health is published after the next cycle). Every log line is JSON with
the cycle's id (``logs``). SIGTERM or Ctrl+C stops the loop: a cycle in flight is stopped
(its crawl process is killed; the journal keeps what it fetched) and the monitor exits.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from crawlers.journal import DEFER_SETTING, JOURNAL_SETTING
from crawlers.monitor.clock import Clock, SystemClock
from crawlers.monitor.health_alerts import SourceHealthAlert, health_alert
from crawlers.monitor.ingest import Ingest, IngestReport
from crawlers.monitor.logs import cycle_context
from crawlers.monitor.model import (
    CyclePlan,
    CycleReport,
    MetricsSnapshot,
    SourceHealth,
    SourceOutcome,
)
from crawlers.monitor.settle import Settled, configure, plan_cycle, settle_cycle
from crawlers.monitor.store import MonitorStore
from crawlers.pipeline import state_path
from crawlers.sources import Source
from crawlers.state import CrawlState
from indexer.monitoring import publish
from indexer.spool import Spool
from vnopinion.settings import Settings

__all__ = ["Monitor", "MonitorOptions"]

log = logging.getLogger(__name__)

Crawl = Callable[[CyclePlan], CycleReport]


@dataclass(frozen=True)
class MonitorOptions:
    """How the monitor runs; the defaults are production's."""

    interval_s: float | None = None  # every source's interval (None: sources.yaml's)
    cycle_timeout_s: float = 1800.0  # a crawl running longer is killed (counted as a crash)
    max_threads_per_cycle: int = 200
    idle_check_s: float = 60.0  # the longest sleep between two looks at the schedule
    # Work due within this much of now joins the cycle (at most a tenth of the shortest
    # interval): a source and its threads due a moment apart make one cycle, not two.
    batch_window_s: float = 30.0
    sources_file: Path | None = None  # None: crawlers/sources.yaml
    crawl_overrides: dict[str, Any] = field(default_factory=dict)  # Scrapy settings
    spike_alerts: bool = True


class Monitor:
    """One monitor over ``sources``; ``run`` loops, ``run_once`` does one cycle if due."""

    def __init__(
        self,
        settings: Settings,
        sources: Mapping[str, Source],
        options: MonitorOptions | None = None,
        *,
        clock: Clock | None = None,
        crawl: Crawl | None = None,
        ingest: Ingest | None = None,
    ) -> None:
        self.settings = settings
        self.sources = dict(sources)
        self.options = options or MonitorOptions()
        self.clock = clock or SystemClock()
        self.store = MonitorStore.in_data_dir(settings.data_dir)
        self.crawl_state = CrawlState(state_path(settings))
        self.started_at = self.clock.now()
        self.ingest = ingest or Ingest(settings, self.sources)
        self._crawl = crawl or self._crawl_in_child
        self._stop = threading.Event()
        timings = configure(self.store, self.sources, self.options.interval_s)
        shortest = min((t.interval_s for t in timings.values()), default=0.0)
        self._batch_window_s = min(self.options.batch_window_s, shortest / 10)

    def close(self) -> None:
        self.ingest.close()
        self.store.close()
        self.crawl_state.close()

    def stop(self) -> None:
        """Ask the loop to end after the current step (thread-safe)."""
        self._stop.set()

    # -- the loop ------------------------------------------------------------------------

    def recover(self) -> None:
        """A cycle the last monitor did not finish (killed, power cut) is abandoned: its
        sources stay due and nothing is counted against them."""
        for unfinished in self.store.unfinished_cycles():
            cycle_id = unfinished.plan.cycle_id
            self.store.abandon_cycle(cycle_id, "the monitor stopped during this cycle",
                                     self.clock.now())  # fmt: skip
            log.warning(
                "cycle %s was cut short when the monitor stopped; its work is due again",
                cycle_id,
                extra={"abandoned_cycle": cycle_id, "sources": list(unfinished.plan.sources)},
            )

    def run(self, max_cycles: int | None = None) -> int:
        """Cycles until stopped (or ``max_cycles``); returns how many ran."""
        self.recover()
        leftover = self._store_journal()
        if leftover.stored:
            log.info("stored %d documents a stopped crawl had journaled", leftover.stored)
        log.info(
            "monitor started: %d sources",
            len(self.sources),
            extra={"sources": sorted(self.sources), "interval_s": self.options.interval_s},
        )
        ran = 0
        while not self._stop.is_set() and (max_cycles is None or ran < max_cycles):
            if self.run_once() is None:
                self._sleep_until_due()
            else:
                ran += 1
        log.info("monitor stopped after %d cycles", ran)
        return ran

    def run_once(self) -> Settled | None:
        """One cycle if anything is due now; None when nothing was."""
        now = self.clock.now()
        cycle_id = f"c-{now:%Y%m%dT%H%M%S}-{secrets.token_hex(2)}"
        limit = self.options.max_threads_per_cycle
        due = plan_cycle(self.store, cycle_id, now, limit)
        if not due.sources and not due.threads:
            return None
        # Something is due now: take along what falls due in the next moments.
        horizon = now + timedelta(seconds=self._batch_window_s)
        plan = plan_cycle(self.store, cycle_id, horizon, limit)
        with cycle_context(cycle_id):
            return self._cycle(plan, now)

    def _cycle(self, plan: CyclePlan, now: datetime) -> Settled:
        self.store.begin_cycle(plan, now)
        log.info(
            "cycle started: %d sources, %d threads",
            len(plan.sources),
            len(plan.threads),
            extra={"sources": list(plan.sources), "threads": len(plan.threads)},
        )
        report = self._crawl(plan)
        for key, counts in self._store_journal().by_source.items():
            outcome = report.outcomes.setdefault(key, SourceOutcome(key, False))
            counts.add_to(outcome)
        settled = settle_cycle(self.store, self.sources, report, self.crawl_state,
                               self.clock.now())  # fmt: skip
        self._log_cycle(report, settled)
        self._source_alerts(settled, plan.cycle_id)
        if self.options.spike_alerts:
            self._spike_alerts()
        self._publish(settled.health)
        return settled

    def _sleep_until_due(self) -> None:
        now = self.clock.now()
        wake = now + timedelta(seconds=self.options.idle_check_s)
        for state in self.store.source_states().values():
            if state.source in self.sources and state.next_due_at is not None:
                wake = min(wake, state.next_due_at)
        next_thread = self.store.next_thread_due()
        if next_thread is not None:
            wake = min(wake, next_thread)
        seconds = max((wake - now).total_seconds(), 0.05)
        if isinstance(self.clock, SystemClock):
            self._stop.wait(seconds)  # wakes at once on stop()
        else:
            self.clock.sleep(seconds)

    # -- the steps -----------------------------------------------------------------------

    def _crawl_in_child(self, plan: CyclePlan) -> CycleReport:
        from crawlers.monitor.cycle import run_cycle

        # The child fetches and journals only: this process tags and stores (``ingest``).
        journal = {JOURNAL_SETTING: str(self.ingest.journal_dir), DEFER_SETTING: True}
        return run_cycle(
            self.settings,
            plan,
            sources_file=self.options.sources_file,
            timeout_s=self.options.cycle_timeout_s,
            overrides={**self.options.crawl_overrides, **journal},
        )

    def _store_journal(self) -> IngestReport:
        """Tag and store what the crawl journaled; a failure leaves it for the next pass."""
        try:
            return self.ingest()
        except Exception as exc:  # the journal keeps the documents: log and go on
            log.error("journaled documents not stored this cycle: %s", exc,
                      extra={"error": str(exc)}, exc_info=True)  # fmt: skip
            return IngestReport()

    def _log_cycle(self, report: CycleReport, settled: Settled) -> None:
        totals = {"articles": 0, "comments": 0, "stored": 0, "spooled": 0, "errors": 0}
        for outcome in settled.outcomes.values():
            totals["articles"] += outcome.articles
            totals["comments"] += outcome.comments
            totals["stored"] += outcome.stored
            totals["spooled"] += outcome.spooled
            totals["errors"] += outcome.errors
        status = {key: health.status for key, health in settled.health.items()}
        level = logging.ERROR if report.crashed else logging.INFO
        log.log(
            level,
            "cycle finished in %.1f s: %d articles, %d comments, %d stored%s",
            report.duration_s,
            totals["articles"],
            totals["comments"],
            totals["stored"],
            f"; the crawl process failed: {report.crashed}" if report.crashed else "",
            extra={"duration_s": round(report.duration_s, 3), **totals, "health": status},
        )

    def _source_alerts(self, settled: Settled, cycle_id: str) -> None:
        detected = self.clock.now()
        alerts: list[SourceHealthAlert] = []
        for key, health in settled.health.items():
            alert = health_alert(health, settled.previous_status.get(key), cycle_id, detected)
            if alert is not None:
                alerts.append(alert)
                log.warning(alert.message, extra={"alert": alert.kind, "source": key})
        if not alerts:
            return
        from reports.alerts import deliver

        logged, posted = deliver(self.settings, alerts)
        if logged.failed or (posted is not None and posted.failed):
            failed = {**logged.failed, **(posted.failed if posted else {})}
            log.error("source alerts not delivered: %s", failed, extra={"failed": failed})

    def _spike_alerts(self) -> None:
        from indexer.client import make_client
        from reports.alerts import run_alerts
        from vnopinion.vocabulary import load_vocabulary

        try:
            with make_client(self.settings) as client:
                report = run_alerts(self.settings, client, load_vocabulary())
        except Exception as exc:  # alerts must not stop the monitor
            log.warning("spike alerts skipped this cycle: %s", exc, extra={"error": str(exc)})
            return
        sent = report.log.sent
        if sent:
            log.info("%d new spike alerts", len(sent), extra={"spikes": sent})
        if not report.ok:
            failed = report.webhook.failed if report.webhook else {}
            log.warning("some spike alerts were not delivered; retried next cycle",
                        extra={"failed": failed})  # fmt: skip

    def metrics(self) -> MetricsSnapshot:
        """The counters and queue depths as ``GET /metrics`` shows them."""
        now = self.clock.now()
        stats = self.store.cycle_stats()
        return MetricsSnapshot(
            updated_at=now,
            started_at=self.started_at,
            cycles=stats.cycles,
            cycle_failures=stats.failures,
            cycle_duration_s_sum=stats.duration_s_sum,
            last_cycle_id=stats.last_cycle_id,
            last_cycle_duration_s=stats.last_duration_s,
            model_version=self.ingest.model_version,
            spool_pending=Spool(self.settings.spool_dir).pending(),
            threads_followed=self.store.threads_followed(),
            threads_due=self.store.threads_due_count(now),
            sources_due=len(self.store.due_sources(now)),
            sources=self.store.counters(),
        )

    def _publish(self, health: Mapping[str, SourceHealth]) -> None:
        from indexer.client import make_client

        try:
            with make_client(self.settings) as client:
                publish(client, self.settings.monitor_index, list(health.values()),
                        self.metrics())  # fmt: skip
        except Exception as exc:  # publishing must not stop the monitor
            log.warning("health and metrics not published this cycle: %s", exc,
                        extra={"error": str(exc)})  # fmt: skip
