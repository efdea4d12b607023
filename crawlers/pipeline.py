"""Item pipeline: batch documents, tag them (nlp.tagger), store them, record the state.

Blocking work (tagging, writes to Elasticsearch or disk) runs in a worker thread, never on
the reactor. An article is recorded in the crawl state only after its document is stored
(indexed, or kept in the spool while Elasticsearch is away), so a killed crawl refetches
what it lost, and so does a batch that could be neither indexed nor spooled (it is logged
as an error and counted under ``vnopinion/failed``). Counts land in Scrapy's stats under
``vnopinion/``.

With the fetch journal (Scrapy setting ``VNOPINION_JOURNAL``, crawlers/journal.py) an
article is recorded as soon as its document is durably journaled instead: the journal, not
the refetch, makes up for a kill, and what it holds is stored at the next open.

With ``VNOPINION_JOURNAL_DEFER`` as well, the crawl only fetches and journals: no tagger is
loaded and nothing is stored here. The monitor does that after each cycle with the tagger it
keeps loaded (``crawlers.monitor.ingest``), so a crawl process starts in seconds instead of
loading every model again.
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
from crawlers.journal import (
    DEFER_SETTING,
    JOURNAL_SETTING,
    Journal,
    JournalItem,
    Ticket,
    replay,
)
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
    def __init__(
        self,
        crawler: Crawler | None,
        settings: Settings,
        out: Path | None,
        journal_dir: Path | None = None,
        defer: bool = False,
    ) -> None:
        if defer and journal_dir is None:
            raise ValueError(f"{DEFER_SETTING} needs {JOURNAL_SETTING}: deferred work is journaled")
        self.crawler = crawler
        self.settings = settings
        self.out = out
        self.journal_dir = journal_dir
        self.defer = defer  # journal only: the monitor tags and stores
        self.buffer: list[AnyDocument] = []
        self.tickets: list[Ticket] = []  # the buffer's journal entries
        self.pending: dict[str, FetchedArticle] = {}
        self.sink: Sink | None = None
        self.state: CrawlState | None = None
        self.duplicates: NearDuplicates | None = None
        self.tagger: Tagger | None = None
        self.journal: Journal | None = None
        self._own_tagger = True
        # Batches are flushed from worker threads; tagging (underthesea) and the sinks are
        # not thread-safe, so one batch is stored at a time.
        self._store_lock = threading.Lock()
        # Group commit: one fsync covers every entry appended before it started.
        self._durable = 0
        self._syncing: asyncio.Future[None] | None = None
        self._unmarked: list[tuple[int, FetchedArticle]] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IndexingPipeline:
        out = crawler.settings.get(OUT_KEY)
        journal = crawler.settings.get(JOURNAL_SETTING)
        return cls(
            crawler, settings_from_crawler(crawler), Path(out) if out else None,
            Path(journal) if journal else None, crawler.settings.getbool(DEFER_SETTING),
        )  # fmt: skip

    async def open_spider(self) -> None:
        if self.defer:
            assert self.journal_dir is not None  # noqa: S101 (checked in __init__)
            self.state = CrawlState(state_path(self.settings))
            self.journal = Journal(self.journal_dir)
            return
        await asyncio.to_thread(self.open_stores)
        if self.journal_dir is not None:
            chunk = self.settings.bulk_chunk_size
            report = await asyncio.to_thread(replay, self.journal_dir, self.store_items, chunk)
            self._inc("journal/replayed", report.stored)
            self._inc("journal/torn", report.torn)
            self.journal = Journal(self.journal_dir)

    def open_stores(self, tagger: Tagger | None = None) -> None:
        """Crawl state, near-duplicates, tagger (``tagger`` if given: not closed) and sink."""
        self.state = CrawlState(state_path(self.settings))
        self.duplicates = NearDuplicates(self.settings.data_dir / DUPLICATES_FILE)
        settings = self.settings
        if tagger is not None:
            self.tagger, self._own_tagger = tagger, False
        else:
            self.tagger = Tagger(
                settings.models_dir, workers=settings.nlp_workers,
                entities=settings.nlp_entities, backend=settings.nlp_backend,
            )  # fmt: skip
        if self.out is not None:
            self.sink = JsonlSink(self.out)
        else:
            client = make_client(self.settings)
            alias, chunk = self.settings.index_alias, self.settings.bulk_chunk_size
            self.sink = IndexSink(client, alias, chunk, Spool(self.settings.spool_dir))
            self._record_sink_counts()  # the sink replays the spool as it opens

    def close_stores(self) -> None:
        if self.sink is not None:
            self.sink.close()
        if self.state is not None:
            self.state.close()
        if self.duplicates is not None:
            self.duplicates.close()
        if self.tagger is not None and self._own_tagger:
            self.tagger.close()

    async def process_item(self, item: Any) -> Any:
        document: AnyDocument
        if isinstance(item, FetchedArticle):
            document = item.document
        elif isinstance(item, Article | Comment):
            document = item
        else:
            raise DropItem(f"not a vnopinion document: {type(item).__name__}")
        self._inc(f"fetched/{document.kind}")
        if self.journal is not None:
            ticket = await self._journal(item)
            if self.defer:
                return item  # stays in the journal for the monitor
            self.tickets.append(ticket)
        if isinstance(item, FetchedArticle):
            self.pending[document.id] = item
        self.buffer.append(document)
        if len(self.buffer) >= self.settings.bulk_chunk_size:
            batch, self.buffer = self.buffer, []
            tickets, self.tickets = self.tickets, []
            await asyncio.to_thread(self._store, batch, tickets)
        return item

    async def close_spider(self) -> None:
        batch, self.buffer = self.buffer, []
        tickets, self.tickets = self.tickets, []
        if batch:
            await asyncio.to_thread(self._store, batch, tickets)
        if self.journal is not None:
            await asyncio.to_thread(self.journal.close)
        self.close_stores()

    # -- the journal ---------------------------------------------------------------------

    async def _journal(self, item: JournalItem) -> Ticket:
        """Append ``item``, wait until it is durable and its article recorded as fetched."""
        assert self.journal is not None  # noqa: S101 (opened in open_spider)
        ticket = self.journal.append(item)
        written = self.journal.appended
        self._inc("journal/entries")
        if isinstance(item, FetchedArticle):
            self._unmarked.append((written, item))
        while self._durable < written:
            if self._syncing is None:
                self._syncing = asyncio.ensure_future(self._sync())
            await asyncio.shield(self._syncing)
        return ticket

    async def _sync(self) -> None:
        assert self.journal is not None  # noqa: S101
        try:
            upto = self.journal.appended
            marks = [fetched for n, fetched in self._unmarked if n <= upto]
            self._unmarked = [(n, f) for n, f in self._unmarked if n > upto]
            await asyncio.to_thread(self._sync_and_mark, marks)
            self._durable = upto
            self._inc("journal/syncs")
        finally:
            self._syncing = None

    def _sync_and_mark(self, articles: list[FetchedArticle]) -> None:
        """fsync, then record the articles: journaled counts as fetched for later crawls."""
        assert self.journal is not None  # noqa: S101
        self.journal.sync()
        for fetched in articles:
            self._mark(fetched)

    def store_items(self, items: list[JournalItem]) -> bool:
        """Store replayed journal entries; whether they were stored (or spooled)."""
        documents: list[AnyDocument] = []
        for item in items:
            if isinstance(item, FetchedArticle):
                self.pending[item.document.id] = item
                documents.append(item.document)
            else:
                documents.append(item)
        with self._store_lock:
            return self._store_locked(documents)

    # -- storing -------------------------------------------------------------------------

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

    def _store(self, batch: list[AnyDocument], tickets: list[Ticket]) -> None:
        with self._store_lock:
            stored = self._store_locked(batch)
        if stored and self.journal is not None:
            # Rejected documents are acknowledged too: a replay would be refused again.
            self.journal.ack(tickets)

    def _store_locked(self, batch: list[AnyDocument]) -> bool:
        assert self.sink is not None  # noqa: S101 (opened in open_spider)
        assert self.tagger is not None  # noqa: S101 (opened in open_spider)
        try:
            stored = self.sink.store(self.tagger.tag(self._mark_copies(batch)))
        except VnopinionError as exc:
            # Nothing of this batch is recorded as stored: its articles are fetched again.
            log.error("a batch of %d documents was not stored: %s", len(batch), exc)
            self._inc("failed", len(batch))
            return False
        self._inc("stored", len(stored))
        self._inc("rejected", len(batch) - len(stored))
        for doc_id in stored:
            fetched = self.pending.pop(doc_id, None)
            if fetched is not None:
                self._mark(fetched)
        self._record_sink_counts()
        return True

    def _mark(self, fetched: FetchedArticle) -> None:
        assert self.state is not None  # noqa: S101 (opened in open_stores)
        self.state.mark_stored(
            fetched.urls or [fetched.document.url], source=fetched.source_key,
            doc_id=fetched.document.id, published_at=fetched.document.published_at,
            comment_ref=fetched.comment_ref,
        )  # fmt: skip

    def _record_sink_counts(self) -> None:
        if isinstance(self.sink, IndexSink):
            for key in ("created", "updated", "unchanged"):
                self._set(f"indexed/{key}", self.sink.counts[key])
            self._set("spooled", self.sink.counts["spooled"])
            self._set("replayed", self.sink.counts["replayed"])

    def _inc(self, key: str, count: int = 1) -> None:
        if self.crawler is not None and self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"vnopinion/{key}", count)

    def _set(self, key: str, value: int) -> None:
        if self.crawler is not None and self.crawler.stats is not None:
            self.crawler.stats.set_value(f"vnopinion/{key}", value)


class StandaloneStore:
    """The pipeline's storing half without a crawl, for ``replay_journal`` (a context)."""

    def __init__(self, settings: Settings, tagger: Tagger | None = None) -> None:
        self._pipeline = IndexingPipeline(None, settings, None)
        self._tagger = tagger

    def __enter__(self) -> StandaloneStore:
        self._pipeline.open_stores(self._tagger)
        return self

    def __exit__(self, *exc: object) -> None:
        self._pipeline.close_stores()

    def store_items(self, items: list[JournalItem]) -> bool:
        return self._pipeline.store_items(items)

    @property
    def counts(self) -> dict[str, int]:
        """The sink's running counts (created, updated, unchanged, rejected, spooled, ...)."""
        sink = self._pipeline.sink
        return dict(sink.counts) if isinstance(sink, IndexSink) else {}
