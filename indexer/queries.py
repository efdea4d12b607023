"""Read queries over the document alias. The API's routes stay thin and call these."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from elasticsearch import Elasticsearch

SEARCH_FIELDS = ["title^3", "lead^2", "text"]
HIGHLIGHT_FIELDS = ("title", "lead", "text")
MAX_RESULT_WINDOW = 10_000  # Elasticsearch's index.max_result_window


@dataclass(frozen=True)
class SearchHit:
    id: str
    kind: str
    score: float | None
    source: dict[str, Any]
    highlight: dict[str, list[str]]


@dataclass(frozen=True)
class SearchPage:
    total: int
    hits: list[SearchHit]


def search_documents(
    client: Elasticsearch, alias: str, query: str, *, page: int = 1, size: int = 20
) -> SearchPage:
    """Full text over title, lead and text, best first, with ``<mark>`` highlights."""
    if page < 1 or size < 1 or page * size > MAX_RESULT_WINDOW:
        raise ValueError(f"page * size must be at most {MAX_RESULT_WINDOW}")
    response = client.search(
        index=alias,
        query={"multi_match": {"query": query, "fields": SEARCH_FIELDS, "operator": "or"}},
        highlight={
            "pre_tags": ["<mark>"],
            "post_tags": ["</mark>"],
            "encoder": "html",
            "fields": {name: {"number_of_fragments": 3} for name in HIGHLIGHT_FIELDS},
        },
        source_excludes=["text_seg", "text_folded"],
        from_=(page - 1) * size,
        size=size,
        track_total_hits=True,
    )
    hits = [
        SearchHit(
            id=hit["_id"],
            kind=hit["_source"].get("kind", ""),
            score=hit.get("_score"),
            source=hit["_source"],
            highlight=hit.get("highlight", {}),
        )
        for hit in response["hits"]["hits"]
    ]
    return SearchPage(total=response["hits"]["total"]["value"], hits=hits)


@dataclass(frozen=True)
class IndexHealth:
    cluster_status: str
    alias_present: bool
    documents: int


def index_health(client: Elasticsearch, alias: str) -> IndexHealth:
    status = client.cluster.health()["status"]
    present = bool(client.indices.exists_alias(name=alias))
    documents = int(client.count(index=alias)["count"]) if present else 0
    return IndexHealth(status, present, documents)


def count_by_kind(client: Elasticsearch, alias: str) -> dict[str, int]:
    response = client.search(
        index=alias, size=0, aggs={"kinds": {"terms": {"field": "kind", "size": 10}}}
    )
    return {b["key"]: b["doc_count"] for b in response["aggregations"]["kinds"]["buckets"]}
