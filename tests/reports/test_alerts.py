"""`vnopinion alerts` on the API corpus (real node) with a local webhook receiver."""

from __future__ import annotations

import json
import sqlite3
import threading
from datetime import datetime
from pathlib import Path

import pytest
from pydantic import SecretStr

from indexer.client import make_client
from indexer.filters import VN_TZ, Vocabulary
from reports.alerts import run_alerts
from tests.api.corpus import HN
from tests.conftest import cli_env, free_port, run_cli
from tests.reports.conftest import Receiver
from vnopinion.settings import Settings

pytestmark = pytest.mark.es

START = "2026-11-25T00:00:00+07:00"
PLANTED = {
    f"topic:dat_dai:day:{START}:volume",
    f"topic:dat_dai:day:{START}:negative",
    f"province:{HN}:day:{START}:volume",
    f"province:{HN}:day:{START}:negative",
}
UNTIL = datetime(2026, 11, 26, tzinfo=VN_TZ)  # the end of the spike day


def env(settings: Settings) -> dict[str, str]:
    url = settings.alerts_webhook_url
    extra = {"VNOPINION_INDEX_ALIAS": settings.index_alias}
    if url is not None:
        extra["VNOPINION_ALERTS_WEBHOOK_URL"] = url.get_secret_value()
    return cli_env(settings, **extra)


def log_lines(settings: Settings) -> list[dict[str, object]]:
    path = settings.alerts_log_path
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def delivered(settings: Settings, channel: str) -> set[str]:
    with sqlite3.connect(settings.alerts_state_path) as db:
        rows = db.execute("SELECT spike_key FROM deliveries WHERE channel = ?", (channel,))
        return {key for (key,) in rows}


def test_first_run_sends_the_planted_spikes_once_second_run_nothing(
    alert_settings: Settings, receiver: Receiver
) -> None:
    first = run_cli("alerts", "--until", "2026-11-25", env=env(alert_settings))
    assert first.returncode == 0, first.stderr
    assert sorted(receiver.keys()) == sorted(PLANTED)
    assert {line["key"] for line in log_lines(alert_settings)} == PLANTED
    assert len(log_lines(alert_settings)) == 4
    assert "4 spikes found." in first.stdout
    assert "Webhook http://127.0.0.1:" in first.stdout
    assert "secret-token" not in first.stdout + first.stderr
    assert "4 sent, 0 sent before, 0 failed" in first.stdout

    second = run_cli("alerts", "--until", "2026-11-25", env=env(alert_settings))
    assert second.returncode == 0, second.stderr
    assert len(receiver.bodies) == 4
    assert len(log_lines(alert_settings)) == 4
    assert "0 written, 4 written before" in second.stdout
    assert "0 sent, 4 sent before, 0 failed" in second.stdout


def test_payload_message_documents_and_no_names(
    alert_settings: Settings, receiver: Receiver
) -> None:
    result = run_cli("alerts", "--until", "2026-11-25", env=env(alert_settings))
    assert result.returncode == 0, result.stderr
    by_key = {p["key"]: p for p in receiver.payloads()}
    negative = by_key[f"topic:dat_dai:day:{START}:negative"]
    assert negative["message"] == (
        "Tăng đột biến tin bài và bình luận tiêu cực về Đất đai ở Thành phố Hà Nội: "
        "12 so với trung vị 0 (ngày 25/11/2026)"
    )
    assert (negative["count"], negative["baseline_median"], negative["z"]) == (12, 0, 12.0)
    assert (negative["topic"], negative["province"]) == ("dat_dai", HN)
    volume = by_key[f"province:{HN}:day:{START}:volume"]
    assert volume["message"] == (
        "Tăng đột biến số tin bài và bình luận về Đất đai ở Thành phố Hà Nội: "
        "15 so với trung vị 0 (ngày 25/11/2026)"
    )
    docs = volume["documents"]
    assert [d["likes"] for d in docs] == [500, 100, 99, 98, 97]
    assert docs[0]["title"] == "Hàng trăm hộ dân phản đối cưỡng chế thu hồi đất"
    assert docs[0]["url"] == "https://vnexpress.net/phan-doi-thu-hoi-dat.html"
    assert docs[1]["kind"] == "comment"
    assert docs[1]["author_id"].startswith("author-")
    assert all(d["id"] and d["url"] for d in docs)
    raw = b"".join(receiver.bodies).decode("utf-8")
    assert "Nguyễn Văn A" not in raw
    assert "author_name" not in raw
    assert log_lines(alert_settings)[0] == json.loads(receiver.bodies[0])


