"""GET /trends: volume over time in Vietnam-time buckets, split by sentiment."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.deps import AsyncEsDep, FiltersDep, SettingsDep
from api.responses import json_response
from indexer.analytics import Trends, trends_body, trends_search
from indexer.buckets import Interval

router = APIRouter(tags=["analytics"])

DEFAULT_SPAN: dict[Interval, timedelta] = {
    "hour": timedelta(days=2),
    "day": timedelta(days=30),
    "week": timedelta(weeks=26),
    "month": timedelta(days=365),
}


@router.get("/trends", response_model=Trends, summary="Diễn biến theo thời gian")
async def get_trends(
    es: AsyncEsDep,
    settings: SettingsDep,
    filters: FiltersDep,
    interval: Annotated[
        Interval, Query(description="Độ dài mỗi khoảng: hour, day, week (từ thứ Hai), month")
    ] = "day",
) -> Response:
    """Số tài liệu theo từng khoảng thời gian, tách theo cảm xúc (tiêu cực, trung lập, tích
    cực, chưa gán) kèm tỷ lệ tiêu cực. Khoảng chia theo **giờ Việt Nam** (Asia/Ho_Chi_Minh,
    `time_zone` của date_histogram); khoảng không có tài liệu vẫn được liệt kê (đếm 0).
    Khoảng đầu và cuối có thể không trọn vẹn (cắt theo since/until).

    Mặc định: `until` là bây giờ; `since` lùi 2 ngày (hour), 30 ngày (day), 26 tuần (week)
    hoặc 365 ngày (month). Tối đa 1.000 khoảng (nhiều hơn: 422)."""
    window = filters.window(DEFAULT_SPAN[interval])
    response = await es.search(**trends_search(settings.index_alias, window, interval))
    return json_response(trends_body(response, window, interval))
