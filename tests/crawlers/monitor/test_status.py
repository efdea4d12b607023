"""``vnopinion monitor --status``: the sources' health from the monitor's store, as an
operator reads it on the server (a subprocess, as a user runs it)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from crawlers.monitor.model import CyclePlan, CycleReport, SourceOutcome
from crawlers.monitor.schedule import Timing
from crawlers.monitor.status import read_status
from crawlers.monitor.store import FILE_NAME, MonitorStore
from indexer.monitoring import SourceHealth
from tests.conftest import cli_env, run_cli
from vnopinion.settings import Settings

T0 = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


def health(source: str, status: str, **values: object) -> SourceHealth:
    data: dict[str, object] = {
        "source": source, "name": source.title(), "status": status, "reason": None,
        "interval_s": 900.0, "last_cycle_at": T0, "last_success_at": T0,
        "next_due_at": T0 + timedelta(minutes=15), "cycles": 4, "documents_last_cycle": 30,
        "documents_per_cycle": 37.5, "error_rate": 0.0, "last_error": None,
        "last_error_kind": None, "last_error_at": None, "consecutive_failures": 0,
        "threads_followed": 12,
    }  # fmt: skip
    data.update(values)
    return SourceHealth(**data)  # type: ignore[arg-type]


def fill_store(data_dir: Path) -> None:
    store = MonitorStore.in_data_dir(data_dir)
    store.configure_sources({"vnexpress": Timing(900, 3600, 2), "tuoitre": Timing(900, 3600, 2)})
    store.begin_cycle(CyclePlan("c-1", ("vnexpress", "tuoitre")), T0)
    outcomes = {"vnexpress": SourceOutcome("vnexpress", True, listed=40)}
    store.finish_cycle(CycleReport("c-1", T0, T0 + timedelta(seconds=6.4), outcomes))
    store.save_health(health("vnexpress", "ok"))
    store.save_health(health(
        "tuoitre", "broken", last_success_at=T0 - timedelta(hours=3), documents_per_cycle=0.0,
        error_rate=1.0, last_error="Cloudflare challenge on https://tuoitre.vn/ (HTTP 403)",
        last_error_kind="blocked", reason="Trang trả về trang chặn (blocked by a challenge page)",
    ))  # fmt: skip
    store.close()


def test_the_status_lists_every_source_and_exits_2_when_one_is_broken(tmp_path: Path) -> None:
    fill_store(tmp_path)
    settings = Settings(_env_file=None, data_dir=tmp_path)  # type: ignore[call-arg]
    result = run_cli("monitor", "--status", env=cli_env(settings))
    assert result.returncode == 2, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"monitor state {tmp_path / FILE_NAME}: 1 cycles (0 failed)")
    assert "last c-1 took 6.4 s" in lines[0]
    assert lines[1].split()[:2] == ["source", "status"]
    rows = {line.split()[0]: line for line in lines[2:4]}
    assert rows["vnexpress"].split()[1:4] == ["ok", "2026-11-26", "08:00"]
    assert "37.5" in rows["vnexpress"]
    assert rows["tuoitre"].split()[1:4] == ["broken", "2026-11-26", "05:00"]
    assert "100%" in rows["tuoitre"]
    assert "Cloudflare challenge on https://tuoitre.vn/" in rows["tuoitre"]
    assert "tuoitre: Trang trả về trang chặn" in result.stdout


def test_all_ok_exits_0_and_a_fresh_store_says_nothing_is_judged(tmp_path: Path) -> None:
    store = MonitorStore.in_data_dir(tmp_path)
    store.close()
    fresh = read_status(tmp_path)
    assert fresh is not None
    assert fresh.broken == []
    assert "no source judged yet" in fresh.text
    store = MonitorStore.in_data_dir(tmp_path)
    store.save_health(health("vnexpress", "ok"))
    store.close()
    settings = Settings(_env_file=None, data_dir=tmp_path)  # type: ignore[call-arg]
    result = run_cli("monitor", "--status", env=cli_env(settings))
    assert result.returncode == 0, result.stderr
    assert "vnexpress" in result.stdout


def test_without_a_monitor_store_it_says_so_and_creates_nothing(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path / "data")  # type: ignore[call-arg]
    result = run_cli("monitor", "--status", env=cli_env(settings))
    assert result.returncode == 1
    assert "The monitor has not run with the data directory" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "data" / FILE_NAME).exists()
