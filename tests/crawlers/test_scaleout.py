"""Two crawler processes on one source share a Redis frontier and split its pages.

The sample site (our own pages) is served at its canonical URLs; both processes start at
once, share the data directory and index into the session's real Elasticsearch node. The
server's request log shows every article page fetched once in all; the index holds every
article once; both processes did some of the work; the last one out cleared the frontier.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch
from redis import Redis

from crawlers.local_redis import RedisMissingError, local_redis, redis_server_path
from crawlers.replay import LocalSites, Page, page_key
from indexer.node import LocalNode
from tests.conftest import cli_env
from vnopinion.demo_site import render
from vnopinion.demo_site.content import load_site
from vnopinion.settings import Settings

pytestmark = [pytest.mark.es, pytest.mark.slow]
REPO = Path(__file__).resolve().parents[2]
ORIGIN = render.CANONICAL_ORIGIN
FEED = f"{ORIGIN}/rss/tin-moi-nhat.rss"
SOURCE = {
    "key": "tindansinh", "name": "Tin Dân Sinh (trang mẫu)", "domains": ["tindansinh.demo"],
    "entry_points": [{"kind": "rss", "url": FEED}],
    "article_url_patterns": [r"^https://tindansinh\.demo/[a-z-]+/[a-z0-9-]+-\d{7}\.html$"],
}  # fmt: skip
PROCESSES = 2


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    """A redis-server of our own; CI must have one, elsewhere its absence skips with why."""
    try:
        redis_server_path()
    except RedisMissingError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(str(exc))
        pytest.skip(str(exc))
    with local_redis(tmp_path / "redis") as url:
        yield url


@pytest.fixture
def sample_site() -> Iterator[LocalSites]:
    """The sample site; the feed is answered once both processes asked for it (a fair start)."""
    site = load_site()
    pages = {page_key(FEED): Page(render.rss_feed(site, ORIGIN).encode(), "application/rss+xml")}
    for article in site.articles:
        pages[page_key(ORIGIN + article.path)] = Page(render.article_page(article).encode())
    both_started = threading.Barrier(PROCESSES, timeout=180)

    def hold_feed(key: str) -> None:
        if key == page_key(FEED):
            both_started.wait()

    local = LocalSites(pages, delay_s=0.1, before_response=hold_feed)
    yield local
    local.close()


def start_crawl(
    site: LocalSites, data_dir: Path, settings: Settings, alias: str, redis_url: str
) -> subprocess.Popen[str]:
    args = {"base": site.base_url, "source": SOURCE, "data_dir": str(data_dir),
            "es_url": settings.es_url, "alias": alias, "chunk": 4, "concurrency": 2,
            "frontier": redis_url, "frontier_key": "t-scaleout"}  # fmt: skip
    env = cli_env(settings, VNOPINION_NLP_WORKERS="1")  # two crawlers on a small machine
    return subprocess.Popen(
        [sys.executable, "-m", "crawlers.replay_crawl", json.dumps(args)],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def test_two_processes_split_the_site_with_nothing_missed_or_fetched_twice(
    es_node: LocalNode,
    es_settings: Settings,
    es: Elasticsearch,
    alias: str,
    sample_site: LocalSites,
    redis_url: str,
    tmp_path: Path,
) -> None:
    articles = {page_key(ORIGIN + a.path): a.path for a in load_site().articles}
    data_dir = tmp_path / "data"  # shared, as by processes on one machine
    crawls = [
        start_crawl(sample_site, data_dir, es_settings, alias, redis_url) for _ in range(PROCESSES)
    ]
    reports = []
    for crawl in crawls:
        out, err = crawl.communicate(timeout=400)
        assert crawl.returncode == 0, err[-3000:]
        run = json.loads(out.strip().splitlines()[-1])
        assert run["outside_attempts"] == []
        assert run["report"]["errors"] == 0, err[-4000:]
        reports.append(run["report"])

    fetched = Counter(key for key in sample_site.requests if key in articles)
    # every article page fetched exactly once across both processes
    assert fetched == Counter(dict.fromkeys(articles, 1)), reports
    # both did some of the work, and what they did adds up
    assert all(r["articles"] > 0 for r in reports), reports
    assert sum(r["articles"] for r in reports) == len(articles)

    es.indices.refresh(index=alias)
    hits = es.search(index=alias, size=100, source_includes=["url"])["hits"]["hits"]
    urls = [h["_source"]["url"].removeprefix(ORIGIN) for h in hits]
    # every article indexed, none twice
    assert sorted(urls) == sorted(articles.values())

    with Redis.from_url(redis_url) as server:
        assert server.keys("t-scaleout:*") == [], "the last process out clears the frontier"
