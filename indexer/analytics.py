"""Aggregations for the analytics API: trends, watch-topic ranking, places, sources, keywords.

Each function takes validated ``Filters`` and returns a response model; the routes only
choose defaults. Shares are over documents that carry a sentiment label (as the Kibana
dashboard computes them): ``negative / (negative + neutral + positive)``, ``null`` when no
document in the group is labelled. Spikes live in ``indexer.spikes``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from elasticsearch import Elasticsearch
from pydantic import BaseModel, Field

from indexer.buckets import (
    MAX_BUCKETS,
    Interval,
    bucket_count,
    bucket_end,
    bucket_starts,
    date_histogram,
    local_time,
)
from indexer.filters import (
    ES_TIME_ZONE,
    FilterError,
    Filters,
    Vocabulary,
    es_query,
    search_target,
    time_range,
)

__all__ = [
    "KeywordStat",
    "Keywords",
    "PlaceStat",
    "Places",
    "SentimentCounts",
    "SourceStat",
    "Sources",
    "TopicRanking",
    "TopicStat",
    "TrendBucket",
    "Trends",
    "check_buckets",
    "keywords",
    "places",
    "sentiment_counts",
    "sources",
    "topic_ranking",
    "topic_ranking_from",
    "topic_ranking_search",
    "trends",
    "trends_body",
    "trends_search",
]

SENTIMENT_AGG = {"sentiment": {"terms": {"field": "sentiment.label", "size": 3}}}
EMPTY: dict[str, Any] = {"doc_count": 0, "sentiment": {"buckets": []}}  # a bucket with no documents
MAX_SOURCES = 1_000
MAX_PROVINCES = 100  # 34 provinces since July 2025; room for a few unresolved old names


class SentimentCounts(BaseModel):
    count: int = Field(description="Số tài liệu")
    negative: int = Field(description="Số tài liệu tiêu cực")
    neutral: int = Field(description="Số tài liệu trung lập")
    positive: int = Field(description="Số tài liệu tích cực")
    untagged: int = Field(description="Số tài liệu chưa gán cảm xúc")
    negative_share: float | None = Field(
        description="Tỷ lệ tiêu cực trong số tài liệu đã gán cảm xúc (0..1); null nếu không có"
    )


def share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def counts_of(bucket: dict[str, Any]) -> dict[str, Any]:
    """The ``SentimentCounts`` fields of an aggregation bucket that has ``SENTIMENT_AGG``."""
    labels = {b["key"]: b["doc_count"] for b in bucket["sentiment"]["buckets"]}
    tagged = sum(labels.values())
    count = int(bucket["doc_count"])
    negative = labels.get("negative", 0)
    return {
        "count": count,
        "negative": negative,
        "neutral": labels.get("neutral", 0),
        "positive": labels.get("positive", 0),
        "untagged": count - tagged,
        "negative_share": share(negative, tagged),
    }


def sentiment_counts(bucket: dict[str, Any]) -> SentimentCounts:
    """Counts per sentiment label of an aggregation bucket that has ``SENTIMENT_AGG``."""
    return SentimentCounts(**counts_of(bucket))


def aggregate(
    client: Elasticsearch, alias: str, filters: Filters, aggs: dict[str, Any]
) -> dict[str, Any]:
    """Only aggregations (no hits) over the documents ``filters`` select, with the exact
    total in ``hits.total``."""
    return dict(
        client.search(
            **search_target(alias, filters),
            size=0,
            query=es_query(filters),
            track_total_hits=True,
            aggs=aggs,
        )
    )


def _window(filters: Filters) -> tuple[datetime, datetime]:
    if filters.since is None or filters.until is None:
        raise ValueError("set both ends of the time range first (Filters.window)")
    return filters.since, filters.until


def check_buckets(filters: Filters, interval: Interval) -> int:
    """The number of buckets; ``FilterError`` beyond ``MAX_BUCKETS``."""
    since, until = _window(filters)
    count = bucket_count(since, until, interval)
    if count > MAX_BUCKETS:
        raise FilterError(
            "interval",
            f"quá nhiều khoảng thời gian ({count} > {MAX_BUCKETS}): chọn interval lớn hơn hoặc "
            f"thu hẹp since/until (too many buckets: {count} > {MAX_BUCKETS}; "
            f"use a longer interval or a shorter range)",
            interval,
        )
    return count


class TrendBucket(SentimentCounts):
    start: datetime = Field(description="Đầu khoảng (giờ Việt Nam, +07:00)")
    end: datetime = Field(description="Cuối khoảng, không tính (giờ Việt Nam)")


class Trends(BaseModel):
    interval: Interval
    time_zone: str = Field(ES_TIME_ZONE, description="Múi giờ chia khoảng")
    since: datetime
    until: datetime
    total: int = Field(description="Tổng số tài liệu trong khoảng thời gian")
    buckets: list[TrendBucket]


def trends_search(alias: str, filters: Filters, interval: Interval) -> dict[str, Any]:
    """The search behind ``trends``, as keyword arguments of ``search``."""
    since, until = _window(filters)
    check_buckets(filters, interval)
    over_time = date_histogram(since, until, interval, SENTIMENT_AGG, empty_buckets=False)
    return {**search_target(alias, filters), "size": 0, "query": es_query(filters),
            "track_total_hits": True, "aggs": {"over_time": over_time}}  # fmt: skip


def trends_body(response: Any, filters: Filters, interval: Interval) -> dict[str, Any]:
    """``Trends`` as plain JSON-ready values, from the answer to ``trends_search``: the API
    sends these without building (and re-checking) a model per bucket."""
    since, until = _window(filters)
    found = {
        local_time(raw["key"]): raw for raw in response["aggregations"]["over_time"]["buckets"]
    }
    buckets = [
        {"start": start, "end": bucket_end(start, interval), **counts_of(found.get(start, EMPTY))}
        for start in bucket_starts(since, until, interval)
    ]
    return {"interval": interval, "time_zone": ES_TIME_ZONE, "since": since, "until": until,
            "total": int(response["hits"]["total"]["value"]), "buckets": buckets}  # fmt: skip


def trends(client: Elasticsearch, alias: str, filters: Filters, interval: Interval) -> Trends:
    """Document counts per calendar bucket (Vietnam time), split by sentiment."""
    response = client.search(**trends_search(alias, filters, interval))
    return Trends.model_validate(trends_body(response, filters, interval))


class TopicStat(BaseModel):
    key: str = Field(description="Mã chủ đề theo dõi, ví dụ `dat_dai`")
    label: str = Field(description="Tên tiếng Việt của chủ đề")
    count: int = Field(description="Số tài liệu trong kỳ")
    negative: int
    negative_share: float | None
    previous_count: int = Field(description="Số tài liệu kỳ trước (cùng độ dài)")
    previous_negative_share: float | None
    change: int = Field(description="count - previous_count")
    change_ratio: float | None = Field(
        description="Mức thay đổi tương đối (count / previous_count - 1); null nếu kỳ trước 0"
    )
    negative_share_change: float | None = Field(
        description="Thay đổi của tỷ lệ tiêu cực so với kỳ trước (điểm phần trăm / 100)"
    )


class TopicRanking(BaseModel):
    since: datetime
    until: datetime
    previous_since: datetime = Field(description="Đầu kỳ trước; kỳ trước kết thúc tại since")
    topics: list[TopicStat]


def topic_ranking_search(alias: str, filters: Filters, vocabulary: Vocabulary) -> dict[str, Any]:
    """The search behind ``topic_ranking``, as keyword arguments of ``search``."""
    since, until = _window(filters)
    previous_since = since - (until - since)
    by_topic = {
        "terms": {"field": "watch_topics", "size": max(len(_topic_keys(filters, vocabulary)), 1),
                  "include": _topic_keys(filters, vocabulary)},
        "aggs": SENTIMENT_AGG,
    }  # fmt: skip
    both_periods = filters.between(previous_since, until)
    return {
        **search_target(alias, both_periods),
        "size": 0,
        "query": es_query(both_periods),
        "aggs": {
            "periods": {
                "filters": {
                    "filters": {
                        "current": time_range(since, until)[0],
                        "previous": time_range(previous_since, since)[0],
                    }
                },
                "aggs": {"topics": by_topic},
            }
        },
    }


def _topic_keys(filters: Filters, vocabulary: Vocabulary) -> list[str]:
    return list(filters.topics or vocabulary.topics)


def topic_ranking_from(response: Any, filters: Filters, vocabulary: Vocabulary) -> TopicRanking:
    """``TopicRanking`` from the answer to ``topic_ranking_search``."""
    since, until = _window(filters)
    periods = response["aggregations"]["periods"]["buckets"]
    current, previous = (
        {b["key"]: sentiment_counts(b) for b in periods[name]["topics"]["buckets"]}
        for name in ("current", "previous")
    )
    stats = [
        _topic_stat(key, vocabulary.topics.get(key, key), current.get(key), previous.get(key))
        for key in _topic_keys(filters, vocabulary)
    ]
    stats.sort(key=lambda s: (-s.count, s.key))
    return TopicRanking(
        since=since, until=until, previous_since=since - (until - since), topics=stats
    )


def topic_ranking(
    client: Elasticsearch, alias: str, filters: Filters, vocabulary: Vocabulary
) -> TopicRanking:
    """Every watch topic (those filtered, or all) by volume in ``[since, until)``, against
    the period of the same length just before."""
    response = client.search(**topic_ranking_search(alias, filters, vocabulary))
    return topic_ranking_from(response, filters, vocabulary)


_EMPTY = SentimentCounts(
    count=0, negative=0, neutral=0, positive=0, untagged=0, negative_share=None
)


def _topic_stat(
    key: str, label: str, now: SentimentCounts | None, before: SentimentCounts | None
) -> TopicStat:
    now, before = now or _EMPTY, before or _EMPTY
    shift = None
    if now.negative_share is not None and before.negative_share is not None:
        shift = round(now.negative_share - before.negative_share, 4)
    return TopicStat(
        key=key,
        label=label,
        count=now.count,
        negative=now.negative,
        negative_share=now.negative_share,
        previous_count=before.count,
        previous_negative_share=before.negative_share,
        change=now.count - before.count,
        change_ratio=round(now.count / before.count - 1, 4) if before.count else None,
        negative_share_change=shift,
    )


class PlaceStat(SentimentCounts):
    name: str = Field(description="Tên đơn vị hành chính hiện hành (sau 1/7/2025)")


class Places(BaseModel):
    total: int = Field(description="Số tài liệu khớp bộ lọc")
    unplaced: int = Field(description="Số tài liệu không xác định được địa bàn")
    provinces: list[PlaceStat] = Field(description="Tỉnh, thành phố, nhiều tài liệu nhất trước")
    province: str | None = Field(None, description="Tỉnh có danh sách xã, phường bên dưới")
    communes: list[PlaceStat] | None = Field(
        None, description="Xã, phường của tỉnh đã chọn (khi lọc đúng một tỉnh)"
    )


def places(client: Elasticsearch, alias: str, filters: Filters, *, communes: int = 50) -> Places:
    """Provinces by volume with negative shares; the communes too when exactly one province
    is filtered."""
    aggs: dict[str, Any] = {
        "provinces": {
            "terms": {"field": "place.province", "size": MAX_PROVINCES},
            "aggs": SENTIMENT_AGG,
        },
        "unplaced": {"missing": {"field": "place.province"}},
    }
    one = filters.provinces[0] if len(filters.provinces) == 1 else None
    if one is not None:
        aggs["communes"] = {
            "terms": {"field": "place.commune", "size": communes},
            "aggs": SENTIMENT_AGG,
        }
    response = aggregate(client, alias, filters, aggs)
    found = response["aggregations"]

    def stats(name: str) -> list[PlaceStat]:
        return [PlaceStat(name=b["key"], **counts_of(b)) for b in found[name]["buckets"]]

    return Places(
        total=int(response["hits"]["total"]["value"]),
        unplaced=int(found["unplaced"]["doc_count"]),
        provinces=stats("provinces"),
        province=one,
        communes=stats("communes") if one is not None else None,
    )


class SourceStat(BaseModel):
    """One source. Later issues add fields (crawl health), never rename these."""

    source: str = Field(description="Tên miền của nguồn, ví dụ vnexpress.net")
    source_name: str | None = Field(description="Tên nguồn")
    total: int
    articles: int = Field(description="Số bài báo")
    comments: int = Field(description="Số bình luận")
    latest_published_at: datetime | None = Field(description="Thời điểm đăng mới nhất")
    negative_share: float | None


class Sources(BaseModel):
    total: int
    sources: list[SourceStat] = Field(description="Nguồn, nhiều tài liệu nhất trước")


def sources(client: Elasticsearch, alias: str, filters: Filters) -> Sources:
    """Every source with its articles, comments and latest publication time."""
    by_source = {
        "sources": {
            "terms": {"field": "source", "size": MAX_SOURCES},
            "aggs": {
                "kinds": {"terms": {"field": "kind", "size": 2}},
                "names": {"terms": {"field": "source_name", "size": 1}},
                "latest": {"max": {"field": "published_at"}},
                **SENTIMENT_AGG,
            },
        }
    }
    response = aggregate(client, alias, filters, by_source)
    stats = []
    for b in response["aggregations"]["sources"]["buckets"]:
        kinds = {k["key"]: k["doc_count"] for k in b["kinds"]["buckets"]}
        names = b["names"]["buckets"]
        latest = b["latest"]["value"]
        stats.append(
            SourceStat(
                source=b["key"],
                source_name=names[0]["key"] if names else None,
                total=b["doc_count"],
                articles=kinds.get("article", 0),
                comments=kinds.get("comment", 0),
                latest_published_at=local_time(int(latest)) if latest is not None else None,
                negative_share=sentiment_counts(b).negative_share,
            )
        )
    return Sources(total=int(response["hits"]["total"]["value"]), sources=stats)


class KeywordStat(BaseModel):
    keyword: str = Field(description="Từ khóa (từ ghép viết cách, chữ thường)")
    count: int = Field(description="Số tài liệu có từ khóa")
    negative: int = Field(description="Trong đó số tài liệu tiêu cực")


class Keywords(BaseModel):
    total: int = Field(description="Số tài liệu khớp bộ lọc")
    keywords: list[KeywordStat]
    negative_keywords: list[KeywordStat] | None = Field(
        None, description="Từ khóa hàng đầu chỉ trong tài liệu tiêu cực (khi split=true)"
    )


def keywords(
    client: Elasticsearch, alias: str, filters: Filters, *, size: int = 50, split: bool = False
) -> Keywords:
    """Top keywords (for word clouds) under the filters; with ``split`` also the top ones
    among negative documents alone."""
    negative = {"negative": {"filter": {"term": {"sentiment.label": "negative"}}}}
    aggs: dict[str, Any] = {
        "keywords": {"terms": {"field": "keywords", "size": size}, "aggs": negative}
    }
    if split:
        aggs["negative_only"] = {
            "filter": {"term": {"sentiment.label": "negative"}},
            "aggs": {"keywords": {"terms": {"field": "keywords", "size": size}}},
        }
    response = aggregate(client, alias, filters, aggs)
    found = response["aggregations"]
    top = [
        KeywordStat(keyword=b["key"], count=b["doc_count"], negative=b["negative"]["doc_count"])
        for b in found["keywords"]["buckets"]
    ]
    negative_top = None
    if split:
        negative_top = [
            KeywordStat(keyword=b["key"], count=b["doc_count"], negative=b["doc_count"])
            for b in found["negative_only"]["keywords"]["buckets"]
        ]
    return Keywords(
        total=int(response["hits"]["total"]["value"]),
        keywords=top,
        negative_keywords=negative_top,
    )
