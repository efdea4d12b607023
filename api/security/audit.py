"""The audit log: who queried what, one JSON line per request, in ``audit.jsonl``.

Who: the key's id, name and role (or ``anonymous``) and the client address; what: method,
path, query string, status, time (UTC) and duration. Never a key, a cookie or any header.
The dashboard's static files are left out, and so are answered health probes and
Prometheus scrapes (``/health``, ``/metrics``: no personal data, every few seconds); every
other API call, and every refused one, is in.
"""

from __future__ import annotations

import json
import os
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["STATE_KEY", "AuditLog", "AuditMiddleware"]

STATE_KEY = "vnopinion_principal"  # where the auth dependency leaves who the caller is
SKIPPED_PREFIXES = ("/dashboard/",)
PROBE_PATHS = frozenset({"/health", "/metrics"})  # audited only when refused or failed


class AuditLog:
    """Appends one line per record. The file stays open between requests (opening it for
    every request cost about 1 ms of the API's time); it is opened again when the path no
    longer names the open file, so moving the log away (logrotate) starts a new one."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._handle: TextIO | None = None
        self._inode: tuple[int, int] | None = None

    def write(self, record: dict[str, Any]) -> None:
        line = json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
        with self._lock:
            handle = self._open()
            handle.write(line)
            handle.flush()

    def close(self) -> None:
        with self._lock:
            if self._handle is not None:
                self._handle.close()
                self._handle = None

    def _open(self) -> TextIO:
        try:
            stat = os.stat(self.path)
            current: tuple[int, int] | None = (stat.st_dev, stat.st_ino)
        except FileNotFoundError:
            current = None
        if self._handle is None or current != self._inode:
            if self._handle is not None:
                self._handle.close()
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._handle = self.path.open("a", encoding="utf-8")
            stat = os.fstat(self._handle.fileno())
            self._inode = (stat.st_dev, stat.st_ino)
        return self._handle


class AuditMiddleware:
    """Pure ASGI (streamed CSV exports pass through untouched); writes after the response."""

    def __init__(self, app: ASGIApp, log: AuditLog) -> None:
        self.app = app
        self.log = log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(SKIPPED_PREFIXES):
            await self.app(scope, receive, send)
            return
        started = time.monotonic()
        at = datetime.now(UTC)
        status = 500  # if the app fails before it answers

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            if status >= 400 or scope["path"] not in PROBE_PATHS:
                self.log.write(_record(scope, status, at, time.monotonic() - started))


def _record(scope: Scope, status: int, at: datetime, duration_s: float) -> dict[str, Any]:
    who = scope.get("state", {}).get(STATE_KEY)
    client = scope.get("client")
    return {
        "time": at.isoformat(timespec="milliseconds"),
        "key_id": who.key_id if who else None,
        "key_name": who.name if who else "anonymous",
        "role": who.role if who else None,
        "client": client[0] if client else None,
        "method": scope["method"],
        "path": scope["path"],
        "query": scope.get("query_string", b"").decode("latin-1"),
        "status": status,
        "duration_ms": round(duration_s * 1000, 1),
    }
