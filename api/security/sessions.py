"""Login sessions: a signed, expiring cookie that names an API key.

The dashboard's user pastes a key once (``POST /auth/login``); the browser then holds
``<key id>.<expiry>.<HMAC-SHA256>`` in an HttpOnly, SameSite=Strict cookie (Secure over
https), never the key itself. Every request re-reads the key record, so revoking the key
ends its sessions too. The signing secret comes from settings or is generated once in the
data directory, so every API instance that shares it accepts the same cookies.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from vnopinion.settings import Settings

__all__ = ["COOKIE", "SessionSigner", "load_or_create_secret"]

COOKIE = "vnopinion_session"
SECRET_FILE = "session.key"  # noqa: S105 (a file name, not a secret)


def load_or_create_secret(settings: Settings) -> bytes:
    if settings.api_session_secret is not None:
        return settings.api_session_secret.get_secret_value().encode("utf-8")
    path = Path(settings.data_dir) / SECRET_FILE
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:  # O_EXCL: two instances starting at once must agree on one secret.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32) + "\n")
    return bytes.fromhex(path.read_text().strip())


@dataclass(frozen=True)
class SessionSigner:
    secret: bytes
    lifetime_s: int

    def issue(self, key_id: str, now: float | None = None) -> str:
        expires = int((now if now is not None else time.time()) + self.lifetime_s)
        payload = f"{key_id}.{expires}"
        return f"{payload}.{self._sign(payload)}"

    def key_id(self, cookie: str, now: float | None = None) -> str | None:
        """The key id of a valid, unexpired cookie, or None."""
        parts = cookie.split(".")
        if len(parts) != 3 or not parts[1].isdigit():
            return None
        key_id, expires, signature = parts
        if not hmac.compare_digest(signature, self._sign(f"{key_id}.{expires}")):
            return None
        if int(expires) <= (now if now is not None else time.time()):
            return None
        return key_id

    def _sign(self, payload: str) -> str:
        return hmac.new(self.secret, payload.encode("utf-8"), hashlib.sha256).hexdigest()
