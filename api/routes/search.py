"""GET /search: full text over titles and texts, with highlights, paginated."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, Field

from api.deps import EsDep, SettingsDep
from indexer.queries import MAX_RESULT_WINDOW, search_documents

router = APIRouter(tags=["search"])


class Hit(BaseModel):
    id: str
    kind: str = Field(description="`article` (bài báo) hoặc `comment` (bình luận)")
    title: str | None = None
    url: str
    source: str
    source_name: str
    published_at: datetime | None = None
    score: float | None = None
    highlight: dict[str, list[str]] = Field(
        description="Đoạn trích có từ khóa được đánh dấu bằng <mark>, theo trường"
    )


class SearchResponse(BaseModel):
    query: str
    total: int
    page: int
    size: int
    hits: list[Hit]


@router.get("/search", response_model=SearchResponse, summary="Tìm kiếm toàn văn")
def search(
    es: EsDep,
    settings: SettingsDep,
    q: Annotated[str, Query(min_length=1, max_length=500, description="Từ khóa tìm kiếm")],
    page: Annotated[int, Query(ge=1, description="Trang, bắt đầu từ 1")] = 1,
    size: Annotated[int, Query(ge=1, le=100, description="Số kết quả mỗi trang")] = 20,
) -> SearchResponse:
    """Tìm bài báo và bình luận theo tiêu đề và nội dung; kết quả kèm đoạn trích nổi bật."""
    if page * size > MAX_RESULT_WINDOW:
        raise HTTPException(422, f"page × size must be at most {MAX_RESULT_WINDOW}")
    result = search_documents(es, settings.index_alias, q, page=page, size=size)
    hits = [
        Hit(
            id=h.id,
            kind=h.kind,
            title=h.source.get("title"),
            url=h.source["url"],
            source=h.source["source"],
            source_name=h.source["source_name"],
            published_at=h.source.get("published_at"),
            score=h.score,
            highlight=h.highlight,
        )
        for h in result.hits
    ]
    return SearchResponse(query=q, total=result.total, page=page, size=size, hits=hits)
