"""POST /documents/{id}/corrections and the correction on GET /documents/{id}, with auth on
and real keys, over the seeded corpus (tests/api/corpus.py) in the real node."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch
from fastapi.testclient import TestClient

from api.app import create_app
from api.security.keys import KeyStore, Role
from indexer.documents import article_id
from indexer.filters import Vocabulary
from tests.conftest import free_port
from vnopinion.settings import Settings

SPIKE = article_id("https://vnexpress.net/phan-doi-thu-hoi-dat.html")
URL = f"/documents/{SPIKE}/corrections"


@pytest.fixture
def secure(corpus_settings: Settings, tmp_path: Path, es: Elasticsearch) -> Iterator[Settings]:
    settings = corpus_settings.model_copy(
        update={"api_auth": True, "api_rate_limit_per_minute": 0, "data_dir": tmp_path}
    )
    yield settings
    for index in (settings.api_keys_index, settings.corrections_index):
        es.options(ignore_status=404).indices.delete(index=index)


@pytest.fixture
def api(secure: Settings, vocabulary: Vocabulary) -> Iterator[TestClient]:
    with TestClient(create_app(secure, vocabulary)) as client:
        yield client


@pytest.fixture
def keys(secure: Settings, es: Elasticsearch) -> dict[Role, dict[str, str]]:
    store = KeyStore(es, secure.api_keys_index)
    return {
        role: {"Authorization": f"Bearer {store.create(f'Cán bộ {role}', role).secret}"}
        for role in ("viewer", "analyst", "admin")
    }


@pytest.mark.es
def test_viewer_is_refused_and_analyst_correction_shows_at_once(
    api: TestClient, keys: dict[Role, dict[str, str]]
) -> None:
    before = api.get(f"/documents/{SPIKE}", headers=keys["viewer"]).json()
    model_sentiment = before["document"]["sentiment"]["label"]
    assert before["correction"] is None
    assert before["effective"]["sentiment"] == model_sentiment

    body = {"sentiment": "positive", "watch_topics": ["y_te"], "note": "Bài tích cực"}
    refused = api.post(URL, json=body, headers=keys["viewer"])
    assert refused.status_code == 403, refused.text
    assert "cần 'analyst'" in refused.json()["detail"]
    assert api.post(URL, json=body).status_code == 401

    started = datetime.now(UTC)
    made = api.post(URL, json=body, headers=keys["analyst"])
    assert made.status_code == 201, made.text
    correction = made.json()["correction"]
    assert correction["by"]["key_name"] == "Cán bộ analyst"
    assert correction["by"]["role"] == "analyst"
    assert made.json()["effective"] == {"sentiment": "positive", "watch_topics": ["y_te"]}

    shown = api.get(f"/documents/{SPIKE}", headers=keys["viewer"]).json()  # no wait
    assert shown["correction"]["id"] == correction["id"]
    assert shown["correction"]["sentiment"] == "positive"
    assert shown["correction"]["note"] == "Bài tích cực"
    when = datetime.fromisoformat(shown["correction"]["created_at"])
    assert started - timedelta(seconds=5) <= when <= datetime.now(UTC)
    assert shown["effective"] == {"sentiment": "positive", "watch_topics": ["y_te"]}
    assert shown["document"]["sentiment"]["label"] == model_sentiment  # the model's is kept

    # The admin corrects again, topics only: the latest wins, its sentiment stays the model's.
    again = api.post(URL, json={"watch_topics": []}, headers=keys["admin"])
    assert again.status_code == 201, again.text
    shown = api.get(f"/documents/{SPIKE}", headers=keys["viewer"]).json()
    assert shown["correction"]["by"]["role"] == "admin"
    assert shown["effective"] == {"sentiment": model_sentiment, "watch_topics": []}


@pytest.mark.es
def test_a_comment_correction_shows_in_its_thread_and_in_search(
    api: TestClient, keys: dict[Role, dict[str, str]]
) -> None:
    thread = api.get(f"/documents/{SPIKE}", headers=keys["viewer"]).json()["thread"]
    comments = thread["comments"]
    assert len(comments) >= 2
    target, other = comments[0], comments[1]
    assert target["correction"] is None
    assert target["effective"]["sentiment"] == target["sentiment"]["label"]
    wanted = "positive" if target["sentiment"]["label"] != "positive" else "negative"

    url = f"/documents/{target['id']}/corrections"
    body = {"sentiment": wanted, "watch_topics": ["moi_truong"]}
    made = api.post(url, json=body, headers=keys["analyst"])
    assert made.status_code == 201, made.text
    older = api.post(url, json={"sentiment": "neutral"}, headers=keys["analyst"])
    assert older.status_code == 201
    latest = api.post(url, json=body, headers=keys["admin"]).json()["correction"]

    shown = api.get(f"/documents/{SPIKE}", headers=keys["viewer"]).json()["thread"]["comments"]
    by_id = {c["id"]: c for c in shown}
    assert by_id[target["id"]]["correction"]["id"] == latest["id"]  # the latest of three
    assert by_id[target["id"]]["correction"]["by"]["role"] == "admin"
    assert by_id[target["id"]]["effective"] == {"sentiment": wanted, "watch_topics": ["moi_truong"]}
    assert by_id[target["id"]]["sentiment"] == target["sentiment"]  # the model's is kept
    assert by_id[other["id"]]["correction"] is None

    hits = api.get("/search", params={"q": "cuong che", "kind": "comment", "size": 100},
                   headers=keys["viewer"]).json()["hits"]  # fmt: skip
    found = {h["id"]: h for h in hits}
    assert target["id"] in found
    assert other["id"] in found
    assert found[target["id"]]["correction"]["id"] == latest["id"]
    assert found[target["id"]]["effective"] == {"sentiment": wanted, "watch_topics": ["moi_truong"]}
    assert found[target["id"]]["sentiment"] == target["sentiment"]["label"]
    assert found[other["id"]]["correction"] is None
    assert found[other["id"]]["effective"]["sentiment"] == other["sentiment"]["label"]


@pytest.mark.es
def test_unknown_document_is_404(api: TestClient, keys: dict[Role, dict[str, str]]) -> None:
    response = api.post("/documents/khong-co/corrections", json={"sentiment": "negative"},
                        headers=keys["analyst"])  # fmt: skip
    assert response.status_code == 404
    assert "no document" in response.json()["detail"]


@pytest.mark.es
@pytest.mark.parametrize(
    ("body", "field", "said"),
    [
        ({"sentiment": "angry"}, "sentiment", "Nhãn cảm xúc không hợp lệ: 'angry'"),
        ({"sentiment": "angry"}, "sentiment", "(unknown sentiment label)"),
        ({"watch_topics": ["bong_da"]}, "watch_topics", "Chủ đề theo dõi không có trong danh"),
        ({"watch_topics": ["bong_da"]}, "watch_topics", "(unknown watch topic)"),
        ({"note": "chỉ ghi chú"}, "body", "Cần sửa ít nhất cảm xúc hoặc chủ đề theo dõi"),
    ],
)
def test_bad_labels_get_422_in_both_languages(
    api: TestClient, keys: dict[Role, dict[str, str]], body: dict[str, object], field: str,
    said: str,
) -> None:  # fmt: skip
    response = api.post(URL, json=body, headers=keys["analyst"])
    assert response.status_code == 422, response.text
    (detail,) = response.json()["detail"]
    assert detail["loc"] == ["body", field]
    assert said in detail["msg"]
    assert api.get(f"/documents/{SPIKE}", headers=keys["viewer"]).json()["correction"] is None


def test_elasticsearch_down_gives_503(vocabulary: Vocabulary, tmp_path: Path) -> None:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, es_url=f"http://127.0.0.1:{free_port()}", es_request_timeout_s=2,
        data_dir=tmp_path, api_auth=False,
    )  # fmt: skip
    with TestClient(create_app(settings, vocabulary), raise_server_exceptions=False) as client:
        response = client.post(URL, json={"sentiment": "negative"})
    assert response.status_code == 503, response.text
    assert "ConnectionError" in response.json()["reason"]
