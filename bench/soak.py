"""Soak: a steady load on the API for a long time, watching errors, p95 and memory.

    python bench/api_corpus.py --docs 1000000          # once: index the synthetic corpus
    python bench/soak.py [--minutes 10] [--rate 50]    # issue 6: 10 minutes at 50 requests/s

Requests arrive at a fixed rate (open loop: a slow answer does not slow the arrivals) and mix
the dashboard's calls: /trends, /topics, /search, /places, /keywords and /sources with varied
filters, through a real `vnopinion serve` with authentication on (a viewer key, created for
the run and revoked after) and the rate limit off. Every minute it prints the requests
answered, errors, p50 and p95, and the API process's resident memory; at the end it checks the
issue's bars: no errors, a stable p95 (no minute's p95 above twice the first full minute's),
and resident memory growing less than 10% from the end of the first minute to the end.
Exit status 1 when a bar is missed.
"""

from __future__ import annotations

import argparse
import random
import signal
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from api_latency import percentile, requests_for, start_api  # bench/ is sys.path[0]

from indexer.client import make_client
from indexer.node import LocalNode
from vnopinion.settings import Settings
from vnopinion.vocabulary import load_vocabulary

MIX = [("/trends", 30), ("/topics", 20), ("/search", 30), ("/places", 8), ("/keywords", 7),
       ("/sources", 5)]  # fmt: skip
POOL = 400  # distinct requests per endpoint, drawn at random


@dataclass
class Minute:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    rss_kb: int = 0


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def request_pool(topics: list[str], seed: int) -> list[tuple[str, dict[str, Any]]]:
    pool: list[tuple[str, dict[str, Any]]] = []
    rng = random.Random(seed)  # noqa: S311 - reproducible benchmark inputs
    for n, (endpoint, weight) in enumerate(MIX):
        if endpoint in ("/trends", "/topics", "/search"):
            made = requests_for(endpoint, POOL, seed + n, topics)
        else:  # the same windows as /topics, which is what the dashboard sends beside it
            made = requests_for("/topics", POOL, seed + n, topics)
        pool += [(endpoint, rng.choice(made)) for _ in range(weight * 10)]
    rng.shuffle(pool)
    return pool


def create_key(settings: Settings) -> tuple[str, str]:
    from api.security.keys import KeyStore

    with make_client(settings) as client:
        new = KeyStore(client, settings.api_keys_index).create("soak benchmark", "viewer")
    return new.key.id, new.secret


def revoke_key(settings: Settings, key_id: str) -> None:
    from api.security.keys import KeyStore

    with make_client(settings) as client:
        KeyStore(client, settings.api_keys_index).revoke(key_id)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alias", default="bench-api-docs")
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--rate", type=float, default=50, help="requests per second")
    parser.add_argument("--seed", type=int, default=23)
    args = parser.parse_args()
    settings = Settings().model_copy(
        update={"index_alias": args.alias, "api_auth": True, "api_rate_limit_per_minute": 0}
    )
    LocalNode(settings).start()
    with make_client(settings) as es:
        if not es.indices.exists_alias(name=args.alias):
            sys.exit(f"no alias {args.alias}: run python bench/api_corpus.py --alias {args.alias}")
        documents = es.count(index=args.alias)["count"]
    pool = request_pool(list(load_vocabulary().topics), args.seed)
    key_id, secret = create_key(settings)
    # Stopped with SIGTERM too, the run revokes its key and stops its API (finally, below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("soak stopped (SIGTERM)"))
    server, url = start_api(settings, workers=1, auth=True)
    minutes = int(args.minutes * 60) // 60 or 1
    results = [Minute() for _ in range(minutes)]
    lock = threading.Lock()
    began = time.monotonic()
    total = int(args.minutes * 60 * args.rate)
    http = httpx.Client(
        base_url=url, timeout=30, headers={"Authorization": f"Bearer {secret}"},
        limits=httpx.Limits(max_connections=256, max_keepalive_connections=64),
    )  # fmt: skip

    def fire(endpoint: str, params: dict[str, Any], due: float) -> None:
        sent = time.monotonic()
        try:
            response = http.get(endpoint, params=params)
            error = None if response.status_code == 200 else f"{endpoint} {response.status_code}"
        except httpx.HTTPError as exc:
            error = f"{endpoint} {type(exc).__name__}"
        done = time.monotonic()
        minute = min(int((due - began) // 60), minutes - 1)
        with lock:
            results[minute].latencies.append((done - sent) * 1000)
            if error:
                results[minute].errors.append(error)

    print(f"{documents:,} documents in {args.alias}; {args.rate:g} requests/s for "
          f"{args.minutes:g} min ({total:,} requests); API pid {server.pid}")  # fmt: skip
    print(f"{'minute':>6}{'answered':>10}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}{'RSS MB':>9}")
    reported = 0
    try:
        with ThreadPoolExecutor(max_workers=128) as executor:
            for n in range(total):
                due = began + n / args.rate
                delay = due - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                endpoint, params = pool[n % len(pool)]
                executor.submit(fire, endpoint, params, due)
                elapsed_minutes = int((time.monotonic() - began) // 60)
                while reported < min(elapsed_minutes, minutes):
                    results[reported].rss_kb = rss_kb(server.pid)
                    report(reported, results[reported], lock)
                    reported += 1
        while reported < minutes:
            results[reported].rss_kb = rss_kb(server.pid)
            report(reported, results[reported], lock)
            reported += 1
    finally:
        http.close()
        server.terminate()
        server.wait(timeout=30)
        revoke_key(settings, key_id)
    sys.exit(verdict(results, total))


def report(index: int, minute: Minute, lock: threading.Lock) -> None:
    with lock:
        values = list(minute.latencies)
        errors = len(minute.errors)
    p50 = percentile(values, 50) if len(values) > 1 else float("nan")
    p95 = percentile(values, 95) if len(values) > 1 else float("nan")
    print(f"{index + 1:>6}{len(values):>10}{errors:>8}{p50:>9.1f}{p95:>9.1f}"
          f"{minute.rss_kb / 1024:>9.1f}", flush=True)  # fmt: skip


def verdict(results: list[Minute], total: int) -> int:
    answered = sum(len(m.latencies) for m in results)
    errors = [e for m in results for e in m.errors]
    p95s = [percentile(m.latencies, 95) for m in results if len(m.latencies) > 1]
    all_latencies = [v for m in results for v in m.latencies]
    growth = (results[-1].rss_kb / results[0].rss_kb - 1) * 100 if results[0].rss_kb else 0.0
    stable = bool(p95s) and max(p95s) <= 2 * p95s[0]
    print(f"answered {answered:,} of {total:,}; errors {len(errors)}"
          + (f" (first: {errors[:3]})" if errors else ""))  # fmt: skip
    print(f"overall p50 {percentile(all_latencies, 50):.1f} ms, p95 "
          f"{percentile(all_latencies, 95):.1f} ms; per-minute p95 from {min(p95s):.1f} to "
          f"{max(p95s):.1f} ms")  # fmt: skip
    print(f"API resident memory: {results[0].rss_kb / 1024:.1f} MB after minute 1, "
          f"{results[-1].rss_kb / 1024:.1f} MB at the end ({growth:+.1f}%)")  # fmt: skip
    bars = {"no errors": not errors and answered == total,
            "stable p95 (each minute at most 2x the first)": stable,
            "memory growth under 10%": growth < 10}  # fmt: skip
    for bar, held in bars.items():
        print(f"{'PASS' if held else 'MISS'}: {bar}")
    return 0 if all(bars.values()) else 1


if __name__ == "__main__":
    main()
