"""GET /sources: every source with its articles, comments and latest publication."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import EsDep, FiltersDep, SettingsDep
from indexer.analytics import Sources, sources

router = APIRouter(tags=["analytics"])


@router.get("/sources", response_model=Sources, summary="Các nguồn tin")
def get_sources(es: EsDep, settings: SettingsDep, filters: FiltersDep) -> Sources:
    """Mỗi nguồn (tên miền) với số bài báo, số bình luận, thời điểm đăng mới nhất và tỷ lệ
    tiêu cực, dưới các bộ lọc chung. Không có since/until: mọi thời gian."""
    return sources(es, settings.index_alias, filters)
