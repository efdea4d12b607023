"""Read queries over the document alias: search, health, counts. The API's routes stay thin
and call these (documents and threads: ``indexer.views``; CSV export: ``indexer.export``).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from elasticsearch import Elasticsearch
from pydantic import BaseModel, Field

from indexer.buckets import local_time
from indexer.corrections import CorrectionNote, Labels, effective_labels
from indexer.filters import (
    ENGAGEMENT_SORT,
    TIME_FIELD,
    FilterError,
    Filters,
    es_query,
    search_target,
)
from indexer.snippets import folded_terms, mark, snippet

__all__ = [
    "MAX_RESULT_WINDOW",
    "SORTS",
    "Hit",
    "IndexHealth",
    "Paging",
    "SearchPage",
    "SortName",
    "count_by_kind",
    "index_health",
    "search_documents",
    "search_page",
    "search_request",
    "with_corrections",
]

HIGHLIGHT_FIELDS = ("title", "lead", "text")
HIDDEN_FIELDS = ["text_seg", "text_folded", "author_name"]
MAX_RESULT_WINDOW = 10_000  # Elasticsearch's index.max_result_window

SortName = Literal["relevance", "time", "engagement"]
_NEWEST = {"published_at": {"order": "desc", "missing": "_last"}}
# Every sort ends with the unique ``id`` so that search_after never skips nor repeats a hit
# (``_id`` cannot be sorted on in 8.x without fielddata; our ``id`` keyword is the same value).
SORTS: dict[SortName, list[dict[str, Any]]] = {
    "relevance": [{"_score": {"order": "desc"}}, _NEWEST, {"id": {"order": "asc"}}],
    "time": [_NEWEST, {"id": {"order": "asc"}}],
    # likes, then replies: no scripts here to add them up, and no index-time sum in the schema.
    "engagement": ENGAGEMENT_SORT,
}


class Hit(BaseModel):
    id: str
    kind: str = Field(description="`article` (bài báo) hoặc `comment` (bình luận)")
    title: str | None = None
    snippet: str = Field(description="Đoạn đầu nội dung")
    url: str
    source: str
    source_name: str
    published_at: datetime | None = None
    thread_id: str | None = Field(None, description="Bài báo của bình luận")
    likes: int | None = None
    replies: int | None = None
    sentiment: str | None = None
    watch_topics: list[str] = Field(default_factory=list)
    province: str | None = None
    score: float | None = None
    highlight: dict[str, list[str]] = Field(
        description="Đoạn trích có từ khóa được đánh dấu bằng <mark> (đã mã hóa HTML), theo trường"
    )
    correction: CorrectionNote | None = Field(
        None, description="Lần hiệu chỉnh mới nhất của cán bộ phân tích, nếu có"
    )
    effective: Labels | None = Field(
        None,
        description="Nhãn có hiệu lực: đã hiệu chỉnh nếu có, nếu không thì của mô hình "
        "(`sentiment`, `watch_topics` ở trên vẫn là nhãn của mô hình)",
    )


class SearchPage(BaseModel):
    total: int = Field(description="Tổng số kết quả khớp")
    hits: list[Hit]
    next_cursor: str | None = Field(
        description="Đưa vào tham số cursor để lấy trang sau; null khi đã hết kết quả"
    )


def encode_cursor(sort: SortName, values: list[Any]) -> str:
    raw = json.dumps({"sort": sort, "after": values}, ensure_ascii=False, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode("utf-8")).decode("ascii").rstrip("=")


def decode_cursor(cursor: str, sort: SortName) -> list[Any]:
    """The ``search_after`` values in a cursor made by ``encode_cursor`` for ``sort``."""
    bad = FilterError(
        "cursor",
        "cursor không hợp lệ hoặc không khớp sort (invalid cursor, or made for another sort)",
        cursor,
    )
    try:
        decoded = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise bad from None
    if not isinstance(decoded, dict) or decoded.get("sort") != sort:
        raise bad
    after = decoded.get("after")
    if not isinstance(after, list):
        raise bad
    if len(after) != len(SORTS[sort]) or not all(
        isinstance(v, int | float | str) and not isinstance(v, bool) for v in after
    ):
        raise bad
    return after


def _highlight(
    source: dict[str, Any], found: dict[str, list[str]], terms: list[str]
) -> dict[str, list[str]]:
    """Elasticsearch's highlights, and ours (of the folded query words ``terms``) where only
    the folded text matched."""
    out = dict(found)
    for name in HIGHLIGHT_FIELDS:
        value = source.get(name)
        if name in out or not value:
            continue
        pieces = mark(value, terms, size=len(value) if name == "title" else 160)
        if pieces:
            out[name] = pieces
    return out


def _hit(raw: dict[str, Any], terms: list[str]) -> Hit:
    source = raw["_source"]
    return Hit(
        id=raw["_id"],
        kind=source.get("kind", ""),
        title=source.get("title"),
        snippet=snippet(source.get("lead") or source.get("text") or ""),
        url=source["url"],
        source=source["source"],
        source_name=source["source_name"],
        published_at=source.get("published_at"),
        thread_id=source.get("thread_id"),
        likes=source.get("likes"),
        replies=source.get("replies"),
        sentiment=(source.get("sentiment") or {}).get("label"),
        watch_topics=source.get("watch_topics") or [],
        province=(source.get("place") or {}).get("province"),
        score=raw.get("_score"),
        highlight=_highlight(source, raw.get("highlight", {}), terms),
    )


@dataclass(frozen=True)
class Paging:
    """Which page of a search: by ``page`` (up to ``MAX_RESULT_WINDOW`` results) or, without
    limit, by ``cursor`` (``search_after``)."""

    sort: SortName = "relevance"
    page: int = 1
    size: int = 20
    cursor: str | None = None


def search_request(alias: str, filters: Filters, paging: Paging) -> dict[str, Any]:
    """The search behind ``search_documents``, as keyword arguments of ``search``;
    ``FilterError`` for a page beyond the window or a bad cursor."""
    page, size = paging.page, paging.size
    if page < 1 or size < 1 or page * size > MAX_RESULT_WINDOW:
        raise FilterError(
            "page",
            f"page × size tối đa {MAX_RESULT_WINDOW}; dùng cursor để đi xa hơn "
            f"(page × size must be at most {MAX_RESULT_WINDOW}; page further with cursor)",
            page,
        )
    # By page, the total says whether more follow; by cursor, one more hit than asked does
    # (from + size may not pass the window, search_after has no window).
    window: dict[str, Any] = {"from_": (page - 1) * size, "size": size}
    if paging.cursor is not None:
        if page != 1:
            raise FilterError("page", "không dùng page cùng cursor (page with cursor)", page)
        window = {"search_after": decode_cursor(paging.cursor, paging.sort), "size": size + 1}
    return {
        **search_target(alias, filters),
        "query": es_query(filters),
        "sort": SORTS[paging.sort],
        "track_scores": True,
        "highlight": {
            "pre_tags": ["<mark>"],
            "post_tags": ["</mark>"],
            "encoder": "html",
            "fields": {name: {"number_of_fragments": 3} for name in HIGHLIGHT_FIELDS},
        },
        "source_excludes": HIDDEN_FIELDS,
        "track_total_hits": True,
        **window,
    }


def search_page(response: Any, filters: Filters, paging: Paging) -> SearchPage:
    """The ``SearchPage`` in the answer to ``search_request(..., paging)``."""
    raw = response["hits"]["hits"]
    total = int(response["hits"]["total"]["value"])
    size = paging.size
    terms = folded_terms(filters.q) if filters.q else []
    hits = [_hit(h, terms) for h in raw[:size]]
    if paging.cursor is not None:
        more = len(raw) > size
    else:
        more = (paging.page - 1) * size + len(hits) < total
    last = raw[len(hits) - 1]["sort"] if hits else None
    return SearchPage(
        total=total,
        hits=hits,
        next_cursor=encode_cursor(paging.sort, last) if more and last is not None else None,
    )


def with_corrections(page: SearchPage, notes: dict[str, CorrectionNote]) -> SearchPage:
    """``page`` with each hit's latest correction (``notes``: from ``latest_search``) and the
    labels in effect."""
    hits = []
    for hit in page.hits:
        note = notes.get(hit.id)
        model = {"sentiment": {"label": hit.sentiment}, "watch_topics": hit.watch_topics}
        labels = effective_labels(model, note)
        hits.append(hit.model_copy(update={"correction": note, "effective": labels}))
    return page.model_copy(update={"hits": hits})


def search_documents(
    client: Elasticsearch,
    alias: str,
    filters: Filters,
    *,
    sort: SortName = "relevance",
    page: int = 1,
    size: int = 20,
    cursor: str | None = None,
) -> SearchPage:
    """Documents matching ``filters`` (``filters.q``: accent-insensitive full text), sorted,
    with ``<mark>`` highlights. Pages by ``page`` up to ``MAX_RESULT_WINDOW`` results, or
    without limit by ``cursor`` (``search_after``); every page offers the next cursor."""
    paging = Paging(sort, page, size, cursor)
    response = client.search(**search_request(alias, filters, paging))
    return search_page(response, filters, paging)


@dataclass(frozen=True)
class IndexHealth:
    cluster_status: str
    alias_present: bool
    documents: int
    latest_published_at: datetime | None = None


def index_health(client: Elasticsearch, alias: str) -> IndexHealth:
    """Cluster status, whether the alias exists, its document count, and its newest
    publication time at or before now: a page dated in the future by mistake must not move
    the dashboard's default window there. When every date is in the future (the demo's fixed
    November 2026 on a machine whose clock is earlier), the newest one."""
    status = client.cluster.health()["status"]
    if not client.indices.exists_alias(name=alias):
        return IndexHealth(status, False, 0)
    newest = {"max": {"field": TIME_FIELD}}
    response = client.search(
        index=alias,
        size=0,
        track_total_hits=True,
        aggs={
            "newest": newest,
            "past": {
                "filter": {"range": {TIME_FIELD: {"lte": "now"}}},
                "aggs": {"newest": newest},
            },
        },
    )
    found = response["aggregations"]
    latest = found["past"]["newest"]["value"]
    if latest is None:
        latest = found["newest"]["value"]
    return IndexHealth(
        status,
        True,
        int(response["hits"]["total"]["value"]),
        local_time(int(latest)) if latest is not None else None,
    )


def count_by_kind(client: Elasticsearch, alias: str) -> dict[str, int]:
    response = client.search(
        index=alias, size=0, aggs={"kinds": {"terms": {"field": "kind", "size": 10}}}
    )
    return {b["key"]: b["doc_count"] for b in response["aggregations"]["kinds"]["buckets"]}
