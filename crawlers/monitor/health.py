"""Is a source working? A judgement from its last few cycles, in words an analyst can act on.

- ``broken``: the latest cycle that crawled its entry points failed outright: the crawl
  crashed, a block or challenge page came back and nothing got through (no listing, or
  neither an article nor a comment), no entry point gave a list of articles because they were
  refused (HTTP >= 400, network), or the entry points answered with no articles where the
  previous successful cycles listed several (``zero_yield``); also when the last two cycles
  could not read any article they fetched.
- ``degraded``: it answered, but more than ``DEGRADED_ERROR_RATE`` of its requests failed over
  the recent cycles, or the last cycle had some errors.
- ``ok`` otherwise; ``unknown`` before its first cycle.

A source *turning* broken raises one health alert (``turned_broken``), at the first broken
cycle, so a site that breaks is reported within two cycles.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from crawlers.monitor.model import (
    CyclePlan,
    CycleReport,
    ErrorKind,
    HealthStatus,
    SourceHealth,
    SourceOutcome,
)
from crawlers.monitor.schedule import SourceState
from crawlers.sources import Source

__all__ = [
    "DEGRADED_ERROR_RATE",
    "RECENT_CYCLES",
    "ZERO_YIELD_HISTORY",
    "ZERO_YIELD_MIN_LISTED",
    "OutcomeRecord",
    "Verdict",
    "complete_outcomes",
    "error_rate",
    "judge",
    "turned_broken",
    "verdict",
]

RECENT_CYCLES = 10
DEGRADED_ERROR_RATE = 0.2
ZERO_YIELD_HISTORY = 3  # successful cycles needed before an empty listing means "broken"
ZERO_YIELD_MIN_LISTED = 3  # ... whose median listing was at least this many articles


@dataclass(frozen=True)
class OutcomeRecord:
    """One source's outcome in one cycle, with when that cycle started."""

    cycle_id: str
    at: datetime
    outcome: SourceOutcome


@dataclass(frozen=True)
class Verdict:
    """The status the latest cycles earn, with the reason (Vietnamese, then English)."""

    status: HealthStatus
    reason: str | None = None
    kind: ErrorKind | None = None


def complete_outcomes(plan: CyclePlan, report: CycleReport) -> dict[str, SourceOutcome]:
    """The report's outcomes, with every planned source present, marked as a crash when the
    crawl process died (it may have printed nothing, or counts for only some sources)."""
    outcomes = dict(report.outcomes)
    if report.crashed is None:
        for key in plan.sources:
            outcomes.setdefault(key, SourceOutcome(key, crawled_entry_points=True))
        return outcomes
    for key in plan.sources:
        outcome = outcomes.get(key) or SourceOutcome(key, crawled_entry_points=True)
        outcomes[key] = replace(
            outcome,
            crawled_entry_points=True,
            last_error=f"crawl process failed: {report.crashed}",
            last_error_kind="crash",
        )
    return outcomes


def _requests(outcome: SourceOutcome) -> int:
    # network errors never got a response, so they are requests the response count misses
    return outcome.responses + outcome.network_errors


def error_rate(outcomes: Sequence[SourceOutcome]) -> float:
    """Failed requests over requests (0 when there were none), at most 1."""
    requests = sum(_requests(o) for o in outcomes)
    errors = sum(o.errors for o in outcomes)
    if requests == 0:
        return 0.0
    return min(errors / requests, 1.0)


def _crawled(records: Sequence[OutcomeRecord]) -> list[SourceOutcome]:
    return [r.outcome for r in records if r.outcome.crawled_entry_points]


def _good_listing(outcome: SourceOutcome) -> bool:
    return (
        outcome.crawled_entry_points
        and outcome.listed > 0
        and outcome.blocked == 0
        and outcome.last_error_kind != "crash"
    )


def _detail(outcome: SourceOutcome) -> str:
    return f": {outcome.last_error}" if outcome.last_error else ""


def _broken(crawled: list[SourceOutcome], previous: SourceHealth | None) -> Verdict | None:
    latest = crawled[-1]
    detail = _detail(latest)
    if latest.last_error_kind == "crash":
        return Verdict(
            "broken",
            f"Tiến trình thu thập bị lỗi hoặc quá giờ (the crawl process crashed{detail})",
            "crash",
        )
    nothing_through = latest.listed == 0 or latest.articles == latest.comments == 0
    if latest.blocked and nothing_through:
        return Verdict(
            "broken",
            "Bị chặn bởi trang thử thách hoặc trang chặn bot, kiểu Cloudflare "
            f"(blocked by a Cloudflare-style challenge or block page{detail})",
            "blocked",
        )
    refused = sum(latest.http_errors.values()) + latest.network_errors
    if latest.listed == 0 and refused:
        kind: ErrorKind = "network" if latest.network_errors >= refused / 2 else "http"
        if latest.last_error_kind in ("http", "network"):
            kind = latest.last_error_kind
        return Verdict(
            "broken",
            "Mọi điểm vào đều bị từ chối, không lấy được danh sách bài "
            f"(every entry point was refused{detail})",
            kind,
        )
    if latest.listed == 0:
        history = [o.listed for o in crawled[:-1] if _good_listing(o)]
        collapsed = (
            len(history) >= ZERO_YIELD_HISTORY
            and statistics.median(history) >= ZERO_YIELD_MIN_LISTED
        )
        # Once the window holds only empty cycles the history is gone: stay broken until
        # the entry points list articles again.
        still = (
            previous is not None
            and previous.status == "broken"
            and previous.last_error_kind == "zero_yield"
        )
        if collapsed or still:
            median = f" (median {statistics.median(history):g})" if collapsed else ""
            return Verdict(
                "broken",
                "Điểm vào không còn liệt kê bài nào dù trước đây có nhiều "
                f"(entry points list no articles where they used to list many{median})",
                "zero_yield",
            )
    last_two = crawled[-2:]
    if len(last_two) == 2 and all(o.parse_failures > 0 and o.articles == 0 for o in last_two):
        return Verdict(
            "broken",
            "Không đọc được bài nào trong hai chu kỳ liền, có thể trang đã đổi giao diện "
            f"(no article could be parsed in the last two cycles{detail})",
            "parse",
        )
    return None


