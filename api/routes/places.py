"""GET /places: provinces (and the communes of one) with counts and negative shares."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import EsDep, FiltersDep, SettingsDep
from indexer.analytics import Places, places

router = APIRouter(tags=["analytics"])


@router.get("/places", response_model=Places, summary="Địa bàn được nhắc đến")
def get_places(
    es: EsDep,
    settings: SettingsDep,
    filters: FiltersDep,
    communes: Annotated[
        int, Query(ge=1, le=500, description="Số xã, phường tối đa (khi lọc một tỉnh)")
    ] = 50,
) -> Places:
    """Tỉnh, thành phố hiện hành (34 đơn vị sau 1/7/2025) theo số tài liệu, với tỷ lệ tiêu
    cực. Lọc đúng một tỉnh (`province=...`) thì kèm các xã, phường của tỉnh đó. Không có
    since/until: mọi thời gian."""
    return places(es, settings.index_alias, filters, communes=communes)
