"""GET /metrics: the monitor's counters and each source's health in Prometheus text format.

The monitor (``vnopinion monitor``) publishes a ``MetricsSnapshot`` and one ``SourceHealth``
per source after every cycle (``crawlers.monitor.publish``); this route renders the last
ones with a custom collector on a registry of its own, so nothing of the API process's own
state (the default registry) leaks in, and every scrape shows what Elasticsearch holds now.

Choices a scraper relies on:
- ``source`` labels are the sources.yaml keys (``vnexpress``), as the monitor counts them.
- ``vnopinion_source_up`` is 1 for ok and degraded (it answers), 0 for broken; a source the
  monitor has not run yet (``unknown``) has no ``source_up`` series at all, so an alert on
  ``vnopinion_source_up == 0`` fires only for a source that was seen failing.
- ``vnopinion_monitor_up`` is 1 while the snapshot is fresh: younger than three times the
  largest source interval (or the last cycle's duration, when that is longer), with 15
  minutes as the interval when no source is known; 0 when stale or when the monitor never ran.
- The format is the classic text exposition (``text/plain; version=0.0.4``), what
  ``prometheus_client`` answers a scraper that asks for nothing else.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

from fastapi import APIRouter
from fastapi.responses import Response
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.metrics_core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    InfoMetricFamily,
    Metric,
    SummaryMetricFamily,
)
from prometheus_client.registry import Collector

from api.deps import EsDep, SettingsDep
from indexer.monitoring import MetricsSnapshot, SourceHealth, read_health, read_metrics
from vnopinion import __version__

__all__ = ["DEFAULT_INTERVAL_S", "STALE_AFTER_INTERVALS", "MonitorCollector", "render", "router"]

router = APIRouter(tags=["monitor"])

DEFAULT_INTERVAL_S = 15 * 60.0  # a source's interval when sources.yaml names none
STALE_AFTER_INTERVALS = 3
UP_STATUSES = {"ok": 1.0, "degraded": 1.0, "broken": 0.0}  # unknown: no series


def snapshot_fresh(
    metrics: MetricsSnapshot | None, health: dict[str, SourceHealth], now: datetime
) -> bool:
    """Whether the monitor published recently enough to be taken as running."""
    if metrics is None:
        return False
    interval = max((h.interval_s for h in health.values()), default=DEFAULT_INTERVAL_S)
    window = STALE_AFTER_INTERVALS * max(interval, metrics.last_cycle_duration_s or 0.0)
    updated = metrics.updated_at
    if updated.tzinfo is None:  # the monitor writes UTC; a naive time is taken as such
        updated = updated.replace(tzinfo=UTC)
    return (now - updated).total_seconds() <= window


class MonitorCollector(Collector):
    """One scrape's worth of metrics, from a snapshot and the sources' health."""

    def __init__(
        self,
        metrics: MetricsSnapshot | None,
        health: dict[str, SourceHealth],
        now: datetime | None = None,
    ) -> None:
        self.metrics = metrics
        self.health = health
        self.now = now or datetime.now(UTC)

    def collect(self) -> Iterator[Metric]:
        yield InfoMetricFamily("vnopinion_api", "The API serving these metrics",
                               value={"version": __version__})  # fmt: skip
        fresh = snapshot_fresh(self.metrics, self.health, self.now)
        yield GaugeMetricFamily(
            "vnopinion_monitor_up",
            "1 when the monitor published within three source intervals, else 0",
            value=1.0 if fresh else 0.0,
        )
        if self.metrics is not None:
            yield from self._snapshot(self.metrics)
        yield from self._health()

    def _snapshot(self, m: MetricsSnapshot) -> Iterator[Metric]:
        yield GaugeMetricFamily(
            "vnopinion_monitor_last_update_timestamp_seconds",
            "When the monitor last published (Unix time)",
            value=m.updated_at.timestamp(),
        )
        yield CounterMetricFamily("vnopinion_cycles", "Monitor cycles run", value=m.cycles)
        yield CounterMetricFamily(
            "vnopinion_cycle_failures",
            "Cycles whose crawl process crashed or overran",
            value=m.cycle_failures,
        )
        yield SummaryMetricFamily(
            "vnopinion_cycle_duration_seconds",
            "Time spent in cycles",
            count_value=m.cycles,
            sum_value=m.cycle_duration_s_sum,
        )
        if m.last_cycle_duration_s is not None:
            yield GaugeMetricFamily(
                "vnopinion_last_cycle_duration_seconds",
                "Duration of the latest cycle",
                value=m.last_cycle_duration_s,
            )
        for name, doc, value in (
            ("vnopinion_spool_pending_documents", "Documents waiting in the spool",
             m.spool_pending),
            ("vnopinion_threads_followed", "Comment threads on the re-poll schedule",
             m.threads_followed),
            ("vnopinion_threads_due", "Comment threads due for a re-poll", m.threads_due),
            ("vnopinion_sources_due", "Sources due for a crawl", m.sources_due),
        ):  # fmt: skip
            yield GaugeMetricFamily(name, doc, value=value)
        if m.model_version is not None:
            yield InfoMetricFamily("vnopinion_model", "The tagger's model version",
                                   value={"version": m.model_version})  # fmt: skip
        yield from self._counters(m)

    def _counters(self, m: MetricsSnapshot) -> Iterator[Metric]:
        fetched = CounterMetricFamily(
            "vnopinion_documents_fetched", "Documents fetched", labels=["source", "kind"]
        )
        families = {
            "stored": CounterMetricFamily(
                "vnopinion_documents_stored", "Documents tagged and stored", labels=["source"]
            ),
            "indexed": CounterMetricFamily(
                "vnopinion_documents_indexed", "Documents indexed", labels=["source"]
            ),
            "spooled": CounterMetricFamily(
                "vnopinion_documents_spooled", "Documents kept in the spool", labels=["source"]
            ),
            "failed": CounterMetricFamily(
                "vnopinion_documents_failed", "Documents neither indexed nor spooled",
                labels=["source"],
            ),
            "requests": CounterMetricFamily(
                "vnopinion_requests", "HTTP responses received", labels=["source"]
            ),
            "errors": CounterMetricFamily(
                "vnopinion_request_errors", "Failed requests (HTTP errors, blocks, parse "
                "failures, network errors)", labels=["source"],
            ),
        }  # fmt: skip
        for source, counters in sorted(m.sources.items()):
            fetched.add_metric([source, "article"], counters.fetched_articles)
            fetched.add_metric([source, "comment"], counters.fetched_comments)
            for attribute, family in families.items():
                family.add_metric([source], getattr(counters, attribute))
        yield from (f for f in (fetched, *families.values()) if f.samples)

    def _health(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "vnopinion_source_up", "1 when the source answers (ok, degraded), 0 when broken",
            labels=["source"],
        )  # fmt: skip
        success = GaugeMetricFamily(
            "vnopinion_source_last_success_timestamp_seconds",
            "Last cycle with a good answer from the source's entry points (Unix time)",
            labels=["source"],
        )
        errors = GaugeMetricFamily(
            "vnopinion_source_error_rate",
            "Failed requests / requests over the recent cycles",
            labels=["source"],
        )
        for source, health in sorted(self.health.items()):
            if health.status in UP_STATUSES:
                up.add_metric([source], UP_STATUSES[health.status])
            if health.last_success_at is not None:
                success.add_metric([source], health.last_success_at.timestamp())
            errors.add_metric([source], health.error_rate)
        yield from (f for f in (up, success, errors) if f.samples)


def render(metrics: MetricsSnapshot | None, health: dict[str, SourceHealth]) -> bytes:
    """The exposition text for a snapshot and the sources' health."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(MonitorCollector(metrics, health))
    return generate_latest(registry)