def verdict(records: Sequence[OutcomeRecord], previous: SourceHealth | None = None) -> Verdict:
    """The status earned by the recent cycles (oldest first); ``previous`` is the last judged
    health, which keeps a collapsed source broken after its history leaves the window."""
    crawled = _crawled(records)
    if not crawled:
        return Verdict("unknown")
    broken = _broken(crawled, previous)
    if broken is not None:
        return broken
    outcomes = [r.outcome for r in records]
    rate = error_rate(outcomes)
    if rate > DEGRADED_ERROR_RATE:
        return Verdict(
            "degraded",
            f"Tỉ lệ lỗi {rate:.0%} trong {len(outcomes)} chu kỳ gần đây "
            f"(error rate {rate:.0%} over the last {len(outcomes)} cycles)",
            outcomes[-1].last_error_kind,
        )
    last = outcomes[-1]
    if last.errors:
        return Verdict(
            "degraded",
            f"Chu kỳ gần nhất có {last.errors} lỗi "
            f"(the last cycle had {last.errors} errors{_detail(last)})",
            last.last_error_kind,
        )
    return Verdict("ok")


def _last_success(
    records: Sequence[OutcomeRecord], judged: Verdict, previous: SourceHealth | None
) -> datetime | None:
    crawled = [r for r in records if r.outcome.crawled_entry_points]
    if crawled and judged.status in ("ok", "degraded"):
        return crawled[-1].at
    earlier = [r.at for r in crawled[:-1] if _good_listing(r.outcome)]
    candidates = [*earlier, *([previous.last_success_at] if previous else [])]
    found = [c for c in candidates if c is not None]
    return max(found) if found else None


def _last_error(
    records: Sequence[OutcomeRecord], judged: Verdict, previous: SourceHealth | None
) -> tuple[str | None, ErrorKind | None, datetime | None]:
    if records and judged.status == "broken":
        latest = [r for r in records if r.outcome.crawled_entry_points][-1]
        text = latest.outcome.last_error or judged.reason
        return text, judged.kind, latest.at
    for record in reversed(records):
        if record.outcome.last_error or record.outcome.errors:
            o = record.outcome
            return o.last_error, o.last_error_kind, record.at
    if previous is not None:
        return previous.last_error, previous.last_error_kind, previous.last_error_at
    return None, None, None


def judge(
    source: Source,
    records: Sequence[OutcomeRecord],
    *,
    state: SourceState | None,
    now: datetime,
    previous: SourceHealth | None = None,
    cycles: int | None = None,
    threads_followed: int = 0,
) -> SourceHealth:
    """The source's health from its recent cycles (``records``, oldest first, at most
    ``RECENT_CYCLES``), its schedule ``state`` (after the latest cycle), and the previous
    judgement. ``cycles`` is the all-time count of cycles that crawled its entry points
    (``SourceCounters.cycles``); ``now`` is when a never-run source is due."""
    records = list(records)[-RECENT_CYCLES:]
    judged = verdict(records, previous)
    crawled = [r for r in records if r.outcome.crawled_entry_points]
    stored = [r.outcome.stored for r in records]
    last_error, last_kind, last_error_at = _last_error(records, judged, previous)
    return SourceHealth(
        source=source.key,
        name=source.name,
        domain=source.domains[0],
        status=judged.status,
        reason=judged.reason,
        interval_s=state.interval_s if state else source.monitor.interval_minutes * 60,
        last_cycle_at=records[-1].at if records else None,
        last_success_at=_last_success(records, judged, previous),
        next_due_at=(state.next_due_at or now) if state else now,
        cycles=cycles if cycles is not None else len(crawled),
        documents_last_cycle=stored[-1] if stored else 0,
        documents_per_cycle=sum(stored) / len(stored) if stored else 0.0,
        error_rate=error_rate([r.outcome for r in records]),
        last_error=last_error,
        last_error_kind=last_kind,
        last_error_at=last_error_at,
        consecutive_failures=state.consecutive_failures if state else 0,
        threads_followed=threads_followed,
    )


def turned_broken(previous_status: HealthStatus | str | None, health: SourceHealth) -> bool:
    """Whether this judgement should raise a health alert: broken now, and not before."""
    return health.status == "broken" and previous_status != "broken"
