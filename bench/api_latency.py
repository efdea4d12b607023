"""API latency at scale: p50/p95 of /trends, /topics and /search under concurrent clients,
and of the very same Elasticsearch queries sent directly, in the same run.

    python bench/api_corpus.py --docs 1000000          # once: index the synthetic corpus
    python bench/api_latency.py [--alias bench-api-docs] [--clients 16] [--requests 400]

Requests vary (topic, province, source, query words, and the window's end by the minute), so
Elasticsearch's request cache cannot answer them from earlier ones; the caches are cleared
before every phase. The Elasticsearch queries are recorded from the API's own code: every
request is first made once through the app in-process with a client that records what it
sends, then the phases replay the HTTP requests against a real `vnopinion serve` and the
recorded queries against Elasticsearch, each with the same number of concurrent clients.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import httpx
import orjson
import urllib3
from elasticsearch import Elasticsearch
from fastapi.testclient import TestClient

from api.app import create_app
from indexer.client import make_client
from indexer.node import LocalNode
from vnopinion.settings import Settings
from vnopinion.vocabulary import load_vocabulary

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
END = datetime(2026, 11, 25, tzinfo=VIETNAM)  # the corpus's last day (bench/api_corpus.py)
WORDS = ["đền bù", "thu tuc", "ngập", "tắc đường", "giá", "học phí", "bệnh viện", "rác",
         "sổ đỏ", "điện", "xe buýt", "ô nhiễm", "chung cư", "tham nhũng", "sáp nhập"]  # fmt: skip
PROVINCES = ["Thành phố Hà Nội", "Thành phố Hồ Chí Minh", "Thành phố Đà Nẵng", "Nghệ An",
             "Quảng Ngãi", "Thành phố Cần Thơ"]  # fmt: skip
SOURCES = ["vnexpress.net", "tuoitre.vn", "thanhnien.vn", "dantri.com.vn"]


class RecordingClient:
    """Passes every call to the real client and keeps the keyword arguments of searches."""

    def __init__(self, real: Elasticsearch) -> None:
        self._real = real
        self.searches: list[dict[str, Any]] = []

    def search(self, **kwargs: Any) -> Any:
        self.searches.append(kwargs)
        return self._real.search(**kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


class AsyncRecordingClient(RecordingClient):
    """``RecordingClient`` for the API's async client, sharing the same record."""

    def __init__(self, real: Any, searches: list[dict[str, Any]]) -> None:
        super().__init__(real)
        self.searches = searches

    async def search(self, **kwargs: Any) -> Any:  # type: ignore[override]
        self.searches.append(kwargs)
        return await self._real.search(**kwargs)


def _window(rng: random.Random, days: int) -> dict[str, str]:
    until = END - timedelta(minutes=rng.randrange(7 * 24 * 60))
    since = until - timedelta(days=days)
    return {"since": since.isoformat(), "until": until.isoformat()}


def requests_for(endpoint: str, count: int, seed: int, topics: list[str]) -> list[dict[str, Any]]:
    """``count`` varied query strings for ``endpoint``."""
    rng = random.Random(seed)  # noqa: S311 - reproducible benchmark inputs
    made = []
    for _ in range(count):
        params: dict[str, Any] = {}
        if endpoint == "/trends":
            params |= _window(rng, 90) | {"interval": "day"}
            if rng.random() < 0.5:
                params["topic"] = rng.choice(topics)
            if rng.random() < 0.3:
                params["province"] = rng.choice(PROVINCES)
        elif endpoint == "/topics":
            params |= _window(rng, rng.choice([7, 30]))
            if rng.random() < 0.3:
                params["source"] = rng.choice(SOURCES)
        else:
            params |= _window(rng, 30) | {"q": rng.choice(WORDS), "size": 20}
            params["sort"] = rng.choice(["relevance", "time", "engagement"])
        made.append(params)
    return made


def record_queries(settings: Settings, endpoint: str, batch: list[dict[str, Any]]
                   ) -> list[list[dict[str, Any]]]:  # fmt: skip
    """The Elasticsearch searches the API makes for each request, in order."""
    recorded = []
    with TestClient(create_app(settings, load_vocabulary())) as app:
        state = app.app.state  # type: ignore[attr-defined]
        searches: list[dict[str, Any]] = []
        state.es = RecordingClient(state.es)
        state.es.searches = searches
        state.async_es = AsyncRecordingClient(state.async_es, searches)
        for params in batch:
            searches.clear()
            response = app.get(endpoint, params=params)
            response.raise_for_status()
            recorded.append(list(searches))
    return recorded


def call_api(http: urllib3.HTTPConnectionPool, endpoint: str, params: dict[str, Any]) -> None:
    """One API request, answered and parsed, as the Elasticsearch client does for its own."""
    response = http.request("GET", f"{endpoint}?{urlencode(params, doseq=True)}")
    if response.status != 200:
        raise RuntimeError(f"{endpoint} answered {response.status}: {response.data[:200]!r}")
    orjson.loads(response.data)


def call_es(es: Elasticsearch, searches: list[dict[str, Any]]) -> None:
    for search in searches:
        es.search(**search)


def run_concurrently(work: list[Callable[[], None]], clients: int) -> list[float]:
    """Milliseconds per item, ``clients`` items in flight at a time."""
    latencies: list[float] = []
    lock = threading.Lock()
    queue = list(reversed(work))

    def client() -> None:
        while True:
            with lock:
                if not queue:
                    return
                item = queue.pop()
            began = time.perf_counter()
            item()
            elapsed = (time.perf_counter() - began) * 1000
            with lock:
                latencies.append(elapsed)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies


