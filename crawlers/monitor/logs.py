"""Structured logs for the monitor: one JSON object per line, each carrying its cycle id.

A log line of a long-running service is read by machines first (journald, Loki, Kibana):
JSON with fixed keys (``ts``, ``level``, ``logger``, ``message``, ``cycle_id``) plus any
``extra={...}`` the call passed, so "everything cycle c-0042 did" is one filter, across the
monitor and the crawl process it started (which gets the same id).
"""

from __future__ import annotations

import contextlib
import json
import logging
import sys
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import IO, Any

__all__ = ["JsonFormatter", "configure_json_logging", "current_cycle", "cycle_context"]

_CYCLE: ContextVar[str | None] = ContextVar("vnopinion_cycle_id", default=None)
# Attributes every LogRecord has: anything else on a record came from ``extra=``.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "cycle_id"}


def current_cycle() -> str | None:
    return _CYCLE.get()


@contextlib.contextmanager
def cycle_context(cycle_id: str) -> Iterator[None]:
    """Every log record made inside carries ``cycle_id``."""
    token = _CYCLE.set(cycle_id)
    try:
        yield
    finally:
        _CYCLE.reset(token)


class _CycleFilter(logging.Filter):
    def __init__(self, fixed: str | None) -> None:
        super().__init__()
        self.fixed = fixed

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "cycle_id"):
            record.cycle_id = _CYCLE.get() or self.fixed
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "cycle_id": getattr(record, "cycle_id", None),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_json_logging(
    cycle_id: str | None = None, level: int | str = logging.INFO, stream: IO[str] | None = None
) -> None:
    """Send every log record to ``stream`` (stderr) as JSON; ``cycle_id`` marks records
    made outside any ``cycle_context`` (the crawl process runs one cycle)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(_CycleFilter(cycle_id))
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level)
