"""The filters every API endpoint shares, validated once and turned into one ES query.

Values of one filter are alternatives (``topic=dat_dai&topic=y_te``: either topic); different
filters must all hold. Times: ``since`` is inclusive, ``until`` exclusive. A bare date is a
day in Vietnam (Asia/Ho_Chi_Minh), and ``until=2026-11-20`` includes the 20th (it means the
end of that day); a datetime without a zone is Vietnam time too.
"""

from __future__ import annotations

import dataclasses
import typing
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from indexer.documents import Sentiment
from indexer.text import fold

__all__ = [
    "ENGAGEMENT_SORT",
    "ES_TIME_ZONE",
    "KINDS",
    "MAX_SPAN",
    "SENTIMENTS",
    "TIME_FIELD",
    "UNTAGGED",
    "VN_TZ",
    "FilterError",
    "Filters",
    "Vocabulary",
    "es_query",
    "make_filters",
    "parse_bound",
    "text_query",
]

# Vietnam keeps UTC+7 all year (no daylight saving since 1975), so a fixed offset is exact
# in Python and needs no tz database; Elasticsearch gets the zone's name.
VN_TZ = timezone(timedelta(hours=7), "ICT")
ES_TIME_ZONE = "Asia/Ho_Chi_Minh"
MAX_SPAN = timedelta(days=3 * 366)
KINDS: tuple[str, ...] = ("article", "comment")
UNTAGGED = "untagged"  # a document the sentiment model has not labelled (yet)
SENTIMENTS: tuple[str, ...] = (
    *typing.get_args(Sentiment.model_fields["label"].annotation),
    UNTAGGED,
)
TIME_FIELD = "published_at"
FOLDED_FIELD = "text_folded"
ACCENTED_FIELDS = ("title^3", "lead^2", "text")
# Most engaged first: likes, then replies (no scripts here to add them up), newest, id.
ENGAGEMENT_SORT = [
    {"likes": {"order": "desc", "missing": "_last"}},
    {"replies": {"order": "desc", "missing": "_last"}},
    {"published_at": {"order": "desc", "missing": "_last"}},
    {"id": {"order": "asc"}},
]


class FilterError(ValueError):
    """A filter value the API refuses (422): the parameter and a bilingual message."""

    def __init__(self, field: str, message: str, value: object = None) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.value = value


@dataclass(frozen=True)
class Vocabulary:
    """The values analysts name things by, given by the composition root (``indexer``
    does not import ``nlp``): watch topic key -> Vietnamese label, category id -> name."""

    topics: Mapping[str, str]
    categories: Mapping[str, str]


@dataclass(frozen=True)
class Filters:
    topics: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    provinces: tuple[str, ...] = ()
    sentiments: tuple[str, ...] = ()
    q: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def window(self, default: timedelta, now: datetime | None = None) -> Filters:
        """These filters with both ends of the time range set: a missing ``until`` is now,
        a missing ``since`` is ``default`` before ``until``."""
        until = self.until or (now or datetime.now(VN_TZ)).astimezone(VN_TZ)
        since = self.since or until - default
        return dataclasses.replace(self, since=since, until=until)

    def between(self, since: datetime, until: datetime) -> Filters:
        return dataclasses.replace(self, since=since, until=until)


def parse_bound(name: str, value: str, *, end: bool) -> datetime:
    """``YYYY-MM-DD`` or an ISO 8601 datetime, as an aware datetime (Vietnam time if no
    zone). A date given as ``until`` means the end of that day."""
    text = value.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            start = datetime.combine(day, time(), VN_TZ)
            return start + timedelta(days=1) if end else start
        moment = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        raise FilterError(
            name,
            f"{name} phải là ngày (YYYY-MM-DD) hoặc thời điểm ISO 8601 "
            f"({name} must be a date YYYY-MM-DD or an ISO 8601 datetime)",
            value,
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=VN_TZ)


def _check_window(since: datetime | None, until: datetime | None) -> None:
    if since and until and until <= since:
        raise FilterError(
            "until", "until phải sau since (until must be after since)", until.isoformat()
        )
    if since and until and until - since > MAX_SPAN:
        raise FilterError(
            "since",
            f"khoảng thời gian tối đa {MAX_SPAN.days} ngày "
            f"(the time range may span at most {MAX_SPAN.days} days)",
            since.isoformat(),
        )


def _check_values(
    name: str, values: Sequence[str], allowed: Mapping[str, object] | Sequence[str]
) -> None:
    for value in values:
        if value not in allowed:
            listed = ", ".join(allowed)
            raise FilterError(
                name,
                f"{value!r}: {name} không hợp lệ (unknown {name}); "
                f"giá trị được phép (allowed): {listed}",
                value,
            )


