"""The monitor's loop on a fake clock, with crawls whose outcomes the test scripts.

Real parts everywhere else: the monitor store, the crawl state, the alert channels (the log
file) and a real Elasticsearch node for the published health and metrics. The crawl itself
(a child process over real pages) has its own tests (test_cycle.py) and the end-to-end ones
(test_monitor_e2e.py).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from crawlers.monitor.clock import FakeClock
from crawlers.monitor.model import CyclePlan, CycleReport, SourceOutcome
from crawlers.monitor.service import Monitor, MonitorOptions
from crawlers.sources import load_sources
from indexer.monitoring import read_health, read_metrics
from indexer.node import LocalNode
from vnopinion.settings import Settings

pytestmark = pytest.mark.es

Script = Callable[[CyclePlan, int], dict[str, SourceOutcome]]


def good(source: str, listed: int = 8) -> SourceOutcome:
    return SourceOutcome(source, True, listed=listed, articles=2, comments=5, stored=7,
                         indexed=7, responses=10)  # fmt: skip


def blocked(source: str) -> SourceOutcome:
    return SourceOutcome(source, True, responses=3, blocked=3, http_errors={"403": 3},
                         last_error="Cloudflare challenge on https://vnexpress.net/",
                         last_error_kind="blocked")  # fmt: skip


class ScriptedCrawl:
    """Answers each plan with the outcomes ``script`` gives for the n-th cycle."""

    def __init__(self, clock: FakeClock, script: Script, seconds: float = 30) -> None:
        self.clock, self.script, self.seconds = clock, script, seconds
        self.plans: list[CyclePlan] = []

    def __call__(self, plan: CyclePlan) -> CycleReport:
        started = self.clock.now()
        self.plans.append(plan)
        outcomes = self.script(plan, len(self.plans))
        self.clock.advance(self.seconds)
        return CycleReport(plan.cycle_id, started, self.clock.now(), outcomes)


@pytest.fixture
def monitor_settings(es_node: LocalNode, es_settings: Settings, tmp_path: Path) -> Settings:
    index = f"t-{uuid.uuid4().hex[:8]}-monitor"
    return es_settings.model_copy(update={"data_dir": tmp_path, "monitor_index": index})


def make_monitor(settings: Settings, clock: FakeClock, crawl: ScriptedCrawl) -> Monitor:
    sources = load_sources()
    chosen = {k: sources[k] for k in ("vnexpress", "tuoitre")}
    options = MonitorOptions(interval_s=900, spike_alerts=False)
    return Monitor(settings, chosen, options, clock=clock, crawl=crawl)


def alert_lines(settings: Settings) -> list[dict[str, object]]:
    path = settings.alerts_log_path
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_a_source_that_starts_serving_block_pages_is_reported_at_once(
    monitor_settings: Settings, es: Elasticsearch
) -> None:
    clock = FakeClock()

    def script(plan: CyclePlan, n: int) -> dict[str, SourceOutcome]:
        return {k: (blocked(k) if k == "vnexpress" and n >= 3 else good(k)) for k in plan.sources}

    crawl = ScriptedCrawl(clock, script)
    monitor = make_monitor(monitor_settings, clock, crawl)
    try:
        monitor.run(max_cycles=4)
    finally:
        monitor.close()
    # One cycle per interval, both sources each time while healthy; then vnexpress backs off.
    assert [set(p.sources) for p in crawl.plans[:3]] == [{"vnexpress", "tuoitre"}] * 3
    assert crawl.plans[3].sources == ("tuoitre",)
    alerts = alert_lines(monitor_settings)
    assert [(a["kind"], a["source"]) for a in alerts] == [("source_broken", "vnexpress")]
    assert alerts[0]["cycle_id"] == crawl.plans[2].cycle_id  # the first blocked cycle
    assert "Cloudflare" in str(alerts[0]["message"])
    health = read_health(es, monitor_settings.monitor_index)
    assert health["vnexpress"].status == "broken"
    assert health["vnexpress"].last_error_kind == "blocked"
    assert health["tuoitre"].status == "ok"
    metrics = read_metrics(es, monitor_settings.monitor_index)
    assert metrics is not None
    assert metrics.cycles == 4
    assert metrics.sources["tuoitre"].fetched_articles == 8  # 2 per cycle, 4 cycles
    assert metrics.sources["vnexpress"].errors == 6  # 3 in each of its two blocked cycles


def test_a_recovered_source_is_announced_and_the_wait_between_cycles_follows_the_schedule(
    monitor_settings: Settings, es: Elasticsearch
) -> None:
    clock = FakeClock()

    def script(plan: CyclePlan, n: int) -> dict[str, SourceOutcome]:
        return {k: (blocked(k) if k == "vnexpress" and n == 2 else good(k)) for k in plan.sources}

    crawl = ScriptedCrawl(clock, script)
    monitor = make_monitor(monitor_settings, clock, crawl)
    try:
        monitor.run(max_cycles=4)
    finally:
        monitor.close()
    kinds = [(a["kind"], a["source"]) for a in alert_lines(monitor_settings)]
    assert kinds == [("source_broken", "vnexpress"), ("source_recovered", "vnexpress")]
    # Cycles start when work is due, not before: every 900 s, vnexpress skipping one (back-off).
    starts = [p.cycle_id.split("-")[1] for p in crawl.plans]
    assert starts == ["20261101T000000", "20261101T001500", "20261101T003000", "20261101T004500"]
    assert [set(p.sources) for p in crawl.plans] == [
        {"vnexpress", "tuoitre"},
        {"vnexpress", "tuoitre"},
        {"tuoitre"},
        {"vnexpress", "tuoitre"},
    ]
    # Between cycles the loop slept until the next source was due: never a busy loop.
    assert all(s > 0 for s in clock.slept)
    assert clock.now() - FakeClock().now() >= timedelta(seconds=900 * 3)


def test_a_cycle_cut_short_by_a_killed_monitor_is_abandoned_and_run_again(
    monitor_settings: Settings,
) -> None:
    clock = FakeClock()
    crawl = ScriptedCrawl(clock, lambda plan, n: {k: good(k) for k in plan.sources})
    first = make_monitor(monitor_settings, clock, crawl)
    plan = CyclePlan("c-killed", ("vnexpress", "tuoitre"))
    first.store.begin_cycle(plan, clock.now())  # then the process dies: no finish
    first.close()

    second = make_monitor(monitor_settings, clock, crawl)
    try:
        second.run(max_cycles=1)
    finally:
        second.close()
    assert set(crawl.plans[0].sources) == {"vnexpress", "tuoitre"}  # still due
    assert alert_lines(monitor_settings) == []  # the monitor's death is not the sites' fault
