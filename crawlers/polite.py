"""Scrapy settings every vnopinion crawl starts from: polite, identifiable, bounded."""

from __future__ import annotations

from typing import Any

from vnopinion import __version__


def user_agent(contact: str) -> str:
    """Identifiable, with a way to reach the operator (settings.crawl_contact)."""
    return f"vnopinion/{__version__} (public-opinion research; +{contact})"


POLITE_DEFAULTS: dict[str, Any] = {
    "BOT_NAME": "vnopinion",
    "ROBOTSTXT_OBEY": True,
    "CONCURRENT_REQUESTS": 8,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 2,
    "DOWNLOAD_DELAY": 1.0,
    "DOWNLOAD_DELAY_JITTER": 0.5,
    "AUTOTHROTTLE_ENABLED": True,
    "AUTOTHROTTLE_START_DELAY": 1.0,
    "AUTOTHROTTLE_MAX_DELAY": 30.0,
    "AUTOTHROTTLE_TARGET_CONCURRENCY": 1.0,
    "RETRY_ENABLED": True,
    "RETRY_TIMES": 3,
    "DOWNLOAD_TIMEOUT": 30,
    "DOWNLOAD_MAXSIZE": 16 * 1024 * 1024,
    "COOKIES_ENABLED": False,
    "TELNETCONSOLE_ENABLED": False,
    "LOG_LEVEL": "INFO",
    "ITEM_PIPELINES": {"crawlers.pipeline.IndexingPipeline": 500},
    "EXTENSIONS": {"crawlers.progress.ProgressBar": 500},
    # vnopinion configures logging itself; Scrapy's loggers follow LOG_LEVEL (see run.py).
    "LOG_INSTALL_ROOT_HANDLER": False,
}
