"""Run a spider to completion in this process and report what the pipeline did."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from scrapy import Spider
from scrapy.crawler import CrawlerProcess

from crawlers.pipeline import SETTINGS_KEY
from crawlers.polite import POLITE_DEFAULTS
from vnopinion.settings import Settings


@dataclass(frozen=True)
class CrawlReport:
    articles: int
    comments: int
    created: int
    updated: int
    unchanged: int
    rejected: int
    errors: int
    finish_reason: str


def run_crawl(
    settings: Settings,
    spider: type[Spider],
    overrides: dict[str, Any] | None = None,
    **spider_args: Any,
) -> CrawlReport:
    """Crawl with the polite defaults (plus ``overrides``); blocks until the crawl ends.

    Scrapy's reactor cannot restart, so call this once per process.
    """
    scrapy_settings = {**POLITE_DEFAULTS, **(overrides or {}), SETTINGS_KEY: settings}
    level = scrapy_settings.get("LOG_LEVEL", "INFO")
    root_level = logging.getLogger().level
    _set_scrapy_log_level(level)
    process = CrawlerProcess(scrapy_settings)
    # Scrapy resets the root logger's level: restore ours.
    logging.getLogger().setLevel(root_level)
    _set_scrapy_log_level(level)
    crawler = process.create_crawler(spider)
    process.crawl(crawler, **spider_args)
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}

    def stat(key: str) -> int:
        return int(stats.get(f"vnopinion/{key}", 0))

    return CrawlReport(
        articles=stat("fetched/article"),
        comments=stat("fetched/comment"),
        created=stat("indexed/created"),
        updated=stat("indexed/updated"),
        unchanged=stat("indexed/unchanged"),
        rejected=stat("rejected"),
        errors=int(stats.get("log_count/ERROR", 0)) + int(stats.get("spider_exceptions", 0)),
        finish_reason=str(stats.get("finish_reason", "unknown")),
    )


def _set_scrapy_log_level(level: str | int) -> None:
    for name in ("scrapy", "py.warnings", "twisted"):
        logging.getLogger(name).setLevel(level)
