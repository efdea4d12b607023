"""crawlers.monitor.health: broken, degraded, ok and unknown, with reasons an analyst can read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from crawlers.monitor.health import (
    RECENT_CYCLES,
    OutcomeRecord,
    complete_outcomes,
    error_rate,
    judge,
    turned_broken,
    verdict,
)
from crawlers.monitor.model import CyclePlan, CycleReport, SourceOutcome
from crawlers.monitor.schedule import after_cycle, new_source
from crawlers.sources import Source

T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
SOURCE = Source.model_validate(
    {
        "key": "site",
        "name": "Báo Mẫu",
        "domains": ["site.vn"],
        "entry_points": [
            {"kind": "rss", "url": "https://site.vn/rss"},
            {"kind": "section", "url": "https://site.vn/thoi-su"},
        ],
        "article_url_patterns": [r"-\d+\.html$"],
    }
)


def good(**changes: Any) -> SourceOutcome:
    values: dict[str, Any] = {
        "listed": 20,
        "articles": 5,
        "comments": 30,
        "stored": 35,
        "indexed": 35,
        "responses": 40,
    }
    values.update(changes)
    return SourceOutcome("site", crawled_entry_points=True, **values)


def records(*outcomes: SourceOutcome) -> list[OutcomeRecord]:
    return [
        OutcomeRecord(f"c{i}", T0 + timedelta(minutes=15 * i), o) for i, o in enumerate(outcomes)
    ]


def test_unknown_before_the_first_cycle() -> None:
    health = judge(SOURCE, [], state=None, now=T0)
    assert health.status == "unknown"
    assert health.reason is None
    assert health.next_due_at == T0
    assert health.interval_s == 900
    assert health.last_success_at is None
    assert health.cycles == 0
    # re-polling threads only does not make a source known
    only_threads = SourceOutcome("site", crawled_entry_points=False, comments=3, responses=3)
    assert verdict(records(only_threads)).status == "unknown"


def test_ok_fills_the_figures() -> None:
    history = records(good(stored=10), good(stored=30))
    state = after_cycle(new_source("site", 900), history[-1].at, succeeded=True)
    health = judge(SOURCE, history, state=state, now=T0, cycles=57, threads_followed=12)
    assert health.status == "ok"
    assert health.reason is None
    assert health.name == "Báo Mẫu"
    assert health.last_cycle_at == history[-1].at
    assert health.last_success_at == history[-1].at
    assert health.next_due_at == history[-1].at + timedelta(minutes=15)
    assert health.documents_last_cycle == 30
    assert health.documents_per_cycle == 20.0
    assert health.error_rate == 0.0
    assert health.cycles == 57
    assert health.threads_followed == 12
    assert health.consecutive_failures == 0


def test_block_page_is_broken_at_the_first_failing_cycle() -> None:
    blocked = good(
        listed=0,
        articles=0,
        stored=0,
        indexed=0,
        responses=2,
        blocked=2,
        last_error="Cloudflare challenge on https://site.vn/rss",
        last_error_kind="blocked",
    )
    history = records(good(), blocked)
    health = judge(SOURCE, history, state=None, now=T0)
    assert health.status == "broken"
    assert health.last_error_kind == "blocked"
    assert health.reason is not None
    assert health.reason.startswith("Bị chặn")
    assert "(blocked by a Cloudflare-style challenge" in health.reason
    assert health.reason.endswith("Cloudflare challenge on https://site.vn/rss)")
    assert health.last_error_at == history[-1].at
    assert health.last_success_at == history[0].at
    # no history needed: the very first cycle already says so
    assert verdict(records(blocked)).kind == "blocked"


def test_some_blocked_articles_with_others_through_is_only_degraded() -> None:
    result = verdict(records(good(blocked=1, last_error="challenge", last_error_kind="blocked")))
    assert result.status == "degraded"
    # listed, but every article page was a challenge: nothing got through
    all_articles = good(articles=0, comments=0, stored=0, blocked=5, last_error_kind="blocked")
    assert verdict(records(all_articles)).status == "broken"
    # no new article, one comment thread challenged, the others read
    one_thread = good(articles=0, comments=12, blocked=1, last_error_kind="blocked")
    assert verdict(records(one_thread)).status == "degraded"


def test_crash_is_broken() -> None:
    plan = CyclePlan("c9", ("site", "other"))
    report = CycleReport("c9", T0, T0 + timedelta(minutes=15), {"site": good()}, "over 900 s")
    outcomes = complete_outcomes(plan, report)
    assert set(outcomes) == {"site", "other"}
    assert outcomes["other"].last_error_kind == "crash"
    assert outcomes["site"].listed == 20  # partial counts kept
    result = verdict(records(good(), outcomes["site"]))
    assert result.status == "broken"
    assert result.kind == "crash"
    assert result.reason is not None
    assert "over 900 s" in result.reason


def test_complete_outcomes_adds_empty_ones_for_planned_sources() -> None:
    plan = CyclePlan("c1", ("site", "quiet"))
    report = CycleReport("c1", T0, T0, {"site": good()})
    outcomes = complete_outcomes(plan, report)
    assert outcomes["site"] == good()
    assert outcomes["quiet"] == SourceOutcome("quiet", crawled_entry_points=True)


@pytest.mark.parametrize(
    ("outcome", "kind"),
    [
        (good(listed=0, articles=0, responses=2, http_errors={"403": 2}), "http"),
        (good(listed=0, articles=0, responses=0, network_errors=2), "network"),
        (
            good(
                listed=0,
                articles=0,
                responses=1,
                http_errors={"503": 1},
                network_errors=1,
                last_error="HTTP 503 on https://site.vn/thoi-su",
                last_error_kind="http",
            ),
            "http",
        ),
    ],
)
def test_every_entry_point_refused_is_broken(outcome: SourceOutcome, kind: str) -> None:
    result = verdict(records(good(), outcome))
    assert result.status == "broken"
    assert result.kind == kind
    assert result.reason is not None
    assert result.reason.startswith("Mọi điểm vào đều bị từ chối")


def test_zero_yield_needs_a_history_of_listings() -> None:
    empty = good(listed=0, articles=0, comments=0, stored=0, indexed=0, responses=2)
    # a new source whose feed is empty is not broken: it never listed anything
    assert verdict(records(empty)).status == "ok"
    assert verdict(records(good(), good(), empty)).status == "ok"  # two cycles are not enough
    assert verdict(records(good(listed=2), good(listed=1), good(listed=2), empty)).status == "ok"
    result = verdict(records(good(listed=8), good(listed=2), good(listed=5), empty))
    assert result.status == "broken"
    assert result.kind == "zero_yield"
    assert result.reason is not None
    assert "(median 5)" in result.reason


def test_zero_yield_stays_broken_after_its_history_leaves_the_window() -> None:
    empty = good(listed=0, articles=0, comments=0, stored=0, indexed=0, responses=2)
    first = judge(SOURCE, records(good(), good(), good(), empty), state=None, now=T0)
    assert first.status == "broken"
    window = records(*[empty] * RECENT_CYCLES)
    assert verdict(window).status == "ok"  # without the previous judgement it would heal
    assert judge(SOURCE, window, state=None, now=T0, previous=first).status == "broken"
    recovered = judge(SOURCE, records(*[empty] * 9, good()), state=None, now=T0, previous=first)
    assert recovered.status == "ok"


def test_parse_failures_on_every_article_twice_is_broken() -> None:
    unreadable = good(articles=0, stored=0, indexed=0, parse_failures=5, last_error_kind="parse")
    once = verdict(records(good(), unreadable))
    assert once.status == "degraded"  # one bad cycle may be a bad article
    twice = verdict(records(good(), unreadable, unreadable))
    assert twice.status == "broken"
    assert twice.kind == "parse"
    # some articles still read: a few bad pages, not a redesign
    assert verdict(records(unreadable, good(parse_failures=5))).status == "degraded"


def test_degraded_by_error_rate_over_recent_cycles() -> None:
    # 10 errors in 40 requests, two cycles ago; the last cycle is clean
    noisy = good(http_errors={"500": 10}, last_error="HTTP 500", last_error_kind="http")
    history = records(noisy, good(responses=10))
    assert error_rate([r.outcome for r in history]) == pytest.approx(10 / 50)
    assert verdict(history).status == "ok"  # 20% is not over 20%
    history = records(noisy, good(responses=5))
    health = judge(SOURCE, history, state=None, now=T0)
    assert health.status == "degraded"
    assert health.error_rate == pytest.approx(10 / 45)
    assert health.reason == (
        "Tỉ lệ lỗi 22% trong 2 chu kỳ gần đây (error rate 22% over the last 2 cycles)"
    )
    assert health.last_error == "HTTP 500"
    assert health.last_error_at == history[0].at


def test_degraded_when_the_last_cycle_had_errors() -> None:
    last = good(http_errors={"404": 1}, last_error="HTTP 404 on /a", last_error_kind="http")
    health = judge(SOURCE, records(good(), last), state=None, now=T0)
    assert health.status == "degraded"
    assert health.reason == "Chu kỳ gần nhất có 1 lỗi (the last cycle had 1 errors: HTTP 404 on /a)"
    assert health.last_success_at == T0 + timedelta(minutes=15)


def test_error_rate_counts_network_errors_as_requests() -> None:
    assert error_rate([good(responses=0, network_errors=3)]) == 1.0
    assert error_rate([]) == 0.0


def test_judge_only_reads_the_recent_window() -> None:
    old_errors = good(http_errors={"500": 40}, last_error="HTTP 500", last_error_kind="http")
    history = records(old_errors, *[good()] * RECENT_CYCLES)
    health = judge(SOURCE, history, state=None, now=T0)
    assert health.status == "ok"
    assert health.error_rate == 0.0


def test_turned_broken_only_on_the_change() -> None:
    blocked = good(listed=0, articles=0, responses=1, blocked=1, last_error_kind="blocked")
    broken = judge(SOURCE, records(blocked), state=None, now=T0)
    ok = judge(SOURCE, records(good()), state=None, now=T0)
    assert turned_broken(None, broken)
    assert turned_broken("ok", broken)
    assert turned_broken("degraded", broken)
    assert turned_broken("unknown", broken)
    assert not turned_broken("broken", broken)
    assert not turned_broken("broken", ok)
    assert not turned_broken("ok", ok)


def test_consecutive_failures_come_from_the_schedule() -> None:
    state = new_source("site", 900)
    for i in range(3):
        state = after_cycle(state, T0 + timedelta(hours=i), succeeded=False)
    blocked = good(listed=0, articles=0, responses=1, blocked=1, last_error_kind="blocked")
    health = judge(SOURCE, records(blocked), state=state, now=T0)
    assert health.consecutive_failures == 3
    assert health.next_due_at == T0 + timedelta(hours=2, minutes=60)