def cpu_ms(pid: int) -> float:
    """CPU time (user + system) a process has used so far, in milliseconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


class CpuMeter:
    """CPU milliseconds per request of this process (the clients), the API and Elasticsearch
    over one phase: where the time of a saturated machine goes."""

    def __init__(self, api_pid: int, es_pid: int | None) -> None:
        self.pids = {"api": api_pid, "es": es_pid}

    def __enter__(self) -> CpuMeter:
        self.began = {"client": time.process_time() * 1000} | {
            name: cpu_ms(pid) for name, pid in self.pids.items() if pid is not None
        }
        return self

    def __exit__(self, *exc: object) -> None:
        now = {"client": time.process_time() * 1000} | {
            name: cpu_ms(pid) for name, pid in self.pids.items() if pid is not None
        }
        self.used = {name: now[name] - self.began[name] for name in self.began}

    def per_request(self, requests: int) -> str:
        return " ".join(f"{name} {ms / requests:.1f}" for name, ms in self.used.items())


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_api(
    settings: Settings, workers: int = 1, auth: bool = False
) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = os.environ | {
        "VNOPINION_INDEX_ALIAS": settings.index_alias,
        "VNOPINION_API_PORT": str(port),
        "VNOPINION_API_HOST": "127.0.0.1",
        "VNOPINION_API_AUTH": "true" if auth else "false",
        "VNOPINION_API_RATE_LIMIT_PER_MINUTE": "0",
        "VNOPINION_API_WORKERS": str(workers),
    }
    server = subprocess.Popen(
        [sys.executable, "-c", "from vnopinion.cli import run; run()", "serve"], env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return server, url
        except httpx.HTTPError:
            time.sleep(0.3)
    server.kill()
    sys.exit("the API did not start within 60 s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alias", default="bench-api-docs")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--requests", type=int, default=400, help="per endpoint and phase")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--api-workers", type=int, default=1, help="vnopinion serve processes")
    parser.add_argument(
        "--endpoints",
        default="/trends,/topics,/search",
        help="comma-separated subset of /trends,/topics,/search",
    )
    args = parser.parse_args()
    # Latency of the queries, not of authentication: keys and rate limits are off here.
    settings = Settings().model_copy(
        update={"index_alias": args.alias, "api_auth": False, "api_rate_limit_per_minute": 0}
    )
    LocalNode(settings).start()
    es_pid = LocalNode(settings).pid()
    es = make_client(settings).options(request_timeout=60)
    if not es.indices.exists_alias(name=args.alias):
        sys.exit(f"no alias {args.alias}: run python bench/api_corpus.py --alias {args.alias}")
    documents = es.count(index=args.alias)["count"]
    topics = list(load_vocabulary().topics)
    server, url = start_api(settings, args.api_workers)
    rows = []
    try:
        for n, endpoint in enumerate(("/trends", "/topics", "/search")):
            if endpoint not in args.endpoints.split(","):
                continue
            batch = requests_for(endpoint, args.requests, args.seed + n, topics)
            queries = record_queries(settings, endpoint, batch)
            # urllib3, the HTTP library under the Elasticsearch client: both phases pay the
            # same client-side cost, so the difference is the API's own.
            host, port = url.removeprefix("http://").split(":")
            http = urllib3.HTTPConnectionPool(host, int(port), maxsize=args.clients, timeout=60)

            es.indices.clear_cache(index=args.alias, request=True, query=True)
            with CpuMeter(server.pid, es_pid) as api_cpu:
                api_ms = run_concurrently(
                    [partial(call_api, http, endpoint, params) for params in batch], args.clients
                )
            es.indices.clear_cache(index=args.alias, request=True, query=True)
            with CpuMeter(server.pid, es_pid) as es_cpu:
                es_ms = run_concurrently([partial(call_es, es, s) for s in queries], args.clients)
            http.close()
            calls = sum(len(s) for s in queries) / len(queries)
            cpu = (api_cpu.per_request(len(batch)), es_cpu.per_request(len(batch)))
            rows.append((endpoint, api_ms, es_ms, calls, cpu))
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"{documents:,} documents in {args.alias}; {args.clients} concurrent clients; "
          f"{args.requests} requests per endpoint and phase; "
          f"{args.api_workers} API process(es)")  # fmt: skip
    header = (f"{'endpoint':<10}{'API p50':>9}{'API p95':>9}{'ES p50':>9}{'ES p95':>9}"
              f"{'API-ES p50':>12}{'ES calls/req':>14}")  # fmt: skip
    print(header)
    for endpoint, api_ms, es_ms, calls, _ in rows:
        a50, a95 = percentile(api_ms, 50), percentile(api_ms, 95)
        e50, e95 = percentile(es_ms, 50), percentile(es_ms, 95)
        print(f"{endpoint:<10}{a50:>9.1f}{a95:>9.1f}{e50:>9.1f}{e95:>9.1f}{a50 - e50:>12.1f}"
              f"{calls:>14.1f}")  # fmt: skip
    print("CPU milliseconds per request (user + system), by process:")
    for endpoint, *_, (api_phase, es_phase) in rows:
        print(f"{endpoint:<10}API phase: {api_phase}; ES phase: {es_phase}")
    version = LocalNode(settings).status().version
    print(
        f"(milliseconds; Elasticsearch {version}, heap {settings.es_heap}; "
        f"{os.cpu_count()} CPU cores shared by the API, Elasticsearch and the clients)"
    )


if __name__ == "__main__":
    main()
