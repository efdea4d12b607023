"""Item pipeline: batch documents, run the NLP that exists, bulk-upsert into Elasticsearch.

Blocking work (tagging, HTTP to Elasticsearch) runs in a worker thread, never on the
reactor. Counts land in Scrapy's stats under ``vnopinion/``.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from elasticsearch import Elasticsearch
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from indexer.bulk import BulkResult, index_documents
from indexer.client import make_client
from indexer.documents import AnyDocument, Article, Comment
from indexer.setup import ensure_index
from nlp.prepare import prepare_all
from vnopinion.settings import Settings

log = logging.getLogger(__name__)
SETTINGS_KEY = "VNOPINION_SETTINGS"


def settings_from_crawler(crawler: Crawler) -> Settings:
    settings = crawler.settings.get(SETTINGS_KEY)
    if not isinstance(settings, Settings):
        raise RuntimeError(f"Scrapy setting {SETTINGS_KEY} must hold vnopinion Settings")
    return settings


class IndexingPipeline:
    def __init__(self, crawler: Crawler, settings: Settings) -> None:
        self.crawler = crawler
        self.settings = settings
        self.buffer: list[AnyDocument] = []
        self.client: Elasticsearch | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IndexingPipeline:
        return cls(crawler, settings_from_crawler(crawler))

    async def open_spider(self) -> None:
        self.client = make_client(self.settings)
        await asyncio.to_thread(ensure_index, self.client, self.settings.index_alias)

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article | Comment):
            raise DropItem(f"not a vnopinion document: {type(item).__name__}")
        self._inc(f"fetched/{item.kind}")
        self.buffer.append(item)
        if len(self.buffer) >= self.settings.bulk_chunk_size:
            batch, self.buffer = self.buffer, []
            await asyncio.to_thread(self._tag_and_index, batch)
        return item

    async def close_spider(self) -> None:
        batch, self.buffer = self.buffer, []
        if batch:
            await asyncio.to_thread(self._tag_and_index, batch)
        if self.client is not None:
            self.client.close()

    def _tag_and_index(self, batch: list[AnyDocument]) -> BulkResult:
        assert self.client is not None  # noqa: S101 (opened in open_spider)
        documents = prepare_all(batch)
        result = index_documents(
            self.client, documents, self.settings.index_alias,
            chunk_size=self.settings.bulk_chunk_size, total=len(documents), progress=False,
        )  # fmt: skip
        self._inc("indexed/created", result.created)
        self._inc("indexed/updated", result.updated)
        self._inc("indexed/unchanged", result.unchanged)
        self._inc("rejected", len(result.rejected))
        return result

    def _inc(self, key: str, count: int = 1) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"vnopinion/{key}", count)
