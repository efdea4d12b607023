"""GET /export: the documents of any filtered query as a CSV file, streamed."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from api.deps import EsDep, FiltersDep, SettingsDep
from indexer.export import COLUMNS, MAX_EXPORT_ROWS, open_export
from indexer.filters import VN_TZ

router = APIRouter(tags=["export"])

DESCRIPTION = f"""\
Tài liệu khớp bộ lọc chung, mới nhất trước, thành tệp CSV UTF-8 có BOM (Excel mở đúng tiếng
Việt), gửi dần từng trang. Cột: {", ".join(COLUMNS)}. Người bình luận chỉ có mã ẩn danh
`author_id`, không bao giờ có tên. Ô bắt đầu bằng = + - @ được thêm dấu ' để bảng tính không
chạy như công thức. Header `X-Total-Count`: số tài liệu khớp; số dòng là
min(X-Total-Count, max_rows). Elasticsearch lỗi trước khi gửi: 503; lỗi giữa chừng: kết nối
bị cắt (tệp dở dang, không bao giờ trông như đầy đủ)."""


@router.get(
    "/export",
    summary="Xuất CSV",
    description=DESCRIPTION,
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}, "description": "Tệp CSV UTF-8 (có BOM)"}},
)
def export_csv(
    es: EsDep,
    settings: SettingsDep,
    filters: FiltersDep,
    max_rows: Annotated[
        int, Query(ge=1, le=MAX_EXPORT_ROWS, description="Số dòng tối đa")
    ] = 10_000,
    text_chars: Annotated[
        int,
        Query(ge=0, le=32_000, description="Số ký tự tối đa của cột text (ô Excel ≤ 32.767)"),
    ] = 2_000,
) -> StreamingResponse:
    export = open_export(
        es, settings.index_alias, filters, max_rows=max_rows, text_chars=text_chars
    )
    name = f"vnopinion-{datetime.now(VN_TZ):%Y%m%d-%H%M}.csv"
    return StreamingResponse(
        export.chunks(),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Total-Count": str(export.total),
        },
    )
