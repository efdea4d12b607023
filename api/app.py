"""Build the FastAPI application from settings and the vocabulary (watch topics, categories).

The composition root (``vnopinion serve``) reads the vocabulary from ``nlp`` and passes it
in: ``api`` imports ``indexer`` only.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from elasticsearch import ApiError, TransportError
from fastapi import Depends, FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse

from api.routes import (
    auth,
    corrections,
    dashboard,
    documents,
    export,
    health,
    keywords,
    metrics,
    places,
    search,
    sources,
    spikes,
    topics,
    trends,
)
from api.security.audit import AuditLog, AuditMiddleware
from api.security.auth import Security, require
from indexer.client import make_async_client, make_client
from indexer.errors import QueryError
from indexer.filters import FilterError, Vocabulary
from vnopinion import __version__
from vnopinion.settings import Settings

log = logging.getLogger(__name__)

DESCRIPTION = """\
API của vnopinion: nắm tình hình dư luận nhân dân từ báo chí và bình luận của bạn đọc.

- **Bộ lọc chung** cho mọi điểm cuối: `topic`, `category`, `source`, `kind`, `province`,
  `sentiment` (lặp lại một tham số để chọn nhiều giá trị: một trong số đó), `q` (tìm toàn
  văn không phân biệt dấu), `since` / `until`.
- **Thời gian** theo giờ Việt Nam (Asia/Ho_Chi_Minh, +07:00): `since` tính cả, `until` không
  tính; `until=2026-11-20` tính hết ngày 20. Các khoảng của /trends và /spikes chia theo giờ
  Việt Nam; tuần bắt đầu từ thứ Hai.
- **Tỷ lệ tiêu cực** (`negative_share`) = tiêu cực / số tài liệu đã gán cảm xúc.
- **Lỗi**: tham số sai trả về 422 kèm thông điệp tiếng Việt và tiếng Anh; mọi lỗi của
  Elasticsearch trả về 503 kèm lý do.
- **Xác thực**: mọi điểm cuối trừ /health cần khóa API (`Authorization: Bearer <khóa>` hoặc
  `X-API-Key`) hoặc cookie đăng nhập; vai trò viewer < analyst < admin; /export và việc
  hiệu chỉnh nhãn (POST /documents/{id}/corrections) cần analyst.
  Thiếu hoặc sai khóa: 401; vai trò không đủ: 403; quá nhiều yêu cầu: 429 kèm `Retry-After`.
- **Bảng điều khiển** cho cán bộ ở địa chỉ gốc `/`: diễn biến theo cảm xúc, chủ đề, đột biến,
  địa bàn và bình luận, cùng các bộ lọc trên.
- **Tình trạng nguồn tin**: GET /sources kèm `health` của từng nguồn (bộ theo dõi
  `vnopinion monitor`), trang `/source-health`; GET /metrics cho Prometheus.
"""


def create_app(settings: Settings, vocabulary: Vocabulary) -> FastAPI:
    audit_log = AuditLog(settings.api_audit_log_path)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        app.state.vocabulary = vocabulary
        app.state.es = make_client(settings)
        app.state.async_es = make_async_client(settings)
        app.state.security = Security.build(settings, app.state.es)
        try:
            yield
        finally:
            app.state.es.close()
            await app.state.async_es.close()
            audit_log.close()

    app = FastAPI(title="vnopinion", version=__version__, description=DESCRIPTION,
                  lifespan=lifespan)  # fmt: skip
    app.include_router(health.router)  # open: load balancers and monitors ask it
    app.include_router(auth.router)
    viewer = [Depends(require("viewer"))]
    for module in (search, documents, trends, topics, spikes, places, sources, keywords,
                   metrics):  # fmt: skip
        app.include_router(module.router, dependencies=viewer)
    analyst = [Depends(require("analyst"))]
    for module in (export, corrections):
        app.include_router(module.router, dependencies=analyst)
    dashboard.mount(app)
    app.add_middleware(AuditMiddleware, log=audit_log)
    if settings.api_cors_origins:  # outermost: refusals (401, 429) carry CORS headers too
        app.add_middleware(
            CORSMiddleware, allow_origins=settings.api_cors_origins,
            allow_methods=["GET", "POST"], allow_headers=["Authorization", "X-API-Key"],
            expose_headers=["X-Total-Count", "Retry-After"],
        )  # fmt: skip
    app.add_exception_handler(TransportError, _elasticsearch_unavailable)
    app.add_exception_handler(ApiError, _elasticsearch_unavailable)
    app.add_exception_handler(QueryError, _elasticsearch_unavailable)
    app.add_exception_handler(FilterError, _bad_parameter)
    return app


async def _elasticsearch_unavailable(request: Request, exc: Exception) -> JSONResponse:
    """Elasticsearch away or refusing: 503 with a reason, never a stack trace."""
    log.warning("Elasticsearch error on %s: %s", request.url.path, exc)
    reason = type(exc).__name__
    if isinstance(exc, ApiError | QueryError):
        reason = f"{reason}: {exc.message}"
    return JSONResponse(
        status_code=503,
        content={"detail": "Elasticsearch không sẵn sàng (unavailable)", "reason": reason},
    )


async def _bad_parameter(request: Request, exc: Exception) -> JSONResponse:
    """A value the filters refuse: 422 in FastAPI's own shape (``detail`` is a list)."""
    assert isinstance(exc, FilterError)  # noqa: S101 (registered for FilterError only)
    value = exc.value if isinstance(exc.value, str | int | float | None) else str(exc.value)
    return JSONResponse(
        status_code=422,
        content={
            "detail": [
                {"type": "value_error", "loc": ["query", exc.field], "msg": exc.message,
                 "input": value}
            ]
        },
    )  # fmt: skip
