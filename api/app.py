"""Build the FastAPI application from settings."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from elasticsearch import ApiError, TransportError
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from api.routes import health, search
from indexer.client import make_client
from vnopinion import __version__
from vnopinion.settings import Settings

log = logging.getLogger(__name__)

DESCRIPTION = (
    "API của vnopinion: nắm tình hình dư luận nhân dân từ báo chí và bình luận của bạn đọc. "
    "Dữ liệu nằm trong Elasticsearch; mọi lỗi của Elasticsearch trả về 503 kèm lý do."
)


def create_app(settings: Settings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        app.state.es = make_client(settings)
        try:
            yield
        finally:
            app.state.es.close()

    app = FastAPI(title="vnopinion", version=__version__, description=DESCRIPTION,
                  lifespan=lifespan)  # fmt: skip
    app.include_router(health.router)
    app.include_router(search.router)
    app.add_exception_handler(TransportError, _elasticsearch_unavailable)
    app.add_exception_handler(ApiError, _elasticsearch_unavailable)
    return app


async def _elasticsearch_unavailable(request: Request, exc: Exception) -> JSONResponse:
    """Elasticsearch away or refusing: 503 with a reason, never a stack trace."""
    log.warning("Elasticsearch error on %s: %s", request.url.path, exc)
    reason = type(exc).__name__
    if isinstance(exc, ApiError):
        reason = f"{reason}: {exc.message}"
    return JSONResponse(
        status_code=503,
        content={"detail": "Elasticsearch không sẵn sàng (unavailable)", "reason": reason},
    )
