"""The numbers of the weekly report ("Báo cáo tình hình dư luận"), read from Elasticsearch.

One function, ``weekly_report``, gathers everything for an ISO week and the week before it
(Vietnam time) through ``indexer``'s read modules; ``render`` turns the result into HTML. A
document belongs to the week its ``published_at`` falls in; documents without a date are in
no week. Shares are over documents with a sentiment label, as everywhere in vnopinion.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from elasticsearch import Elasticsearch

from indexer.analytics import (
    SENTIMENT_AGG,
    SentimentCounts,
    TopicStat,
    TrendBucket,
    places,
    sentiment_counts,
    topic_ranking,
    trends,
)
from indexer.errors import QueryError
from indexer.filters import ENGAGEMENT_SORT, VN_TZ, Filters, Vocabulary, es_query, time_range
from indexer.spikes import Spike, SpikeParams, find_spikes
from reports.alert_context import spike_contexts
from reports.alerts import alert_message
from reports.weeks import Week

__all__ = [
    "Figures",
    "Hotspot",
    "IssueComments",
    "QuotedComment",
    "ReportLimits",
    "WeekSpike",
    "WeeklyReport",
    "weekly_report",
]


@dataclass(frozen=True)
class ReportLimits:
    issues: int = 10  # watch topics in the ranking
    hotspots: int = 10  # provinces
    quoted_issues: int = 5  # top issues that get representative comments
    quotes: int = 3  # comments per issue
    quote_chars: int = 600
    # Every day of the week, each against the 28 days before it; the top document of each.
    spikes: SpikeParams = field(default_factory=lambda: SpikeParams(recent=7, documents=1))


@dataclass(frozen=True)
class Figures:
    counts: SentimentCounts
    articles: int
    comments: int


@dataclass(frozen=True)
class Hotspot:
    province: str
    counts: SentimentCounts
    previous_negative: int


@dataclass(frozen=True)
class QuotedComment:
    """A reader's comment as the report shows it: never the commenter, not even the
    pseudonym; only the text, where and when it was posted, and a link."""

    text: str
    source_name: str
    published_at: datetime
    url: str
    likes: int
    replies: int
    article_title: str | None


@dataclass(frozen=True)
class IssueComments:
    topic: TopicStat
    comments: list[QuotedComment]


@dataclass(frozen=True)
class WeekSpike:
    spike: Spike
    message: str


@dataclass(frozen=True)
class WeeklyReport:
    week: Week
    previous: Week
    generated_at: datetime
    alias: str
    current: Figures
    before: Figures
    days: list[TrendBucket]  # Monday to Sunday
    issues: list[TopicStat]
    hotspots: list[Hotspot]
    quotes: list[IssueComments]
    spikes: list[WeekSpike]
    model_versions: list[tuple[str, int]]
    limits: ReportLimits

    @property
    def empty(self) -> bool:
        return self.current.counts.count == 0


def _figures(bucket: dict[str, Any]) -> Figures:
    kinds = {b["key"]: b["doc_count"] for b in bucket["kinds"]["buckets"]}
    return Figures(sentiment_counts(bucket), kinds.get("article", 0), kinds.get("comment", 0))


def _headline(
    client: Elasticsearch, alias: str, week: Week
) -> tuple[Figures, Figures, list[tuple[str, int]]]:
    """This week's and last week's figures, and which models tagged this week's documents."""
    before = week.previous
    response = client.search(
        index=alias,
        size=0,
        query=es_query(Filters(since=before.start, until=week.end)),
        aggs={
            "periods": {
                "filters": {
                    "filters": {
                        "current": time_range(week.start, week.end)[0],
                        "previous": time_range(before.start, before.end)[0],
                    }
                },
                "aggs": {
                    "kinds": {"terms": {"field": "kind", "size": 2}},
                    "models": {"terms": {"field": "model_version", "size": 20}},
                    **SENTIMENT_AGG,
                },
            }
        },
    )
    periods = response["aggregations"]["periods"]["buckets"]
    models = [(b["key"], b["doc_count"]) for b in periods["current"]["models"]["buckets"]]
    return _figures(periods["current"]), _figures(periods["previous"]), models


