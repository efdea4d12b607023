"""API skeleton on the real node: /health, /search validation, and Elasticsearch failures."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch
from fastapi.testclient import TestClient

from api.app import create_app
from indexer.bulk import index_documents
from indexer.documents import Article, article_id
from indexer.setup import ensure_index
from tests.conftest import free_port
from vnopinion.settings import Settings
from vnopinion.vocabulary import load_vocabulary


@pytest.fixture
def client(es: Elasticsearch, es_settings: Settings, alias: str) -> TestClient:
    ensure_index(es, alias)
    url = "https://example.vn/dat-dai.html"
    doc = Article(
        id=article_id(url), source="example.vn", source_name="Ví dụ", url=url,
        title="Người dân chờ tiền đền bù giải phóng mặt bằng",
        text="Nhiều hộ dân phản ánh tiền đền bù chậm.", crawled_at=datetime.now(UTC),
        published_at=datetime(2026, 11, 20, tzinfo=UTC),
    )  # fmt: skip
    index_documents(es, [doc], alias, progress=False)
    es.indices.refresh(index=alias)
    settings = es_settings.model_copy(update={"index_alias": alias})
    return TestClient(create_app(settings, load_vocabulary()))


@pytest.mark.es
def test_health_reports_alias_and_count(client: TestClient) -> None:
    with client:
        body = client.get("/health").json()
    assert body["status"] == "ok"
    assert body["alias_present"] is True
    assert body["documents"] == 1


@pytest.mark.es
def test_search_highlights_and_paginates(client: TestClient) -> None:
    with client:
        found = client.get("/search", params={"q": "đền bù"}).json()
        beyond = client.get("/search", params={"q": "đền bù", "page": 2}).json()
        nothing = client.get("/search", params={"q": "xyzzy"}).json()
    assert found["total"] == 1
    assert "<mark>đền</mark>" in found["hits"][0]["highlight"]["title"][0]
    assert beyond["hits"] == []
    assert beyond["total"] == 1
    assert nothing["total"] == 0


@pytest.mark.es
@pytest.mark.parametrize(
    "params",
    [{"q": ""}, {"q": "a", "size": 0}, {"q": "a", "size": 101}, {"q": "a", "page": 0},
     {"q": "a", "page": 200, "size": 100}],
)  # fmt: skip
def test_bad_parameters_get_422(client: TestClient, params: dict[str, object]) -> None:
    with client:
        response = client.get("/search", params=params)
    assert response.status_code == 422
    assert "detail" in response.json()


@pytest.mark.es
def test_missing_alias_is_degraded_not_an_error(es_settings: Settings) -> None:
    settings = es_settings.model_copy(update={"index_alias": "no-such-alias"})
    with TestClient(create_app(settings, load_vocabulary())) as client:
        body = client.get("/health").json()
    assert body["status"] == "degraded"
    assert body["alias_present"] is False


def test_elasticsearch_down_gives_503_with_a_reason(tmp_path: Path) -> None:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, es_url=f"http://127.0.0.1:{free_port()}", es_request_timeout_s=2,
        data_dir=tmp_path,
    )  # fmt: skip
    with TestClient(
        create_app(settings, load_vocabulary()), raise_server_exceptions=False
    ) as client:
        health = client.get("/health")
        search = client.get("/search", params={"q": "đền bù"},
                            headers={"X-API-Key": "vno_0123456789abcdef.any"})  # fmt: skip
    for response in (health, search):
        assert response.status_code == 503
        body = response.json()
        assert "ConnectionError" in body["reason"]
        assert "Traceback" not in response.text


@pytest.mark.es
def test_health_gives_the_latest_publication_not_a_future_one(
    es: Elasticsearch, es_settings: Settings, alias: str
) -> None:
    """The dashboard ends its default window there: a page dated in 2100 by mistake must not
    drag it into the future."""
    ensure_index(es, alias)
    docs = []
    for slug, published in (("hom-qua", datetime(2026, 11, 20, 1, 30, tzinfo=UTC)),
                            ("nam-2100", datetime(2100, 1, 1, tzinfo=UTC))):  # fmt: skip
        url = f"https://example.vn/{slug}.html"
        docs.append(Article(id=article_id(url), source="example.vn", source_name="Ví dụ",
                            url=url, title=slug, text=slug, crawled_at=datetime.now(UTC),
                            published_at=published))  # fmt: skip
    index_documents(es, docs, alias, progress=False)
    es.indices.refresh(index=alias)
    settings = es_settings.model_copy(update={"index_alias": alias})
    with TestClient(create_app(settings, load_vocabulary())) as client:
        body = client.get("/health").json()
    assert body["documents"] == 2
    assert body["latest_published_at"] == "2026-11-20T08:30:00+07:00"


@pytest.mark.es
def test_health_falls_back_to_the_newest_when_all_are_in_the_future(
    es: Elasticsearch, es_settings: Settings, alias: str
) -> None:
    """The demo's fixed dates on a machine whose clock is earlier still fill the dashboard."""
    ensure_index(es, alias)
    url = "https://example.vn/sau-nay.html"
    doc = Article(id=article_id(url), source="example.vn", source_name="Ví dụ", url=url,
                  title="sau này", text="sau này", crawled_at=datetime.now(UTC),
                  published_at=datetime(2100, 1, 1, tzinfo=UTC))  # fmt: skip
    index_documents(es, [doc], alias, progress=False)
    es.indices.refresh(index=alias)
    settings = es_settings.model_copy(update={"index_alias": alias})
    with TestClient(create_app(settings, load_vocabulary())) as client:
        body = client.get("/health").json()
    assert body["latest_published_at"] == "2100-01-01T07:00:00+07:00"
