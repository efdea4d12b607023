"""``vnopinion monitor`` as a user runs it, against the live sample site (our own pages) and a
real Elasticsearch node:

- killed with SIGKILL in the middle of a cycle, then started again: nothing lost (every
  article and comment of the site indexed, each once) and nothing fetched twice (every
  article page requested once over both runs), and no crawl process outlives its monitor;
- a source that starts answering with a Cloudflare-style challenge page is reported broken,
  with a health alert in the alerts log, at the first cycle after the change (the issue asks
  for two), and ``GET /sources`` shows it.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from elasticsearch import Elasticsearch
from fastapi.testclient import TestClient

from api.app import create_app
from crawlers.sources import Limits
from indexer.monitoring import read_health, read_metrics
from tests.conftest import cli_env, run_cli
from vnopinion.demo_site import server as site_server
from vnopinion.demo_site.content import load_site
from vnopinion.demo_site.server import SampleSiteServer
from vnopinion.demo_site.source import sample_source
from vnopinion.settings import Settings
from vnopinion.vocabulary import load_vocabulary

pytestmark = [pytest.mark.es, pytest.mark.slow]
START_TIMEOUT_S = 300


class CountingHandler(site_server._Handler):
    """Serves article pages slowly, so that a kill lands while the crawl is still fetching,
    and counts every response delivered whole, by path. A request the kill cut off while the
    page was being prepared never reached the crawler: it is not a fetch. (What remains is
    the moment between a page's arrival and its journal entry: milliseconds against the
    0.4 s each page takes here.)"""

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        server: Any = self.server
        path = self.path.split("?")[0]
        if path.endswith(".html"):
            time.sleep(server.article_delay_s)
        super().do_GET()
        self.wfile.flush()
        with server.count_lock:
            server.requests[path] += 1


STARTED: list[subprocess.Popen[bytes]] = []


@pytest.fixture(autouse=True)
def no_monitor_left() -> Iterator[None]:
    """A failed assertion must not leave a monitor running after its test."""
    yield
    while STARTED:
        process = STARTED.pop()
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


@pytest.fixture
def site() -> Iterator[SampleSiteServer]:
    import threading

    server = SampleSiteServer(load_site())
    server.RequestHandlerClass = CountingHandler
    server.requests = Counter()  # type: ignore[attr-defined]
    server.count_lock = threading.Lock()  # type: ignore[attr-defined]
    server.article_delay_s = 0.0  # type: ignore[attr-defined]
    server.start_in_thread()
    yield server
    server.shutdown()


@pytest.fixture
def monitor_settings(es_settings: Settings, alias: str, tmp_path: Path) -> Settings:
    return es_settings.model_copy(update={
        "data_dir": tmp_path / "data", "index_alias": alias,
        "monitor_index": f"{alias}-monitor", "nlp_entities": False, "nlp_workers": 1,
    })  # fmt: skip


def sources_file(tmp_path: Path, server: SampleSiteServer) -> Path:
    """The live site as the only source; its threads are followed for a year, since our
    sample articles were written weeks ago (the default follows a week)."""
    path = tmp_path / "sources.yaml"
    year = Limits(comments_refresh_days=365)
    followed = sample_source(server.base_url).model_copy(update={"limits": year})
    data = followed.model_dump(mode="json", exclude_defaults=True)
    path.write_text(yaml.safe_dump({"sources": [data]}, allow_unicode=True), encoding="utf-8")
    return path


def start_monitor(
    settings: Settings, sources: Path, log: Path, *args: str
) -> subprocess.Popen[bytes]:
    env = cli_env(settings, VNOPINION_INDEX_ALIAS=settings.index_alias,
                  VNOPINION_MONITOR_INDEX=settings.monitor_index,
                  VNOPINION_NLP_ENTITIES="false", VNOPINION_NLP_WORKERS="1")  # fmt: skip
    local = ["--crawl-setting", "DOWNLOAD_DELAY=0", "--crawl-setting", "AUTOTHROTTLE_ENABLED=false"]
    command = [sys.executable, "-c", "from vnopinion.cli import run; run()", "monitor",
               "--sources", str(sources), *local, "--no-spike-alerts", *args]  # fmt: skip
    with log.open("ab") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)  # fmt: skip
    STARTED.append(process)
    return process


def journal_entries(data_dir: Path) -> int:
    return sum(
        1
        for segment in (data_dir / "journal").glob("journal-*.jsonl")
        for line in segment.read_text(encoding="utf-8", errors="replace").splitlines()
        if line.startswith('{"seq"')
    )


def crawl_pids(log: Path) -> list[int]:
    return [int(p) for p in re.findall(r"crawl process (\d+) started", log.read_text("utf-8"))]


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


def count(es: Elasticsearch, alias: str, kind: str) -> tuple[int, int]:
    """(documents of ``kind``, distinct ids among them)."""
    es.indices.refresh(index=alias)
    ids = {"ids": {"cardinality": {"field": "id"}}}
    answer = es.search(index=alias, size=0, query={"term": {"kind": kind}}, aggs=ids,
                       track_total_hits=True)  # fmt: skip
    return answer["hits"]["total"]["value"], answer["aggregations"]["ids"]["value"]


def test_a_monitor_killed_mid_cycle_loses_nothing_and_fetches_nothing_twice(
    es: Elasticsearch, monitor_settings: Settings, site: SampleSiteServer, tmp_path: Path
) -> None:
    settings = monitor_settings
    sources, log = sources_file(tmp_path, site), tmp_path / "monitor.log"
    site.article_delay_s = 0.4  # type: ignore[attr-defined]
    first = start_monitor(settings, sources, log, "--interval", "3600",
                          "--crawl-setting", "CONCURRENT_REQUESTS=1")  # fmt: skip
    deadline = time.monotonic() + START_TIMEOUT_S
    while journal_entries(settings.data_dir) < 6:
        assert first.poll() is None, log.read_text("utf-8")[-3000:]
        assert time.monotonic() < deadline, "the crawl journaled nothing in time"
        time.sleep(0.1)
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(timeout=30)
    journaled_at_kill = journal_entries(settings.data_dir)
    [crawler] = crawl_pids(log)
    time.sleep(2)
    assert not alive(crawler), "the crawl process outlived its killed monitor"
    fetched_before = sum(n for p, n in site.requests.items() if p.endswith(".html"))  # type: ignore[attr-defined]
    assert 0 < fetched_before < len(site.site.articles)

    site.article_delay_s = 0.0  # type: ignore[attr-defined]
    # Cycle 1 fetches what the kill left unfetched; cycle 2 reads the threads the killed crawl
    # never got to (an unread thread is due at once).
    second = start_monitor(settings, sources, log, "--interval", "3600", "--cycles", "2")
    assert second.wait(timeout=START_TIMEOUT_S) == 0, log.read_text("utf-8")[-3000:]

    articles = site.site.articles
    pages = Counter({p: n for p, n in site.requests.items() if p.endswith(".html")})  # type: ignore[attr-defined]
    assert pages == Counter({a.path: 1 for a in articles}), "an article page was fetched twice"
    assert count(es, settings.index_alias, "article") == (len(articles), len(articles))
    comments = sum(a.comment_count for a in articles)
    assert count(es, settings.index_alias, "comment") == (comments, comments)
    assert journal_entries(settings.data_dir) == 0  # all of it stored and acknowledged
    lines = [
        json.loads(line) for line in log.read_text("utf-8").splitlines() if line.startswith("{")
    ]
    abandoned = [line for line in lines if "abandoned_cycle" in line]
    assert len(abandoned) == 1, "the restarted monitor did not say which cycle it abandoned"
    assert journaled_at_kill >= 6


def test_a_source_that_starts_serving_a_block_page_is_reported_at_the_next_cycle(
    es: Elasticsearch, monitor_settings: Settings, site: SampleSiteServer, tmp_path: Path
) -> None:
    settings = monitor_settings
    sources, log = sources_file(tmp_path, site), tmp_path / "monitor.log"
    monitor = start_monitor(settings, sources, log, "--interval", "5", "--cycles", "4")
    deadline = time.monotonic() + START_TIMEOUT_S
    while (snapshot := read_metrics(es, settings.monitor_index)) is None or snapshot.cycles < 1:
        assert monitor.poll() is None, log.read_text("utf-8")[-3000:]
        assert time.monotonic() < deadline, "no cycle finished in time"
        time.sleep(0.2)
    assert read_health(es, settings.monitor_index)["tindansinh"].status == "ok"
    site.set_blocked(True)
    blocked_after = snapshot.cycles
    assert monitor.wait(timeout=START_TIMEOUT_S) == 0, log.read_text("utf-8")[-3000:]
    alerts = [json.loads(line) for line in settings.alerts_log_path.read_text("utf-8").splitlines()]
    assert [(a["kind"], a["source"]) for a in alerts] == [("source_broken", "tindansinh")]
    cycles = [json.loads(line) for line in log.read_text("utf-8").splitlines()
              if line.startswith("{") and "cycle finished" in line]  # fmt: skip
    broken_at = next(i for i, c in enumerate(cycles, 1) if c["health"]["tindansinh"] == "broken")
    assert broken_at - blocked_after <= 2, "the block was reported later than two cycles"
    assert alerts[0]["cycle_id"] == cycles[broken_at - 1]["cycle_id"]
    assert alerts[0]["last_error_kind"] == "blocked"
    health = read_health(es, settings.monitor_index)["tindansinh"]
    assert health.status == "broken"
    assert "Cloudflare" in (health.last_error or "")
    with TestClient(create_app(settings, load_vocabulary())) as api:
        listed = api.get("/sources").json()["sources"]
    [ours] = [s for s in listed if s["source"] == "tindansinh.demo"]
    assert ours["health"]["status"] == "broken"
    status = run_cli("monitor", "--status", env=cli_env(settings))  # what the operator sees
    assert status.returncode == 2, status.stderr
    [row] = [line for line in status.stdout.splitlines() if line.startswith("tindansinh ")]
    assert row.split()[1] == "broken"
    assert "Cloudflare" in row