@router.get(
    "/metrics",
    summary="Số đo cho Prometheus",
    response_class=Response,
    responses={
        200: {"content": {CONTENT_TYPE_PLAIN_0_0_4: {}}, "description": "Văn bản Prometheus"}
    },
)
def get_metrics(es: EsDep, settings: SettingsDep) -> Response:
    """Số đo của bộ theo dõi nguồn tin (`vnopinion monitor`) theo định dạng văn bản của
    Prometheus: số tài liệu đã lấy, đã lưu, đã lập chỉ mục theo nguồn, số chu kỳ và thời gian
    chạy, hàng đợi (spool), tình trạng từng nguồn (`vnopinion_source_up`: 1 khi bình thường
    hoặc suy giảm, 0 khi hỏng; nguồn chưa chạy thì không có) và `vnopinion_monitor_up` (1 khi
    bộ theo dõi vừa báo cáo trong vòng ba chu kỳ). Bộ theo dõi chưa chạy lần nào: vẫn trả lời
    200 với `vnopinion_monitor_up 0`. Prometheus gửi khóa qua `Authorization: Bearer <khóa>`."""
    index = settings.monitor_index
    body = render(read_metrics(es, index), read_health(es, index))
    return Response(content=body, media_type=CONTENT_TYPE_PLAIN_0_0_4)
