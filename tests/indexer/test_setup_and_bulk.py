"""Template, alias, idempotent upserts and surfaced rejections, on the real node."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from elasticsearch import Elasticsearch

from indexer.bulk import index_documents
from indexer.documents import Article, Comment, article_id, comment_id
from indexer.setup import ensure_index

pytestmark = pytest.mark.es
HANOI = timezone(timedelta(hours=7))


def article(n: int = 1, **changes: object) -> Article:
    url = f"https://example.vn/tin-{n}.html"
    values: dict[str, object] = {
        "id": article_id(url), "source": "example.vn", "source_name": "Ví dụ", "url": url,
        "title": f"Người dân phản ánh thủ tục hành chính {n}", "text": "Hồ sơ trễ hẹn.",
        "published_at": datetime(2026, 11, 5, 8, 0, tzinfo=HANOI),
        "crawled_at": datetime(2026, 11, 25, 9, 0, tzinfo=UTC),
    }  # fmt: skip
    values.update(changes)
    return Article.model_validate(values)


def comment(parent: Article, n: int) -> Comment:
    return Comment(
        id=comment_id("example.vn", n), source="example.vn", source_name="Ví dụ",
        url=f"{parent.url}#c{n}", parent_id=parent.id, thread_id=parent.id,
        text="Đồng ý!", published_at=datetime(2026, 12, 2, 6, 0, tzinfo=HANOI),
        crawled_at=datetime(2026, 12, 2, 7, 0, tzinfo=UTC), likes=3,
    )  # fmt: skip


def test_setup_creates_template_index_and_alias_idempotently(es: Elasticsearch, alias: str) -> None:
    now = datetime(2026, 11, 25, tzinfo=UTC)
    first = ensure_index(es, alias, now=now)
    second = ensure_index(es, alias, now=now)
    assert first.index == second.index == f"{alias}-2026.11"
    assert first.index_created
    assert not second.index_created
    assert es.indices.exists_index_template(name=alias)
    assert list(es.indices.get_alias(name=alias)) == [f"{alias}-2026.11"]
    # auto_expand_replicas: a single node holds no unassignable replica, so it stays green.
    health = es.cluster.health(index=first.index, wait_for_status="green", timeout="10s")
    assert health["status"] == "green"


def test_same_document_twice_gives_one(es: Elasticsearch, alias: str) -> None:
    ensure_index(es, alias)
    doc = article()
    first = index_documents(es, [doc], alias, progress=False)
    second = index_documents(es, [doc.model_copy(update={"replies": 4})], alias, progress=False)
    es.indices.refresh(index=alias)
    assert (first.created, second.updated) == (1, 1)
    assert es.count(index=alias)["count"] == 1
    assert es.get(index=f"{alias}-2026.11", id=doc.id)["_source"]["replies"] == 4


def test_documents_go_to_monthly_indices_behind_the_alias(es: Elasticsearch, alias: str) -> None:
    ensure_index(es, alias)
    parent = article()
    result = index_documents(es, [parent, comment(parent, 1), comment(parent, 2)], alias,
                             progress=False)  # fmt: skip
    es.indices.refresh(index=alias)
    assert result.created == 3
    assert not result.rejected
    assert {f"{alias}-2026.11", f"{alias}-2026.12"} <= set(es.indices.get_alias(name=alias))
    assert es.count(index=alias, query={"term": {"kind": "comment"}})["count"] == 2


def test_upsert_keeps_tags_a_recrawl_lacks(es: Elasticsearch, alias: str) -> None:
    ensure_index(es, alias)
    tagged = article(category="xa-hoi")
    index_documents(es, [tagged], alias, progress=False)
    index_documents(es, [article()], alias, progress=False)
    source = es.get(index=f"{alias}-2026.11", id=tagged.id)["_source"]
    assert source["category"] == "xa-hoi"


def test_rejected_document_is_reported_with_its_reason(es: Elasticsearch, alias: str) -> None:
    ensure_index(es, alias)
    # A keyword longer than Lucene's 32,766-byte term limit is refused by Elasticsearch.
    huge_url = "https://example.vn/" + "a" * 40_000
    bad = article(2, url=huge_url, id=article_id(huge_url))
    good = article(3)
    result = index_documents(es, [bad, good], alias, progress=False)
    assert result.created == 1
    assert len(result.rejected) == 1
    rejection = result.rejected[0]
    assert rejection.id == bad.id
    assert rejection.status == 400
    assert "immense term" in rejection.reason or "32766" in rejection.reason
