"""GET /health: is Elasticsearch reachable, is the alias there, how many documents."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import EsDep, SettingsDep
from indexer.queries import index_health

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str = Field(description="`ok` khi Elasticsearch trả lời và alias đã có")
    elasticsearch: str = Field(description="Trạng thái cụm Elasticsearch: green, yellow, red")
    alias: str = Field(description="Tên alias chỉ mục tài liệu")
    alias_present: bool
    documents: int = Field(description="Số tài liệu (bài báo và bình luận) trong alias")
    latest_published_at: datetime | None = Field(
        None,
        description="Thời điểm đăng mới nhất không muộn hơn bây giờ (giờ Việt Nam); nếu mọi "
        "tài liệu đều ghi ngày tương lai thì là thời điểm mới nhất. Bảng điều khiển lấy ngày "
        "này làm cuối khoảng thời gian mặc định. null khi chưa có tài liệu có ngày đăng",
    )


@router.get("/health", response_model=Health, summary="Tình trạng hệ thống")
def health(es: EsDep, settings: SettingsDep) -> Health:
    """Kiểm tra Elasticsearch có trả lời, alias có tồn tại, đếm số tài liệu và cho biết thời
    điểm đăng mới nhất."""
    state = index_health(es, settings.index_alias)
    ok = state.alias_present and state.cluster_status in ("green", "yellow")
    return Health(
        status="ok" if ok else "degraded",
        elasticsearch=state.cluster_status,
        alias=settings.index_alias,
        alias_present=state.alias_present,
        documents=state.documents,
        latest_published_at=state.latest_published_at,
    )
