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
from typing import Any

from crawlers.comments.base import ArticleRef
from indexer.monitoring import (
    ErrorKind,
    HealthStatus,
    MetricsSnapshot,
    SourceCounters,
    SourceHealth,
)

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
    "add_outcome",
]


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


def add_outcome(counters: SourceCounters, outcome: SourceOutcome) -> None:
    """Add one cycle's outcome to a source's running totals."""
    counters.fetched_articles += outcome.articles
    counters.fetched_comments += outcome.comments
    counters.stored += outcome.stored
    counters.indexed += outcome.indexed
    counters.spooled += outcome.spooled
    counters.failed += outcome.failed
    counters.requests += outcome.responses
    counters.errors += outcome.errors
    if outcome.crawled_entry_points:
        counters.cycles += 1
        counters.listed_last = outcome.listed
