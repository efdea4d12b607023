"""Item pipeline: batch documents, tag them (nlp.tagger), store them, record the state.

Blocking work (tagging, writes to Elasticsearch or disk) runs in a worker thread, never on
the reactor. An article is recorded in the crawl state only after its document is stored
(indexed, or kept in the spool while Elasticsearch is away), so a killed crawl refetches
what it lost, and so does a batch that could be neither indexed nor spooled (it is logged
as an error and counted under ``vnopinion/failed``). Counts land in Scrapy's stats under
``vnopinion/``.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from pathlib import Path
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawlers.dedupe import NearDuplicates
from crawlers.items import FetchedArticle
from crawlers.sinks import IndexSink, JsonlSink, Sink
from crawlers.state import CrawlState
from indexer.client import make_client
from indexer.documents import AnyDocument, Article, Comment
from indexer.errors import VnopinionError
from indexer.spool import Spool
from nlp.tagger import Tagger
from vnopinion.settings import Settings

log = logging.getLogger(__name__)
SETTINGS_KEY = "VNOPINION_SETTINGS"
OUT_KEY = "VNOPINION_OUT"  # a JSON Lines path: write there instead of indexing
STATE_FILE = "crawl-state.sqlite"
DUPLICATES_FILE = "near-duplicates.sqlite"


def settings_from_crawler(crawler: Crawler) -> Settings:
    settings = crawler.settings.get(SETTINGS_KEY)
    if not isinstance(settings, Settings):
        raise RuntimeError(f"Scrapy setting {SETTINGS_KEY} must hold vnopinion Settings")
    return settings


def state_path(settings: Settings) -> Path:
    return settings.data_dir / STATE_FILE


class IndexingPipeline:
    def __init__(self, crawler: Crawler, settings: Settings, out: Path | None) -> None:
        self.crawler = crawler
        self.settings = settings
        self.out = out
        self.buffer: list[AnyDocument] = []
        self.pending: dict[str, FetchedArticle] = {}
        self.sink: Sink | None = None
        self.state: CrawlState | None = None
        self.duplicates: NearDuplicates | None = None
        self.tagger: Tagger | None = None
        # Batches are flushed from worker threads; tagging (underthesea) and the sinks are
        # not thread-safe, so one batch is stored at a time.
        self._store_lock = threading.Lock()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IndexingPipeline:
        out = crawler.settings.get(OUT_KEY)
        return cls(crawler, settings_from_crawler(crawler), Path(out) if out else None)

    async def open_spider(self) -> None:
        self.state = CrawlState(state_path(self.settings))
        self.duplicates = NearDuplicates(self.settings.data_dir / DUPLICATES_FILE)
        settings = self.settings
        self.tagger = await asyncio.to_thread(
            Tagger, settings.models_dir, workers=settings.nlp_workers,
            entities=settings.nlp_entities, backend=settings.nlp_backend,
        )  # fmt: skip
        if self.out is not None:
            self.sink = JsonlSink(self.out)
        else:
            client = make_client(self.settings)
            alias, chunk = self.settings.index_alias, self.settings.bulk_chunk_size
            spool = Spool(self.settings.spool_dir)
            self.sink = await asyncio.to_thread(IndexSink, client, alias, chunk, spool)
            self._record_sink_counts()  # the sink replays the spool as it opens

    async def process_item(self, item: Any) -> Any:
        document: AnyDocument
        if isinstance(item, FetchedArticle):
            document = item.document
            self.pending[document.id] = item
        elif isinstance(item, Article | Comment):
            document = item
        else:
            raise DropItem(f"not a vnopinion document: {type(item).__name__}")
        self._inc(f"fetched/{document.kind}")
        self.buffer.append(document)
        if len(self.buffer) >= self.settings.bulk_chunk_size:
            batch, self.buffer = self.buffer, []
            await asyncio.to_thread(self._store, batch)
        return item

    async def close_spider(self) -> None:
        batch, self.buffer = self.buffer, []
        if batch:
            await asyncio.to_thread(self._store, batch)
        if self.sink is not None:
            self.sink.close()
        if self.state is not None:
            self.state.close()
        if self.duplicates is not None:
            self.duplicates.close()
        if self.tagger is not None:
            self.tagger.close()

    def _mark_copies(self, batch: list[AnyDocument]) -> list[AnyDocument]:
        """Syndicated copies get ``duplicate_of``; nothing is dropped."""
        assert self.duplicates is not None  # noqa: S101 (opened in open_spider)
        marked: list[AnyDocument] = []
        for doc in batch:
            if isinstance(doc, Article):
                original = self.duplicates.original_of(doc.id, f"{doc.title}\n{doc.text}")
                if original is not None:
                    self._inc("near_duplicates")
                    doc = doc.model_copy(update={"duplicate_of": original})
            marked.append(doc)
        return marked

    def _store(self, batch: list[AnyDocument]) -> None:
        with self._store_lock:
            self._store_locked(batch)

    def _store_locked(self, batch: list[AnyDocument]) -> None:
        assert self.sink is not None  # noqa: S101 (opened in open_spider)
        assert self.tagger is not None  # noqa: S101 (opened in open_spider)
        try:
            stored = self.sink.store(self.tagger.tag(self._mark_copies(batch)))
        except VnopinionError as exc:
            # Nothing of this batch is recorded as stored: its articles are fetched again.
            log.error("a batch of %d documents was not stored: %s", len(batch), exc)
            self._inc("failed", len(batch))
            return
        self._inc("stored", len(stored))
        self._inc("rejected", len(batch) - len(stored))
        for doc_id in stored:
            fetched = self.pending.pop(doc_id, None)
            if fetched is not None and self.state is not None:
                self.state.mark_stored(
                    fetched.urls or [fetched.document.url], source=fetched.source_key,
                    doc_id=doc_id, published_at=fetched.document.published_at,
                    comment_ref=fetched.comment_ref,
                )  # fmt: skip
        self._record_sink_counts()

    def _record_sink_counts(self) -> None:
        if isinstance(self.sink, IndexSink):
            for key in ("created", "updated", "unchanged"):
                self._set(f"indexed/{key}", self.sink.counts[key])
            self._set("spooled", self.sink.counts["spooled"])
            self._set("replayed", self.sink.counts["replayed"])

    def _inc(self, key: str, count: int = 1) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"vnopinion/{key}", count)

    def _set(self, key: str, value: int) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.set_value(f"vnopinion/{key}", value)