def test_webhook_500_exits_1_keeps_it_pending_and_logs_once(
    alert_settings: Settings, receiver: Receiver
) -> None:
    receiver.status = 500
    failed = run_cli("alerts", "--until", "2026-11-25", env=env(alert_settings))
    assert failed.returncode == 1
    assert "Error: The webhook did not take 4 alert(s): http://127.0.0.1:" in failed.stderr
    assert "answered 500 Internal Server Error: receiver is down" in failed.stderr
    assert "What to do: check the receiver" in failed.stderr
    assert "Traceback" not in failed.stderr
    assert "secret-token" not in failed.stderr
    assert receiver.attempts == 1  # the rest are not tried once the receiver failed
    assert delivered(alert_settings, "webhook") == set()
    assert {line["key"] for line in log_lines(alert_settings)} == PLANTED

    again = run_cli("alerts", "--until", "2026-11-25", env=env(alert_settings))
    assert again.returncode == 1  # still down: tried again, still not marked
    assert receiver.attempts == 2
    assert len(log_lines(alert_settings)) == 4

    receiver.status = 200
    recovered = run_cli("alerts", "--until", "2026-11-25", env=env(alert_settings))
    assert recovered.returncode == 0, recovered.stderr
    assert sorted(receiver.keys()) == sorted(PLANTED)
    assert delivered(alert_settings, "webhook") == PLANTED
    assert len(log_lines(alert_settings)) == 4

    run_cli("alerts", "--until", "2026-11-25", env=env(alert_settings))
    assert len(receiver.bodies) == 4


def test_dry_run_prints_and_records_nothing(alert_settings: Settings, receiver: Receiver) -> None:
    dry = run_cli("alerts", "--until", "2026-11-25", "--dry-run", env=env(alert_settings))
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.count("Would send to log and webhook: Tăng đột biến") == 4
    assert '"key": "topic:dat_dai:day:2026-11-25T00:00:00+07:00:volume"' in dry.stdout
    assert receiver.attempts == 0
    assert not alert_settings.alerts_log_path.exists()
    assert delivered(alert_settings, "log") == set()

    run_cli("alerts", "--until", "2026-11-25", env=env(alert_settings))
    after = run_cli("alerts", "--until", "2026-11-25", "--dry-run", env=env(alert_settings))
    assert after.stdout.count("Already sent: ") == 4


def test_quiet_day_sends_nothing(alert_settings: Settings, receiver: Receiver) -> None:
    result = run_cli("alerts", "--until", "2026-11-24", env=env(alert_settings))
    assert result.returncode == 0, result.stderr
    assert "0 spikes found." in result.stdout
    assert receiver.attempts == 0
    assert log_lines(alert_settings) == []


def test_passthrough_options_reach_the_detector(
    alert_settings: Settings, receiver: Receiver
) -> None:
    high = run_cli("alerts", "--until", "2026-11-25", "--threshold", "20", env=env(alert_settings))
    assert "0 spikes found." in high.stdout
    floor = run_cli("alerts", "--until", "2026-11-25", "--min-count", "13",
                    "--documents", "1", env=env(alert_settings))  # fmt: skip
    assert floor.returncode == 0, floor.stderr
    assert {p["kind"] for p in receiver.payloads()} == {"volume"}
    assert all(len(p["documents"]) == 1 for p in receiver.payloads())


def test_without_webhook_only_the_log_is_written(
    alert_settings: Settings, vocabulary: Vocabulary
) -> None:
    settings = alert_settings.model_copy(update={"alerts_webhook_url": None})
    with make_client(settings) as client:
        report = run_alerts(settings, client, vocabulary, until=UNTIL)
    assert report.ok
    assert report.webhook is None
    assert set(report.log.sent) == PLANTED
    assert {line["key"] for line in log_lines(settings)} == PLANTED


def test_unreachable_webhook_is_a_named_failure(
    alert_settings: Settings, vocabulary: Vocabulary
) -> None:
    url = f"http://127.0.0.1:{free_port()}/hook"
    settings = alert_settings.model_copy(update={"alerts_webhook_url": SecretStr(url)})
    with make_client(settings) as client:
        report = run_alerts(settings, client, vocabulary, until=UNTIL)
    assert not report.ok
    assert report.webhook is not None
    reasons = list(report.webhook.failed.values())
    assert len(reasons) == 4
    assert reasons[0].startswith("no answer from http://127.0.0.1:")
    assert all(r.startswith("not tried after an earlier failure") for r in reasons[1:])
    assert len(log_lines(settings)) == 4


def test_concurrent_runs_never_send_a_spike_twice(
    alert_settings: Settings, receiver: Receiver, vocabulary: Vocabulary
) -> None:
    receiver.delay_s = 0.2  # each webhook call holds the lock a while
    errors: list[BaseException] = []

    def one_run() -> None:
        try:
            with make_client(alert_settings) as client:
                run_alerts(alert_settings, client, vocabulary, until=UNTIL)
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=one_run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(receiver.keys()) == sorted(PLANTED)
    assert receiver.attempts == 4
    assert len(log_lines(alert_settings)) == 4


def test_log_goes_where_the_setting_says(
    alert_settings: Settings, tmp_path: Path, vocabulary: Vocabulary
) -> None:
    target = tmp_path / "elsewhere" / "spikes.jsonl"
    settings = alert_settings.model_copy(update={"alerts_log": target})
    with make_client(settings) as client:
        run_alerts(settings, client, vocabulary, until=UNTIL)
    assert len(target.read_text(encoding="utf-8").splitlines()) == 4
    assert not (tmp_path / "alerts.jsonl").exists()
