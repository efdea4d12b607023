"""Alerts about the monitor's own sources: one when a source breaks, one when it recovers.

They travel the same channels as spike alerts (``reports.alerts.deliver``: the alerts log,
and the webhook when one is set), each once: the key names the source and the cycle in which
its status changed, so a restart that judges the same cycle again sends nothing new.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from crawlers.monitor.model import ErrorKind, SourceHealth

__all__ = ["SourceHealthAlert", "health_alert"]


class SourceHealthAlert(BaseModel):
    """What is sent and logged when a source breaks or recovers."""

    key: str = Field(description="stable: receivers can drop repeats by it")
    kind: Literal["source_broken", "source_recovered"]
    message: str
    source: str
    source_name: str
    status: str
    reason: str | None
    last_error: str | None
    last_error_kind: ErrorKind | None
    last_success_at: datetime | None
    cycle_id: str
    detected_at: datetime


def health_alert(
    health: SourceHealth, previous: str | None, cycle_id: str, detected_at: datetime
) -> SourceHealthAlert | None:
    """The alert for a status change from ``previous`` to ``health.status``, if it is one
    worth telling: anything to broken, or broken to ok/degraded."""
    if health.status == "broken" and previous != "broken":
        kind: Literal["source_broken", "source_recovered"] = "source_broken"
        message = f"Nguồn {health.name} ngừng cung cấp tin: {health.reason or 'không rõ lý do'}"
    elif previous == "broken" and health.status in ("ok", "degraded"):
        kind = "source_recovered"
        message = f"Nguồn {health.name} đã hoạt động trở lại"
    else:
        return None
    return SourceHealthAlert(
        key=f"{kind}:{health.source}:{cycle_id}",
        kind=kind,
        message=message,
        source=health.source,
        source_name=health.name,
        status=health.status,
        reason=health.reason,
        last_error=health.last_error,
        last_error_kind=health.last_error_kind,
        last_success_at=health.last_success_at,
        cycle_id=cycle_id,
        detected_at=detected_at,
    )
