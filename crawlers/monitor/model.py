"""What the parts of the monitor (``vnopinion monitor``) hand each other.

The monitor is one long-running process. Each *cycle* it asks the schedule
(``crawlers.monitor.schedule``) which sources are due and which comment threads to re-poll,
runs one crawl for them in a child process (``crawlers.monitor.cycle``: Scrapy's reactor
cannot restart, and a crash there must not take the monitor down), records what happened
per source (``crawlers.monitor.store``), judges each source's health
(``crawlers.monitor.health``), runs alert detection, and publishes health and counters to
Elasticsearch for ``GET /sources`` and ``GET /metrics`` (``crawlers.monitor.publish``).

These types are plain data: they cross the process boundary as JSON (``to_json`` /
``from_json``) and are stored in SQLite.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal

from crawlers.comments.base import ArticleRef

__all__ = [
    "CyclePlan",
    "CycleReport",
    "ErrorKind",
    "HealthStatus",
    "MetricsSnapshot",
    "SourceCounters",
    "SourceHealth",
    "SourceOutcome",
    "ThreadPoll",
]

# Why a source failed, most telling first when several happened in one cycle:
# blocked (a bot challenge or block page), http (4xx/5xx answers), parse (a page or comment
# response we could not read: a redesign or a changed endpoint), network (DNS, refused,
# timeout), zero_yield (entry points answered but listed no articles where they used to),
# crash (the crawl process died or overran its time).
ErrorKind = Literal["blocked", "http", "parse", "network", "zero_yield", "crash"]
HealthStatus = Literal["ok", "degraded", "broken", "unknown"]


@dataclass(frozen=True)
class ThreadPoll:
    """A stored article whose comment thread is re-polled this cycle."""

    doc_id: str  # the article's document id
    source: str  # source key (sources.yaml)
    ref: ArticleRef

    def to_json(self) -> dict[str, Any]:
        return {"doc_id": self.doc_id, "source": self.source, "ref": asdict(self.ref)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ThreadPoll:
        return cls(data["doc_id"], data["source"], ArticleRef(**data["ref"]))


@dataclass(frozen=True)
class CyclePlan:
    """One cycle's work: the entry points of ``sources``, and ``threads`` to re-poll."""

    cycle_id: str
    sources: tuple[str, ...]
    threads: tuple[ThreadPoll, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "cycle_id": self.cycle_id,
            "sources": list(self.sources),
            "threads": [t.to_json() for t in self.threads],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CyclePlan:
        return cls(
            data["cycle_id"],
            tuple(data["sources"]),
            tuple(ThreadPoll.from_json(t) for t in data.get("threads", [])),
        )


@dataclass
class SourceOutcome:
    """What one cycle did for one source (its entry points, its articles, its threads)."""

    source: str
    crawled_entry_points: bool  # False: only threads were re-polled for this source
    listed: int = 0  # article links the entry points gave (matching the URL patterns)
    articles: int = 0  # article pages fetched (new articles)
    comments: int = 0  # comments fetched (new threads and re-polled ones)
    stored: int = 0  # documents stored (indexed, or kept in the spool)
    indexed: int = 0
    spooled: int = 0
    failed: int = 0  # neither indexed nor spooled: fetched again later
    responses: int = 0
    http_errors: dict[str, int] = field(default_factory=dict)  # "404" -> count
    blocked: int = 0  # challenge or block pages
    parse_failures: int = 0  # pages or comment responses we could not read
    network_errors: int = 0
    last_error: str | None = None  # a human-readable reason ("HTTP 403 on https://...")
    last_error_kind: ErrorKind | None = None
    # Comments seen per re-polled or new thread in this cycle (article doc id -> count).
    thread_comments: dict[str, int] = field(default_factory=dict)

    @property
    def errors(self) -> int:
        return (
            sum(self.http_errors.values())
            + self.blocked
            + self.parse_failures
            + (self.network_errors)
        )

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SourceOutcome:
        return cls(**data)


@dataclass
class CycleReport:
    """The outcome of one cycle, per source; ``crashed`` when the crawl process died."""

    cycle_id: str
    started_at: datetime
    finished_at: datetime
    outcomes: dict[str, SourceOutcome]
    crashed: str | None = None  # the reason, e.g. "exit code -9", "over 900 s"

    @property
    def duration_s(self) -> float:
        return (self.finished_at - self.started_at).total_seconds()

    def to_json(self) -> dict[str, Any]:
        return {
            "cycle_id": self.cycle_id,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat(),
            "outcomes": {k: v.to_json() for k, v in self.outcomes.items()},
            "crashed": self.crashed,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CycleReport:
        return cls(
            data["cycle_id"],
            datetime.fromisoformat(data["started_at"]),
            datetime.fromisoformat(data["finished_at"]),
            {k: SourceOutcome.from_json(v) for k, v in data["outcomes"].items()},
            data.get("crashed"),
        )


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

    def add(self, outcome: SourceOutcome) -> None:
        self.fetched_articles += outcome.articles
        self.fetched_comments += outcome.comments
        self.stored += outcome.stored
        self.indexed += outcome.indexed
        self.spooled += outcome.spooled
        self.failed += outcome.failed
        self.requests += outcome.responses
        self.errors += outcome.errors
        if outcome.crawled_entry_points:
            self.cycles += 1
            self.listed_last = outcome.listed


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
