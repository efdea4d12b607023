"""Retention: drop whole monthly indices older than ``retention_months``.

Documents live in ``<alias>-YYYY.MM`` by ``published_at`` (UTC month), and this
Elasticsearch distribution has no ``delete_by_query``: the unit of deletion is a month.
With N months, the current month and the N-1 before it are kept; a document goes when its
whole month has left that window, so it may outlive N months by up to one month. The
``<alias>-undated`` index (documents without a date) is never dropped here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from elasticsearch import Elasticsearch

__all__ = ["RetentionPlan", "apply_retention", "plan_retention"]


@dataclass(frozen=True)
class RetentionPlan:
    first_kept: str  # "YYYY.MM"; empty when retention is off
    delete: list[str]
    keep: list[str]


def _month_number(year: int, month: int) -> int:
    return year * 12 + month - 1


def plan_retention(
    es: Elasticsearch, alias: str, months: int, now: datetime | None = None
) -> RetentionPlan:
    """Which monthly indices of ``alias`` fall outside the last ``months`` months."""
    pattern = re.compile(rf"^{re.escape(alias)}-(\d{{4}})\.(\d{{2}})$")
    names = sorted(es.indices.get(index=f"{alias}-*", allow_no_indices=True))
    monthly = {name: m for name in names if (m := pattern.match(name))}
    if months == 0:
        return RetentionPlan("", [], sorted(monthly))
    now = now or datetime.now(UTC)
    first = _month_number(now.year, now.month) - (months - 1)
    first_kept = f"{first // 12:04d}.{first % 12 + 1:02d}"
    delete = [n for n, m in monthly.items() if _month_number(int(m[1]), int(m[2])) < first]
    keep = [n for n in monthly if n not in delete]
    return RetentionPlan(first_kept, sorted(delete), sorted(keep))


def apply_retention(es: Elasticsearch, plan: RetentionPlan) -> None:
    """Delete the plan's indices by name (wildcard deletes are refused by the node)."""
    if plan.delete:
        es.indices.delete(index=",".join(plan.delete))
