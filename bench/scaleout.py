"""Scale-out benchmark: documents indexed per second by one crawler process and by two
sharing a Redis frontier, on the sample site served locally.

    python bench/scaleout.py [--pages 120] [--concurrency 8] [--nlp-workers 0]

Starts the node of the current settings if needed (VNOPINION_* as usual; stopped again if
this script started it) and a redis-server of its own (Debian's, on a free port). The site is
the sample site's articles repeated under new ids (as in bench/crawl.py), replayed from
127.0.0.1 with no delay. Each configuration crawls it from scratch (a fresh data directory and
a throwaway alias) through the full pipeline: extraction, tagging, bulk indexing. Figures:
documents indexed / wall time from launching the processes to the last one's exit (start-up
and model loading included), and / the crawl's own time (Scrapy's elapsed, longest process).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from crawl import replay_site  # bench/crawl.py, beside this script

from crawlers.local_redis import local_redis
from crawlers.replay import LocalSites
from indexer.client import make_client
from indexer.node import LocalNode
from indexer.setup import ensure_index
from vnopinion.demo_site import render
from vnopinion.settings import Settings

REPO = Path(__file__).resolve().parents[1]


def measure(
    settings: Settings, pages: int, processes: int, frontier: str | None, args: argparse.Namespace
) -> dict[str, Any]:
    source = {
        "key": "bench", "name": "Bench", "domains": ["tindansinh.demo"],
        "entry_points": [{"kind": "rss", "url": f"{render.CANONICAL_ORIGIN}/rss/bench.rss"}],
        "article_url_patterns": [r"^https://tindansinh\.demo/.+-\d{7}\.html$"],
        "limits": {"max_articles_per_run": pages + 1},
    }  # fmt: skip
    alias = f"bench-scaleout-{int(time.time())}-docs"
    env = {k: v for k, v in os.environ.items() if not k.startswith("VNOPINION_")}
    env["VNOPINION_NLP_WORKERS"] = str(args.nlp_workers)
    sites = LocalSites(replay_site(pages))
    client = make_client(settings)
    ensure_index(client, alias)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            run = {"base": sites.base_url, "source": source, "data_dir": tmp,
                   "es_url": settings.es_url, "alias": alias, "chunk": args.chunk,
                   "concurrency": args.concurrency, "frontier": frontier,
                   "frontier_key": alias}  # fmt: skip
            began = time.perf_counter()
            command = [sys.executable, "-m", "crawlers.replay_crawl", json.dumps(run)]
            procs = [
                subprocess.Popen(
                    command,
                    cwd=REPO,
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
                for _ in range(processes)
            ]
            outputs = [p.communicate() for p in procs]
            wall = time.perf_counter() - began
        reports = []
        for proc, (out, err) in zip(procs, outputs, strict=True):
            if proc.returncode != 0:
                sys.exit(f"a crawl failed:\n{err[-3000:]}")
            reports.append(json.loads(out.strip().splitlines()[-1])["report"])
        client.indices.refresh(index=alias)
        indexed = int(client.count(index=alias)["count"])
    finally:
        sites.close()
        indices = list(client.indices.get(index=f"{alias}-*"))
        client.indices.delete(index=",".join(indices))
        client.indices.delete_index_template(name=alias)
        client.close()
    fetched = sum(1 for key in sites.requests if key.endswith(".html"))
    return {"indexed": indexed, "wall_s": wall, "fetched": fetched,
            "crawl_s": max(r["elapsed_s"] for r in reports),
            "split": [r["articles"] for r in reports]}  # fmt: skip


def line(label: str, result: dict[str, Any]) -> str:
    return (
        f"{label}: {result['indexed']} documents, {result['fetched']} article pages fetched "
        f"(split {'/'.join(map(str, result['split']))}); {result['wall_s']:.1f} s wall = "
        f"{result['indexed'] / result['wall_s']:.1f} docs/s; crawl time "
        f"{result['crawl_s']:.1f} s = {result['indexed'] / result['crawl_s']:.1f} docs/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=120)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--chunk", type=int, default=50)
    parser.add_argument("--nlp-workers", type=int, default=0, help="per process; 0 = per core")
    args = parser.parse_args()
    settings = Settings()
    node = LocalNode(settings)
    started = node.start()
    try:
        with tempfile.TemporaryDirectory() as tmp, local_redis(Path(tmp)) as redis_url:
            one = measure(settings, args.pages, 1, None, args)
            print(line("1 process (in-process scheduler)", one))
            shared_one = measure(settings, args.pages, 1, redis_url, args)
            print(line("1 process (Redis frontier)     ", shared_one))
            two = measure(settings, args.pages, 2, redis_url, args)
            print(line("2 processes (Redis frontier)   ", two))
    finally:
        if started:
            node.stop()
    print(f"{os.cpu_count()} CPU cores; concurrency {args.concurrency} per process, tagging "
          f"workers {args.nlp_workers or 'one per core'} per process, bulk chunk {args.chunk}; "
          f"Elasticsearch {settings.es_version}, heap {settings.es_heap}")  # fmt: skip


if __name__ == "__main__":
    main()
