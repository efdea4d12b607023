"""Bad parameters get 422 with a bilingual message; Elasticsearch away gets 503, everywhere."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from indexer.filters import Vocabulary
from tests.conftest import free_port
from vnopinion.settings import Settings

FILTERED = ["/trends", "/topics", "/spikes", "/search", "/places", "/sources", "/keywords",
            "/export"]  # fmt: skip


def messages(response: object) -> str:
    detail = response.json()["detail"]  # type: ignore[attr-defined]
    return " ".join(d["msg"] for d in detail) if isinstance(detail, list) else detail


@pytest.mark.es
@pytest.mark.parametrize("path", FILTERED)
@pytest.mark.parametrize(
    ("params", "said"),
    [
        ({"topic": "khong_co"}, "'khong_co': topic không hợp lệ (unknown topic)"),
        ({"category": "bong-da"}, "'bong-da': category không hợp lệ (unknown category)"),
        ({"kind": "post"}, "'post': kind không hợp lệ (unknown kind)"),
        ({"sentiment": "angry"}, "'angry': sentiment không hợp lệ (unknown sentiment)"),
        ({"since": "2026-11-20", "until": "2026-11-10"}, "until must be after since"),
        ({"since": "2020-01-01", "until": "2026-11-10"}, "at most 1098 days"),
        ({"until": "20/11/2026"}, "until must be a date YYYY-MM-DD"),
    ],
)
def test_bad_filters_get_422(api: TestClient, path: str, params: dict[str, str], said: str) -> None:
    response = api.get(path, params=params)
    assert response.status_code == 422, response.text
    assert said in messages(response)
    assert "Traceback" not in response.text


@pytest.mark.es
@pytest.mark.parametrize(
    ("path", "params", "said"),
    [
        ("/trends", {"interval": "hour", "since": "2026-09-01", "until": "2026-11-25"},
         "too many buckets"),
        ("/trends", {"interval": "year"}, "Input should be"),
        ("/spikes", {"since": "2026-11-01"}, "spikes take lookback, not since"),
        ("/spikes", {"lookback": 3}, "greater than or equal to 7"),
        ("/search", {"cursor": "not-a-cursor"}, "invalid cursor"),
        ("/search", {"q": "x" * 501}, "at most 500 characters"),
        ("/search", {"page": 101, "size": 100}, "at most 10000"),
        ("/documents/x", {"comments_size": 5000}, "less than or equal to 1000"),
    ],
)  # fmt: skip
def test_other_bad_parameters_get_422(
    api: TestClient, path: str, params: dict[str, object], said: str
) -> None:
    response = api.get(path, params=params)
    assert response.status_code == 422, response.text
    assert said in messages(response)


@pytest.mark.es
def test_cursor_of_another_sort_is_refused(api: TestClient) -> None:
    cursor = api.get("/search", params={"sort": "time", "size": 2}).json()["next_cursor"]
    response = api.get("/search", params={"sort": "engagement", "cursor": cursor})
    assert response.status_code == 422
    assert "cursor không hợp lệ" in messages(response)
    both = api.get("/search", params={"sort": "time", "cursor": cursor, "page": 2})
    assert both.status_code == 422


@pytest.mark.es
def test_vietnamese_values_and_repeats_are_accepted(api: TestClient) -> None:
    response = api.get(
        "/trends",
        params={"topic": ["dat_dai", "dat_dai"], "category": "phap-luat",
                "province": "Thành phố Hà Nội", "since": "2026-11-25T00:00:00+07:00",
                "until": "2026-11-25T23:59:59Z", "interval": "day"},
    )  # fmt: skip
    assert response.status_code == 200, response.text
    assert response.json()["total"] == 15


ANY_KEY = "vno_0123456789abcdef.not-checked-before-elasticsearch-answers"


@pytest.mark.parametrize("path", [*FILTERED, "/health", "/documents/abc"])
def test_elasticsearch_down_gives_503_everywhere(
    vocabulary: Vocabulary, path: str, tmp_path: Path
) -> None:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, es_url=f"http://127.0.0.1:{free_port()}", es_request_timeout_s=2,
        data_dir=tmp_path,
    )  # fmt: skip
    with TestClient(create_app(settings, vocabulary), raise_server_exceptions=False) as client:
        # Auth is on: checking the key is the first thing that needs Elasticsearch.
        response = client.get(path, params={"q": "đền bù"} if path == "/search" else None,
                              headers={"X-API-Key": ANY_KEY})  # fmt: skip
    assert response.status_code == 503, response.text
    assert "ConnectionError" in response.json()["reason"]
    assert "Traceback" not in response.text


@pytest.mark.parametrize("path", FILTERED)
def test_elasticsearch_down_gives_503_from_the_route_itself(
    vocabulary: Vocabulary, path: str, tmp_path: Path
) -> None:
    """With auth off the route's own search meets the outage: sync and async clients alike."""
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, es_url=f"http://127.0.0.1:{free_port()}", es_request_timeout_s=2,
        data_dir=tmp_path, api_auth=False,
    )  # fmt: skip
    with TestClient(create_app(settings, vocabulary), raise_server_exceptions=False) as client:
        response = client.get(path, params={"q": "đền bù"} if path == "/search" else None)
    assert response.status_code == 503, response.text
    assert "ConnectionError" in response.json()["reason"]
    assert "Traceback" not in response.text