def _clean(values: Sequence[str] | None) -> tuple[str, ...]:
    """NFC (stored values are NFC), stripped, empty and repeated values dropped."""
    seen: dict[str, None] = {}
    for value in values or ():
        text = unicodedata.normalize("NFC", value).strip()
        if text:
            seen.setdefault(text, None)
    return tuple(seen)


def make_filters(
    vocabulary: Vocabulary,
    *,
    topic: Sequence[str] | None = None,
    category: Sequence[str] | None = None,
    source: Sequence[str] | None = None,
    kind: Sequence[str] | None = None,
    province: Sequence[str] | None = None,
    sentiment: Sequence[str] | None = None,
    q: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> Filters:
    """Validated filters from request values; raises ``FilterError`` naming the parameter."""
    filters = Filters(
        topics=_clean(topic),
        categories=_clean(category),
        sources=_clean(source),
        kinds=_clean(kind),
        provinces=_clean(province),
        sentiments=_clean(sentiment),
        q=unicodedata.normalize("NFC", q).strip() or None if q is not None else None,
        since=parse_bound("since", since, end=False) if since else None,
        until=parse_bound("until", until, end=True) if until else None,
    )
    _check_values("topic", filters.topics, vocabulary.topics)
    _check_values("category", filters.categories, vocabulary.categories)
    _check_values("kind", filters.kinds, KINDS)
    _check_values("sentiment", filters.sentiments, SENTIMENTS)
    _check_window(filters.since, filters.until)
    return filters


def _terms(field: str, values: tuple[str, ...]) -> list[dict[str, Any]]:
    return [{"terms": {field: list(values)}}] if values else []


def _sentiment(values: tuple[str, ...]) -> list[dict[str, Any]]:
    if not values:
        return []
    labels = [v for v in values if v != UNTAGGED]
    should: list[dict[str, Any]] = [{"terms": {"sentiment.label": labels}}] if labels else []
    if UNTAGGED in values:
        should.append({"bool": {"must_not": {"exists": {"field": "sentiment.label"}}}})
    return [{"bool": {"should": should, "minimum_should_match": 1}}]


def time_range(since: datetime | None, until: datetime | None) -> list[dict[str, Any]]:
    bounds = {}
    if since:
        bounds["gte"] = since.isoformat()
    if until:
        bounds["lt"] = until.isoformat()
    return [{"range": {TIME_FIELD: bounds}}] if bounds else []


def filter_clauses(filters: Filters) -> list[dict[str, Any]]:
    """Every filter except the text query, as ``bool.filter`` clauses (cached, unscored)."""
    return [
        *_terms("watch_topics", filters.topics),
        *_terms("category", filters.categories),
        *_terms("source", filters.sources),
        *_terms("kind", filters.kinds),
        *_terms("place.province", filters.provinces),
        *_sentiment(filters.sentiments),
        *time_range(filters.since, filters.until),
    ]


def text_query(q: str) -> dict[str, Any]:
    """Accent-insensitive full text: ``thu tuc`` finds ``thủ tục``.

    The query folded (as the tagger folded the analysed text: an article's title, lead and
    body) against ``text_folded``, or the query as typed against the accented fields, which
    also finds documents not tagged yet and ranks exact spellings higher. Every word must
    occur. ``simple_query_string`` understands quotes, ``-``, ``|`` and ``*`` and never fails
    on a stray one (``query_string`` would answer 400 to ``(`` or ``a:``).
    """
    common = {"default_operator": "and", "lenient": True}
    return {
        "bool": {
            "should": [
                {"simple_query_string": {"query": fold(q), "fields": [FOLDED_FIELD], **common}},
                {"simple_query_string": {"query": q, "fields": list(ACCENTED_FIELDS), **common}},
            ],
            "minimum_should_match": 1,
        }
    }


def es_query(filters: Filters) -> dict[str, Any]:
    """The whole query for ``filters``: the text query scored, everything else filtered."""
    query: dict[str, Any] = {"bool": {"filter": filter_clauses(filters)}}
    if filters.q:
        query["bool"]["must"] = [text_query(filters.q)]
    return query


def search_target(alias: str, filters: Filters) -> dict[str, Any]:
    """``index`` and options for a search under ``filters``.

    With a time range, ``pre_filter_shard_size=1`` makes Elasticsearch first ask every
    monthly index's shard whether its ``published_at`` values can match (a cheap bounds
    check) and skip those that cannot: a 30-day window then searches two shards, not a year
    of them. That matters when many dashboards ask at once, since each shard visited is a
    task in the node's small search pool. Without a range, the default applies.
    """
    if filters.since is None and filters.until is None:
        return {"index": alias}
    return {"index": alias, "pre_filter_shard_size": 1}
