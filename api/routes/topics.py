"""GET /topics: the watch topics ranked by volume, against the previous period."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter
from fastapi.responses import Response

from api.deps import AsyncEsDep, FiltersDep, SettingsDep, VocabularyDep
from api.responses import model_response
from indexer.analytics import TopicRanking, topic_ranking_from, topic_ranking_search

router = APIRouter(tags=["analytics"])

DEFAULT_SPAN = timedelta(days=7)


@router.get("/topics", response_model=TopicRanking, summary="Xếp hạng chủ đề theo dõi")
async def get_topics(
    es: AsyncEsDep, settings: SettingsDep, vocabulary: VocabularyDep, filters: FiltersDep
) -> Response:
    """Mọi chủ đề theo dõi (hoặc các chủ đề trong `topic`), nhiều tài liệu nhất trước, với
    tỷ lệ tiêu cực và mức thay đổi so với kỳ trước có cùng độ dài (kết thúc tại `since`).
    Một tài liệu có thể thuộc nhiều chủ đề. Mặc định: 7 ngày đến bây giờ."""
    window = filters.window(DEFAULT_SPAN)
    response = await es.search(**topic_ranking_search(settings.index_alias, window, vocabulary))
    return model_response(topic_ranking_from(response, window, vocabulary))
