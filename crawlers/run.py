"""Run spiders to completion in this process and report what the pipeline did."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler, CrawlerProcess
from twisted.python.failure import Failure

from crawlers.pipeline import SETTINGS_KEY
from crawlers.polite import POLITE_DEFAULTS, user_agent
from indexer.errors import VnopinionError
from vnopinion.settings import Settings

log = logging.getLogger(__name__)
FAILURE_STAT = "vnopinion/crawler_failed"


@dataclass(frozen=True)
class CrawlReport:
    articles: int
    comments: int
    created: int
    updated: int
    unchanged: int
    rejected: int
    dropped: int
    skipped_known: int
    errors: int
    responses: int
    elapsed_s: float
    finish_reasons: tuple[str, ...]
    spooled: int = 0  # kept on disk while Elasticsearch was away (indexer/spool.py)
    replayed: int = 0  # taken from the spool and indexed
    failed: int = 0  # documents neither indexed nor spooled: fetched again next run

    @classmethod
    def from_stats(cls, stats: list[dict[str, Any]]) -> CrawlReport:
        """From ``run_crawlers``'s stats, one dict per crawler."""

        def total(key: str) -> int:
            return sum(int(s.get(key, 0) or 0) for s in stats)

        dropped = sum(
            int(v) for s in stats for k, v in s.items() if k.startswith("vnopinion/dropped/")
        )
        return cls(
            articles=total("vnopinion/fetched/article"),
            comments=total("vnopinion/fetched/comment"),
            created=total("vnopinion/indexed/created"),
            updated=total("vnopinion/indexed/updated"),
            unchanged=total("vnopinion/indexed/unchanged"),
            rejected=total("vnopinion/rejected"),
            dropped=dropped,
            skipped_known=total("vnopinion/skipped/already_stored"),
            errors=total("log_count/ERROR")
            + total("spider_exceptions")
            + sum(FAILURE_STAT in s for s in stats),
            responses=total("response_received_count"),
            elapsed_s=max((float(s.get("elapsed_time_seconds", 0.0)) for s in stats), default=0.0),
            finish_reasons=tuple(
                str(s.get("finish_reason", "unknown")) if FAILURE_STAT not in s else "failed"
                for s in stats
            ),
            spooled=total("vnopinion/spooled"),
            replayed=total("vnopinion/replayed"),
            failed=total("vnopinion/failed"),
        )


def run_crawl(
    settings: Settings,
    spider: type[Spider],
    overrides: dict[str, Any] | None = None,
    **spider_args: Any,
) -> CrawlReport:
    """One spider; see ``run_crawls``."""
    return run_crawls(settings, [(spider, spider_args)], overrides)


def run_crawls(
    settings: Settings,
    spiders: list[tuple[type[Spider], dict[str, Any]]],
    overrides: dict[str, Any] | None = None,
) -> CrawlReport:
    """Crawl with the polite defaults (plus ``overrides``); blocks until every spider ends.

    Scrapy's reactor cannot restart, so call this once per process. With
    ``settings.crawl_frontier`` the requests go through the frontier shared with the other
    crawler processes (``crawlers/frontier.py``).
    """
    return CrawlReport.from_stats(run_crawlers(settings, spiders, overrides))


def run_crawlers(
    settings: Settings,
    spiders: list[tuple[type[Spider], dict[str, Any]]],
    overrides: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """As ``run_crawls``, but each crawler's stats, one dict per spider in order (the
    monitor reports per source); a crawler that failed as a whole carries ``FAILURE_STAT``."""
    scrapy_settings = {
        **POLITE_DEFAULTS,
        "USER_AGENT": user_agent(settings.crawl_contact),
        **_frontier_settings(settings),
        **(overrides or {}),
        SETTINGS_KEY: settings,
    }
    level = scrapy_settings.get("LOG_LEVEL", "INFO")
    root_level = logging.getLogger().level
    _set_scrapy_log_level(level)
    process = CrawlerProcess(scrapy_settings)
    # Scrapy resets the root logger's level: restore ours.
    logging.getLogger().setLevel(root_level)
    _set_scrapy_log_level(level)
    crawlers = []
    failures: dict[int, str] = {}
    for spider, kwargs in spiders:
        crawler = process.create_crawler(spider)
        process.crawl(crawler, **kwargs).addErrback(_record_failure, crawler, failures)
        crawlers.append(crawler)
    process.start()
    return [finished_stats(c, failures.get(id(c))) for c in crawlers]


def finished_stats(crawler: Crawler, failure: str | None = None) -> dict[str, Any]:
    """A finished crawler's stats, with ``FAILURE_STAT`` when it failed as a whole."""
    try:
        stats = dict(crawler.stats.get_stats()) if crawler.stats else {}
    except RuntimeError:  # Scrapy unsets a crawler's stats when its crawl fails to start
        stats = {}
    if failure is not None:
        stats[FAILURE_STAT] = failure
    return stats


def crawl_failure(stats: Mapping[str, Any]) -> str | None:
    """Why a crawler of ``run_crawlers`` failed as a whole (e.g. its stores would not open),
    from its stats, or None; a crawler that never finished counts as failed too."""
    failure = stats.get(FAILURE_STAT)
    if failure is None and "finish_reason" not in stats:
        return "the crawler never finished (see the log)"
    return str(failure) if failure is not None else None


def _record_failure(failure: Failure, crawler: Crawler, failures: dict[int, str]) -> None:
    """Log the error and keep it for the crawler's stats; the other spiders crawl on."""
    log.error("crawler %s failed: %s", crawler.spidercls.name, failure.getErrorMessage(),
              exc_info=(failure.type, failure.value, failure.getTracebackObject()))  # fmt: skip
    failures[id(crawler)] = f"{failure.type.__name__}: {failure.value}"[:500]


def _frontier_settings(settings: Settings) -> dict[str, Any]:
    if settings.crawl_frontier is None:
        return {}
    try:
        from crawlers.frontier import check_frontier, frontier_overrides
    except ModuleNotFoundError as exc:
        raise VnopinionError(
            f"crawl_frontier is set but {exc.name} is not installed.",
            hint="install the extra: pip install 'vnopinion[scaleout]' (README, Scale-out).",
        ) from exc
    check_frontier(settings)
    return frontier_overrides(settings)


def _set_scrapy_log_level(level: str | int) -> None:
    for name in ("scrapy", "py.warnings", "twisted"):
        logging.getLogger(name).setLevel(level)
