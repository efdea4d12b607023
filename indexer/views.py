"""One document as the API shows it, with its comment thread.

The views are derived from the document model (the schema exists once): every field of
``Article`` / ``Comment`` except the analysis forms (``text_seg``, ``text_folded``), which
only serve search, and ``author_name``, which is personal data (Decree 13/2023/NĐ-CP).
"""

from __future__ import annotations

from typing import Any

from elasticsearch import Elasticsearch
from pydantic import BaseModel, ConfigDict, Field, create_model

from indexer.corrections import (
    Correction,
    CorrectionNote,
    CorrectionStore,
    Labels,
    effective_labels,
)
from indexer.documents import Article, Comment

__all__ = [
    "HIDDEN_FIELDS",
    "ArticleView",
    "CommentView",
    "DocumentThread",
    "Labels",
    "Thread",
    "ThreadComment",
    "effective_labels",
    "find_source",
    "get_document",
]

HIDDEN_FIELDS = ("text_seg", "text_folded", "author_name")
MAX_COMMENTS = 1_000
_COMMENTS = {"term": {"kind": "comment"}}


class _View(BaseModel):
    # Stored documents were validated on the way in; a field added by a later schema
    # version must not break reading an older API.
    model_config = ConfigDict(extra="ignore")


def _view_of(model: type[BaseModel], name: str) -> type[_View]:
    fields: dict[str, Any] = {
        field: (info.annotation, info)
        for field, info in model.model_fields.items()
        if field not in HIDDEN_FIELDS
    }
    return create_model(name, __base__=_View, __doc__=model.__doc__, **fields)


ArticleView = _view_of(Article, "ArticleView")
CommentView = _view_of(Comment, "CommentView")


class ThreadComment(CommentView):  # type: ignore[misc,valid-type]
    children: list[ThreadComment] = Field(
        default_factory=list, description="Các trả lời cho bình luận này, theo thời gian"
    )
    correction: CorrectionNote | None = Field(
        None, description="Lần hiệu chỉnh mới nhất của bình luận này, nếu có"
    )
    effective: Labels | None = Field(
        None, description="Nhãn có hiệu lực (đã hiệu chỉnh, hoặc của mô hình)"
    )


class Thread(BaseModel):
    total: int = Field(description="Tổng số bình luận của bài")
    returned: int = Field(description="Số bình luận trả về (tối đa comments_size)")
    comments: list[ThreadComment] = Field(
        description="Bình luận gốc theo thời gian, trả lời lồng trong `children`; một trả lời "
        "mà bình luận cha không nằm trong số trả về thì đứng ở cấp gốc (xem parent_id)"
    )


class DocumentThread(BaseModel):
    document: ArticleView | CommentView  # type: ignore[valid-type]
    thread: Thread | None = Field(description="Luồng bình luận (chỉ với bài báo)")
    correction: Correction | None = Field(
        None, description="Lần hiệu chỉnh mới nhất của cán bộ phân tích (ai, khi nào, nhãn đúng)"
    )
    effective: Labels | None = Field(
        None,
        description="Nhãn có hiệu lực: nhãn đã hiệu chỉnh nếu có, nếu không thì nhãn của mô "
        "hình (nhãn của mô hình vẫn giữ nguyên trong `document`)",
    )


def nest(comments: list[ThreadComment], article_id: str) -> list[ThreadComment]:
    """Replies under their parents; top-level comments (and orphans) in the given order."""
    by_id = {c.id: c for c in comments}
    top = []
    for comment in comments:
        parent = by_id.get(comment.parent_id)
        if comment.parent_id != article_id and parent is not None and parent is not comment:
            parent.children.append(comment)
        else:
            top.append(comment)
    return top


def _corrected(
    source: dict[str, Any], notes: dict[str, CorrectionNote], asked: dict[str, Any]
) -> dict[str, Any]:
    """``correction`` and ``effective`` of a thread comment, when corrections were asked for."""
    if not asked:
        return {}
    note = notes.get(source["id"])
    return {"correction": note, "effective": effective_labels(source, note)}


def find_source(client: Elasticsearch, alias: str, doc_id: str) -> dict[str, Any] | None:
    """The stored ``_source`` of ``doc_id`` without the hidden fields, or None."""
    found = client.search(
        index=alias,
        query={"ids": {"values": [doc_id]}},
        size=1,
        source_excludes=list(HIDDEN_FIELDS),
    )["hits"]["hits"]
    return dict(found[0]["_source"]) if found else None


def get_document(
    client: Elasticsearch,
    alias: str,
    doc_id: str,
    *,
    comments_size: int = 200,
    corrections_index: str | None = None,
) -> DocumentThread | None:
    """The document with id ``doc_id`` and, for an article, the first ``comments_size``
    comments of its thread in time order; None when there is no such document. With
    ``corrections_index``, also its latest correction and the labels in effect."""
    source = find_source(client, alias, doc_id)
    if source is None:
        return None
    extra: dict[str, Any] = {}
    if corrections_index is not None:
        correction = CorrectionStore(client, corrections_index).latest(doc_id)
        extra = {"correction": correction, "effective": effective_labels(source, correction)}
    if source.get("kind") != "article":
        return DocumentThread(document=CommentView.model_validate(source), thread=None, **extra)
    response = client.search(
        index=alias,
        query={
            "bool": {"filter": [{"term": {"thread_id": doc_id}}, {"term": {"kind": "comment"}}]}
        },
        sort=[{"published_at": {"order": "asc", "missing": "_last"}}, {"id": {"order": "asc"}}],
        size=min(comments_size, MAX_COMMENTS),
        source_excludes=list(HIDDEN_FIELDS),
        track_total_hits=True,
    )
    sources = [h["_source"] for h in response["hits"]["hits"]]
    notes: dict[str, CorrectionNote] = {}
    if corrections_index is not None:
        notes = CorrectionStore(client, corrections_index).latest_of([s["id"] for s in sources])
    comments = [
        ThreadComment.model_validate(source).model_copy(update=_corrected(source, notes, extra))
        for source in sources
    ]
    thread = Thread(
        total=int(response["hits"]["total"]["value"]),
        returned=len(comments),
        comments=nest(comments, doc_id),
    )
    return DocumentThread(document=ArticleView.model_validate(source), thread=thread, **extra)
