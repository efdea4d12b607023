"""The monitor's health and counters in Elasticsearch, where the API reads them.

One small index (``Settings.monitor_index``) holds a document per source (``source:<key>``,
its ``SourceHealth``) and one ``metrics`` document (``MetricsSnapshot``). The monitor
overwrites them after every cycle; ``GET /sources`` and ``GET /metrics`` read them. The
monitor's own state stays on disk (``crawlers.monitor.store``): when Elasticsearch is away
the monitor keeps running and publishes again after the next cycle.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from elasticsearch import Elasticsearch, NotFoundError

from crawlers.monitor.model import MetricsSnapshot, SourceHealth

__all__ = ["ensure_monitor_index", "publish", "read_health", "read_metrics"]

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
