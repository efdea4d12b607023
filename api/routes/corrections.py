"""POST /documents/{id}/corrections: an analyst corrects a document's sentiment or topics.

The guard (analyst or above) is set where the router is included (``api.app``); it leaves
the caller in the request state, and the correction records who they are.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Request
from pydantic import BaseModel, Field

from api.deps import EsDep, SettingsDep, VocabularyDep
from api.security.audit import STATE_KEY
from api.security.auth import Principal
from indexer.corrections import (
    MAX_NOTE,
    SENTIMENT_LABELS,
    Correction,
    CorrectionError,
    CorrectionStore,
    Corrector,
)
from indexer.views import Labels, effective_labels, find_source

router = APIRouter(tags=["documents"])

ANONYMOUS = "anonymous"  # with auth off (closed network), as in the audit log


class CorrectionIn(BaseModel):
    sentiment: str | None = Field(
        None,
        description=f"Cảm xúc đúng: {', '.join(SENTIMENT_LABELS)}; bỏ trống nếu không sửa",
        json_schema_extra={"enum": [*SENTIMENT_LABELS, None]},
    )
    watch_topics: list[str] | None = Field(
        None,
        max_length=50,
        description="Danh sách đầy đủ các chủ đề theo dõi đúng (mã, xem GET /topics; `[]`: "
        "không thuộc chủ đề nào); bỏ trống nếu không sửa",
    )
    note: str | None = Field(
        None, max_length=MAX_NOTE, description="Ghi chú (lý do hiệu chỉnh), không bắt buộc"
    )


class CorrectionOut(BaseModel):
    correction: Correction
    effective: Labels = Field(description="Nhãn có hiệu lực sau lần hiệu chỉnh này")


@router.post(
    "/documents/{doc_id}/corrections",
    response_model=CorrectionOut,
    status_code=201,
    summary="Hiệu chỉnh cảm xúc, chủ đề của một tài liệu",
    responses={
        403: {"description": "Cần vai trò analyst trở lên"},
        404: {"description": "Không có tài liệu với id này"},
        422: {"description": "Nhãn cảm xúc hoặc chủ đề không hợp lệ"},
    },
)
def correct(
    body: CorrectionIn,
    request: Request,
    es: EsDep,
    settings: SettingsDep,
    vocabulary: VocabularyDep,
    doc_id: Annotated[str, Path(min_length=1, max_length=512, description="id của tài liệu")],
) -> CorrectionOut:
    """Cán bộ phân tích (vai trò analyst trở lên) sửa nhãn cảm xúc và/hoặc chủ đề theo dõi
    của một tài liệu. Lần hiệu chỉnh được lưu trong chỉ mục riêng `<alias>.corrections` kèm
    người sửa (khóa, vai trò), thời điểm (UTC) và bản chụp văn bản cùng nhãn của mô hình lúc
    đó; nhãn của mô hình trên tài liệu giữ nguyên. Lần mới nhất có hiệu lực và hiện ngay trên
    GET /documents/{id}; `vnopinion train --task sentiment --with-feedback` dùng chúng để huấn
    luyện lại. Id không có: 404; nhãn hoặc chủ đề sai: 422."""
    source = find_source(es, settings.index_alias, doc_id)
    if source is None:
        raise HTTPException(
            404, f"Không có tài liệu với id {doc_id!r} (no document with id {doc_id!r})"
        )
    principal: Principal | None = getattr(request.state, STATE_KEY, None)
    by = (
        Corrector(key_id=principal.key_id, key_name=principal.name, role=principal.role)
        if principal is not None
        else Corrector(key_id=ANONYMOUS, key_name=ANONYMOUS, role=ANONYMOUS)
    )
    store = CorrectionStore(es, settings.corrections_index)
    try:
        correction = store.add(
            source, by, topics=vocabulary.topics, sentiment=body.sentiment,
            watch_topics=body.watch_topics, note=body.note,
        )  # fmt: skip
    except CorrectionError as exc:
        value = exc.value if isinstance(exc.value, str | None) else str(exc.value)
        raise HTTPException(
            422,
            [{"type": "value_error", "loc": ["body", exc.field], "msg": exc.message,
              "input": value}],
        ) from exc  # fmt: skip
    return CorrectionOut(correction=correction, effective=effective_labels(source, correction))
