"""GET /metrics and the health in GET /sources, from what the monitor publishes
(``crawlers.monitor.publish``) into a real monitor index beside the seeded corpus."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from elasticsearch import Elasticsearch
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from api.app import create_app
from api.routes.sources import SourceHealthView
from api.security.keys import KeyStore
from indexer.filters import Vocabulary
from indexer.monitoring import HealthStatus, MetricsSnapshot, SourceCounters, SourceHealth, publish
from tests.conftest import free_port
from vnopinion.settings import Settings

pytestmark = pytest.mark.es

NOW = datetime.now(UTC).replace(microsecond=0)
MakeApi = Callable[..., TestClient]


def health(
    key: str, name: str, status: HealthStatus, domain: str | None = None, **values: Any
) -> SourceHealth:
    fields: dict[str, Any] = {
        "source": key, "name": name, "status": status, "reason": None, "interval_s": 900.0,
        "last_cycle_at": NOW - timedelta(minutes=5),
        "last_success_at": NOW - timedelta(minutes=5), "next_due_at": NOW + timedelta(minutes=10),
        "cycles": 12, "documents_last_cycle": 40, "documents_per_cycle": 37.5,
        "error_rate": 0.0, "last_error": None, "last_error_kind": None, "last_error_at": None,
        "consecutive_failures": 0, "threads_followed": 25, "domain": domain,
    }  # fmt: skip
    fields.update(values)
    return SourceHealth(**fields)


OK = health("vnexpress", "VnExpress", "ok", "vnexpress.net")
# No domain published: joined to its documents by name.
BROKEN = health(
    "tuoitre", "Tuổi Trẻ", "broken", reason="Bị chặn bởi trang thử thách Cloudflare "
    "(blocked by a Cloudflare challenge page)", last_success_at=NOW - timedelta(hours=2),
    error_rate=0.75, last_error="blocked on https://tuoitre.vn/rss/tin-moi-nhat.rss",
    last_error_kind="blocked", last_error_at=NOW - timedelta(minutes=5), consecutive_failures=3,
)  # fmt: skip
NEW = health("tindansinh", "Tin Dân Sinh", "unknown", "tindansinh.example",
             last_cycle_at=None, last_success_at=None, cycles=0)  # fmt: skip


def snapshot(updated_at: datetime = NOW) -> MetricsSnapshot:
    return MetricsSnapshot(
        updated_at=updated_at, started_at=updated_at - timedelta(hours=3), cycles=12,
        cycle_failures=1, cycle_duration_s_sum=345.5, last_cycle_id="c-12",
        last_cycle_duration_s=28.0, model_version="linear-2026.11", spool_pending=4,
        threads_followed=60, threads_due=7, sources_due=1,
        sources={
            "vnexpress": SourceCounters(fetched_articles=120, fetched_comments=900, stored=1015,
                                        indexed=1010, spooled=5, failed=2, requests=1300,
                                        errors=13, cycles=12, listed_last=40),
            "tuoitre": SourceCounters(fetched_articles=80, fetched_comments=300, stored=380,
                                      indexed=380, requests=700, errors=210, cycles=12),
        },
    )  # fmt: skip


@pytest.fixture
def monitored(corpus_settings: Settings, es: Elasticsearch) -> Iterator[Settings]:
    """The corpus, with a monitor index of its own (removed afterwards)."""
    settings = corpus_settings.model_copy(
        update={"monitor_index": f"t-{uuid.uuid4().hex[:10]}-monitor"}
    )
    yield settings
    es.options(ignore_status=404).indices.delete(index=settings.monitor_index)


@pytest.fixture
def make_api(vocabulary: Vocabulary) -> Iterator[MakeApi]:
    clients: list[TestClient] = []

    def make(settings: Settings) -> TestClient:
        client = TestClient(create_app(settings, vocabulary))
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


def scrape(api: TestClient, **headers: str) -> dict[str, dict[tuple[tuple[str, str], ...], float]]:
    """``/metrics`` parsed: sample name -> sorted labels -> value."""
    response = api.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    samples: dict[str, dict[tuple[tuple[str, str], ...], float]] = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            labels = tuple(sorted(sample.labels.items()))
            samples.setdefault(sample.name, {})[labels] = sample.value
    return samples


def one(samples: dict[str, Any], name: str, **labels: str) -> float:
    value: float = samples[name][tuple(sorted(labels.items()))]
    return value


def test_metrics_expose_the_published_snapshot(
    monitored: Settings, es: Elasticsearch, make_api: MakeApi
) -> None:
    publish(es, monitored.monitor_index, [OK, BROKEN, NEW], snapshot())
    samples = scrape(make_api(monitored))

    assert one(samples, "vnopinion_monitor_up") == 1
    assert one(samples, "vnopinion_monitor_last_update_timestamp_seconds") == NOW.timestamp()
    fetched = "vnopinion_documents_fetched_total"
    assert one(samples, fetched, source="vnexpress", kind="article") == 120
    assert one(samples, fetched, source="vnexpress", kind="comment") == 900
    assert one(samples, fetched, source="tuoitre", kind="comment") == 300
    for name, vnexpress, tuoitre in (
        ("vnopinion_documents_stored_total", 1015, 380),
        ("vnopinion_documents_indexed_total", 1010, 380),
        ("vnopinion_documents_spooled_total", 5, 0),
        ("vnopinion_documents_failed_total", 2, 0),
        ("vnopinion_requests_total", 1300, 700),
        ("vnopinion_request_errors_total", 13, 210),
    ):
        assert one(samples, name, source="vnexpress") == vnexpress, name
        assert one(samples, name, source="tuoitre") == tuoitre, name
    for name, value in (
        ("vnopinion_cycles_total", 12), ("vnopinion_cycle_failures_total", 1),
        ("vnopinion_cycle_duration_seconds_sum", 345.5),
        ("vnopinion_cycle_duration_seconds_count", 12),
        ("vnopinion_last_cycle_duration_seconds", 28), ("vnopinion_spool_pending_documents", 4),
        ("vnopinion_threads_followed", 60), ("vnopinion_threads_due", 7),
        ("vnopinion_sources_due", 1),
    ):  # fmt: skip
        assert one(samples, name) == value, name
    assert one(samples, "vnopinion_model_info", version="linear-2026.11") == 1

    up = samples["vnopinion_source_up"]
    assert up == {(("source", "vnexpress"),): 1.0, (("source", "tuoitre"),): 0.0}  # no unknown
    success = "vnopinion_source_last_success_timestamp_seconds"
    assert one(samples, success, source="tuoitre") == (NOW - timedelta(hours=2)).timestamp()
    assert (("source", "tindansinh"),) not in samples[success]  # never succeeded
    assert one(samples, "vnopinion_source_error_rate", source="tuoitre") == 0.75
    assert one(samples, "vnopinion_source_error_rate", source="vnexpress") == 0


def test_metrics_before_the_monitor_ran_answer_monitor_up_0(
    monitored: Settings, make_api: MakeApi
) -> None:
    samples = scrape(make_api(monitored))  # the monitor index does not exist
    assert one(samples, "vnopinion_monitor_up") == 0
    assert "vnopinion_api_info" in samples
    assert "vnopinion_source_up" not in samples
    assert "vnopinion_cycles_total" not in samples


def test_a_stale_snapshot_is_monitor_up_0(
    monitored: Settings, es: Elasticsearch, make_api: MakeApi
) -> None:
    # Three 15-minute intervals have passed since the monitor last published.
    publish(es, monitored.monitor_index, [OK], snapshot(NOW - timedelta(minutes=46)))
    samples = scrape(make_api(monitored))
    assert one(samples, "vnopinion_monitor_up") == 0
    assert one(samples, "vnopinion_cycles_total") == 12  # the last figures are still shown


def test_sources_carry_health_and_the_monitor_only_sources(
    monitored: Settings, es: Elasticsearch, make_api: MakeApi
) -> None:
    publish(es, monitored.monitor_index, [OK, BROKEN, NEW], snapshot())
    body = make_api(monitored).get("/sources").json()
    never_ran = monitored.model_copy(update={"monitor_index": f"t-{uuid.uuid4().hex[:10]}-none"})
    plain = make_api(never_ran).get("/sources").json()  # no monitor index at all

    assert body["total"] == plain["total"]
    assert [s["health"] for s in plain["sources"]] == [None] * len(plain["sources"])
    documents = body["sources"][: len(plain["sources"])]
    assert [{k: v for k, v in s.items() if k != "health"} for s in documents] == [
        {k: v for k, v in s.items() if k != "health"} for s in plain["sources"]
    ]  # every current field, unchanged
    by_source = {s["source"]: s for s in body["sources"]}
    assert by_source["vnexpress.net"]["health"]["status"] == "ok"
    assert by_source["vnexpress.net"]["health"]["documents_per_cycle"] == 37.5
    broken = by_source["tuoitre.vn"]["health"]  # joined by name
    assert broken["status"] == "broken"
    assert broken["reason"].startswith("Bị chặn")
    assert broken["last_error_kind"] == "blocked"
    assert datetime.fromisoformat(broken["last_success_at"]) == NOW - timedelta(hours=2)
    assert by_source["dantri.com.vn"]["health"] is None  # the monitor does not know it

    last = body["sources"][-1]  # known to the monitor, no documents yet
    assert len(body["sources"]) == len(plain["sources"]) + 1
    assert (last["source"], last["source_name"]) == ("tindansinh.example", "Tin Dân Sinh")
    assert (last["total"], last["articles"], last["comments"]) == (0, 0, 0)
    assert last["health"]["status"] == "unknown"

    filtered = make_api(monitored).get("/sources", params={"source": "vnexpress.net"}).json()
    assert [s["source"] for s in filtered["sources"]] == ["vnexpress.net"]


def test_health_view_mirrors_the_model() -> None:
    assert list(SourceHealthView.model_fields) == [f.name for f in dataclasses.fields(SourceHealth)]
    view = SourceHealthView.of(BROKEN)
    assert SourceHealth.from_json(view.model_dump(mode="json")) == BROKEN


def test_metrics_elasticsearch_down_is_503(make_api: MakeApi) -> None:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, es_url=f"http://127.0.0.1:{free_port()}", es_request_timeout_s=2,
        api_auth=False,
    )  # fmt: skip
    response = make_api(settings).get("/metrics")
    assert response.status_code == 503
    assert "Elasticsearch" in response.json()["detail"]


def test_metrics_need_a_key_and_take_a_bearer_key(
    monitored: Settings, es: Elasticsearch, make_api: MakeApi, tmp_path: Path
) -> None:
    secure = monitored.model_copy(
        update={"api_auth": True, "api_rate_limit_per_minute": 0, "data_dir": tmp_path}
    )
    try:
        key = KeyStore(es, secure.api_keys_index).create("Prometheus", "viewer").secret
        api = make_api(secure)
        refused = api.get("/metrics")
        assert refused.status_code == 401
        assert refused.headers["WWW-Authenticate"] == "Bearer"
        samples = scrape(api, Authorization=f"Bearer {key}")
        assert one(samples, "vnopinion_monitor_up") == 0
    finally:
        es.options(ignore_status=404).indices.delete(index=secure.api_keys_index)


def test_the_health_page_is_served_with_the_dashboard_policy(vocabulary: Vocabulary) -> None:
    # Serving a file needs no Elasticsearch: the app's lifespan is not even run.
    app = create_app(Settings(_env_file=None), vocabulary)  # type: ignore[call-arg]
    page = TestClient(app).get("/source-health")
    assert page.status_code == 200
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "<h1>Tình trạng nguồn tin</h1>" in page.text
    assert '<script type="module" src="dashboard/js/source-health.js"></script>' in page.text
    assert "<script>" not in page.text
