"""Who is calling, and may they: the dependencies that guard every route but /health.

A caller proves who they are with ``Authorization: Bearer <key>``, ``X-API-Key: <key>`` or
the login cookie. No proof, or a wrong or revoked key: 401. A key whose role is too low:
403. Too many requests: 429 with ``Retry-After``. Messages are in Vietnamese and English.
With ``api_auth`` off, every caller is anonymous with every right, limited per address.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from elasticsearch import Elasticsearch
from fastapi import HTTPException, Request
from starlette.concurrency import run_in_threadpool

from api.security.audit import STATE_KEY
from api.security.keys import ApiKey, KeyStore, Role, role_at_least
from api.security.ratelimit import RateLimiter
from api.security.sessions import COOKIE, SessionSigner, load_or_create_secret
from vnopinion.settings import Settings

__all__ = ["Principal", "Security", "caller", "require"]

NO_CREDENTIALS = (
    "Cần đăng nhập hoặc gửi khóa API (authentication required: send an API key as "
    "'Authorization: Bearer <key>' or 'X-API-Key', or log in)"
)
BAD_KEY = "Khóa API không hợp lệ hoặc đã bị thu hồi (invalid or revoked API key)"
BAD_SESSION = "Phiên đăng nhập đã hết hạn hoặc không hợp lệ (session expired or invalid)"
TOO_MANY = "Quá nhiều yêu cầu, vui lòng thử lại sau {s} giây (rate limit exceeded)"


@dataclass(frozen=True)
class Principal:
    key_id: str
    name: str
    role: Role


@dataclass(frozen=True)
class Security:
    """What the guards need, built once in the app's lifespan."""

    enabled: bool
    store: KeyStore
    signer: SessionSigner
    limiter: RateLimiter

    @classmethod
    def build(cls, settings: Settings, es: Elasticsearch) -> Security:
        lifetime = int(settings.api_session_hours * 3600)
        # With auth off no session is ever issued: no secret file is needed.
        secret = load_or_create_secret(settings) if settings.api_auth else secrets.token_bytes(32)
        return cls(
            enabled=settings.api_auth,
            store=KeyStore(es, settings.api_keys_index),
            signer=SessionSigner(secret, lifetime),
            limiter=RateLimiter(settings.api_rate_limit_per_minute),
        )


def _security(request: Request) -> Security:
    security: Security = request.app.state.security
    return security


def _client(request: Request) -> str:
    return f"ip:{request.client.host if request.client else 'unknown'}"


def spend(request: Request, caller_id: str) -> None:
    """One request from ``caller_id``; 429 when its bucket is empty."""
    limiter = _security(request).limiter
    wait = limiter.take(caller_id)
    if wait > 0:
        after = limiter.retry_after(wait)
        raise HTTPException(429, TOO_MANY.format(s=after), headers={"Retry-After": after})


def _unauthorized(request: Request, message: str) -> HTTPException:
    spend(request, _client(request))  # failed attempts count against the address
    return HTTPException(401, message, headers={"WWW-Authenticate": "Bearer"})


def _presented_key(request: Request) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.headers.get("x-api-key", "").strip() or None


def _identify(request: Request, security: Security) -> ApiKey:
    raw = _presented_key(request)
    if raw is not None:
        key = security.store.verify(raw)
        if key is None:
            raise _unauthorized(request, BAD_KEY)
        return key
    cookie = request.cookies.get(COOKIE)
    if cookie is None:
        raise _unauthorized(request, NO_CREDENTIALS)
    key_id = security.signer.key_id(cookie)
    found = security.store.get(key_id) if key_id else None
    if found is None or found.revoked:
        raise _unauthorized(request, BAD_SESSION)
    return found


def caller(request: Request) -> Principal | None:
    """The authenticated caller (None with auth off), counted against its rate limit."""
    security = _security(request)
    if not security.enabled:
        spend(request, _client(request))
        return None
    key = _identify(request, security)
    principal = Principal(key.id, key.name, key.role)
    setattr(request.state, STATE_KEY, principal)
    spend(request, f"key:{key.id}")
    return principal


def require(role: Role) -> Callable[[Request], Awaitable[Principal | None]]:
    """A dependency: the caller must hold ``role`` or a higher one."""

    async def guard(request: Request) -> Principal | None:
        if _security(request).enabled:  # may look the key up in Elasticsearch: off the loop
            principal = await run_in_threadpool(caller, request)
        else:  # in memory only: a thread hop would cost more than the check
            principal = caller(request)
        if principal is not None and not role_at_least(principal.role, role):
            raise HTTPException(
                403,
                f"Vai trò '{principal.role}' không đủ quyền, cần '{role}' trở lên "
                f"(forbidden: role {principal.role} may not do this; {role} required)",
            )
        return principal

    guard.__name__ = f"require_{role}"
    return guard
