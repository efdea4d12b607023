"""GET /documents/{id}: one document and, for an article, its comment thread."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query

from api.deps import EsDep, SettingsDep
from indexer.views import MAX_COMMENTS, DocumentThread, get_document

router = APIRouter(tags=["documents"])


@router.get(
    "/documents/{doc_id}",
    response_model=DocumentThread,
    summary="Một tài liệu và luồng bình luận",
    responses={404: {"description": "Không có tài liệu với id này"}},
)
def document(
    es: EsDep,
    settings: SettingsDep,
    doc_id: Annotated[str, Path(min_length=1, max_length=512, description="id của tài liệu")],
    comments_size: Annotated[
        int,
        Query(ge=0, le=MAX_COMMENTS, description="Số bình luận tối đa trả về, theo thời gian"),
    ] = 200,
) -> DocumentThread:
    """Tài liệu (không kèm các trường phân tích `text_seg`, `text_folded` và tên người bình
    luận). Với bài báo: các bình luận của bài theo thời gian, trả lời lồng trong `children`.
    `correction`: lần hiệu chỉnh mới nhất của cán bộ phân tích (ai, khi nào, nhãn đúng), hiện
    ngay sau khi gửi; `effective`: nhãn có hiệu lực (đã hiệu chỉnh, hoặc của mô hình)."""
    found = get_document(
        es, settings.index_alias, doc_id, comments_size=comments_size,
        corrections_index=settings.corrections_index,
    )  # fmt: skip
    if found is None:
        raise HTTPException(
            404, f"Không có tài liệu với id {doc_id!r} (no document with id {doc_id!r})"
        )
    return found
