"""Shared fixtures: one real Elasticsearch node for the whole session, started by us.

The node runs from the same cached distribution as ``vnopinion es start`` (downloaded once
with Maven), on free ports, with its data in a throwaway folder, and is stopped at the end.
Integration tests never skip: if the node cannot start, they fail with the reason.

``VNOPINION_TEST_ES_SECURITY=on`` runs the suite against nodes with security on (basic auth
for ``elastic`` with a password generated for the session), as in production; CI runs it so.
Only this file reads the switch: every node and subprocess gets it through ``Settings``.
"""

from __future__ import annotations

import functools
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from elasticsearch import Elasticsearch

from indexer.client import make_client
from indexer.node import LocalNode
from vnopinion.settings import Settings

REPO_ROOT = Path(__file__).resolve().parents[1]
TEST_ES_SECURITY = "VNOPINION_TEST_ES_SECURITY"


def es_security_switch() -> bool:
    """Whether this test run's nodes have security on (``VNOPINION_TEST_ES_SECURITY``)."""
    value = os.environ.get(TEST_ES_SECURITY, "off").strip().lower()
    if value in ("on", "true", "1"):
        return True
    if value in ("off", "false", "0", ""):
        return False
    raise pytest.UsageError(f"{TEST_ES_SECURITY} must be on or off, got {value!r}")


def pytest_report_header() -> str:
    mode = "on (basic auth)" if es_security_switch() else "off"
    return f"elasticsearch security: {mode} ({TEST_ES_SECURITY})"


@functools.cache
def session_es_password() -> str:
    """The ``elastic`` password of this run's secured nodes (one per session, never stored)."""
    return secrets.token_urlsafe(18)


def free_port(span: int = 0) -> int:
    """A free port p on 127.0.0.1 such that p + span is free as well."""
    for _ in range(200):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if port + span > 65535:
            continue
        if span == 0:
            return port
        with socket.socket() as other:
            try:
                other.bind(("127.0.0.1", port + span))
            except OSError:
                continue
        return port
    raise RuntimeError("no free port pair found")


def make_data_dir(prefix: str) -> Path:
    """A folder the node's system user can enter (pytest's tmp_path is private to root)."""
    path = Path(tempfile.mkdtemp(prefix=prefix))  # under TMPDIR (.ci/run sets its own)
    path.chmod(0o755)
    return path


def node_settings(**overrides: object) -> Settings:
    """Settings for a throwaway node: free ports, own data dir, the shared download cache."""
    values: dict[str, object] = {
        "es_url": f"http://127.0.0.1:{free_port(span=100)}",
        "data_dir": make_data_dir("vnopinion-test-"),
        "es_heap": "512m",
        "demo_site_port": free_port(),
        # The API's guards have their own tests (tests/api/test_security.py); elsewhere an
        # app built from these settings is open and unlimited.
        "api_auth": False,
        "api_rate_limit_per_minute": 0,
    }
    if es_security_switch():
        values.update(es_security=True, es_password=session_es_password())
    cache = os.environ.get("VNOPINION_CACHE_DIR")
    if cache:
        values["cache_dir"] = Path(cache)
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def cli_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment for a ``vnopinion`` subprocess that uses ``settings`` (ours win).

    The Elasticsearch credentials travel in the environment, never on a command line."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("VNOPINION_")}
    env.update({
        "VNOPINION_ES_URL": settings.es_url,
        "VNOPINION_DATA_DIR": str(settings.data_dir),
        "VNOPINION_CACHE_DIR": str(settings.cache_dir),
        "VNOPINION_ES_HEAP": settings.es_heap,
        "VNOPINION_ES_SECURITY": "true" if settings.es_security else "false",
        "VNOPINION_ES_USERNAME": settings.es_username,
    })  # fmt: skip
    if settings.es_password is not None:
        env["VNOPINION_ES_PASSWORD"] = settings.es_password.get_secret_value()
    env.update(extra)
    return env


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``vnopinion ARGS`` as a user runs it, with this interpreter."""
    return subprocess.run(
        [sys.executable, "-c", "from vnopinion.cli import run; run()", *args],
        env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    """A headless Chromium for a module's browser tests (skipped, or under CI failed, when
    Chromium, its driver or selenium is missing: ``tests.browser.require_browser``)."""
    from tests.browser import chromium, require_browser

    require_browser()
    with chromium() as browser:
        yield browser


@pytest.fixture(scope="session")
def es_settings() -> Iterator[Settings]:
    settings = node_settings(index_alias="vnopinion-docs")
    yield settings
    shutil.rmtree(settings.data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def es_node(es_settings: Settings) -> Iterator[LocalNode]:
    node = LocalNode(es_settings)
    node.start()
    yield node
    node.stop()


@pytest.fixture
def es(es_node: LocalNode, es_settings: Settings) -> Iterator[Elasticsearch]:
    client = make_client(es_settings)
    yield client
    client.close()


@pytest.fixture
def alias(es: Elasticsearch) -> Iterator[str]:
    """A fresh alias (and template) per test, removed afterwards."""
    name = f"t-{uuid.uuid4().hex[:10]}-docs"
    yield name
    indices = list(es.indices.get(index=f"{name}-*", allow_no_indices=True))
    if indices:
        es.indices.delete(index=",".join(indices))
    es.options(ignore_status=404).indices.delete_index_template(name=name)
