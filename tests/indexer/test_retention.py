"""Retention drops whole monthly indices older than N months, and nothing else."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from elasticsearch import Elasticsearch

from indexer.bulk import index_documents
from indexer.documents import Article, article_id
from indexer.retention import apply_retention, plan_retention
from indexer.setup import ensure_index
from tests.conftest import cli_env, run_cli
from vnopinion.settings import Settings

pytestmark = pytest.mark.es


def months_ago(now: datetime, months: int) -> datetime:
    number = now.year * 12 + now.month - 1 - months
    return datetime(number // 12, number % 12 + 1, 15, tzinfo=UTC)


def seed(es: Elasticsearch, alias: str, dates: list[datetime | None]) -> None:
    ensure_index(es, alias)
    docs = [
        Article(id=article_id(f"https://example.vn/{i}.html"), source="example.vn",
                source_name="Ví dụ", url=f"https://example.vn/{i}.html", title=f"Bài {i}",
                text="Nội dung.", crawled_at=datetime.now(UTC), published_at=date)
        for i, date in enumerate(dates)
    ]  # fmt: skip
    assert index_documents(es, docs, alias, progress=False).indexed == len(dates)


def test_plan_keeps_the_last_n_months_and_undated(es: Elasticsearch, alias: str) -> None:
    now = datetime(2026, 11, 20, tzinfo=UTC)
    seed(es, alias, [datetime(2024, 3, 1, tzinfo=UTC), datetime(2025, 11, 30, tzinfo=UTC),
                     datetime(2025, 12, 1, tzinfo=UTC), datetime(2026, 11, 2, tzinfo=UTC),
                     None])  # fmt: skip
    plan = plan_retention(es, alias, 12, now=now)
    assert plan.first_kept == "2025.12"
    assert plan.delete == [f"{alias}-2024.03", f"{alias}-2025.11"]
    assert f"{alias}-2025.12" in plan.keep
    assert plan_retention(es, alias, 0, now=now).delete == []
    apply_retention(es, plan)
    left = set(es.indices.get(index=f"{alias}-*"))
    assert f"{alias}-undated" in left
    assert not left & set(plan.delete)
    es.indices.refresh(index=alias)
    assert es.count(index=alias)["count"] == 3


def test_cli_dry_run_then_delete(es: Elasticsearch, es_settings: Settings, alias: str) -> None:
    now = datetime.now(UTC)
    seed(es, alias, [months_ago(now, 30), months_ago(now, 13), months_ago(now, 2), now])
    old = sorted(f"{alias}-{months_ago(now, m):%Y.%m}" for m in (30, 13))
    env = cli_env(es_settings, VNOPINION_INDEX_ALIAS=alias, VNOPINION_RETENTION_MONTHS="12")
    dry = run_cli("privacy", "retention", "--dry-run", env=env)
    assert dry.returncode == 0, dry.stderr
    assert "Would delete 2 indices" in dry.stdout
    assert all(name in dry.stdout for name in old)
    assert set(old) <= set(es.indices.get(index=f"{alias}-*"))

    done = run_cli("privacy", "retention", env=env)
    assert done.returncode == 0, done.stderr
    left = set(es.indices.get(index=f"{alias}-*"))
    assert not left & set(old)
    assert f"{alias}-{months_ago(now, 2):%Y.%m}" in left
    assert f"{alias}-{now:%Y.%m}" in left
