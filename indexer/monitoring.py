"""The monitor's health of each source and its counters, in Elasticsearch for the API.

The monitor (``crawlers.monitor``) judges each source after every cycle (``SourceHealth``)
and keeps running totals (``SourceCounters``, ``MetricsSnapshot``). It publishes them in a
small index (``Settings.monitor_index``): a document per source (``source:<key>``) and one
``metrics`` document, overwritten after every cycle. ``GET /sources`` and ``GET /metrics``
read them here, so the API never imports the crawlers. The monitor's own state stays on disk
(``crawlers.monitor.store``): when Elasticsearch is away it keeps running and publishes
again after the next cycle.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from elasticsearch import Elasticsearch, NotFoundError

__all__ = [
    "ErrorKind",
    "HealthStatus",
    "MetricsSnapshot",
    "SourceCounters",
    "SourceHealth",
    "ensure_monitor_index",
    "publish",
    "read_health",
    "read_metrics",
]

# Why a source failed, most telling first when several happened in one cycle:
# blocked (a bot challenge or block page), http (4xx/5xx answers), parse (a page or comment
# response we could not read: a redesign or a changed endpoint), network (DNS, refused,
# timeout), zero_yield (entry points answered but listed no articles where they used to),
# crash (the crawl process died or overran its time).
ErrorKind = Literal["blocked", "http", "parse", "network", "zero_yield", "crash"]
HealthStatus = Literal["ok", "degraded", "broken", "unknown"]


@dataclass
class SourceHealth:
    """How a source is doing, as ``GET /sources`` and the health page show it."""

    source: str  # key in sources.yaml
    name: str
    status: HealthStatus
    reason: str | None  # why it is degraded or broken, in plain words (Vietnamese first)
    interval_s: float
    last_cycle_at: datetime | None
    last_success_at: datetime | None  # last cycle with a good answer from the entry points
    next_due_at: datetime | None
    cycles: int  # cycles that crawled its entry points, since the monitor first ran
    documents_last_cycle: int
    documents_per_cycle: float  # mean over the recent cycles (``health.RECENT_CYCLES``)
    error_rate: float  # failed requests / requests, over the recent cycles
    last_error: str | None
    last_error_kind: ErrorKind | None
    last_error_at: datetime | None
    consecutive_failures: int
    threads_followed: int  # comment threads still on the re-poll schedule
    # The first of its domains: the ``source`` field of its documents, which is how
    # ``GET /sources`` joins health to document counts (None: joined by name).
    domain: str | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("last_cycle_at", "last_success_at", "next_due_at", "last_error_at"):
            value = data[key]
            data[key] = value.isoformat() if value is not None else None
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SourceHealth:
        values = dict(data)
        for key in ("last_cycle_at", "last_success_at", "next_due_at", "last_error_at"):
            if values.get(key) is not None:
                values[key] = datetime.fromisoformat(values[key])
        return cls(**values)


@dataclass
class SourceCounters:
    """Running totals for one source since the monitor's state was created (they survive
    restarts: Prometheus counters that never go back)."""

    fetched_articles: int = 0
    fetched_comments: int = 0
    stored: int = 0  # tagged and stored (indexed or spooled)
    indexed: int = 0
    spooled: int = 0
    failed: int = 0
    requests: int = 0
    errors: int = 0
    cycles: int = 0
    listed_last: int = 0  # article links its entry points gave in the latest cycle


@dataclass
class MetricsSnapshot:
    """What ``GET /metrics`` exposes, as the monitor last published it."""

    updated_at: datetime
    started_at: datetime  # this monitor process
    cycles: int  # cycles run, all processes together
    cycle_failures: int  # cycles whose crawl process crashed or overran
    cycle_duration_s_sum: float
    last_cycle_id: str | None
    last_cycle_duration_s: float | None
    model_version: str | None  # the tagger's model_version
    spool_pending: int  # documents waiting in the spool for Elasticsearch
    threads_followed: int  # comment threads on the re-poll schedule
    threads_due: int  # of which due now
    sources_due: int
    sources: dict[str, SourceCounters] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["updated_at"] = self.updated_at.isoformat()
        data["started_at"] = self.started_at.isoformat()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> MetricsSnapshot:
        values = dict(data)
        values["updated_at"] = datetime.fromisoformat(values["updated_at"])
        values["started_at"] = datetime.fromisoformat(values["started_at"])
        values["sources"] = {k: SourceCounters(**v) for k, v in values["sources"].items()}
        return cls(**values)


METRICS_ID = "metrics"
SOURCE_PREFIX = "source:"
MAPPING: dict[str, Any] = {
    "dynamic": False,  # the documents are read whole, by id or by type: nothing to search
    "properties": {"type": {"type": "keyword"}, "updated_at": {"type": "date"}},
}


def ensure_monitor_index(client: Elasticsearch, index: str) -> None:
    """Create the index once (one shard, no replica: it is small and rewritten each cycle)."""
    if not client.indices.exists(index=index):
        client.options(ignore_status=400).indices.create(
            index=index,
            settings={"number_of_shards": 1, "number_of_replicas": 0},
            mappings=MAPPING,
        )


def publish(
    client: Elasticsearch, index: str, health: list[SourceHealth], metrics: MetricsSnapshot
) -> None:
    """Overwrite every source's health and the metrics snapshot; visible at once."""
    ensure_monitor_index(client, index)
    now = datetime.now(UTC).isoformat()
    operations: list[dict[str, Any]] = []
    for item in health:
        operations += [
            {"index": {"_index": index, "_id": SOURCE_PREFIX + item.source}},
            {"type": "source", "updated_at": now, "health": item.to_json()},
        ]
    operations += [
        {"index": {"_index": index, "_id": METRICS_ID}},
        {"type": "metrics", "updated_at": now, "metrics": metrics.to_json()},
    ]
    response = client.bulk(operations=operations, refresh=True)
    if response.get("errors"):
        failed = [i for i in response["items"] if i["index"].get("error")]
        raise RuntimeError(f"monitor index {index}: {len(failed)} writes failed: {failed[:1]}")


def read_health(client: Elasticsearch, index: str) -> dict[str, SourceHealth]:
    """Source key -> its last published health; empty when the monitor never ran."""
    if not client.indices.exists(index=index):
        return {}
    response = client.search(
        index=index, query={"term": {"type": "source"}}, size=1_000, sort=["_doc"]
    )
    found = {}
    for hit in response["hits"]["hits"]:
        health = SourceHealth.from_json(hit["_source"]["health"])
        found[health.source] = health
    return found


def read_metrics(client: Elasticsearch, index: str) -> MetricsSnapshot | None:
    """The last published snapshot, or None when the monitor never ran."""
    try:
        document = client.get(index=index, id=METRICS_ID)
    except NotFoundError:
        return None
    return MetricsSnapshot.from_json(document["_source"]["metrics"])
