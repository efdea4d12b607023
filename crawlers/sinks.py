"""Where the pipeline stores documents: Elasticsearch, or a JSON Lines file."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import IO, Protocol

from elasticsearch import Elasticsearch

from indexer.bulk import index_documents
from indexer.documents import AnyDocument
from indexer.setup import ensure_index


class Sink(Protocol):
    def store(self, documents: list[AnyDocument]) -> set[str]:
        """Store documents; return the ids stored (a rejected one is logged, not returned)."""

    def close(self) -> None: ...


class IndexSink:
    def __init__(self, client: Elasticsearch, alias: str, chunk_size: int) -> None:
        self.client = client
        self.alias = alias
        self.chunk_size = chunk_size
        self.counts = {"created": 0, "updated": 0, "unchanged": 0, "rejected": 0}
        ensure_index(client, alias)

    def store(self, documents: list[AnyDocument]) -> set[str]:
        result = index_documents(self.client, documents, self.alias,
                                 chunk_size=self.chunk_size, total=len(documents),
                                 progress=False)  # fmt: skip
        self.counts["created"] += result.created
        self.counts["updated"] += result.updated
        self.counts["unchanged"] += result.unchanged
        self.counts["rejected"] += len(result.rejected)
        rejected = {r.id for r in result.rejected}
        return {d.id for d in documents} - rejected

    def close(self) -> None:
        self.client.close()


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
