"""Where a topic spike happens, and what a province spike is about, for the alert's message.

A spike is found along one dimension (a watch topic, or a province). The other one often
says as much: a land-clearance surge that is almost all in Hà Nội. For each spike we ask,
over the same documents (its bucket, its topic or province, negative ones for a negativity
spike), which province or topic holds most of them; it is named only if it holds more than
half, so the message never claims a place or topic that is just the largest of many.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from elasticsearch import Elasticsearch

from indexer.errors import QueryError
from indexer.filters import Filters, Vocabulary, es_query
from indexer.spikes import Spike

__all__ = ["SpikeContext", "spike_contexts"]

FIELDS = {"topic": "watch_topics", "province": "place.province"}


@dataclass(frozen=True)
class SpikeContext:
    topic: str | None
    topic_label: str | None
    province: str | None


def _search(spike: Spike, vocabulary: Vocabulary) -> dict[str, Any]:
    query = es_query(Filters(since=spike.bucket_start, until=spike.bucket_end))
    query["bool"]["filter"].append({"term": {FIELDS[spike.dimension]: spike.value}})
    if spike.kind == "negative":
        query["bool"]["filter"].append({"term": {"sentiment.label": "negative"}})
    if spike.dimension == "topic":
        top = {"terms": {"field": FIELDS["province"], "size": 1}}
    else:
        top = {"terms": {"field": FIELDS["topic"], "size": 1, "include": list(vocabulary.topics)}}
    return {"query": query, "size": 0, "track_total_hits": True, "aggs": {"top": top}}


def _context(spike: Spike, result: dict[str, Any], vocabulary: Vocabulary) -> SpikeContext:
    buckets = result["aggregations"]["top"]["buckets"]
    total = result["hits"]["total"]["value"]
    leader = buckets[0]["key"] if buckets and buckets[0]["doc_count"] * 2 > total else None
    if spike.dimension == "topic":
        return SpikeContext(spike.value, spike.label, leader)
    label = vocabulary.topics.get(leader, leader) if leader else None
    return SpikeContext(leader, label, spike.value)


def spike_contexts(
    client: Elasticsearch, alias: str, spikes: Sequence[Spike], vocabulary: Vocabulary
) -> list[SpikeContext]:
    """One context per spike, in order, from one ``_msearch``."""
    if not spikes:
        return []
    searches: list[dict[str, Any]] = []
    for spike in spikes:
        searches += [{"index": alias}, _search(spike, vocabulary)]
    response = client.msearch(searches=searches)
    contexts = []
    for spike, result in zip(spikes, response["responses"], strict=True):
        if "error" in result:
            raise QueryError(f"context of {spike.key}", details=str(result["error"]))
        contexts.append(_context(spike, result, vocabulary))
    return contexts
