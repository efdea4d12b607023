"""Idempotent bulk upserts with every item's result checked.

Each document is an ``update`` with ``doc_as_upsert`` under its stable id in its monthly
index: indexing the same document twice leaves one, and fields a later stage added (tags)
survive a re-crawl that lacks them. No item is dropped silently: each rejection is
returned with Elasticsearch's reason.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from elasticsearch import Elasticsearch, TransportError
from elasticsearch.helpers import streaming_bulk
from tqdm import tqdm

from indexer.documents import AnyDocument
from indexer.errors import IndexingError
from indexer.mapping import index_for

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rejection:
    id: str
    index: str
    status: int
    reason: str


@dataclass
class BulkResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[Rejection] = field(default_factory=list)

    @property
    def indexed(self) -> int:
        return self.created + self.updated + self.unchanged

    def summary(self) -> str:
        return (
            f"{self.indexed} indexed ({self.created} new, {self.updated} updated, "
            f"{self.unchanged} unchanged), {len(self.rejected)} rejected"
        )


def upsert_action(alias: str, document: AnyDocument) -> dict[str, Any]:
    return {
        "_op_type": "update",
        "_index": index_for(alias, document),
        "_id": document.id,
        "doc": document.to_source(),
        "doc_as_upsert": True,
    }


def index_documents(
    client: Elasticsearch,
    documents: Iterable[AnyDocument],
    alias: str,
    *,
    chunk_size: int = 500,
    total: int | None = None,
    progress: bool = True,
) -> BulkResult:
    """Upsert ``documents``; return counts and every rejected document with its reason.

    A temporary refusal (429) is retried with backoff by the helper; an outage raises
    ``IndexingError`` after the client's own retries.
    """
    result = BulkResult()
    actions: Iterator[dict[str, Any]] = (upsert_action(alias, d) for d in documents)
    bar = tqdm(total=total, desc="indexing", unit="doc", disable=not progress, leave=False)
    try:
        for ok, item in streaming_bulk(
            client, actions, chunk_size=chunk_size, max_retries=3,
            raise_on_error=False,
        ):  # fmt: skip
            _count(result, ok, item)
            bar.update(1)
    except TransportError as exc:
        raise IndexingError(
            f"Elasticsearch could not be reached while indexing: {exc}",
            hint="check the node (`vnopinion es status`); documents already counted are stored.",
        ) from exc
    finally:
        bar.close()
    for rejection in result.rejected:
        log.warning("rejected %s (%s): %s", rejection.id, rejection.status, rejection.reason)
    return result


def _count(result: BulkResult, ok: bool, item: dict[str, Any]) -> None:
    info = item.get("update", {})
    if ok:
        outcome = info.get("result")
        if outcome == "created":
            result.created += 1
        elif outcome == "updated":
            result.updated += 1
        else:
            result.unchanged += 1
        return
    error = info.get("error", {})
    if isinstance(error, dict):
        reason = f"{error.get('type', 'error')}: {error.get('reason', '')}"
        cause = error.get("caused_by")
        if isinstance(cause, dict):
            reason += f" (caused by {cause.get('type')}: {cause.get('reason')})"
    else:
        reason = str(error)
    result.rejected.append(
        Rejection(str(info.get("_id")), str(info.get("_index")), _status(info), reason)
    )


def _status(info: dict[str, Any]) -> int:
    status = info.get("status")
    return status if isinstance(status, int) else 0
