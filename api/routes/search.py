"""GET /search: accent-insensitive full text under the shared filters, three sorts,
page numbers up to 10,000 results and a cursor beyond."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from api.deps import AsyncEsDep, FiltersDep, SettingsDep
from api.responses import model_response
from indexer.corrections import latest_notes, latest_search
from indexer.queries import (
    MAX_RESULT_WINDOW,
    Hit,
    Paging,
    SortName,
    search_page,
    search_request,
    with_corrections,
)

router = APIRouter(tags=["search"])


class SearchResponse(BaseModel):
    query: str | None = Field(description="Từ khóa đã tìm (q)")
    sort: SortName
    total: int = Field(description="Tổng số kết quả khớp")
    page: int
    size: int
    hits: list[Hit]
    next_cursor: str | None = Field(
        description="Đưa vào `cursor` để lấy trang kế tiếp; null khi đã hết"
    )


@router.get("/search", response_model=SearchResponse, summary="Tìm kiếm toàn văn")
async def search(
    es: AsyncEsDep,
    settings: SettingsDep,
    filters: FiltersDep,
    sort: Annotated[
        SortName,
        Query(
            description="`relevance` (liên quan nhất), `time` (mới nhất), `engagement` "
            "(nhiều lượt thích nhất, rồi nhiều trả lời nhất)"
        ),
    ] = "relevance",
    page: Annotated[
        int, Query(ge=1, description=f"Trang, từ 1; page × size tối đa {MAX_RESULT_WINDOW}")
    ] = 1,
    size: Annotated[int, Query(ge=1, le=100, description="Số kết quả mỗi trang")] = 20,
    cursor: Annotated[
        str | None,
        Query(
            max_length=2000,
            description="`next_cursor` của trang trước: đi tiếp không giới hạn (cùng sort)",
        ),
    ] = None,
) -> Response:
    """Tìm bài báo và bình luận theo `q`, không phân biệt dấu: `thu tuc` tìm được `thủ tục`
    (cách viết đúng dấu được xếp cao hơn). Áp dụng mọi bộ lọc chung; không có `q` thì liệt kê
    tài liệu khớp bộ lọc. Kết quả kèm đoạn trích với từ khóa trong `<mark>` (đã mã hóa HTML).

    Phân trang: `page` đến 10.000 kết quả đầu; để đi hết danh sách, dùng `next_cursor` của
    mỗi trang làm `cursor` cho trang sau (mỗi tài liệu xuất hiện đúng một lần).

    Mỗi kết quả kèm `correction` (lần hiệu chỉnh mới nhất của cán bộ phân tích, nếu có) và
    `effective` (nhãn có hiệu lực)."""
    paging = Paging(sort, page, size, cursor)
    answer = await es.search(**search_request(settings.index_alias, filters, paging))
    result = search_page(answer, filters, paging)
    if result.hits:  # the analysts' corrections of these hits, in one more search
        ids = [hit.id for hit in result.hits]
        notes = latest_notes(await es.search(**latest_search(settings.corrections_index, ids)))
        result = with_corrections(result, notes)
    return model_response(SearchResponse(
        query=filters.q, sort=sort, total=result.total, page=page, size=size,
        hits=result.hits, next_cursor=result.next_cursor,
    ))  # fmt: skip
