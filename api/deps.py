"""Dependencies shared by the routes: the client, settings, vocabulary and the filters.

They are ``async def`` although they never wait: FastAPI runs a plain ``def`` dependency in
its thread pool, and a hop to a worker thread and back costs more than the work itself.
"""

from __future__ import annotations

from typing import Annotated

from elasticsearch import AsyncElasticsearch, Elasticsearch
from fastapi import Depends, Query, Request

from indexer.filters import KINDS, MAX_SPAN, SENTIMENTS, Filters, Vocabulary, make_filters
from vnopinion.settings import Settings


async def get_es(request: Request) -> Elasticsearch:
    es: Elasticsearch = request.app.state.es
    return es


async def get_async_es(request: Request) -> AsyncElasticsearch:
    """The async client: routes that await it need no worker thread."""
    es: AsyncElasticsearch = request.app.state.async_es
    return es


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_vocabulary(request: Request) -> Vocabulary:
    vocabulary: Vocabulary = request.app.state.vocabulary
    return vocabulary


EsDep = Annotated[Elasticsearch, Depends(get_es)]
AsyncEsDep = Annotated[AsyncElasticsearch, Depends(get_async_es)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
VocabularyDep = Annotated[Vocabulary, Depends(get_vocabulary)]

_TIME = (
    "Ngày `YYYY-MM-DD` (giờ Việt Nam) hoặc thời điểm ISO 8601; không ghi múi giờ thì là giờ "
    f"Việt Nam (+07:00). Khoảng since..until tối đa {MAX_SPAN.days} ngày."
)


async def get_filters(
    vocabulary: VocabularyDep,
    topic: Annotated[
        list[str] | None,
        Query(
            description="Chủ đề theo dõi, theo mã (`dat_dai`, `y_te`...; xem GET /topics); "
            "lặp lại để chọn nhiều (một trong các chủ đề)"
        ),
    ] = None,
    category: Annotated[
        list[str] | None,
        Query(description="Lĩnh vực tin (mã, ví dụ `chinh-tri-xa-hoi`); lặp lại được"),
    ] = None,
    source: Annotated[
        list[str] | None,
        Query(description="Nguồn, theo tên miền (`vnexpress.net`); lặp lại được"),
    ] = None,
    kind: Annotated[
        list[str] | None, Query(description=f"Loại tài liệu: {', '.join(KINDS)}")
    ] = None,
    province: Annotated[
        list[str] | None,
        Query(
            description="Tỉnh, thành phố hiện hành (sau 1/7/2025), đúng tên như GET /places "
            "trả về, ví dụ `Thành phố Hà Nội`; lặp lại được"
        ),
    ] = None,
    sentiment: Annotated[
        list[str] | None,
        Query(description=f"Cảm xúc: {', '.join(SENTIMENTS)} (`untagged`: chưa gán)"),
    ] = None,
    q: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=500,
            description="Tìm toàn văn, không phân biệt dấu (`thu tuc` tìm được `thủ tục`); "
            'mọi từ đều phải có; hỗ trợ "cụm từ", -loại_trừ, a | b',
        ),
    ] = None,
    since: Annotated[
        str | None, Query(max_length=40, description=f"Từ thời điểm này (tính cả). {_TIME}")
    ] = None,
    until: Annotated[
        str | None,
        Query(
            max_length=40,
            description=f"Đến trước thời điểm này; một ngày thì tính hết ngày đó. {_TIME}",
        ),
    ] = None,
) -> Filters:
    """The shared filters, validated; a bad value raises ``FilterError`` (422)."""
    return make_filters(
        vocabulary, topic=topic, category=category, source=source, kind=kind,
        province=province, sentiment=sentiment, q=q, since=since, until=until,
    )  # fmt: skip


FiltersDep = Annotated[Filters, Depends(get_filters)]
