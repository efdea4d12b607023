"""Calendar buckets in Vietnam time: the same arithmetic as Elasticsearch's
``date_histogram`` with ``time_zone=Asia/Ho_Chi_Minh``, so we can bound a request before
sending it and name every bucket, empty ones included. Weeks start on Monday (ISO), as in
Elasticsearch."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal

from indexer.filters import ES_TIME_ZONE, TIME_FIELD, VN_TZ

__all__ = [
    "INTERVALS",
    "MAX_BUCKETS",
    "Interval",
    "bucket_count",
    "bucket_end",
    "bucket_floor",
    "bucket_starts",
    "date_histogram",
    "local_time",
]

Interval = Literal["hour", "day", "week", "month"]
INTERVALS: tuple[Interval, ...] = ("hour", "day", "week", "month")
MAX_BUCKETS = 1_000
_STEP = {"hour": timedelta(hours=1), "day": timedelta(days=1), "week": timedelta(weeks=1)}


def bucket_floor(moment: datetime, interval: Interval) -> datetime:
    """Start of the bucket that holds ``moment``, in Vietnam time."""
    local = moment.astimezone(VN_TZ)
    if interval == "hour":
        return local.replace(minute=0, second=0, microsecond=0)
    day = local.replace(hour=0, minute=0, second=0, microsecond=0)
    if interval == "day":
        return day
    if interval == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def bucket_end(start: datetime, interval: Interval) -> datetime:
    """Start of the next bucket."""
    if interval == "month":
        year, month = (start.year + 1, 1) if start.month == 12 else (start.year, start.month + 1)
        return start.replace(year=year, month=month)
    return start + _STEP[interval]


def bucket_count(since: datetime, until: datetime, interval: Interval) -> int:
    """How many buckets ``[since, until)`` touches (the first and last may be partial)."""
    first = bucket_floor(since, interval)
    last = bucket_floor(until - timedelta(microseconds=1), interval)
    if interval == "month":
        return (last.year - first.year) * 12 + last.month - first.month + 1
    return int((last - first) / _STEP[interval]) + 1


def bucket_starts(since: datetime, until: datetime, interval: Interval) -> list[datetime]:
    """Start of every bucket ``[since, until)`` touches, in order (Vietnam time)."""
    start, starts = bucket_floor(since, interval), []
    while start < until:
        starts.append(start)
        start = bucket_end(start, interval)
    return starts


def local_time(epoch_ms: int) -> datetime:
    """Epoch milliseconds (a ``date_histogram`` key, a ``max`` value) in Vietnam time."""
    return datetime.fromtimestamp(epoch_ms / 1000, VN_TZ)


def _epoch_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def date_histogram(
    since: datetime,
    until: datetime,
    interval: Interval,
    aggs: dict[str, Any] | None = None,
    *,
    empty_buckets: bool = True,
) -> dict[str, Any]:
    """A ``date_histogram`` over ``published_at`` in Vietnam time.

    With ``empty_buckets`` Elasticsearch returns every bucket of ``[since, until)``, empty
    ones included (``min_doc_count: 0`` and ``extended_bounds``). Without, only buckets that
    hold documents, and the caller fills the rest (``bucket_starts``): the request then no
    longer names the window, so a shard whose documents all fall inside it sees the same
    request for every window (the range is rewritten away) and answers from its request
    cache. Dashboards ask for overlapping windows all day.
    """
    histogram: dict[str, Any] = {
        "field": TIME_FIELD,
        "calendar_interval": interval,
        "time_zone": ES_TIME_ZONE,
        "min_doc_count": 1,
    }
    if empty_buckets:
        histogram |= {
            "min_doc_count": 0,
            "extended_bounds": {"min": _epoch_ms(since), "max": _epoch_ms(until) - 1},
        }
    body: dict[str, Any] = {"date_histogram": histogram}
    if aggs:
        body["aggs"] = aggs
    return body
