"""The parts of alerting that need no Elasticsearch: message, state, settings, doctests."""

from __future__ import annotations

import doctest
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

import reports.charts
import reports.render
import reports.vi
import reports.webhook
import reports.weeks
from indexer.filters import VN_TZ
from indexer.spikes import Spike
from reports.alert_context import SpikeContext
from reports.alert_state import DeliveryState
from reports.alerts import alert_message
from vnopinion.settings import Settings

START = datetime(2026, 11, 25, 14, tzinfo=VN_TZ)


def spike(**changes: object) -> Spike:
    values: dict[str, object] = {
        "key": "k", "dimension": "province", "value": "Thành phố Đà Nẵng",
        "label": "Thành phố Đà Nẵng", "kind": "volume", "interval": "hour",
        "bucket_start": START, "bucket_end": START + timedelta(hours=1), "count": 1234,
        "baseline_median": 2.5, "baseline_mad": 1.0, "z": 9.1, "series": [], "documents": [],
    }  # fmt: skip
    return Spike.model_validate(values | changes)


def test_message_without_a_leading_topic_names_only_the_place() -> None:
    context = SpikeContext(topic=None, topic_label=None, province="Thành phố Đà Nẵng")
    assert alert_message(spike(), context) == (
        "Tăng đột biến số tin bài và bình luận ở Thành phố Đà Nẵng: 1.234 so với trung vị 2,5 "
        "(14:00–15:00 ngày 25/11/2026)"
    )


def test_message_of_a_negative_topic_spike_in_a_week() -> None:
    week = datetime(2026, 11, 23, tzinfo=VN_TZ)
    changed = spike(dimension="topic", value="y_te", label="Y tế", kind="negative",
                    interval="week", bucket_start=week, bucket_end=week + timedelta(7),
                    count=40, baseline_median=3.0)  # fmt: skip
    context = SpikeContext(topic="y_te", topic_label="Y tế", province=None)
    assert alert_message(changed, context) == (
        "Tăng đột biến tin bài và bình luận tiêu cực về Y tế: 40 so với trung vị 3 "
        "(tuần 23/11–29/11/2026)"
    )


def fail_inside_a_claim(state: DeliveryState) -> None:
    with state.claim("k", "webhook") as claim:
        assert claim.pending
        raise RuntimeError("the send blew up")


def test_a_failed_delivery_is_not_recorded(tmp_path: Path) -> None:
    with DeliveryState(tmp_path / "state.sqlite") as state:
        with pytest.raises(RuntimeError, match="blew up"):
            fail_inside_a_claim(state)
        with state.claim("k", "webhook") as claim:
            assert claim.pending  # not done(): nothing recorded
        with state.claim("k", "webhook") as claim:
            claim.done()
        assert state.delivered("k", "webhook")
        assert not state.delivered("k", "log")
    with DeliveryState(tmp_path / "state.sqlite") as reopened:
        assert reopened.delivered("k", "webhook")


def test_log_path_defaults_to_the_data_dir(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path)  # type: ignore[call-arg]
    assert settings.alerts_log_path == tmp_path / "alerts.jsonl"
    assert settings.alerts_webhook_url is None


def test_webhook_url_is_checked_and_kept_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    # A token that no setting's name contains ("api_session_secret" does contain "secret").
    monkeypatch.setenv("VNOPINION_ALERTS_WEBHOOK_URL", "https://hooks.example.org/T0/XyzzyToken")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert "XyzzyToken" not in repr(settings)
    monkeypatch.setenv("VNOPINION_ALERTS_WEBHOOK_URL", "hooks.example.org/T0/XyzzyToken")
    with pytest.raises(ValidationError, match="alerts_webhook_url must be an http") as caught:
        Settings(_env_file=None)  # type: ignore[call-arg]
    assert "XyzzyToken" not in str(caught.value)
    monkeypatch.setenv("VNOPINION_ALERTS_WEBHOOK_URL", "")
    assert Settings(_env_file=None).alerts_webhook_url is None  # type: ignore[call-arg]


@pytest.mark.parametrize(
    "module", [reports.vi, reports.webhook, reports.weeks, reports.charts, reports.render]
)
def test_doctests(module: object) -> None:
    failures, _ = doctest.testmod(module)  # type: ignore[arg-type]
    assert failures == 0
