"""Where the pipeline stores documents: Elasticsearch, or a JSON Lines file."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import IO, Protocol

from elasticsearch import Elasticsearch

from indexer.documents import AnyDocument
from indexer.errors import IndexingError
from indexer.setup import ensure_index
from indexer.spool import Spool, replay, store_durably

log = logging.getLogger(__name__)


class Sink(Protocol):
    def store(self, documents: list[AnyDocument]) -> set[str]:
        """Store documents; return the ids stored (a rejected one is logged, not returned)."""

    def close(self) -> None: ...


class IndexSink:
    """Elasticsearch, with the spool (indexer/spool.py) behind it: what Elasticsearch cannot
    take now is kept on disk and counts as stored; the spool is replayed first at every store
    once Elasticsearch answers."""

    def __init__(self, client: Elasticsearch, alias: str, chunk_size: int, spool: Spool) -> None:
        self.client = client
        self.alias = alias
        self.chunk_size = chunk_size
        self.spool = spool
        self.counts = {"created": 0, "updated": 0, "unchanged": 0, "rejected": 0,
                       "spooled": 0, "replayed": 0}  # fmt: skip
        self._ready = False
        if self._ensure_ready() and self.spool.segments():
            self._replay()

    def store(self, documents: list[AnyDocument]) -> set[str]:
        """Raises ``SpoolError`` when documents can be neither indexed nor spooled."""
        if self.spool.segments() and self._ensure_ready():
            self._replay()
        client = self.client if self._ready or self._ensure_ready() else None
        result = store_durably(client, documents, self.alias, self.spool,
                               chunk_size=self.chunk_size)  # fmt: skip
        self.counts["created"] += result.created
        self.counts["updated"] += result.updated
        self.counts["unchanged"] += result.unchanged
        self.counts["rejected"] += len(result.rejected)
        self.counts["spooled"] += result.spooled
        rejected = {r.id for r in result.rejected}
        return {d.id for d in documents} - rejected

    def close(self) -> None:
        self.spool.close()
        self.client.close()

    def _ensure_ready(self) -> bool:
        """Template and alias in place (once); False while Elasticsearch is away."""
        if self._ready:
            return self.client.ping()
        try:
            ensure_index(self.client, self.alias)
        except IndexingError as exc:
            log.warning("Elasticsearch is away, documents go to the spool: %s", exc.message)
            return False
        self._ready = True
        return True

    def _replay(self) -> None:
        report = replay(self.client, self.spool, chunk_size=self.chunk_size)
        self.counts["replayed"] += report.result.replayed
        self.counts["rejected"] += len(report.result.rejected)
        log.info("spool: %s", report.summary())
        if report.error:
            log.warning("spool replay stopped, the rest waits: %s", report.error)


class JsonlSink:
    """One JSON document per line, flushed and fsync'd per batch (nothing half-written)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.handle: IO[str] = path.open("a", encoding="utf-8")
        self.counts = {"written": 0}

    def store(self, documents: list[AnyDocument]) -> set[str]:
        lines = "".join(json.dumps(d.to_source(), ensure_ascii=False) + "\n" for d in documents)
        self.handle.write(lines)
        self.handle.flush()
        os.fsync(self.handle.fileno())
        self.counts["written"] += len(documents)
        return {d.id for d in documents}

    def close(self) -> None:
        self.handle.close()
