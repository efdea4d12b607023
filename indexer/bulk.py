"""Idempotent bulk upserts with every item's result checked.

Each document is an ``update`` with ``doc_as_upsert`` under its stable id in its monthly
index: indexing the same document twice leaves one, and fields a later stage added (tags)
survive a re-crawl that lacks them. No item is dropped silently: each rejection is
returned with Elasticsearch's reason, and an outage names the documents it left unanswered
(``InterruptedIndexingError.pending``) so that ``indexer.spool`` can keep them on disk.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from elasticsearch import ApiError, Elasticsearch, TransportError
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

    @property
    def retryable(self) -> bool:
        """Too busy (429) or a server-side failure (5xx, e.g. a primary shard missing): the
        same document will go in later. Anything else (a mapping error) fails forever."""
        return self.status == 429 or self.status >= 500


@dataclass
class BulkResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    spooled: int = 0  # kept on disk (indexer.spool) for a later replay
    replayed: int = 0  # taken from the spool and indexed

    @property
    def indexed(self) -> int:
        return self.created + self.updated + self.unchanged

    def summary(self) -> str:
        text = (
            f"{self.indexed} indexed ({self.created} new, {self.updated} updated, "
            f"{self.unchanged} unchanged), {len(self.rejected)} rejected"
        )
        if self.spooled or self.replayed:
            text += f", {self.spooled} spooled, {self.replayed} replayed"
        return text

    def add(self, other: BulkResult) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.rejected.extend(other.rejected)
        self.spooled += other.spooled
        self.replayed += other.replayed


class InterruptedIndexingError(IndexingError):
    """Elasticsearch went away mid-write: ``result`` counts what it answered, ``pending``
    holds the documents it did not (some may be stored; upserts make a retry harmless)."""

    def __init__(
        self, message: str, hint: str, result: BulkResult, pending: list[AnyDocument]
    ) -> None:
        super().__init__(message, hint=hint)
        self.result = result
        self.pending = pending


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
    ``InterruptedIndexingError`` (an ``IndexingError``) after the client's own retries.
    """
    result = BulkResult()
    docs = list(documents)
    answered: set[str] = set()
    actions: Iterator[dict[str, Any]] = (upsert_action(alias, d) for d in docs)
    bar = tqdm(total=total, desc="indexing", unit="doc", disable=not progress, leave=False)
    try:
        for ok, item in streaming_bulk(
            client, actions, chunk_size=chunk_size, max_retries=3,
            raise_on_error=False,
        ):  # fmt: skip
            answered.add(_count(result, ok, item))
            bar.update(1)
    except TransportError as exc:
        raise _interrupted(exc, result, [d for d in docs if d.id not in answered]) from exc
    except ApiError as exc:
        # The whole request refused: busy or failing (429, 5xx, e.g. a node shutting down)
        # is an outage like a refused connection; anything else (401, 403) is not.
        if exc.meta.status != 429 and exc.meta.status < 500:
            raise IndexingError(
                f"Elasticsearch refused the bulk request: {exc}",
                hint="check the credentials (VNOPINION_ES_USERNAME / _PASSWORD).",
            ) from exc
        raise _interrupted(exc, result, [d for d in docs if d.id not in answered]) from exc
    finally:
        bar.close()
    for rejection in result.rejected:
        log.warning("rejected %s (%s): %s", rejection.id, rejection.status, rejection.reason)
    return result


def _interrupted(
    exc: Exception, result: BulkResult, pending: list[AnyDocument]
) -> InterruptedIndexingError:
    return InterruptedIndexingError(
        f"Elasticsearch could not take the documents: {exc}",
        hint="check the node (`vnopinion es status`); documents already counted are stored.",
        result=result,
        pending=pending,
    )


def _count(result: BulkResult, ok: bool, item: dict[str, Any]) -> str:
    """Count one item's outcome; return its id."""
    info = item.get("update", {})
    if ok:
        outcome = info.get("result")
        if outcome == "created":
            result.created += 1
        elif outcome == "updated":
            result.updated += 1
        else:
            result.unchanged += 1
        return str(info.get("_id"))
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
    return str(info.get("_id"))


def _status(info: dict[str, Any]) -> int:
    status = info.get("status")
    return status if isinstance(status, int) else 0
