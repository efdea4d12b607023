"""crawlers.monitor.settle: cycles planned and recorded over a fake clock, as the service runs
them (the crawl itself replaced by the reports it would print)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from crawlers.comments.base import ArticleRef
from crawlers.monitor.clock import FakeClock
from crawlers.monitor.model import CycleReport, SourceOutcome
from crawlers.monitor.settle import configure, plan_cycle, settle_cycle
from crawlers.monitor.store import MonitorStore
from crawlers.sources import Source
from crawlers.state import CrawlState


def make_source(key: str, minutes: float) -> Source:
    return Source.model_validate(
        {
            "key": key,
            "name": key.title(),
            "domains": [f"{key}.vn"],
            "entry_points": [{"kind": "rss", "url": f"https://{key}.vn/rss"}],
            "article_url_patterns": [r"-\d+\.html$"],
            "comments": "tindansinh",
            "monitor": {"interval_minutes": minutes, "max_thread_interval_hours": 1},
        }
    )


SOURCES = {"fast": make_source("fast", 5), "slow": make_source("slow", 15)}
GOOD = {"listed": 10, "articles": 1, "comments": 2, "stored": 3, "responses": 4}
BLOCKED = {"responses": 1, "blocked": 1, "last_error": "Cloudflare challenge"}


def outcome(source: str, thread_comments: dict[str, int] | None = None, **values: object):
    return SourceOutcome(
        source, crawled_entry_points=True, thread_comments=thread_comments or {}, **values
    )


@pytest.fixture
def world(tmp_path: Path) -> tuple[MonitorStore, CrawlState, FakeClock]:
    store = MonitorStore.in_data_dir(tmp_path)
    configure(store, SOURCES)
    return store, CrawlState(tmp_path / "crawl.sqlite"), FakeClock()


def run(
    store: MonitorStore,
    crawl: CrawlState,
    clock: FakeClock,
    cycle_id: str,
    outcomes: dict[str, SourceOutcome],
    crashed: str | None = None,
):
    started = clock.now()
    plan = plan_cycle(store, cycle_id, started)
    store.begin_cycle(plan, started)
    clock.advance(30)
    report = CycleReport(cycle_id, started, clock.now(), outcomes, crashed)
    return plan, settle_cycle(store, SOURCES, report, crawl, clock.now())


def test_a_source_that_breaks_alerts_once_and_backs_off(
    world: tuple[MonitorStore, CrawlState, FakeClock],
) -> None:
    store, crawl, clock = world
    t0 = clock.now()
    ref = ArticleRef("https://fast.vn/bai-1.html", "1")
    crawl.mark_stored([ref.url], source="fast", doc_id="d1", published_at=t0, comment_ref=ref)
    plan, settled = run(
        store,
        crawl,
        clock,
        "c1",
        {"fast": outcome("fast", {"d1": 2}, **GOOD), "slow": outcome("slow", **GOOD)},
    )
    assert plan.sources == ("fast", "slow")
    assert plan.threads == ()
    assert {k: h.status for k, h in settled.health.items()} == {"fast": "ok", "slow": "ok"}
    assert settled.turned_broken == []
    assert settled.previous_status == {"fast": None, "slow": None}
    d1 = store.thread("d1")
    assert d1 is not None
    assert d1.last_comments == 2
    assert settled.health["fast"].threads_followed == 1

    # 5 minutes later only the fast source and its thread are due; the site now blocks us
    clock.advance(270)
    plan, settled = run(store, crawl, clock, "c2", {"fast": outcome("fast", {"d1": 5}, **BLOCKED)})
    assert plan.sources == ("fast",)
    assert [t.doc_id for t in plan.threads] == ["d1"]
    fast = settled.health["fast"]
    assert fast.status == "broken"
    assert fast.last_error_kind == "blocked"
    assert settled.turned_broken == [fast]  # reported at the first broken cycle
    assert settled.previous_status == {"fast": "ok", "slow": "ok"}
    assert fast.next_due_at == t0 + timedelta(minutes=5 + 10)  # backed off to 2 intervals
    assert fast.consecutive_failures == 1
    assert settled.health["slow"].status == "ok"
    d1 = store.thread("d1")
    assert d1 is not None
    assert d1.interval_s == 300  # 2 -> 5 comments: hot

    clock.advance(600 - 30)
    plan, settled = run(store, crawl, clock, "c3", {"fast": outcome("fast", **BLOCKED)})
    assert plan.sources == ("fast", "slow")
    assert settled.health["fast"].status == "broken"
    assert settled.turned_broken == []  # one alert, not one per cycle
    assert settled.health["fast"].consecutive_failures == 2
    assert store.counters()["fast"].cycles == 3


def test_a_crashed_cycle_keeps_threads_due_and_breaks_its_sources(
    world: tuple[MonitorStore, CrawlState, FakeClock],
) -> None:
    store, crawl, clock = world
    ref = ArticleRef("https://slow.vn/bai-2.html", "2")
    crawl.mark_stored(
        [ref.url], source="slow", doc_id="d2", published_at=clock.now(), comment_ref=ref
    )
    run(store, crawl, clock, "c1", {"fast": outcome("fast", **GOOD)})
    clock.advance(900)
    plan, settled = run(store, crawl, clock, "c2", {}, crashed="exit code -9")
    assert [t.doc_id for t in plan.threads] == ["d2"]
    assert {h.source for h in settled.turned_broken} == {"fast", "slow"}
    assert "exit code -9" in (settled.health["slow"].reason or "")
    assert [t.doc_id for t in plan_cycle(store, "c3", clock.now()).threads] == ["d2"]


def test_a_source_added_later_is_unknown_until_crawled(
    world: tuple[MonitorStore, CrawlState, FakeClock],
) -> None:
    store, crawl, clock = world
    run(store, crawl, clock, "c1", {"fast": outcome("fast", **GOOD)})
    configure(store, {**SOURCES, "late": make_source("late", 15)}, interval_override_s=60)
    assert store.timings()["fast"].interval_s == 60
    assert plan_cycle(store, "c2", clock.now()).sources == ("late",)
