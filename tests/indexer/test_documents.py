"""The document model: stable ids, NFC, UTC, and what an upsert sends."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from indexer.documents import Article, Comment, article_id, comment_id
from indexer.mapping import index_for_date

HANOI = timezone(timedelta(hours=7))


def test_ids_are_stable_and_follow_design() -> None:
    url = "https://vnexpress.net/abc-4954454.html"
    assert article_id(url) == article_id(url)
    assert len(article_id(url)) == 40
    assert article_id(url) != article_id(url + "?x=1")
    assert comment_id("vnexpress.net", 123) == "vnexpress.net:123"


def test_text_becomes_nfc_and_times_utc() -> None:
    decomposed = unicodedata.normalize("NFD", "Hòa bình")
    doc = Article(
        id="a", source="s", source_name="S", url="u", title=decomposed, text=decomposed,
        published_at=datetime(2026, 11, 5, 7, 0, tzinfo=HANOI), crawled_at=datetime.now(UTC),
    )  # fmt: skip
    assert doc.title == unicodedata.normalize("NFC", "Hòa bình")
    assert doc.published_at == datetime(2026, 11, 5, 0, 0, tzinfo=UTC)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValidationError, match="time zone"):
        Article(id="a", source="s", source_name="S", url="u", title="t",
                crawled_at=datetime(2026, 11, 5, 7, 0))  # fmt: skip


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(ValidationError):
        Comment.model_validate({
            "id": "c", "source": "s", "source_name": "S", "url": "u", "parent_id": "p",
            "thread_id": "p", "crawled_at": datetime.now(UTC), "full_name": "Nguyễn Văn A",
        })  # fmt: skip


def test_source_leaves_out_unset_tags() -> None:
    doc = Article(id="a", source="s", source_name="S", url="u", title="t",
                  crawled_at=datetime.now(UTC))  # fmt: skip
    source = doc.to_source()
    assert "sentiment" not in source
    assert "watch_topics" not in source
    assert source["kind"] == "article"
    assert source["schema_version"] == "1"


def test_monthly_index_follows_published_month_in_utc() -> None:
    # 00:30 on 1 December in Hà Nội is still 30 November in UTC.
    local = datetime(2026, 12, 1, 0, 30, tzinfo=HANOI)
    assert index_for_date("docs", local.astimezone(UTC)) == "docs-2026.11"
    assert index_for_date("docs", None) == "docs-undated"
