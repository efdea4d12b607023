"""``vnopinion serve`` as a user runs it: one process, or several (``api_workers``)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from elasticsearch import Elasticsearch

from indexer.node import LocalNode
from indexer.setup import ensure_index
from tests.conftest import cli_env, free_port
from vnopinion.settings import Settings


def worker_processes(pid: int) -> list[int]:
    """Children of ``pid`` started by multiprocessing's spawn (its resource tracker aside)."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(
                line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line
            )
        except OSError:
            continue
        if fields.get("PPid", "").strip() != str(pid):
            continue
        cmdline = (status.parent / "cmdline").read_bytes().replace(b"\0", b" ")
        if b"spawn_main" in cmdline:
            found.append(int(status.parent.name))
    return found


@pytest.mark.es
@pytest.mark.parametrize("workers", [1, 2])
def test_serve_answers_with_the_asked_number_of_processes(
    es_node: LocalNode,
    es_settings: Settings,
    es: Elasticsearch,
    alias: str,
    tmp_path: Path,
    workers: int,
) -> None:
    ensure_index(es, alias)
    port = free_port()
    env = cli_env(
        es_settings,
        VNOPINION_API_PORT=str(port),
        VNOPINION_API_WORKERS=str(workers),
        VNOPINION_API_AUTH="false",
        VNOPINION_INDEX_ALIAS=alias,
        VNOPINION_API_AUDIT_LOG=str(tmp_path / "audit.jsonl"),
    )
    server = subprocess.Popen(
        [sys.executable, "-c", "from vnopinion.cli import run; run()", "serve"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while True:
            assert server.poll() is None, server.stderr.read().decode() if server.stderr else ""
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the API did not answer within 90 s"
            time.sleep(0.3)
        for _ in range(2 * workers):
            trends = httpx.get(f"{url}/trends", params={"interval": "week"}, timeout=30)
            assert trends.status_code == 200, trends.text
            assert trends.json()["interval"] == "week"
        # uvicorn's supervisor starts one process per worker; one process serves alone.
        assert len(worker_processes(server.pid)) == (workers if workers > 1 else 0)
        audited = (tmp_path / "audit.jsonl").read_text(encoding="utf-8").splitlines()
        assert sum('"path":"/trends"' in line for line in audited) == 2 * workers
    finally:
        server.terminate()
        server.wait(timeout=60)
