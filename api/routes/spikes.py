"""GET /spikes: watch topics and provinces flaring in the latest bucket(s)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import EsDep, FiltersDep, SettingsDep, VocabularyDep
from indexer.buckets import Interval
from indexer.spikes import SpikeParams, Spikes, find_spikes

router = APIRouter(tags=["analytics"])


@router.get("/spikes", response_model=Spikes, summary="Đột biến theo chủ đề và địa bàn")
def get_spikes(
    es: EsDep,
    settings: SettingsDep,
    vocabulary: VocabularyDep,
    filters: FiltersDep,
    interval: Annotated[Interval, Query(description="Độ dài mỗi khoảng")] = "day",
    lookback: Annotated[
        int, Query(ge=7, le=365, description="Số khoảng trước đó làm đường nền")
    ] = 28,
    recent: Annotated[
        int, Query(ge=1, le=7, description="Số khoảng gần nhất được xét đột biến")
    ] = 1,
    threshold: Annotated[float, Query(ge=1, le=100, description="Ngưỡng điểm z bền vững")] = 3.5,
    min_count: Annotated[
        int, Query(ge=1, le=1_000_000, description="Số tài liệu tối thiểu của khoảng đột biến")
    ] = 10,
    documents: Annotated[
        int, Query(ge=0, le=20, description="Số tài liệu tiêu biểu kèm mỗi đột biến")
    ] = 5,
) -> Spikes:
    """Chủ đề theo dõi và tỉnh, thành có số tài liệu (`volume`) hoặc số tài liệu tiêu cực
    (`negative`) tăng đột biến trong `recent` khoảng gần nhất (đến `until`, mặc định bây giờ;
    không dùng `since`).

    Với mỗi khoảng: đường nền là trung vị (median) và độ lệch tuyệt đối trung vị (MAD) của
    `lookback` khoảng trước đó; điểm z = (x − median) / (1,4826 · MAD + 1). Đột biến khi
    z ≥ `threshold` và x ≥ `min_count`. Khoảng chia theo giờ Việt Nam; khoảng hiện tại còn
    dở dang nên đột biến đầu ngày có thể chưa vượt ngưỡng.

    Mỗi đột biến có `key` ổn định (`chiều:giá trị:interval:đầu khoảng:loại`) để gửi cảnh báo
    một lần, và các tài liệu nhiều tương tác nhất trong khoảng đó."""
    params = SpikeParams(
        interval=interval, lookback=lookback, recent=recent, threshold=threshold,
        min_count=min_count, documents=documents,
    )  # fmt: skip
    return find_spikes(es, settings.index_alias, filters, vocabulary, params)
