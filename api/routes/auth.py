"""POST /auth/login, POST /auth/logout, GET /auth/me: the dashboard's login session."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from pydantic import BaseModel, Field

from api.security.audit import STATE_KEY
from api.security.auth import BAD_KEY, Principal, Security, caller, spend
from api.security.sessions import COOKIE

router = APIRouter(prefix="/auth", tags=["auth"])


class Login(BaseModel):
    key: str = Field(min_length=1, max_length=200, description="Khóa API (vno_...)")


class Me(BaseModel):
    auth: bool = Field(description="API có yêu cầu xác thực không")
    key_id: str | None = None
    name: str | None = None
    role: str | None = None


@router.post("/login", response_model=Me, summary="Đăng nhập bằng khóa API")
def login(body: Login, request: Request, response: Response) -> Me:
    """Đổi khóa API lấy cookie phiên (HttpOnly, SameSite=Strict, Secure khi dùng https) có
    chữ ký và hạn dùng; cookie không chứa khóa. Khóa sai: 401."""
    security: Security = request.app.state.security
    spend(request, f"ip:{request.client.host if request.client else 'unknown'}")
    if not security.enabled:
        return Me(auth=False)
    key = security.store.verify(body.key.strip())
    if key is None:
        raise HTTPException(401, BAD_KEY)
    setattr(request.state, STATE_KEY, Principal(key.id, key.name, key.role))
    response.set_cookie(
        COOKIE, security.signer.issue(key.id), max_age=security.signer.lifetime_s,
        path="/", httponly=True, samesite="strict", secure=request.url.scheme == "https",
    )  # fmt: skip
    return Me(auth=True, key_id=key.id, name=key.name, role=key.role)


@router.post("/logout", status_code=204, summary="Đăng xuất")
def logout(request: Request) -> Response:
    """Xóa cookie phiên trên trình duyệt này."""
    response = Response(status_code=204)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict",
                           secure=request.url.scheme == "https")  # fmt: skip
    return response


@router.get("/me", response_model=Me, summary="Tôi là ai")
def me(principal: Annotated[Principal | None, Depends(caller)], request: Request) -> Me:
    """Khóa (hoặc phiên) đang dùng: tên và vai trò."""
    security: Security = request.app.state.security
    if principal is None:
        return Me(auth=security.enabled)
    return Me(auth=True, key_id=principal.key_id, name=principal.name, role=principal.role)
