"""A Scrapy extension that shows a progress bar of scraped documents (on a terminal)."""

from __future__ import annotations

from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from tqdm import tqdm


class ProgressBar:
    def __init__(self) -> None:
        # disable=None: shown on a terminal, silent in logs and CI.
        self.bar = tqdm(desc="crawling", unit="doc", disable=None, leave=False)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProgressBar:
        extension = cls()
        crawler.signals.connect(extension.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def item_scraped(self, item: Any) -> None:
        kind = getattr(item, "kind", "item")
        self.bar.set_postfix_str(kind, refresh=False)
        self.bar.update(1)

    def spider_closed(self) -> None:
        self.bar.close()
