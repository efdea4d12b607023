"""The board members' dashboard: plain HTML, CSS and JavaScript shipped in ``api/dashboard``,
served at ``/`` (the page) and ``/dashboard/...`` (its files). No build step: the files are
package data, and the page calls the same JSON endpoints as everyone else.

The page and its files carry a strict Content-Security-Policy: scripts and styles only from
this origin, no inline script, no plugins, no framing. Documents' text is never parsed as
HTML by the page (``textContent`` only); the policy is the second line of defence.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

__all__ = ["DASHBOARD_DIR", "SECURITY_HEADERS", "mount"]

DASHBOARD_DIR = Path(__file__).resolve().parents[1] / "dashboard"

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # Links open news sites: they need not learn which filtered view an officer was on.
    "Referrer-Policy": "no-referrer",
    # Revalidate (ETag) so that a new release's files are picked up at once.
    "Cache-Control": "no-cache",
}

router = APIRouter(include_in_schema=False)


@router.get("/")
def dashboard_page() -> FileResponse:
    """The dashboard (Vietnamese); its filters live in the query string. The page itself is
    open; the data it asks for needs a key or a login (``js/api.js`` sends people here)."""
    return FileResponse(
        DASHBOARD_DIR / "index.html", media_type="text/html", headers=SECURITY_HEADERS
    )


@router.get("/source-health")
def source_health_page() -> FileResponse:
    """Tình trạng nguồn tin: each source's health as the monitor published it (``GET
    /sources``); open like the dashboard, its data needs a key or a login."""
    return FileResponse(
        DASHBOARD_DIR / "source-health.html", media_type="text/html", headers=SECURITY_HEADERS
    )


@router.get("/login")
def login_page() -> FileResponse:
    """Đăng nhập: paste an API key, get a session cookie (``POST /auth/login``)."""
    return FileResponse(
        DASHBOARD_DIR / "login.html", media_type="text/html", headers=SECURITY_HEADERS
    )


class DashboardFiles(StaticFiles):
    """The dashboard's scripts and styles, with the page's security headers."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers.update(SECURITY_HEADERS)
        return response


def mount(app: FastAPI) -> None:
    """Serve the page at ``/`` and its files under ``/dashboard``."""
    app.include_router(router)
    app.mount("/dashboard", DashboardFiles(directory=DASHBOARD_DIR), name="dashboard")
