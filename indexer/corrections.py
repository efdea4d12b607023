"""Analysts' corrections of a document's sentiment and watch topics, in an index of their own.

A correction is never written onto the document: the model's labels stay what the model
said, and the correction lives beside it in ``<alias>.corrections`` (outside the documents'
``<alias>-*`` template, like the API keys), one record per correction, so the history is
kept and the latest correction of a document wins (by ``created_at``, then by id).

Each record carries who made it (key id, key name, role) and when (UTC), and a snapshot of
the document at that moment: its text, title and lead, and the labels the model gave it.
Training on corrections (``vnopinion train --with-feedback``) reads the snapshot, so it does
not depend on the document still being in the index after retention dropped its month.

The mapping is derived from the ``Correction`` model below (the schema exists once) and is
``dynamic: strict``.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection, Iterator, Mapping
from datetime import UTC, datetime
from typing import Annotated, Any

from elasticsearch import Elasticsearch
from pydantic import BaseModel, ConfigDict, Field

from indexer.documents import Date, EsField, Keyword, Keywords
from indexer.mapping import model_properties
from indexer.setup import create_if_missing

__all__ = [
    "SENTIMENT_LABELS",
    "Correction",
    "CorrectionError",
    "CorrectionNote",
    "CorrectionStore",
    "Corrector",
    "Labels",
    "Snapshot",
    "effective_labels",
    "latest_notes",
    "latest_per_document",
    "latest_search",
    "mapping",
]

SENTIMENT_LABELS: tuple[str, ...] = ("negative", "neutral", "positive")
MAX_NOTE = 2_000
MAX_TOPICS = 50
PAGE = 1_000
# Stored, never searched: the snapshot only feeds training and exports.
StoredText = Annotated[str, EsField({"type": "text", "index": False})]
NoteText = Annotated[str, EsField({"type": "text", "analyzer": "standard"})]
SETTINGS: dict[str, Any] = {"number_of_shards": 1, "auto_expand_replicas": "0-1"}


class CorrectionError(ValueError):
    """A correction the store refuses; ``field`` names the value, ``message`` is bilingual."""

    def __init__(self, field: str, message: str, value: object = None) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.value = value


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore")  # a later schema's field must not break reading


class Corrector(_Model):
    """Who made the correction: the API key (its id and name) and its role at that time."""

    key_id: Keyword = Field(description="id của khóa API (`anonymous` khi tắt xác thực)")
    key_name: Keyword = Field(description="tên của khóa API")
    role: Keyword = Field(description="vai trò: analyst hoặc admin")


class Snapshot(_Model):
    """The document when it was corrected: what the model read, and what it said."""

    kind: Keyword
    source: Keyword | None = None
    published_at: Date | None = None
    title: StoredText | None = None
    lead: StoredText | None = None
    text: StoredText = ""
    model_sentiment: Keyword | None = Field(None, description="nhãn cảm xúc do mô hình gán")
    model_watch_topics: Keywords = Field(
        default_factory=list, description="chủ đề theo dõi do luật gán"
    )
    model_version: Keyword | None = None


class CorrectionNote(_Model):
    """A correction as a result list shows it: the labels, who and when (no snapshot)."""

    id: Keyword = Field(description="id của lần hiệu chỉnh")
    sentiment: Keyword | None = Field(
        None, description="cảm xúc đúng (negative, neutral, positive); trống: không sửa"
    )
    watch_topics: Keywords | None = Field(
        None, description="các chủ đề theo dõi đúng (danh sách đầy đủ); trống: không sửa"
    )
    note: NoteText | None = Field(None, description="ghi chú của người hiệu chỉnh")
    by: Corrector
    created_at: Date = Field(description="thời điểm hiệu chỉnh (UTC)")


class Correction(CorrectionNote):
    """One analyst's correction of one document."""

    document_id: Keyword = Field(description="id của tài liệu được hiệu chỉnh")
    snapshot: Snapshot


class Labels(BaseModel):
    sentiment: str | None = Field(description="Cảm xúc: negative, neutral, positive")
    watch_topics: list[str] = Field(description="Các chủ đề theo dõi (mã)")


def effective_labels(source: Mapping[str, Any], correction: CorrectionNote | None) -> Labels:
    """The labels that hold: the analyst's where they corrected, the model's elsewhere."""
    sentiment = (source.get("sentiment") or {}).get("label")
    topics = list(source.get("watch_topics") or [])
    if correction is not None and correction.sentiment is not None:
        sentiment = correction.sentiment
    if correction is not None and correction.watch_topics is not None:
        topics = list(correction.watch_topics)
    return Labels(sentiment=sentiment, watch_topics=topics)


def latest_search(index: str, document_ids: Collection[str]) -> dict[str, Any]:
    """The search (keyword arguments of ``search``) for the latest correction of each of
    ``document_ids``: one hit per document (``collapse``), without the snapshot."""
    return {
        "index": index,
        "ignore_unavailable": True,  # no correction yet: no index yet
        "size": len(document_ids),
        "query": {"terms": {"document_id": sorted(document_ids)}},
        "collapse": {"field": "document_id"},
        "sort": [{"created_at": "desc"}, {"id": "desc"}],
        "source_excludes": ["snapshot"],
    }


def latest_notes(response: Any) -> dict[str, CorrectionNote]:
    """Document id -> its latest correction, from the answer to ``latest_search``."""
    return {
        hit["_source"]["document_id"]: CorrectionNote.model_validate(hit["_source"])
        for hit in response["hits"]["hits"]
    }


def mapping() -> dict[str, Any]:
    return {"dynamic": "strict", "properties": model_properties(Correction)}


