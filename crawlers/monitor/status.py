"""``vnopinion monitor --status``: the monitor's view of every source, read from its store.

For an operator on the server (no dashboard, no API needed): each source's health as the
last cycle judged it, when it last succeeded, when it is due next, and the last error. It
reads ``<data dir>/monitor.sqlite`` (WAL), so it works while the monitor runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from crawlers.monitor.store import FILE_NAME, MonitorStore
from indexer.monitoring import SourceHealth

__all__ = ["StatusReport", "read_status"]

COLUMNS = ("source", "status", "last success (UTC)", "next due (UTC)", "docs/cycle",
           "errors", "threads", "last error")  # fmt: skip
MAX_ERROR_CHARS = 100


@dataclass(frozen=True)
class StatusReport:
    """The text to print, and the broken sources (the command then exits 2)."""

    text: str
    broken: list[str]


def read_status(data_dir: Path) -> StatusReport | None:
    """None when the monitor never ran with this data directory."""
    path = data_dir / FILE_NAME
    if not path.is_file():
        return None
    store = MonitorStore(path)
    try:
        healths = store.healths()
        stats = store.cycle_stats()
        threads = store.threads_followed()
    finally:
        store.close()
    last = (
        f"; last {stats.last_cycle_id} took {stats.last_duration_s:.1f} s"
        if stats.last_cycle_id and stats.last_duration_s is not None
        else ""
    )
    lines = [
        f"monitor state {path}: {stats.cycles} cycles ({stats.failures} failed){last}; "
        f"{threads} comment threads followed",
    ]
    if not healths:
        lines.append("no source judged yet (the first cycle has not finished)")
        return StatusReport("\n".join(lines), [])
    lines.extend(_table([_row(h) for h in healths.values()]))
    broken = [h.source for h in healths.values() if h.status == "broken"]
    for health in healths.values():
        if health.reason and health.status != "ok":
            lines.append(f"{health.source}: {health.reason}")
    return StatusReport("\n".join(lines), broken)


def _when(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if value is not None else "-"


def _row(health: SourceHealth) -> tuple[str, ...]:
    error = (health.last_error or "-").replace("\n", " ")
    if len(error) > MAX_ERROR_CHARS:
        error = error[: MAX_ERROR_CHARS - 1] + "…"
    return (
        health.source,
        health.status,
        _when(health.last_success_at),
        _when(health.next_due_at),
        f"{health.documents_per_cycle:.1f}",
        f"{health.error_rate:.0%}",
        str(health.threads_followed),
        error,
    )


def _table(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(COLUMNS)]
    numeric = {4, 5, 6}

    def line(cells: tuple[str, ...]) -> str:
        out = [
            cell.rjust(widths[i]) if i in numeric else cell.ljust(widths[i])
            for i, cell in enumerate(cells)
        ]
        return "  ".join(out).rstrip()

    return [line(COLUMNS), *(line(r) for r in rows)]
