"""GET /sources: every source with its articles, comments, latest publication and, where the
monitor (``vnopinion monitor``) has published it, its health.

The counts come from one aggregation over the documents (``indexer.analytics.sources``); the
health from one read of the monitor's small index (``crawlers.monitor.publish``). A source's
documents carry its first domain (``source``) and its name (``source_name``): health is
joined on the domain when the monitor published it, else on the name. Sources the monitor
knows that have no documents (under the filters) are listed too, with zero counts.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import EsDep, FiltersDep, SettingsDep
from indexer.analytics import Sources, SourceStat, sources
from indexer.filters import Filters
from indexer.monitoring import ErrorKind, HealthStatus, SourceHealth, read_health

__all__ = ["SourceHealthView", "SourceWithHealth", "SourcesWithHealth", "join_health", "router"]

router = APIRouter(tags=["analytics"])


class SourceHealthView(BaseModel):
    """``crawlers.monitor.model.SourceHealth`` as the API shows it (a test keeps the fields
    the same)."""

    source: str = Field(description="Mã nguồn trong sources.yaml, ví dụ `vnexpress`")
    name: str = Field(description="Tên nguồn")
    status: HealthStatus = Field(
        description="`ok` bình thường, `degraded` suy giảm (có lỗi, tỷ lệ lỗi trên 20%), "
        "`broken` hỏng (chu kỳ gần nhất thất bại: bị chặn, lỗi HTTP, mạng, không đọc được "
        "trang, hoặc không còn bài nào trong khi trước đó có nhiều), `unknown` chưa chạy"
    )
    reason: str | None = Field(
        description="Lý do suy giảm hoặc hỏng, một câu tiếng Việt (kèm tiếng Anh trong ngoặc)"
    )
    interval_s: float = Field(description="Chu kỳ thu thập của nguồn, tính bằng giây")
    last_cycle_at: datetime | None = Field(description="Lần thu thập gần nhất")
    last_success_at: datetime | None = Field(
        description="Lần gần nhất các điểm vào của nguồn trả lời tốt"
    )
    next_due_at: datetime | None = Field(description="Lần thu thập kế tiếp dự kiến")
    cycles: int = Field(description="Số chu kỳ đã thu thập nguồn này")
    documents_last_cycle: int = Field(description="Số tài liệu lấy được ở chu kỳ gần nhất")
    documents_per_cycle: float = Field(
        description="Số tài liệu trung bình mỗi chu kỳ, trên các chu kỳ gần đây"
    )
    error_rate: float = Field(
        description="Tỷ lệ yêu cầu lỗi trên tổng số yêu cầu, trên các chu kỳ gần đây (0..1)"
    )
    last_error: str | None = Field(description="Lỗi gần nhất, ví dụ `HTTP 403 on https://...`")
    last_error_kind: ErrorKind | None = Field(
        description="Loại lỗi gần nhất: blocked (bị chặn), http, parse (không đọc được), "
        "network (mạng), zero_yield (không còn bài), crash (tiến trình thu thập hỏng)"
    )
    last_error_at: datetime | None = Field(description="Thời điểm lỗi gần nhất")
    consecutive_failures: int = Field(description="Số chu kỳ thất bại liên tiếp")
    threads_followed: int = Field(description="Số luồng bình luận còn được theo dõi lại")
    domain: str | None = Field(None, description="Tên miền chính của nguồn (trường `source`)")

    @classmethod
    def of(cls, health: SourceHealth) -> SourceHealthView:
        return cls.model_validate(health, from_attributes=True)


class SourceWithHealth(SourceStat):
    health: SourceHealthView | None = Field(
        None,
        description="Tình trạng do bộ theo dõi (`vnopinion monitor`) công bố sau mỗi chu kỳ; "
        "null khi bộ theo dõi chưa biết nguồn này",
    )


class SourcesWithHealth(Sources):
    sources: list[SourceWithHealth] = Field(  # type: ignore[assignment]
        description="Nguồn, nhiều tài liệu nhất trước; sau cùng là các nguồn bộ theo dõi biết "
        "nhưng chưa có tài liệu (số đếm 0)"
    )


def join_health(
    stats: Sources, health: dict[str, SourceHealth], filters: Filters
) -> SourcesWithHealth:
    """Each source's counts with its health; the monitor's other sources after them."""
    by_domain = {h.domain: h for h in health.values() if h.domain}
    by_name = {h.name: h for h in health.values()}
    joined, seen = [], set()
    for stat in stats.sources:
        found = by_domain.get(stat.source) or by_name.get(stat.source_name or "")
        if found is not None:
            seen.add(found.source)
        view = SourceHealthView.of(found) if found is not None else None
        joined.append(SourceWithHealth(**stat.model_dump(), health=view))
    for key, item in sorted(health.items(), key=lambda kv: kv[1].name):
        domain = item.domain or key
        if key in seen or (filters.sources and domain not in filters.sources):
            continue
        joined.append(
            SourceWithHealth(
                source=domain, source_name=item.name, total=0, articles=0, comments=0,
                latest_published_at=None, negative_share=None, health=SourceHealthView.of(item),
            )
        )  # fmt: skip
    return SourcesWithHealth(total=stats.total, sources=joined)


@router.get("/sources", response_model=SourcesWithHealth, summary="Các nguồn tin")
def get_sources(es: EsDep, settings: SettingsDep, filters: FiltersDep) -> SourcesWithHealth:
    """Mỗi nguồn (tên miền) với số bài báo, số bình luận, thời điểm đăng mới nhất và tỷ lệ
    tiêu cực, dưới các bộ lọc chung. Không có since/until: mọi thời gian. Kèm `health`: tình
    trạng thu thập do bộ theo dõi (`vnopinion monitor`) công bố (lần thành công gần nhất, số
    tài liệu mỗi chu kỳ, tỷ lệ lỗi, lỗi gần nhất và lý do); nguồn bộ theo dõi biết mà chưa có
    tài liệu cũng được liệt kê, với số đếm 0."""
    stats = sources(es, settings.index_alias, filters)
    return join_health(stats, read_health(es, settings.monitor_index), filters)
