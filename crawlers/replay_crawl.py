"""Run one NewsSpider crawl against a replay server, in its own process (Scrapy's reactor
cannot restart), with the outside network blocked. Used by the crawl tests and bench/crawl.

    python -m crawlers.replay_crawl '<json: base? (absent: no replay), source (key or definition),
        data_dir, entry_points?, limits?, since?, out? (JSON Lines) or es_url + alias, chunk?,
        frontier? (a Redis URL shared with other processes), frontier_key?, journal? (the
        fetch journal's folder, crawlers/journal.py)>'

Prints one JSON line: the crawl report and any outside connection attempts. Settings the
JSON does not give come from the environment, as for ``vnopinion``: Elasticsearch's
credentials (``VNOPINION_ES_USERNAME``, ``VNOPINION_ES_PASSWORD``) travel there, never on the
command line.
"""

from __future__ import annotations

import json
import logging
import sys
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

from crawlers.replay import BASE_SETTING, outside_network_blocked
from crawlers.run import run_crawls
from crawlers.sources import EntryPoint, Limits, Source, load_sources
from crawlers.spiders.news import NewsSpider
from vnopinion.settings import Settings


def main(args: dict[str, Any]) -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if isinstance(args["source"], dict):
        source = Source.model_validate(args["source"])
    else:
        source = load_sources()[str(args["source"])]
    if args.get("entry_points"):
        entries = [EntryPoint.model_validate(e) for e in args["entry_points"]]
        source = source.model_copy(update={"entry_points": entries})
    if args.get("limits"):
        limits = Limits.model_validate({**source.limits.model_dump(), **args["limits"]})
        source = source.model_copy(update={"limits": limits})
    since = datetime.fromisoformat(args["since"]) if args.get("since") else None
    settings = Settings(
        _env_file=None, data_dir=Path(str(args["data_dir"])),
        es_url=str(args.get("es_url") or "http://127.0.0.1:9200"),
        index_alias=str(args.get("alias") or "vnopinion-docs"),
        bulk_chunk_size=int(str(args.get("chunk") or 500)),
        crawl_frontier=args.get("frontier"),
        crawl_frontier_key=str(args.get("frontier_key") or "vnopinion"),
    )  # fmt: skip
    overrides: dict[str, object] = {
        "VNOPINION_OUT": args.get("out"),
        "VNOPINION_JOURNAL": args.get("journal"),
        "CONCURRENT_REQUESTS_PER_DOMAIN": int(str(args.get("concurrency") or 1)),
        "CONCURRENT_REQUESTS": int(str(args.get("concurrency") or 8)),
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "LOG_LEVEL": "WARNING",
        "LOG_VERSIONS": [],
    }
    if args.get("base"):  # without it the source is crawled where it is (a local server)
        overrides[BASE_SETTING] = args["base"]
        overrides["DOWNLOADER_MIDDLEWARES"] = {"crawlers.replay.ToLocalSites": 60}
    with outside_network_blocked() as attempts:
        report = run_crawls(settings, [(NewsSpider, {"source": source, "since": since})], overrides)
    print(json.dumps({"report": asdict(report), "outside_attempts": attempts}))


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
