"""Spikes: a watch topic or a province suddenly talked about far more (``volume``), or far
more negatively (``negative``: the count of negative documents), than in its recent past.

Detection is a pure function over a series of counts (``detect``), tested on synthetic
series; ``find_spikes`` reads the series from one Elasticsearch aggregation and fetches the
documents behind each spike. The distribution lacks ``moving_fn``, so the rolling baseline
is computed here: for a bucket with count x, the median and MAD (median absolute deviation)
of the ``baseline`` buckets before it give the robust z-score

    z = (x - median) / (1.4826 * MAD + epsilon)

1.4826 scales the MAD to a standard deviation for normal data; ``epsilon`` (one document by
default) keeps a perfectly flat history from turning a change of one into an infinite z.
A bucket is a spike when z >= threshold and x >= min_count (a floor so that 0, 0, 0, 3 is
not news). Only the latest ``recent`` buckets are tested: this answers "what is flaring
now", and the same bucket gives the same ``key`` on every run, so an alerting job can send
each spike once.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from elasticsearch import Elasticsearch
from pydantic import BaseModel, Field

from indexer.buckets import Interval, bucket_end, bucket_floor, date_histogram, local_time
from indexer.errors import QueryError
from indexer.filters import ENGAGEMENT_SORT, FilterError, Filters, Vocabulary, es_query
from indexer.snippets import snippet

__all__ = [
    "MAD_SCALE",
    "Detection",
    "Spike",
    "SpikeDocument",
    "SpikeParams",
    "Spikes",
    "detect",
    "find_spikes",
    "robust_z",
    "spike_key",
]

MAD_SCALE = 1.4826
MIN_HISTORY = 7  # buckets of history below which no baseline is trusted
MAX_PROVINCES = 100
Dimension = Literal["topic", "province"]
SpikeKind = Literal["volume", "negative"]
DIMENSIONS: tuple[Dimension, ...] = ("topic", "province")
SPIKE_KINDS: tuple[SpikeKind, ...] = ("volume", "negative")
_NEGATIVE = {"term": {"sentiment.label": "negative"}}
_FIELDS = {"topic": "watch_topics", "province": "place.province"}


@dataclass(frozen=True)
class Detection:
    index: int  # position of the spiking bucket in the series
    count: int
    median: float
    mad: float
    z: float


def robust_z(history: Sequence[float], value: float, epsilon: float = 1.0) -> Detection:
    """Median, MAD and robust z of ``value`` against ``history`` (index left at -1)."""
    median = statistics.median(history)
    mad = statistics.median(abs(x - median) for x in history)
    z = (value - median) / (MAD_SCALE * mad + epsilon)
    return Detection(index=-1, count=int(value), median=median, mad=mad, z=round(z, 3))


def detect(
    series: Sequence[int],
    *,
    baseline: int = 28,
    threshold: float = 3.5,
    min_count: int = 10,
    recent: int = 1,
    epsilon: float = 1.0,
) -> list[Detection]:
    """Spikes among the last ``recent`` buckets of ``series``, each against the (up to)
    ``baseline`` buckets before it; buckets with under ``MIN_HISTORY`` of history are skipped.

    >>> [d.index for d in detect([10, 11, 9, 10, 12, 10, 9, 11, 40], min_count=5)]
    [8]
    >>> detect([10, 11, 9, 10, 12, 10, 9, 11, 12], min_count=5)
    []
    """
    found = []
    for index in range(max(len(series) - recent, 0), len(series)):
        history = series[max(index - baseline, 0) : index]
        if len(history) < MIN_HISTORY or series[index] < min_count:
            continue
        result = robust_z(history, series[index], epsilon)
        if result.z >= threshold:
            found.append(Detection(index, series[index], result.median, result.mad, result.z))
    return found


def spike_key(
    dimension: str, value: str, interval: Interval, start: datetime, kind: SpikeKind
) -> str:
    """Stable identity of a spike: the same bucket gives the same key on every run.

    >>> from indexer.filters import VN_TZ
    >>> spike_key("topic", "dat_dai", "day", datetime(2026, 11, 25, tzinfo=VN_TZ), "volume")
    'topic:dat_dai:day:2026-11-25T00:00:00+07:00:volume'
    """
    return f"{dimension}:{value}:{interval}:{start.isoformat()}:{kind}"


class SpikeDocument(BaseModel):
    id: str
    kind: str = Field(description="`article` hoặc `comment`")
    title: str | None = None
    snippet: str = Field(description="Đoạn đầu nội dung")
    url: str
    source_name: str | None = None
    published_at: datetime | None = None
    likes: int | None = None
    replies: int | None = None
    sentiment: str | None = None
    author_id: str | None = Field(
        None, description="Bí danh người bình luận (mã băm có khóa), không bao giờ là tên"
    )


class Spike(BaseModel):
    key: str = Field(description="Định danh ổn định: chiều:giá trị:interval:đầu khoảng:loại")
    dimension: Dimension = Field(description="`topic` (chủ đề theo dõi) hoặc `province`")
    value: str = Field(description="Mã chủ đề hoặc tên tỉnh")
    label: str = Field(description="Tên tiếng Việt")
    kind: SpikeKind = Field(description="`volume` (khối lượng) hoặc `negative` (tiêu cực)")
    interval: Interval
    bucket_start: datetime
    bucket_end: datetime
    count: int = Field(description="Số tài liệu (volume) hoặc số tài liệu tiêu cực (negative)")
    baseline_median: float = Field(description="Trung vị các khoảng trước")
    baseline_mad: float = Field(description="Độ lệch tuyệt đối trung vị (MAD) các khoảng trước")
    z: float = Field(description="Điểm z bền vững: (count - median) / (1.4826·MAD + epsilon)")
    series: list[int] = Field(description="Chuỗi số đếm từ đầu cửa sổ đến khoảng này")
    documents: list[SpikeDocument] = Field(
        description="Tài liệu tạo nên đột biến: nhiều tương tác nhất trong khoảng"
    )


class Spikes(BaseModel):
    interval: Interval
    since: datetime = Field(description="Đầu cửa sổ quan sát")
    until: datetime
    threshold: float
    min_count: int
    lookback: int
    spikes: list[Spike] = Field(description="Đột biến, điểm z cao nhất trước")


@dataclass(frozen=True)
class SpikeParams:
    interval: Interval = "day"
    lookback: int = 28
    recent: int = 1
    threshold: float = 3.5
    min_count: int = 10
    documents: int = 5


@dataclass(frozen=True)
class _Series:
    starts: list[int]  # bucket keys, epoch milliseconds
    counts: dict[SpikeKind, list[int]]


def _series(dimension: dict[str, Any]) -> dict[str, _Series]:
    """value -> its bucket keys, volume counts and negative counts."""
    out = {}
    for bucket in dimension["buckets"]:
        raw = bucket["over_time"]["buckets"]
        volume = [b["doc_count"] for b in raw]
        negative = [b["negative"]["doc_count"] for b in raw]
        out[bucket["key"]] = _Series(
            [b["key"] for b in raw], {"volume": volume, "negative": negative}
        )
    return out


def _spikes_of(
    dimension: Dimension,
    value: str,
    series: _Series,
    params: SpikeParams,
    until: datetime,
    vocabulary: Vocabulary,
) -> list[Spike]:
    spikes = []
    label = vocabulary.topics.get(value, value) if dimension == "topic" else value
    for kind in SPIKE_KINDS:
        counts = series.counts[kind]
        for found in detect(
            counts,
            baseline=params.lookback,
            threshold=params.threshold,
            min_count=params.min_count,
            recent=params.recent,
        ):
            start = local_time(series.starts[found.index])
            spikes.append(
                Spike(
                    key=spike_key(dimension, value, params.interval, start, kind),
                    dimension=dimension,
                    value=value,
                    label=label,
                    kind=kind,
                    interval=params.interval,
                    bucket_start=start,
                    bucket_end=min(bucket_end(start, params.interval), until),
                    count=found.count,
                    baseline_median=found.median,
                    baseline_mad=found.mad,
                    z=found.z,
                    series=counts[: found.index + 1],
                    documents=[],
                )
            )
    return spikes


def _first_bucket(until: datetime, params: SpikeParams) -> datetime:
    """Start of the window: ``lookback`` buckets before the ``recent`` ones ending at until."""
    start = bucket_floor(until - timedelta(microseconds=1), params.interval)
    for _ in range(params.lookback + params.recent - 1):
        start = bucket_floor(start - timedelta(microseconds=1), params.interval)
    return start


def find_spikes(
    client: Elasticsearch,
    alias: str,
    filters: Filters,
    vocabulary: Vocabulary,
    params: SpikeParams,
    now: datetime | None = None,
) -> Spikes:
    """Spikes per watch topic and per province in the latest ``recent`` buckets up to
    ``filters.until`` (default: now), each with its top documents."""
    if filters.since is not None:
        raise FilterError(
            "since",
            "spikes dùng lookback, không dùng since (spikes take lookback, not since)",
            filters.since.isoformat(),
        )
    until = filters.window(timedelta(0), now).until
    assert until is not None  # noqa: S101 (window sets it)
    since = _first_bucket(until, params)
    windowed = filters.between(since, until)
    over_time = date_histogram(since, until, params.interval, {"negative": {"filter": _NEGATIVE}})
    keys = list(filters.topics or vocabulary.topics)
    response = client.search(
        index=alias,
        size=0,
        query=es_query(windowed),
        aggs={
            "topic": {
                "terms": {"field": "watch_topics", "size": max(len(keys), 1), "include": keys},
                "aggs": {"over_time": over_time},
            },
            "province": {
                "terms": {"field": "place.province", "size": MAX_PROVINCES},
                "aggs": {"over_time": over_time},
            },
        },
    )
    spikes = [
        spike
        for dimension in DIMENSIONS
        for value, series in _series(response["aggregations"][dimension]).items()
        for spike in _spikes_of(dimension, value, series, params, until, vocabulary)
    ]
    spikes.sort(key=lambda s: (-s.z, s.key))
    _attach_documents(client, alias, filters, spikes, params.documents)
    return Spikes(
        interval=params.interval,
        since=since,
        until=until,
        threshold=params.threshold,
        min_count=params.min_count,
        lookback=params.lookback,
        spikes=spikes,
    )


_DOCUMENT_SOURCE = [
    "id", "kind", "title", "text", "url", "source_name", "published_at", "likes", "replies",
    "sentiment.label", "author_id",
]  # fmt: skip


def _attach_documents(
    client: Elasticsearch, alias: str, filters: Filters, spikes: list[Spike], size: int
) -> None:
    """The most engaged documents of each spike's bucket (negative ones for a negativity
    spike), in one ``_msearch``."""
    if not spikes or size == 0:
        return
    searches: list[dict[str, Any]] = []
    for spike in spikes:
        query = es_query(filters.between(spike.bucket_start, spike.bucket_end))
        query["bool"]["filter"].append({"term": {_FIELDS[spike.dimension]: spike.value}})
        if spike.kind == "negative":
            query["bool"]["filter"].append(_NEGATIVE)
        searches += [
            {"index": alias},
            {"query": query, "sort": ENGAGEMENT_SORT, "size": size, "_source": _DOCUMENT_SOURCE},
        ]
    response = client.msearch(searches=searches)
    for spike, result in zip(spikes, response["responses"], strict=True):
        if "error" in result:
            raise QueryError(f"top documents of {spike.key}", details=str(result["error"]))
        spike.documents = [_document(hit["_source"]) for hit in result["hits"]["hits"]]


def _document(source: dict[str, Any]) -> SpikeDocument:
    return SpikeDocument(
        id=source["id"],
        kind=source["kind"],
        title=source.get("title"),
        snippet=snippet(source.get("text") or source.get("title") or ""),
        url=source["url"],
        source_name=source.get("source_name"),
        published_at=source.get("published_at"),
        likes=source.get("likes"),
        replies=source.get("replies"),
        sentiment=(source.get("sentiment") or {}).get("label"),
        author_id=source.get("author_id"),
    )