def _hotspots(client: Elasticsearch, alias: str, week: Week, size: int) -> list[Hotspot]:
    """Provinces by number of negative documents (then by share), with last week's."""
    now = places(client, alias, Filters(since=week.start, until=week.end))
    before = places(client, alias, Filters(since=week.previous.start, until=week.previous.end))
    earlier = {p.name: p.negative for p in before.provinces}
    ranked = sorted(
        (p for p in now.provinces if p.negative),
        key=lambda p: (-p.negative, -(p.negative_share or 0), p.name),
    )
    return [
        Hotspot(p.name, SentimentCounts(**p.model_dump(exclude={"name"})), earlier.get(p.name, 0))
        for p in ranked[:size]
    ]


_QUOTE_SOURCE = ["text", "url", "source_name", "published_at", "likes", "replies", "thread_id"]


def _quotes(
    client: Elasticsearch, alias: str, week: Week, issues: list[TopicStat], limits: ReportLimits
) -> list[IssueComments]:
    """The most engaged negative comments of each top issue, with their articles' titles."""
    chosen = issues[: limits.quoted_issues]
    if not chosen:
        return []
    searches: list[dict[str, Any]] = []
    for issue in chosen:
        filters = Filters(
            topics=(issue.key,), kinds=("comment",), sentiments=("negative",),
            since=week.start, until=week.end,
        )  # fmt: skip
        searches += [
            {"index": alias},
            {"query": es_query(filters), "sort": ENGAGEMENT_SORT, "size": limits.quotes,
             "_source": _QUOTE_SOURCE},
        ]  # fmt: skip
    results = client.msearch(searches=searches)["responses"]
    hits: list[list[dict[str, Any]]] = []
    for issue, result in zip(chosen, results, strict=True):
        if "error" in result:
            raise QueryError(f"comments on {issue.key}", details=str(result["error"]))
        hits.append([hit["_source"] for hit in result["hits"]["hits"]])
    titles = _titles(client, alias, {s["thread_id"] for found in hits for s in found})
    return [
        IssueComments(issue, [_quote(s, titles, limits.quote_chars) for s in found])
        for issue, found in zip(chosen, hits, strict=True)
    ]


def _titles(client: Elasticsearch, alias: str, ids: set[str]) -> dict[str, str]:
    """Article id -> title (one search; ``_mget`` cannot read through an alias of many)."""
    if not ids:
        return {}
    response = client.search(
        index=alias,
        size=len(ids),
        query={"terms": {"id": sorted(ids)}},
        source_includes=["id", "title"],
    )
    return {h["_source"]["id"]: h["_source"].get("title") for h in response["hits"]["hits"]}


def _quote(source: dict[str, Any], titles: dict[str, str], chars: int) -> QuotedComment:
    text = " ".join((source.get("text") or "").split())
    if len(text) > chars:
        text = text[:chars].rsplit(" ", 1)[0] + "…"
    return QuotedComment(
        text=text,
        source_name=source["source_name"],
        published_at=datetime.fromisoformat(source["published_at"]),
        url=source["url"],
        likes=source.get("likes") or 0,
        replies=source.get("replies") or 0,
        article_title=titles.get(source.get("thread_id", "")),
    )


def _spikes(
    client: Elasticsearch, alias: str, week: Week, vocabulary: Vocabulary, params: SpikeParams
) -> list[WeekSpike]:
    found = find_spikes(client, alias, Filters(until=week.end), vocabulary, params).spikes
    found.sort(key=lambda s: (s.bucket_start, -s.z, s.key))
    contexts = spike_contexts(client, alias, found, vocabulary)
    return [WeekSpike(s, alert_message(s, c)) for s, c in zip(found, contexts, strict=True)]


def weekly_report(
    client: Elasticsearch,
    alias: str,
    week: Week,
    vocabulary: Vocabulary,
    *,
    limits: ReportLimits | None = None,
    now: datetime | None = None,
) -> WeeklyReport:
    """Everything the report shows for ``week``, against the week before."""
    limits = limits or ReportLimits()
    current, before, models = _headline(client, alias, week)
    in_week = Filters(since=week.start, until=week.end)
    ranking = topic_ranking(client, alias, in_week, vocabulary).topics
    issues = [t for t in ranking if t.count][: limits.issues]
    return WeeklyReport(
        week=week,
        previous=week.previous,
        generated_at=(now or datetime.now(VN_TZ)).astimezone(VN_TZ),
        alias=alias,
        current=current,
        before=before,
        days=trends(client, alias, in_week, "day").buckets,
        issues=issues,
        hotspots=_hotspots(client, alias, week, limits.hotspots),
        quotes=_quotes(client, alias, week, issues, limits),
        spikes=_spikes(client, alias, week, vocabulary, limits.spikes),
        model_versions=models,
        limits=limits,
    )
