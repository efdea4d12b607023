"""GET /keywords: the top keywords under the filters, for word clouds."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import EsDep, FiltersDep, SettingsDep
from indexer.analytics import Keywords, keywords

router = APIRouter(tags=["analytics"])


@router.get("/keywords", response_model=Keywords, summary="Từ khóa nổi bật")
def get_keywords(
    es: EsDep,
    settings: SettingsDep,
    filters: FiltersDep,
    size: Annotated[int, Query(ge=1, le=500, description="Số từ khóa")] = 50,
    split: Annotated[
        bool, Query(description="Kèm danh sách từ khóa hàng đầu của riêng tài liệu tiêu cực")
    ] = False,
) -> Keywords:
    """Từ khóa xuất hiện trong nhiều tài liệu nhất (để vẽ đám mây từ), mỗi từ kèm số tài
    liệu tiêu cực có nó. Không có since/until: mọi thời gian."""
    return keywords(es, settings.index_alias, filters, size=size, split=split)
