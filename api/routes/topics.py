"""GET /topics: the watch topics ranked by volume, against the previous period."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter

from api.deps import EsDep, FiltersDep, SettingsDep, VocabularyDep
from indexer.analytics import TopicRanking, topic_ranking

router = APIRouter(tags=["analytics"])

DEFAULT_SPAN = timedelta(days=7)


@router.get("/topics", response_model=TopicRanking, summary="Xếp hạng chủ đề theo dõi")
def get_topics(
    es: EsDep, settings: SettingsDep, vocabulary: VocabularyDep, filters: FiltersDep
) -> TopicRanking:
    """Mọi chủ đề theo dõi (hoặc các chủ đề trong `topic`), nhiều tài liệu nhất trước, với
    tỷ lệ tiêu cực và mức thay đổi so với kỳ trước có cùng độ dài (kết thúc tại `since`).
    Một tài liệu có thể thuộc nhiều chủ đề. Mặc định: 7 ngày đến bây giờ."""
    window = filters.window(DEFAULT_SPAN)
    return topic_ranking(es, settings.index_alias, window, vocabulary)