def validate(
    sentiment: str | None,
    watch_topics: Collection[str] | None,
    note: str | None,
    topics: Collection[str],
) -> tuple[str | None, list[str] | None, str | None]:
    """The values cleaned (topics sorted, unique; note stripped), or ``CorrectionError``."""
    if sentiment is not None and sentiment not in SENTIMENT_LABELS:
        raise CorrectionError(
            "sentiment",
            f"Nhãn cảm xúc không hợp lệ: {sentiment!r}; chọn một trong "
            f"{', '.join(SENTIMENT_LABELS)} (unknown sentiment label)",
            sentiment,
        )
    cleaned: list[str] | None = None
    if watch_topics is not None:
        unknown = sorted({t for t in watch_topics if t not in topics})
        if unknown:
            raise CorrectionError(
                "watch_topics",
                f"Chủ đề theo dõi không có trong danh mục: {', '.join(map(repr, unknown))}; "
                f"xem GET /topics (unknown watch topic)",
                unknown,
            )
        cleaned = sorted(set(watch_topics))
        if len(cleaned) > MAX_TOPICS:
            raise CorrectionError("watch_topics", "Quá nhiều chủ đề (too many topics)")
    text = note.strip() if note else None
    if text and len(text) > MAX_NOTE:
        raise CorrectionError(
            "note", f"Ghi chú dài quá {MAX_NOTE} ký tự (note longer than {MAX_NOTE} characters)"
        )
    if sentiment is None and cleaned is None:
        raise CorrectionError(
            "body",
            "Cần sửa ít nhất cảm xúc hoặc chủ đề theo dõi "
            "(give a sentiment, a list of watch topics, or both)",
        )
    return sentiment, cleaned, text or None


def snapshot_of(source: Mapping[str, Any]) -> Snapshot:
    """The snapshot of a document's ``_source`` as the index holds it."""
    sentiment = source.get("sentiment") or {}
    return Snapshot(
        kind=str(source.get("kind", "")),
        source=source.get("source"),
        published_at=source.get("published_at"),
        title=source.get("title"),
        lead=source.get("lead"),
        text=source.get("text") or "",
        model_sentiment=sentiment.get("label"),
        model_watch_topics=list(source.get("watch_topics") or []),
        model_version=source.get("model_version"),
    )


def latest_per_document(corrections: Iterator[Correction]) -> list[Correction]:
    """The latest correction of each document (``created_at``, then id), by document id."""
    latest: dict[str, Correction] = {}
    for c in corrections:
        held = latest.get(c.document_id)
        if held is None or (c.created_at, c.id) > (held.created_at, held.id):
            latest[c.document_id] = c
    return [latest[key] for key in sorted(latest)]


class CorrectionStore:
    def __init__(self, es: Elasticsearch, index: str) -> None:
        self.es = es
        self.index = index

    def ensure(self) -> None:
        """Create the index if it is missing (idempotent; a race with another API is fine)."""
        create_if_missing(self.es, self.index, mapping(), SETTINGS)

    def add(
        self,
        document: Mapping[str, Any],
        by: Corrector,
        *,
        topics: Collection[str],
        sentiment: str | None = None,
        watch_topics: Collection[str] | None = None,
        note: str | None = None,
        now: datetime | None = None,
    ) -> Correction:
        """Store a correction of ``document`` (its ``_source``) and make it visible at once.

        ``topics`` is the watch-topic vocabulary; a bad value raises ``CorrectionError``.
        """
        sentiment, cleaned, note = validate(sentiment, watch_topics, note, topics)
        correction = Correction(
            id=secrets.token_hex(8),
            document_id=str(document["id"]),
            sentiment=sentiment,
            watch_topics=cleaned,
            note=note,
            by=by,
            created_at=(now or datetime.now(UTC)).astimezone(UTC),
            snapshot=snapshot_of(document),
        )
        self.ensure()
        self.es.index(
            index=self.index, id=correction.id, op_type="create", refresh="wait_for",
            document=correction.model_dump(mode="json", exclude_none=True),
        )  # fmt: skip
        return correction

    def history(self, document_id: str, size: int = 100) -> list[Correction]:
        """The document's corrections, newest first (at most ``size``)."""
        response = self.es.search(
            index=self.index, ignore_unavailable=True, size=size,
            query={"term": {"document_id": document_id}},
            sort=[{"created_at": "desc"}, {"id": "desc"}],
        )  # fmt: skip
        return [Correction.model_validate(h["_source"]) for h in response["hits"]["hits"]]

    def latest_of(self, document_ids: Collection[str]) -> dict[str, CorrectionNote]:
        """The latest correction of each of ``document_ids`` that has one."""
        if not document_ids:
            return {}
        return latest_notes(self.es.search(**latest_search(self.index, document_ids)))

    def latest(self, document_id: str) -> Correction | None:
        found = self.history(document_id, size=1)
        return found[0] if found else None

    def all(self) -> Iterator[Correction]:
        """Every correction, oldest first (``search_after`` pages; no scroll context)."""
        after: list[Any] | None = None
        while True:
            response = self.es.search(
                index=self.index, ignore_unavailable=True, size=PAGE,
                sort=[{"created_at": "asc"}, {"id": "asc"}], search_after=after,
            )  # fmt: skip
            hits = response["hits"]["hits"]
            for hit in hits:
                yield Correction.model_validate(hit["_source"])
            if len(hits) < PAGE:
                return
            after = hits[-1]["sort"]

    def latest_all(self) -> list[Correction]:
        """The latest correction of every corrected document, by document id."""
        return latest_per_document(self.all())
