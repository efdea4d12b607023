"""The local node manager: start, status, stop, security on and off, and clear failures."""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import httpx
import pytest

from indexer.errors import NodeError
from indexer.node import LocalNode
from indexer.node_install import download, find_java
from tests.conftest import TEST_ES_SECURITY, es_security_switch, make_data_dir, node_settings
from vnopinion.settings import Settings


@pytest.mark.es
def test_running_node_is_green_or_yellow_on_8_19(es_node: LocalNode) -> None:
    status = es_node.status()
    assert status.running
    assert status.health in ("green", "yellow")
    assert status.version is not None
    assert status.version.startswith("8.19.")
    assert status.pid is not None


@pytest.mark.es
def test_start_on_a_running_node_is_a_no_op(es_node: LocalNode) -> None:
    pid = es_node.pid()
    assert es_node.start() is False
    assert es_node.pid() == pid


@pytest.mark.es
def test_session_node_security_matches_the_switch(
    es_node: LocalNode, es_settings: Settings
) -> None:
    """The secured mode is real: with the switch on, the session's node refuses anonymous
    requests and takes the generated password; with it off, it is open."""
    health = f"{es_settings.es_url}/_cluster/health"
    anonymous = httpx.get(health, timeout=10)
    if es_security_switch():
        assert es_settings.es_security, f"{TEST_ES_SECURITY}=on must turn security on"
        assert anonymous.status_code == 401
        assert httpx.get(health, auth=es_settings.es_basic_auth, timeout=10).status_code == 200
    else:
        assert not es_settings.es_security
        assert es_settings.es_basic_auth is None
        assert anonymous.status_code == 200


@pytest.mark.es
@pytest.mark.slow
def test_security_on_node_needs_the_password_and_stops() -> None:
    settings = node_settings(es_security=True, es_password="s3cret-test-pw")
    node = LocalNode(settings)
    try:
        assert node.start() is True
        anonymous = httpx.get(f"{settings.es_url}/_cluster/health", timeout=10)
        assert anonymous.status_code == 401
        status = node.status()
        assert status.health in ("green", "yellow")
        assert status.version is not None
        wrong = httpx.get(f"{settings.es_url}/_cluster/health", auth=("elastic", "nope"),
                          timeout=10)  # fmt: skip
        assert wrong.status_code == 401
    finally:
        assert node.stop() is True
        shutil.rmtree(settings.data_dir, ignore_errors=True)
    assert node.pid() is None
    assert node.status().health is None
    assert node.stop() is False


def test_security_on_without_password_is_a_clear_error() -> None:
    settings = node_settings(es_security=True, es_password=None)
    with pytest.raises(NodeError, match="VNOPINION_ES_PASSWORD"):
        LocalNode(settings).start()


def test_busy_port_is_a_clear_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        settings = node_settings(es_url=f"http://127.0.0.1:{port}")
        with pytest.raises(NodeError) as error:
            LocalNode(settings).start()
    assert f"Port {port}" in error.value.message
    assert "VNOPINION_ES_URL" in error.value.hint


def test_not_a_java_home_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(NodeError, match="not a Java 17\\+ installation"):
        find_java(tmp_path)


def test_java_17_or_newer_is_found() -> None:
    java = find_java(None)
    assert java.major >= 17
    assert (java.path / "bin" / "java").is_file()


def test_missing_maven_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("indexer.node_install.shutil.which", lambda _name: None)
    with pytest.raises(NodeError) as error:
        download(tmp_path, "8.19.21")
    assert "apt-get install maven" in error.value.hint


@pytest.mark.es
@pytest.mark.slow
def test_failed_start_reports_the_log_tail(es_node: LocalNode) -> None:
    """A JVM that cannot start: the error says so and carries the node's output."""
    settings = node_settings()
    node = LocalNode(settings)
    options = settings.es_node_dir / "config" / "jvm.options.d"
    options.mkdir(parents=True)
    (options / "broken.options").write_text("-XX:+NoSuchJvmOptionForVnopinionTests\n")
    try:
        with pytest.raises(NodeError) as error:
            node.start()
    finally:
        node.stop()
        shutil.rmtree(settings.data_dir, ignore_errors=True)
    assert "failed to start" in error.value.message
    assert "NoSuchJvmOptionForVnopinionTests" in error.value.details


@pytest.mark.skipif(os.geteuid() != 0, reason="only root hands the node to a system user")
def test_unreachable_system_user_folder_is_reported() -> None:
    private = make_data_dir("vnopinion-private-")
    private.chmod(0o700)
    settings = node_settings(data_dir=private / "inner")
    try:
        with pytest.raises(NodeError, match="cannot reach"):
            LocalNode(settings).start()
    finally:
        shutil.rmtree(private, ignore_errors=True)
